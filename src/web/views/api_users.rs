use super::SignedInAs;
use super::layout::{Tab, access_header, flash, page};
use super::pager::{PagerText, Pages, pager};
use crate::domain::{ApiUser, Status, Timestamp};
use crate::web::ACCESS_PAGE;
use maud::{Markup, html};

/// One page of the API users tab.
pub struct ListPage<'a> {
    pub who: &'a SignedInAs<'a>,
    pub flash: Option<&'a str>,
    pub users: &'a [ApiUser],
    pub pages: Pages,
    /// The configured public URL, with its trailing `/`.
    pub public_url: &'a str,
}

pub fn list(view: &ListPage) -> Markup {
    page(
        "API users",
        Some(view.who),
        html! {
            (access_header(Tab::ApiUsers, &[]))
            (flash(view.flash))
            (endpoints(view.public_url))
            div.toolbar {
                p.hint {
                    "Create one API user per integrated system, so that each can be told apart, "
                    "diagnosed and switched off on its own."
                }
                a.button.primary href=(format!("{ACCESS_PAGE}/new")) { "New user" }
            }
            @if view.users.is_empty() && view.pages.is_first() {
                p.empty { "No API users yet." }
            } @else {
                (table(view.users))
                (pager(&view.pages, &PAGER_TEXT, |skip| format!("{ACCESS_PAGE}?skip={skip}")))
            }
        },
    )
}

/// What an integrator copies: where the REST API and the WSDL are.
fn endpoints(public_url: &str) -> Markup {
    html! {
        section.endpoints aria-labelledby="endpoints-title" {
            h2 #endpoints-title { "Connect an integration" }
            dl {
                div {
                    dt { "API endpoint (REST)" }
                    dd { code #api-endpoint { (public_url) "v2/" } }
                }
                div {
                    dt { "WSDL (SOAP)" }
                    dd { code #wsdl-address { (public_url) "v2/Api.svc?wsdl" } }
                }
            }
        }
    }
}

fn table(users: &[ApiUser]) -> Markup {
    html! {
        table.users {
            (table_head(&["Email", "Description", "Status", "Locked", "Created", "Last used"]))
            tbody {
                @for user in users {
                    tr {
                        td.email data-label="Email" {
                            a href=(format!("{ACCESS_PAGE}/{}", user.id.0)) { (user.login) }
                        }
                        td data-label="Description" { (user.description.as_str()) }
                        td data-label="Status" { (status_badge(user.status)) }
                        td data-label="Locked" {
                            @if user.locked { span.badge.locked { "Locked" } } @else { "No" }
                        }
                        td data-label="Created" { (time(user.created)) }
                        td data-label="Last used" {
                            @match user.last_used {
                                Some(at) => (time(at)),
                                None => "Never",
                            }
                        }
                    }
                }
            }
        }
    }
}

const PAGER_TEXT: PagerText = PagerText {
    previous: "← Previous",
    next: "Next →",
    past_the_end: "No more API users",
};

/// A list's column names (each cell repeats its own as `data-label` for phones).
pub fn table_head(columns: &[&str]) -> Markup {
    html! {
        thead {
            tr {
                @for column in columns { th scope="col" { (column) } }
            }
        }
    }
}

pub fn status_badge(status: Status) -> Markup {
    let class = match status {
        Status::Enabled => "badge enabled",
        Status::Disabled => "badge disabled",
    };
    html! { span class=(class) { (status.as_str()) } }
}

/// A UTC time as people read it, with the exact instant in `datetime`.
pub fn time(at: Timestamp) -> Markup {
    let exact = at.to_string();
    let shown = format!(
        "{} UTC",
        exact.get(..16).unwrap_or(&exact).replace('T', " ")
    );
    html! { time datetime=(exact) { (shown) } }
}
