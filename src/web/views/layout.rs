use super::SignedInAs;
use super::form::csrf_field;
use crate::web::ACCESS_PAGE;
use maud::{DOCTYPE, Markup, html};

/// Every page: the stylesheet, the top bar (with sign-out when signed in) and the content.
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
                main { (content) }
            }
        }
    }
}

/// The head of every Access page: where it is, its title and its tabs.
pub fn access_header(trail: &[(&str, &str)]) -> Markup {
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
            a.tab.active href=(ACCESS_PAGE) aria-current="page" { "API users" }
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
