//! The Users tab: the account's users, and the form that adds one.

use super::SignedInAs;
use super::api_user_forms::password_inputs;
use super::api_users::{table_head, time};
use super::form::{Input, csrf_field, form_error, input, permission_checkbox};
use super::layout::{Tab, access_header, flash, page};
use crate::domain::AccountUser;
use crate::web::USERS_TAB;
use crate::web::fields::{Field, FormError};
use maud::{Markup, html};

pub fn list(who: &SignedInAs, flash_message: Option<&str>, users: &[AccountUser]) -> Markup {
    page(
        "Users",
        Some(who),
        html! {
            (access_header(Tab::Users, &[]))
            (flash(flash_message))
            div.toolbar {
                p.hint {
                    "Account users sign in to this page. Those with “Can manage account” manage "
                    "API users and account users; the account owner always can."
                }
                a.button.primary href=(format!("{USERS_TAB}/new")) { "New user" }
            }
            table.users {
                (table_head(&["Email", "Can manage account", "Locked", "Last sign-in"]))
                tbody {
                    @for user in users {
                        tr {
                            td.email data-label="Email" {
                                a href=(format!("{USERS_TAB}/{}", user.id.0)) { (user.login) }
                                @if user.is_owner { " " span.badge.enabled { "Owner" } }
                            }
                            td data-label="Can manage account" { (yes_no(user.can_manage_account)) }
                            td data-label="Locked" { (locked(user.locked)) }
                            td data-label="Last sign-in" { (last_sign_in(user)) }
                        }
                    }
                }
            }
        },
    )
}

pub fn yes_no(flag: bool) -> &'static str {
    if flag { "Yes" } else { "No" }
}

pub fn locked(locked: bool) -> Markup {
    html! { @if locked { span.badge.locked { "Locked" } } @else { "No" } }
}

pub fn last_sign_in(user: &AccountUser) -> Markup {
    html! { @match user.last_sign_in { Some(at) => (time(at)), None => "Never" } }
}

/// The new account user's form; `entered` is what was typed (never a password).
pub struct NewUserPage<'a> {
    pub who: &'a SignedInAs<'a>,
    pub email: &'a str,
    pub can_manage_account: bool,
    pub error: Option<&'a FormError>,
}

pub fn new_user(view: &NewUserPage) -> Markup {
    let email = Input {
        field: Some(Field::Email),
        kind: "email",
        required: true,
        hint: Some("The address they sign in with; no other user or API user may have it."),
        ..Input::text("email", "Email address", view.email)
    };
    let url = format!("{USERS_TAB}/new");
    page(
        "New account user",
        Some(view.who),
        html! {
            (access_header(Tab::Users, &[("New user", &url)]))
            section.card {
                h2 { "New account user" }
                (form_error(view.error))
                form method="post" action=(url) {
                    (csrf_field(view.who.csrf))
                    (input(&email, view.error))
                    (password_inputs(view.error))
                    (permission_checkbox(view.can_manage_account, view.error))
                    div.actions {
                        button.primary type="submit" { "Save" }
                        a.button href=(USERS_TAB) { "Cancel" }
                    }
                }
            }
        },
    )
}
