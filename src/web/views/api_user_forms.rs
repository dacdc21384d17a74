//! The forms of one API user: new, edit (details, password, unlock) and delete.

use super::SignedInAs;
use super::api_users::{status_badge, time};
use super::form::{Input, csrf_field, form_error, input, status_choice};
use super::layout::{Tab, access_header, page};
use crate::domain::{ApiUser, MAX_DESCRIPTION_CHARS};
use crate::web::ACCESS_PAGE;
use crate::web::fields::{Field, FormError};
use maud::{Markup, html};

/// What was typed into a form, kept when it is shown again (never a password).
pub struct Entered<'a> {
    pub email: &'a str,
    pub description: &'a str,
    pub status: &'a str,
}

pub struct NewUserPage<'a> {
    pub who: &'a SignedInAs<'a>,
    pub entered: Entered<'a>,
    pub error: Option<&'a FormError>,
    /// The domain every API user login is in.
    pub domain: &'a str,
}

const DESCRIPTION_HINT: &str =
    "How the user is used, for example “Magento shop”: the list shows it after the email address.";
const PASSWORD_HINT: &str = "At least 8 characters (at most 72 bytes) with a digit or a symbol; \
     not the word “password”, the login or the account name.";

fn description_input<'a>(value: &'a str) -> Input<'a> {
    Input {
        field: Some(Field::Description),
        hint: Some(DESCRIPTION_HINT),
        max_length: Some(MAX_DESCRIPTION_CHARS),
        ..Input::text("description", "Description", value)
    }
}

pub(super) fn password_inputs(error: Option<&FormError>) -> Markup {
    let password = Input {
        field: Some(Field::Password),
        hint: Some(PASSWORD_HINT),
        ..Input::password("password", "Password")
    };
    let confirmation = Input {
        field: Some(Field::ConfirmPassword),
        ..Input::password("confirm_password", "Confirm password")
    };
    html! {
        (input(&password, error))
        (input(&confirmation, error))
    }
}

/// The password form of the user at `url` (posted to `{url}/password`), under `hint`.
pub(super) fn password_card(
    url: &str,
    hint: &str,
    csrf: &str,
    error: Option<&FormError>,
) -> Markup {
    html! {
        section.card {
            h2 { "Password" }
            p.hint { (hint) }
            (form_error(error))
            form method="post" action=(format!("{url}/password")) {
                (csrf_field(csrf))
                (password_inputs(error))
                div.actions {
                    button.primary type="submit" { "Set password" }
                }
            }
        }
    }
}

pub fn new_user(view: &NewUserPage) -> Markup {
    let email_hint = format!(
        "Accept the generated address or write another unused one ending in @{}. \
         Every API user has its own.",
        view.domain
    );
    let email = Input {
        field: Some(Field::Email),
        kind: "email",
        hint: Some(&email_hint),
        ..Input::text("email", "Email address", view.entered.email)
    };
    let new_user_url = format!("{ACCESS_PAGE}/new");
    page(
        "New API user",
        Some(view.who),
        html! {
            (access_header(Tab::ApiUsers, &[("New user", &new_user_url)]))
            section.card {
                h2 { "New API user" }
                (form_error(view.error))
                form method="post" action=(new_user_url) {
                    (csrf_field(view.who.csrf))
                    (input(&email, view.error))
                    (input(&description_input(view.entered.description), view.error))
                    (password_inputs(view.error))
                    (status_choice(view.entered.status, view.error))
                    div.actions {
                        button.primary type="submit" { "Save" }
                        a.button href=(ACCESS_PAGE) { "Cancel" }
                    }
                }
            }
        },
    )
}

pub struct EditPage<'a> {
    pub who: &'a SignedInAs<'a>,
    pub user: &'a ApiUser,
    pub entered: Entered<'a>,
    /// An error of the details form.
    pub details_error: Option<&'a FormError>,
    /// An error of the password form.
    pub password_error: Option<&'a FormError>,
}

pub fn edit(view: &EditPage) -> Markup {
    let user = view.user;
    let url = format!("{ACCESS_PAGE}/{}", user.id.0);
    let login = user.login.to_string();
    page(
        &login,
        Some(view.who),
        html! {
            (access_header(Tab::ApiUsers, &[(&login, &url)]))
            section.card {
                h2.email { (login) }
                dl.facts {
                    div { dt { "Status" } dd { (status_badge(user.status)) } }
                    div {
                        dt { "Locked" }
                        dd { @if user.locked { span.badge.locked { "Locked" } } @else { "No" } }
                    }
                    div { dt { "Created" } dd { (time(user.created)) } }
                    div {
                        dt { "Last used" }
                        dd { @match user.last_used { Some(at) => (time(at)), None => "Never" } }
                    }
                }
                @if user.locked {
                    form.unlock method="post" action=(format!("{url}/unlock")) {
                        (csrf_field(view.who.csrf))
                        p { "Too many failed logins locked this user: it cannot call the API until it is unlocked." }
                        button.primary type="submit" { "Unlock" }
                    }
                }
            }
            section.card {
                h2 { "Details" }
                (form_error(view.details_error))
                form method="post" action=(url) {
                    (csrf_field(view.who.csrf))
                    (input(&description_input(view.entered.description), view.details_error))
                    (status_choice(view.entered.status, view.details_error))
                    div.actions {
                        button.primary type="submit" { "Save" }
                        a.button href=(ACCESS_PAGE) { "Cancel" }
                    }
                }
            }
            (password_card(&url, "The new password takes effect on the user's next call.", view.who.csrf, view.password_error))
            section.card.danger {
                h2 { "Delete" }
                p { "Integrations that use this API user stop working at once." }
                a.button.danger href=(format!("{url}/delete")) { "Delete user…" }
            }
        },
    )
}

pub fn confirm_delete(who: &SignedInAs, user: &ApiUser) -> Markup {
    let url = format!("{ACCESS_PAGE}/{}", user.id.0);
    let login = user.login.to_string();
    page(
        "Delete API user",
        Some(who),
        html! {
            (access_header(Tab::ApiUsers, &[(&login, &url)]))
            section.card.danger {
                h2 { "Delete " (login) "?" }
                @if !user.description.as_str().is_empty() {
                    p.description { (user.description.as_str()) }
                }
                p { "Integrations that use this API user stop working at once. This cannot be undone." }
                form method="post" action=(format!("{url}/delete")) {
                    (csrf_field(who.csrf))
                    div.actions {
                        button.danger type="submit" { "Delete" }
                        a.button href=(url) { "Cancel" }
                    }
                }
            }
        },
    )
}
