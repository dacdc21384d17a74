//! The API users tab: the list, and the forms of one API user. Each handler runs its work in
//! the request's session (`as_signed_in`) and renders the outcome; after a form is saved,
//! Post/Redirect/Get back to the list with a flash message.

use super::ACCESS_PAGE;
use super::calls::Visit;
use super::fields::FormError;
use super::handling::{Submitted, in_session, refused_form, submit};
use super::page_form::{CsrfForm, PageForm};
use super::respond::{html, see_other};
use super::views::SignedInAs;
use super::views::api_user_forms::{
    EditPage, Entered, NewUserPage, confirm_delete, edit, new_user,
};
use super::views::api_users::{ListPage, list as list_page};
use super::views::pager::Pages;
use crate::domain::{ApiUser, Paging, Result, Status};
use crate::http::path_id;
use crate::service::{ApiUserInput, Gateway, Operation};
use actix_web::http::StatusCode;
use actix_web::web::{Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

/// API users on one page of the list.
const PAGE_SIZE: u32 = 20;

#[derive(Deserialize)]
struct PageQuery {
    skip: Option<String>,
}

/// The new-user form as posted. No `Debug`: it holds passwords.
#[derive(Deserialize)]
pub struct NewUserForm {
    csrf: Option<String>,
    email: Option<String>,
    description: Option<String>,
    status: Option<String>,
    password: Option<String>,
    confirm_password: Option<String>,
}

#[derive(Deserialize)]
pub struct DetailsForm {
    csrf: Option<String>,
    description: Option<String>,
    status: Option<String>,
}

/// The password form as posted (both tabs). No `Debug`: it holds passwords.
#[derive(Deserialize)]
pub struct PasswordForm {
    pub csrf: Option<String>,
    password: Option<String>,
    confirm_password: Option<String>,
}

impl PasswordForm {
    /// The password and its confirmation, a missing one as empty.
    pub fn passwords(self) -> (String, String) {
        (
            self.password.unwrap_or_default(),
            self.confirm_password.unwrap_or_default(),
        )
    }
}

fn back_to_list() -> HttpResponse {
    see_other(ACCESS_PAGE).finish()
}

/// Shows the API user the path names with `render` (a page of the tab, answered 200).
async fn user_page(
    request: &HttpRequest,
    gateway: Data<Gateway>,
    render: impl FnOnce(&SignedInAs, &ApiUser) -> maud::Markup,
) -> HttpResponse {
    let id = path_id(request);
    in_session(
        request,
        gateway,
        Operation::GetApiUserById,
        None,
        move |visit| visit.get(&id),
        |who, _, user| html(StatusCode::OK, render(who, &user)),
    )
    .await
}

/// A button's form on the API user the path names (`CsrfForm` only): runs `work` on the
/// user's id, which leaves the flash, then back to the list.
async fn act_on_user(
    request: &HttpRequest,
    gateway: Data<Gateway>,
    operation: Operation,
    form: PageForm<CsrfForm>,
    work: impl FnOnce(&Visit, &str) -> Result<()> + Send + 'static,
) -> HttpResponse {
    let id = path_id(request);
    in_session(
        request,
        gateway,
        operation,
        Some(form.into_inner().csrf.unwrap_or_default()),
        move |visit| work(visit, &id),
        |_, _, ()| back_to_list(),
    )
    .await
}

pub async fn list(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    let asked = Query::<PageQuery>::from_query(request.query_string())
        .ok()
        .and_then(|query| query.into_inner().skip);
    let public_url = gateway.settings.public_url.clone();
    in_session(
        &request,
        gateway,
        Operation::GetApiUsers,
        None,
        move |visit| {
            // One more than a page tells whether a next page exists.
            let users = visit.list(PAGE_SIZE + 1, asked.as_deref())?;
            let skip = Paging::parse(None, asked.as_deref())?.skip;
            Ok((users, skip))
        },
        |who, flash, (mut users, skip): (Vec<ApiUser>, u32)| {
            let pages = Pages::cut(&mut users, skip, PAGE_SIZE);
            html(
                StatusCode::OK,
                list_page(&ListPage {
                    who,
                    flash,
                    users: &users,
                    pages,
                    public_url: &public_url,
                }),
            )
        },
    )
    .await
}

pub async fn new_form(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    let domain = gateway.settings.apiuser_domain.clone();
    in_session(
        &request,
        gateway,
        Operation::NewApiUserForm,
        None,
        |visit| visit.fresh_login(),
        |who, _, login| {
            let entered = Entered {
                email: login.as_str(),
                description: "",
                status: Status::default().as_str(),
            };
            html(StatusCode::OK, new_user_page(who, entered, None, &domain))
        },
    )
    .await
}

fn new_user_page(
    who: &SignedInAs,
    entered: Entered,
    error: Option<&FormError>,
    domain: &str,
) -> maud::Markup {
    new_user(&NewUserPage {
        who,
        entered,
        error,
        domain,
    })
}

pub async fn create(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<NewUserForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let domain = gateway.settings.apiuser_domain.clone();
    let kept = (
        form.email.clone().unwrap_or_default(),
        form.description.clone().unwrap_or_default(),
        form.status.clone().unwrap_or_default(),
    );
    let input = ApiUserInput {
        email: form.email,
        description: form.description,
        status: form.status,
        tiered_rate_limit: None,
        password: form.password,
        confirm_password: form.confirm_password,
    };
    in_session(
        &request,
        gateway,
        Operation::CreateApiUser,
        Some(form.csrf.unwrap_or_default()),
        move |visit| {
            submit(
                visit,
                |visit| visit.create(input.clone()),
                |user| format!("API user {} was added.", user.login),
                |_| Ok(()),
            )
        },
        |who, _, submitted| match submitted {
            Submitted::Saved => back_to_list(),
            Submitted::Refused((), error) => {
                let entered = Entered {
                    email: &kept.0,
                    description: &kept.1,
                    status: &kept.2,
                };
                refused_form(&error, |shown| {
                    new_user_page(who, entered, Some(shown), &domain)
                })
            }
        },
    )
    .await
}

pub async fn edit_form(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    user_page(&request, gateway, |who, user| {
        edit_page(who, user, as_stored(user), None, None)
    })
    .await
}

/// The edit form's fields as the API user has them now.
fn as_stored(user: &ApiUser) -> Entered<'_> {
    Entered {
        email: "",
        description: user.description.as_str(),
        status: user.status.as_str(),
    }
}

fn edit_page(
    who: &SignedInAs,
    user: &ApiUser,
    entered: Entered,
    details_error: Option<&FormError>,
    password_error: Option<&FormError>,
) -> maud::Markup {
    edit(&EditPage {
        who,
        user,
        entered,
        details_error,
        password_error,
    })
}

pub async fn save(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<DetailsForm>,
) -> HttpResponse {
    let id = path_id(&request);
    let form = form.into_inner();
    let kept = (
        form.description.clone().unwrap_or_default(),
        form.status.clone().unwrap_or_default(),
    );
    let input = ApiUserInput {
        description: form.description,
        status: form.status,
        ..ApiUserInput::default()
    };
    in_session(
        &request,
        gateway,
        Operation::UpdateApiUser,
        Some(form.csrf.unwrap_or_default()),
        move |visit| {
            submit(
                visit,
                |visit| visit.update(&id, input.clone()),
                |user| format!("Changes to {} were saved.", user.login),
                |visit| visit.get(&id),
            )
        },
        |who, _, submitted| match submitted {
            Submitted::Saved => back_to_list(),
            Submitted::Refused(user, error) => {
                let entered = Entered {
                    email: "",
                    description: &kept.0,
                    status: &kept.1,
                };
                refused_form(&error, |shown| {
                    edit_page(who, &user, entered, Some(shown), None)
                })
            }
        },
    )
    .await
}

pub async fn set_password(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<PasswordForm>,
) -> HttpResponse {
    let id = path_id(&request);
    let PasswordForm {
        csrf,
        password,
        confirm_password,
    } = form.into_inner();
    in_session(
        &request,
        gateway,
        Operation::SetApiUserPassword,
        Some(csrf.unwrap_or_default()),
        move |visit| {
            submit(
                visit,
                |visit| {
                    visit.set_password(&id, password.as_deref(), confirm_password.as_deref())?;
                    visit.get(&id)
                },
                |user| format!("The password of {} was set.", user.login),
                |visit| visit.get(&id),
            )
        },
        |who, _, submitted| match submitted {
            Submitted::Saved => back_to_list(),
            Submitted::Refused(user, error) => {
                let entered = as_stored(&user);
                refused_form(&error, |shown| {
                    edit_page(who, &user, entered, None, Some(shown))
                })
            }
        },
    )
    .await
}

pub async fn unlock(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<CsrfForm>,
) -> HttpResponse {
    act_on_user(
        &request,
        gateway,
        Operation::UnlockApiUser,
        form,
        |visit, id| {
            visit.unlock(id)?;
            let user = visit.get(id)?;
            visit.leave_flash(&format!("{} was unlocked.", user.login))
        },
    )
    .await
}

pub async fn confirm_delete_form(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    user_page(&request, gateway, confirm_delete).await
}

pub async fn delete(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<CsrfForm>,
) -> HttpResponse {
    act_on_user(
        &request,
        gateway,
        Operation::DeleteApiUser,
        form,
        |visit, id| {
            let user = visit.get(id)?;
            visit.delete(id)?;
            visit.leave_flash(&format!("API user {} was deleted.", user.login))
        },
    )
    .await
}
