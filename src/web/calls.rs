//! Every call of the Access page into the core (authentication, the use cases and the session
//! store) is in this file. They all run on a blocking thread: bcrypt and SQLite never run on
//! an actix worker.

use super::session::{AccessSettings, Cookies};
use super::tokens::{random_token, same_token, session_key};
use crate::auth::Credentials;
use crate::domain::{ApiUser, Caller, Channel, Error, Login, Result, Role, Timestamp};
use crate::http::{Protocol, label_request, origin, set_principal};
use crate::service::authenticate::authenticate;
use crate::service::{
    ApiUserInput, Gateway, create::create_api_user, delete::delete_api_user, get::get_api_user,
    list::list_api_users, set_password::set_api_user_password, unlock::unlock_api_user,
    update::update_api_user,
};
use crate::storage::{NewWebSession, SessionKey};
use actix_web::HttpRequest;
use actix_web::web::{self, Data};

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
    caller: Caller,
    key: SessionKey,
}

/// Resumes the request's session and runs `work` in it. A form's token (`form_csrf`) is
/// checked against the session's before any work; pages that only show pass `None`.
pub async fn as_signed_in<T, F>(
    request: &HttpRequest,
    gateway: Data<Gateway>,
    operation: &str,
    form_csrf: Option<String>,
    work: F,
) -> Result<Signed<T>, Refusal>
where
    T: Send + 'static,
    F: FnOnce(&Visit) -> Result<T> + Send + 'static,
{
    label_request(request, Protocol::Web, operation);
    let token = Cookies::for_gateway(&gateway)
        .session_token(request)
        .ok_or(Refusal::SignedOut)?;
    let lifetime = session_seconds(request).map_err(Refusal::Failed)?;
    let origin = origin(request, Channel::Web);
    let signed = web::block(move || {
        let key = session_key(&token);
        let now = Timestamp::now();
        let session = gateway
            .store
            .resume_web_session(&key, now, Timestamp(now.seconds() + lifetime))
            .map_err(Refusal::Failed)?
            .ok_or(Refusal::SignedOut)?;
        if form_csrf.is_some_and(|sent| !same_token(&sent, &session.csrf_token)) {
            return Err(Refusal::Forged);
        }
        let visit = Visit {
            gateway: &gateway,
            caller: Caller {
                principal: session.principal,
                origin,
            },
            key,
        };
        let outcome = work(&visit);
        Ok(Signed {
            login: visit.caller.principal.login,
            csrf: session.csrf_token,
            flash: session.flash,
            outcome,
        })
    })
    .await
    .map_err(|e| Refusal::Failed(Error::unknown(e)))??;
    set_principal(request, signed.login.as_str());
    if let Some(cause) = signed.outcome.as_ref().err().and_then(Error::cause) {
        tracing::error!(cause, "request failed");
    }
    Ok(signed)
}

/// Checks the credentials with the API's own `authenticate`, so that its rules (lockout
/// included) apply to the page too, and opens a session for an account user. API users call
/// the API and never sign in to the page: `PermissionDenied`. Returns the session's token.
pub async fn sign_in(
    request: &HttpRequest,
    gateway: Data<Gateway>,
    credentials: Credentials,
) -> Result<String> {
    label_request(request, Protocol::Web, "SignIn");
    let login = credentials.login.clone();
    let lifetime = session_seconds(request)?;
    let origin = origin(request, Channel::Web);
    let outcome = web::block(move || {
        let principal = authenticate(&gateway, &credentials, origin)?
            .caller
            .principal;
        if let Role::ApiUser(_) = principal.role {
            return Err(Error::PermissionDenied);
        }
        let token = random_token()?;
        let now = Timestamp::now();
        gateway.store.insert_web_session(&NewWebSession {
            key: session_key(&token),
            login: principal.login,
            csrf_token: random_token()?,
            created: now,
            expires: Timestamp(now.seconds() + lifetime),
        })?;
        Ok(token)
    })
    .await
    .map_err(Error::unknown)
    .flatten();
    match &outcome {
        Err(Error::InvalidLogin) => {}
        Err(error @ (Error::Unknown(_) | Error::Unavailable(_))) => {
            tracing::error!(cause = error.cause(), "sign-in failed");
        }
        _ => set_principal(request, &login),
    }
    outcome
}

/// Where a call of the page comes from, for the protections and the audit trail.
fn session_seconds(request: &HttpRequest) -> Result<i64> {
    request
        .app_data::<Data<AccessSettings>>()
        .map(|settings| settings.session_seconds)
        .ok_or_else(|| Error::unknown("no AccessSettings configured"))
}

impl Visit<'_> {
    pub fn list(&self, select: &str, skip: Option<&str>) -> Result<Vec<ApiUser>> {
        list_api_users(self.gateway, &self.caller, Some(select), skip)
    }

    pub fn get(&self, id: &str) -> Result<ApiUser> {
        get_api_user(self.gateway, &self.caller, id)
    }

    pub fn create(&self, input: &ApiUserInput) -> Result<ApiUser> {
        create_api_user(self.gateway, &self.caller, input)
    }

    pub fn update(&self, id: &str, input: &ApiUserInput) -> Result<ApiUser> {
        update_api_user(self.gateway, &self.caller, id, input)
    }

    pub fn set_password(
        &self,
        id: &str,
        password: Option<&str>,
        confirm_password: Option<&str>,
    ) -> Result<()> {
        set_api_user_password(self.gateway, &self.caller, id, password, confirm_password)
    }

    pub fn unlock(&self, id: &str) -> Result<()> {
        unlock_api_user(self.gateway, &self.caller, id)
    }

    pub fn delete(&self, id: &str) -> Result<()> {
        delete_api_user(self.gateway, &self.caller, id)
    }

    /// A login for the new-user form to offer, generated by the API's own rule, for those
    /// who may create API users.
    pub fn fresh_login(&self) -> Result<Login> {
        self.caller.principal.require_manage_account()?;
        Login::generate(&self.gateway.settings.apiuser_domain)
    }

    /// Leaves a message for the session's next page (Post/Redirect/Get).
    pub fn leave_flash(&self, message: &str) -> Result<()> {
        self.gateway.store.set_web_session_flash(&self.key, message)
    }

    /// Ends the session (sign-out): its cookie opens nothing from now on.
    pub fn end(&self) -> Result<()> {
        self.gateway.store.delete_web_session(&self.key)
    }
}
