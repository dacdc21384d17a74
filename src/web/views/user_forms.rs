//! One account user: the permission, the password, unlock and removal.

use super::SignedInAs;
use super::api_user_forms::password_card;
use super::api_users::time;
use super::form::{alert, csrf_field, form_error, permission_checkbox};
use super::layout::{Tab, access_header, page};
use super::users::{last_sign_in, locked, yes_no};
use crate::domain::{AccountUser, Protected};
use crate::web::USERS_TAB;
use crate::web::fields::FormError;
use maud::{Markup, html};

pub struct UserPage<'a> {
    pub who: &'a SignedInAs<'a>,
    pub user: &'a AccountUser,
    /// Why the signed-in user may not remove this one, if so.
    pub protected: Option<Protected>,
    pub permission_error: Option<&'a FormError>,
    pub password_error: Option<&'a FormError>,
    pub remove_error: Option<&'a FormError>,
}

fn protection_text(protected: Protected) -> &'static str {
    match protected {
        Protected::Owner => "The account owner cannot be removed.",
        Protected::Yourself => "You cannot remove yourself: another manager of the account can.",
    }
}

fn user_url(user: &AccountUser) -> String {
    format!("{USERS_TAB}/{}", user.id.0)
}

pub fn user_page(view: &UserPage) -> Markup {
    let user = view.user;
    let url = user_url(user);
    let login = user.login.to_string();
    page(
        &login,
        Some(view.who),
        html! {
            (access_header(Tab::Users, &[(&login, &url)]))
            section.card {
                h2.email { (login) }
                dl.facts {
                    div { dt { "Role" } dd { @if user.is_owner { "Account owner" } @else { "Account user" } } }
                    div { dt { "Can manage account" } dd { (yes_no(user.can_manage_account)) } }
                    div { dt { "Locked" } dd { (locked(user.locked)) } }
                    div { dt { "Last sign-in" } dd { (last_sign_in(user)) } }
                    div { dt { "Added" } dd { (time(user.created)) } }
                }
                @if user.locked {
                    form.unlock method="post" action=(format!("{url}/unlock")) {
                        (csrf_field(view.who.csrf))
                        p { "Too many wrong passwords locked this user: they cannot sign in or call the API until unlocked." }
                        button.primary type="submit" { "Unlock" }
                    }
                }
            }
            section.card {
                h2 { "Permission" }
                @if user.is_owner {
                    p.hint { "The account owner always has “Can manage account”." }
                    @if let Some(error) = view.permission_error { (alert(error)) }
                } @else {
                    (form_error(view.permission_error))
                    form method="post" action=(url) {
                        (csrf_field(view.who.csrf))
                        (permission_checkbox(user.can_manage_account, view.permission_error))
                        div.actions {
                            button.primary type="submit" { "Save" }
                            a.button href=(USERS_TAB) { "Cancel" }
                        }
                    }
                }
            }
            (password_card(&url, "The new password takes effect on the user's next sign-in or call.", view.who.csrf, view.password_error))
            section.card.danger {
                h2 { "Remove" }
                (form_error(view.remove_error))
                @match view.protected {
                    Some(protected) => p { (protection_text(protected)) },
                    None => {
                        p { "They are signed out at once and can no longer sign in or call the API." }
                        a.button.danger href=(format!("{url}/remove")) { "Remove user…" }
                    }
                }
            }
        },
    )
}

pub fn confirm_remove(who: &SignedInAs, user: &AccountUser) -> Markup {
    let url = user_url(user);
    let login = user.login.to_string();
    page(
        "Remove account user",
        Some(who),
        html! {
            (access_header(Tab::Users, &[(&login, &url)]))
            section.card.danger {
                h2 { "Remove " (login) "?" }
                p { "They are signed out at once and can no longer sign in or call the API. This cannot be undone." }
                form method="post" action=(format!("{url}/remove")) {
                    (csrf_field(who.csrf))
                    div.actions {
                        button.danger type="submit" { "Remove" }
                        a.button href=(url) { "Cancel" }
                    }
                }
            }
        },
    )
}
