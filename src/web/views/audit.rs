//! The Audit tab: the filter form, the trail, its pages, and the states of an empty one.

use super::SignedInAs;
use super::api_users::{table_head, time};
use super::form::{Input, Select, form_error, input, select};
use super::layout::{Tab, access_header, flash, page};
use super::pager::{PagerText, Pages, pager};
use crate::domain::{AuditAction, AuditEvent};
use crate::web::AUDIT_TAB;
use crate::web::fields::{Field, FormError};
use maud::{Markup, html};

/// The filter as typed, kept in the form and in the pager's links.
pub struct Filter {
    pub target: String,
    pub action: String,
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.target.trim().is_empty() && self.action.trim().is_empty()
    }

    /// The tab's address for the page from `skip`, with this filter.
    fn page_link(&self, skip: u32) -> String {
        let skip = skip.to_string();
        let query: Vec<(&str, &str)> = [
            ("target", self.target.as_str()),
            ("action", self.action.as_str()),
            ("skip", skip.as_str()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect();
        let query = serde_urlencoded::to_string(query).unwrap_or_default();
        format!("{AUDIT_TAB}?{query}")
    }
}

/// One page of the trail, or the filter the core refused with its error (and no events).
pub struct TrailPage<'a> {
    pub who: &'a SignedInAs<'a>,
    pub flash: Option<&'a str>,
    pub filter: &'a Filter,
    pub found: Result<(&'a [AuditEvent], &'a Pages), &'a FormError>,
}

pub fn trail(view: &TrailPage) -> Markup {
    page(
        "Audit",
        Some(view.who),
        html! {
            (access_header(Tab::Audit, &[]))
            (flash(view.flash))
            p.hint {
                "Every change to the account's users: who made it, when, through which protocol, "
                "from which address, and the fields it set (never a password)."
            }
            (filter_form(view.filter, view.found.err()))
            @if let Ok((events, pages)) = view.found {
                @if events.is_empty() && pages.is_first() {
                    @if view.filter.is_empty() {
                        p.empty { "No changes have been recorded yet." }
                    } @else {
                        p.empty {
                            "No events match this filter. " a href=(AUDIT_TAB) { "Show all events" }
                        }
                    }
                } @else {
                    (table(events))
                    (pager(pages, &PAGER_TEXT, |skip| view.filter.page_link(skip)))
                }
            }
        },
    )
}

const PAGER_TEXT: PagerText = PagerText {
    previous: "← Newer",
    next: "Older →",
    past_the_end: "No older events",
};

fn filter_form(filter: &Filter, error: Option<&FormError>) -> Markup {
    let target = Input {
        field: Some(Field::Target),
        hint: Some("The email of the user a change was made to."),
        ..Input::text("target", "Target login", &filter.target)
    };
    let mut actions = vec![("", "Any action")];
    actions.extend(AuditAction::ALL.map(|action| (action.as_str(), action.as_str())));
    let action = Select {
        field: Field::Action,
        name: "action",
        label: "Action",
        options: &actions,
        selected: &filter.action,
    };
    html! {
        form.card.filters method="get" action=(AUDIT_TAB) role="search" aria-label="Filter the trail" {
            (form_error(error))
            div.filter-fields {
                (input(&target, error))
                (select(&action, error))
            }
            div.actions {
                button.primary type="submit" { "Filter" }
                @if !filter.is_empty() { a.button href=(AUDIT_TAB) { "Clear" } }
            }
        }
    }
}

fn table(events: &[AuditEvent]) -> Markup {
    html! {
        table.users.audit {
            (table_head(&["When", "Action", "Target", "Who", "Protocol", "Address", "Changes"]))
            tbody {
                @for event in events {
                    tr {
                        td data-label="When" { (time(event.at)) }
                        td data-label="Action" { (event.action.as_str()) }
                        td.email data-label="Target" { (event.target) }
                        td.who data-label="Who" { (event.actor) }
                        td data-label="Protocol" { (event.origin.channel.as_str()) }
                        td data-label="Address" { (event.origin.address.as_deref().unwrap_or("—")) }
                        td data-label="Changes" { (changes(&event.changes)) }
                    }
                }
            }
        }
    }
}

fn changes(changes: &[(String, String)]) -> Markup {
    html! {
        @if changes.is_empty() {
            "—"
        } @else {
            ul.changes {
                @for (field, value) in changes {
                    li { span.key { (field) } " → " (value) }
                }
            }
        }
    }
}
