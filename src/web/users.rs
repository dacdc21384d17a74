//! The Users tab: the account's users and the forms of one. The work is the service's
//! `account_users`, the same functions as the CLI's `user` commands.

use super::USERS_TAB;
use super::api_users::PasswordForm;
use super::calls::Visit;
use super::fields::FormError;
use super::handling::{Submitted, in_session, refused_form, submit};
use super::page_form::{CsrfForm, PageForm};
use super::respond::{html, see_other};
use super::views::SignedInAs;
use super::views::user_forms::{UserPage, confirm_remove, user_page as one_user};
use super::views::users::{NewUserPage, list as list_page, new_user};
use crate::domain::{AccountUser, AccountUserId, Error, Protected, Result};
use crate::http::path_id;
use crate::service::account_users::{
    Admin, NewUserInput, add_account_user, get_account_user, list_account_users,
    remove_account_user, set_account_user_password, set_can_manage_account, unlock_account_user,
};
use crate::service::{Gateway, Operation};
use actix_web::HttpRequest;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use serde::Deserialize;

/// The new-user form as posted. No `Debug`: it holds passwords.
#[derive(Deserialize)]
pub struct NewUserForm {
    csrf: Option<String>,
    email: Option<String>,
    password: Option<String>,
    confirm_password: Option<String>,
    can_manage_account: Option<String>,
}

#[derive(Deserialize)]
pub struct PermissionForm {
    csrf: Option<String>,
    can_manage_account: Option<String>,
}

/// The checkbox as posted: absent when unticked, `true` when ticked; anything else is refused.
fn ticked(value: Option<&str>) -> Result<bool> {
    match value {
        None => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(Error::ParameterInvalid("canManageAccount")),
    }
}

/// An account user as their page shows them.
struct Shown {
    user: AccountUser,
    protected: Option<Protected>,
}

/// Which of the user page's forms an error belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Permission,
    Password,
    Remove,
}

fn shown(visit: &Visit, id: &str) -> Result<Shown> {
    visit.as_admin(|gateway, admin| {
        let user = get_account_user(gateway, admin, AccountUserId::parse(id)?)?;
        let protected = user.protected_from(admin.actor());
        Ok(Shown { user, protected })
    })
}

fn show(who: &SignedInAs, shown: &Shown, error: Option<(Part, &FormError)>) -> maud::Markup {
    let at = |part: Part| error.filter(|(at, _)| *at == part).map(|(_, error)| error);
    one_user(&UserPage {
        who,
        user: &shown.user,
        protected: shown.protected,
        permission_error: at(Part::Permission),
        password_error: at(Part::Password),
        remove_error: at(Part::Remove),
    })
}

fn back_to_list() -> HttpResponse {
    see_other(USERS_TAB).finish()
}

/// Runs `save` on the user the path names (a form of their page), then back to the list
/// with `flash`; a refusal shows their page again with the error at `part`.
async fn change_user(
    request: &HttpRequest,
    gateway: Data<Gateway>,
    (operation, part): (Operation, Part),
    csrf: Option<String>,
    save: impl FnOnce(&Gateway, &Admin, AccountUserId) -> Result<AccountUser> + Send + 'static,
    flash: fn(&AccountUser) -> String,
) -> HttpResponse {
    let id = path_id(request);
    let work = move |visit: &Visit| {
        let change = |visit: &Visit| {
            let user = AccountUserId::parse(&id)?;
            visit.as_admin(|gateway, admin| save(gateway, admin, user))
        };
        submit(visit, change, flash, |visit| shown(visit, &id))
    };
    in_session(
        request,
        gateway,
        operation,
        Some(csrf.unwrap_or_default()),
        work,
        move |who, _, submitted| match submitted {
            Submitted::Saved => back_to_list(),
            Submitted::Refused(user, error) => {
                refused_form(&error, |error| show(who, &user, Some((part, error))))
            }
        },
    )
    .await
}

pub async fn list(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    in_session(
        &request,
        gateway,
        Operation::GetAccountUsers,
        None,
        |visit| visit.as_admin(list_account_users),
        |who, flash, users| html(StatusCode::OK, list_page(who, flash, &users)),
    )
    .await
}

pub async fn new_form(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    in_session(
        &request,
        gateway,
        Operation::AddAccountUser,
        None,
        |visit| visit.as_admin(|_, _| Ok(())),
        |who, _, ()| {
            let page = NewUserPage {
                who,
                email: "",
                can_manage_account: false,
                error: None,
            };
            html(StatusCode::OK, new_user(&page))
        },
    )
    .await
}

pub async fn add(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<NewUserForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let email = form.email.unwrap_or_default();
    let kept_email = email.clone();
    let can_manage = ticked(form.can_manage_account.as_deref());
    let kept_can_manage = *can_manage.as_ref().unwrap_or(&false);
    let password = form.password.unwrap_or_default();
    let confirm = form.confirm_password.unwrap_or_default();
    in_session(
        &request,
        gateway,
        Operation::AddAccountUser,
        Some(form.csrf.unwrap_or_default()),
        move |visit| {
            submit(
                visit,
                |visit| {
                    let input = NewUserInput {
                        email: &email,
                        password: &password,
                        confirm_password: Some(&confirm),
                        can_manage_account: can_manage?,
                    };
                    visit.as_admin(|gateway, admin| add_account_user(gateway, admin, &input))
                },
                |login| format!("{login} was added."),
                |_| Ok(()),
            )
        },
        move |who, _, submitted| match submitted {
            Submitted::Saved => back_to_list(),
            Submitted::Refused((), error) => refused_form(&error, |error| {
                new_user(&NewUserPage {
                    who,
                    email: &kept_email,
                    can_manage_account: kept_can_manage,
                    error: Some(error),
                })
            }),
        },
    )
    .await
}

/// Shows the user the path names with `render` (a page of the tab, answered 200).
async fn user_view(
    request: &HttpRequest,
    gateway: Data<Gateway>,
    render: fn(&SignedInAs, &Shown) -> maud::Markup,
) -> HttpResponse {
    let id = path_id(request);
    in_session(
        request,
        gateway,
        Operation::GetAccountUser,
        None,
        move |visit| shown(visit, &id),
        move |who, _, shown| html(StatusCode::OK, render(who, &shown)),
    )
    .await
}

pub async fn user_page(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    user_view(&request, gateway, |who, shown| show(who, shown, None)).await
}

pub async fn set_permission(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<PermissionForm>,
) -> HttpResponse {
    let PermissionForm {
        csrf,
        can_manage_account,
    } = form.into_inner();
    let save = move |gateway: &Gateway, admin: &Admin, id| {
        let can_manage = ticked(can_manage_account.as_deref())?;
        set_can_manage_account(gateway, admin, id, can_manage)
    };
    let saved = |user: &AccountUser| format!("Changes to {} were saved.", user.login);
    let operation = (Operation::UpdateAccountUser, Part::Permission);
    change_user(&request, gateway, operation, csrf, save, saved).await
}

pub async fn set_password(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<PasswordForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let csrf = form.csrf.clone();
    let (password, confirm) = form.passwords();
    let save = move |gateway: &Gateway, admin: &Admin, id| {
        set_account_user_password(gateway, admin, id, &password, Some(&confirm))
    };
    let set = |user: &AccountUser| format!("The password of {} was set.", user.login);
    let operation = (Operation::SetAccountUserPassword, Part::Password);
    change_user(&request, gateway, operation, csrf, save, set).await
}

/// Unlock errors are only the page's own (no such user): they show no form.
pub async fn unlock(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<CsrfForm>,
) -> HttpResponse {
    let unlocked = |user: &AccountUser| format!("{} was unlocked.", user.login);
    let operation = (Operation::UnlockAccountUser, Part::Remove);
    let csrf = form.into_inner().csrf;
    change_user(
        &request,
        gateway,
        operation,
        csrf,
        unlock_account_user,
        unlocked,
    )
    .await
}

/// The confirmation, or for a user who may not be removed their page, which says why.
pub async fn confirm_remove_form(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    user_view(&request, gateway, |who, shown| match shown.protected {
        None => confirm_remove(who, &shown.user),
        Some(_) => show(who, shown, None),
    })
    .await
}

pub async fn remove(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<CsrfForm>,
) -> HttpResponse {
    let removed = |user: &AccountUser| format!("{} was removed.", user.login);
    let operation = (Operation::RemoveAccountUser, Part::Remove);
    change_user(
        &request,
        gateway,
        operation,
        form.into_inner().csrf,
        remove_account_user,
        removed,
    )
    .await
}
