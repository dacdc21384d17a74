//! Pages that only tell something: a missing permission, a refused form, an error.

use super::SignedInAs;
use super::layout::page;
use crate::domain::Error;
use crate::web::ACCESS_PAGE;
use crate::web::fields::message_text;
use maud::{Markup, html};

pub fn needs_manage_account(who: &SignedInAs) -> Markup {
    page(
        "Permission needed",
        Some(who),
        html! {
            section.card.narrow {
                h1 { "You need the “Can manage account” permission" }
                p {
                    "Only the account owner and account users with the “Can manage account” "
                    "permission can see and manage API users. Ask the account owner for it."
                }
                p.code { code { (Error::PermissionDenied.code()) } }
            }
        },
    )
}

pub fn forged_form() -> Markup {
    page(
        "Form refused",
        None,
        html! {
            section.card.narrow {
                h1 { "This form was refused" }
                p {
                    "It did not carry this session's security token: it may have come from another "
                    "site, or from a page opened before you signed in again. Nothing was changed."
                }
                p { a href=(ACCESS_PAGE) { "Open the Access page again" } " and repeat what you were doing." }
            }
        },
    )
}

pub fn no_such_page() -> Markup {
    page(
        "Not found",
        None,
        html! {
            section.card.narrow {
                h1 { "There is no such page" }
                p { a href=(ACCESS_PAGE) { "Go to the Access page" } }
            }
        },
    )
}

/// A catalogue error as a page of its own.
pub fn error(who: Option<&SignedInAs>, error: &Error) -> Markup {
    page(
        "Error",
        who,
        html! {
            section.card.narrow {
                h1 { (message_text(error)) }
                p.code { code { (error.code()) } }
                p { a href=(ACCESS_PAGE) { "Back to the API users" } }
            }
        },
    )
}
