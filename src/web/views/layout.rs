use super::SignedInAs;
use super::form::csrf_field;
use crate::web::{ACCESS_PAGE, AUDIT_TAB, USERS_TAB};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The tabs of the Access page, in the order shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    ApiUsers,
    Users,
    Audit,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::ApiUsers, Tab::Users, Tab::Audit];

    fn label(self) -> &'static str {
        match self {
            Tab::ApiUsers => "API users",
            Tab::Users => "Users",
            Tab::Audit => "Audit",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Tab::ApiUsers => ACCESS_PAGE,
            Tab::Users => USERS_TAB,
            Tab::Audit => AUDIT_TAB,
        }
    }
}

/// Every page: the stylesheet, the top bar (with sign-out when signed in), the sidebar for
/// those signed in, and the content.
pub fn page(title: &str, who: Option<&SignedInAs>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · dualgate" }
                link rel="icon" type="image/svg+xml" href="/assets/favicon.svg";
                link rel="stylesheet" href="/assets/access.css";
            }
            body {
                header.topbar {
                    a.brand href="/" { "dualgate" }
                    @if let Some(who) = who {
                        div.account {
                            span.login { (who.login) }
                            form.inline method="post" action="/sign-out" {
                                (csrf_field(who.csrf))
                                button.link type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                div.frame {
                    @if who.is_some() { (sidebar()) }
                    main { (content) }
                }
            }
        }
    }
}

/// Feather's "settings" gear (MIT licence), drawn with the text colour.
const SETTINGS_ICON: &str = r#"<svg class="icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="12" r="3"/><path d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 0 1 0 2.83 2 2 0 0 1-2.83 0l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 0 1-2 2 2 2 0 0 1-2-2v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 0 1-2.83 0 2 2 0 0 1 0-2.83l.06-.06a1.65 1.65 0 0 0 .33-1.82 1.65 1.65 0 0 0-1.51-1H3a2 2 0 0 1-2-2 2 2 0 0 1 2-2h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 0 1 0-2.83 2 2 0 0 1 2.83 0l.06.06a1.65 1.65 0 0 0 1.82.33H9a1.65 1.65 0 0 0 1-1.51V3a2 2 0 0 1 2-2 2 2 0 0 1 2 2v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 0 1 2.83 0 2 2 0 0 1 0 2.83l-.06.06a1.65 1.65 0 0 0-.33 1.82V9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 0 1 2 2 2 2 0 0 1-2 2h-.09a1.65 1.65 0 0 0-1.51 1z"/></svg>"#;

/// The sidebar, with the Settings icon at its bottom. Its menu is a `details` disclosure: it
/// opens without script, from the keyboard (Enter, Space), and screen readers announce it as
/// a button that is expanded or collapsed; the menu's items are plain links.
fn sidebar() -> Markup {
    html! {
        nav.sidebar aria-label="Main" {
            details.settings-menu {
                summary title="Settings" {
                    (PreEscaped(SETTINGS_ICON))
                    span.visually-hidden { "Settings" }
                }
                ul.menu aria-label="Settings" {
                    li { a href=(ACCESS_PAGE) { "Access" } }
                }
            }
        }
    }
}

/// The head of every Access page: where it is, its title and its tabs, `current` marked.
pub fn access_header(current: Tab, trail: &[(&str, &str)]) -> Markup {
    html! {
        nav.crumbs aria-label="Breadcrumb" {
            span { "Settings" }
            " / "
            a href=(ACCESS_PAGE) { "Access" }
            @for (label, href) in trail {
                " / "
                a href=(href) { (label) }
            }
        }
        h1 { "Access" }
        nav.tabs aria-label="Access" {
            @for tab in Tab::ALL {
                @if tab == current {
                    a.tab.active href=(tab.path()) aria-current="page" { (tab.label()) }
                } @else {
                    a.tab href=(tab.path()) { (tab.label()) }
                }
            }
        }
    }
}

/// The message a previous request left (Post/Redirect/Get).
pub fn flash(message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message {
            p.flash role="status" { (message) }
        }
    }
}
