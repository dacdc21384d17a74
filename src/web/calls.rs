//! Every call of the Access page into the core: signing in, and the use cases run in a
//! signed-in request's session. Both take the one call path: a blocking thread, then
//! `note_call`.

use super::cookies::Cookies;
use crate::domain::{
    ApiUser, ApiUserId, AuditEvent, AuditFilter, Channel, Error, Login, Manager, Paging, Result,
};
use crate::http::{blocking, label_request, note_call, origin};
use crate::service::account_users::Admin;
use crate::service::authenticate::Credentials;
use crate::service::web_sessions::same_token;
use crate::service::web_sessions::{self, Session};
use crate::service::{
    ApiUserInput, Gateway, Operation, audit_events::list_audit_events, create::create_api_user,
    delete::delete_api_user, get::get_api_user, list::list_api_users,
    set_password::set_api_user_password, unlock::unlock_api_user, update::update_api_user,
};
use actix_web::HttpRequest;
use actix_web::web::Data;

/// Why a signed-in page's request was not run.
pub enum Refusal {
    /// No session, or one that has expired or ended: the visitor signs in (again).
    SignedOut,
    /// A form without the session's CSRF token.
    Forged,
    /// The session could not be read.
    Failed(Error),
}

/// A signed-in request: who made it, the token its forms must carry, the message a previous
/// request left for it, and the outcome of its work.
pub struct Signed<T> {
    pub login: Login,
    pub csrf: String,
    pub flash: Option<String>,
    pub outcome: Result<T>,
}

/// The core as a signed-in request may use it: the use cases, as the session's account user
/// calling through the Web channel.
pub struct Visit<'a> {
    gateway: &'a Gateway,
    session: Session,
}

/// Resumes the request's session and runs `work` in it. A form's token (`form_csrf`) is
/// checked against the session's before any work; pages that only show pass `None`.
pub async fn as_signed_in<T, F>(
    request: &HttpRequest,
    gateway: Data<Gateway>,
    operation: Operation,
    form_csrf: Option<String>,
    work: F,
) -> Result<Signed<T>, Refusal>
where
    T: Send + 'static,
    F: FnOnce(&Visit) -> Result<T> + Send + 'static,
{
    label_request(request, Channel::Web, Some(operation));
    let token = Cookies::for_gateway(&gateway)
        .session_token(request)
        .ok_or(Refusal::SignedOut)?;
    let origin = origin(request);
    let ran = blocking(move || {
        let Some(session) = web_sessions::resume(&gateway, &token, origin?)? else {
            return Ok(Err(Refusal::SignedOut));
        };
        if form_csrf.is_some_and(|sent| !same_token(&sent, &session.csrf_token)) {
            return Ok(Err(Refusal::Forged));
        }
        let visit = Visit {
            gateway: &gateway,
            session,
        };
        let outcome = work(&visit);
        let Session {
            caller,
            csrf_token,
            flash,
            ..
        } = visit.session;
        Ok(Ok(Signed {
            login: caller.principal.login,
            csrf: csrf_token,
            flash,
            outcome,
        }))
    })
    .await;
    match ran {
        Err(error) => {
            note_call(request, None, Some(&error));
            Err(Refusal::Failed(error))
        }
        Ok(Err(refusal)) => Err(refusal),
        Ok(Ok(signed)) => {
            let failure = signed.outcome.as_ref().err();
            note_call(request, Some(signed.login.as_str()), failure);
            Ok(signed)
        }
    }
}

/// Signs in with `credentials` (`web_sessions::sign_in`); returns the new session's token.
pub async fn sign_in(
    request: &HttpRequest,
    gateway: Data<Gateway>,
    credentials: Credentials,
) -> Result<String> {
    label_request(request, Channel::Web, Some(Operation::SignIn));
    let login = credentials.login.clone();
    let origin = origin(request);
    let outcome = blocking(move || web_sessions::sign_in(&gateway, &credentials, origin?)).await;
    note_call(request, Some(&login), outcome.as_ref().err());
    outcome
}

impl Visit<'_> {
    fn manager(&self) -> Result<Manager<'_>> {
        self.session.caller.manager()
    }

    /// A page of `select` API users from `skip` as the query gave it.
    pub fn list(&self, select: u32, skip: Option<&str>) -> Result<Vec<ApiUser>> {
        let manager = self.manager()?;
        let paging = Paging {
            select,
            ..Paging::parse(None, skip)?
        };
        list_api_users(self.gateway, &manager, paging)
    }

    /// A page of `select` audit events from `skip` that the filter (`target`, `action`) keeps,
    /// all as the query gave them. The permission is checked before what was typed.
    pub fn audit_trail(
        &self,
        target: Option<&str>,
        action: Option<&str>,
        select: u32,
        skip: Option<&str>,
    ) -> Result<Vec<AuditEvent>> {
        let manager = self.manager()?;
        let filter = AuditFilter::parse(target, action)?;
        let paging = Paging {
            select,
            ..Paging::parse(None, skip)?
        };
        list_audit_events(self.gateway, &manager, &filter, paging)
    }

    pub fn get(&self, id: &str) -> Result<ApiUser> {
        get_api_user(self.gateway, &self.manager()?, ApiUserId::parse(id)?)
    }

    pub fn create(&self, input: ApiUserInput) -> Result<ApiUser> {
        create_api_user(self.gateway, &self.manager()?, input.try_into()?)
    }

    pub fn update(&self, id: &str, input: ApiUserInput) -> Result<ApiUser> {
        let manager = self.manager()?;
        update_api_user(
            self.gateway,
            &manager,
            ApiUserId::parse(id)?,
            input.try_into()?,
        )
    }

    pub fn set_password(
        &self,
        id: &str,
        password: Option<&str>,
        confirm_password: Option<&str>,
    ) -> Result<()> {
        set_api_user_password(
            self.gateway,
            &self.manager()?,
            ApiUserId::parse(id)?,
            password,
            confirm_password,
        )
    }

    pub fn unlock(&self, id: &str) -> Result<()> {
        unlock_api_user(self.gateway, &self.manager()?, ApiUserId::parse(id)?)
    }

    pub fn delete(&self, id: &str) -> Result<()> {
        delete_api_user(self.gateway, &self.manager()?, ApiUserId::parse(id)?)
    }

    /// A login for the new-user form to offer, generated by the API's own rule, for those
    /// who may create API users.
    pub fn fresh_login(&self) -> Result<Login> {
        self.manager()?;
        Login::generate(&self.gateway.settings.apiuser_domain)
    }

    /// Runs `work` with the signed-in manager as the one who changes the account's users.
    pub fn as_admin<T>(&self, work: impl FnOnce(&Gateway, &Admin) -> Result<T>) -> Result<T> {
        let manager = self.manager()?;
        work(self.gateway, &Admin::manager(&manager))
    }

    /// Leaves a message for the session's next page (Post/Redirect/Get).
    pub fn leave_flash(&self, message: &str) -> Result<()> {
        web_sessions::leave_flash(self.gateway, &self.session, message)
    }

    /// Ends the session (sign-out).
    pub fn end(&self) -> Result<()> {
        web_sessions::sign_out(self.gateway, &self.session)
    }
}
