//! The Access page's sessions as use cases: signing in, resuming the session on each request,
//! leaving a message for its next page, signing out. A session is stored under the hash of
//! its cookie token only, and its expiry slides with every request.

use super::Gateway;
use super::authenticate::{Credentials, authenticate};
use crate::auth::session_key;
/// The page's own tokens (the sign-in form's CSRF token) are made and compared as sessions'.
pub use crate::auth::{random_token, same_token};
use crate::domain::{Caller, Error, Origin, Result, Role, SessionKey, Timestamp};
use crate::storage::NewWebSession;

/// A resumed session: its account user calling through `origin`, the token its forms must
/// carry, and the message a previous request left for this one.
pub struct Session {
    pub caller: Caller,
    pub csrf_token: String,
    pub flash: Option<String>,
    key: SessionKey,
}

/// Checks the credentials with the API's own `authenticate`, so that its rules (lockout
/// included) apply to the page too, and opens a session for an account user. API users call
/// the API and never sign in to the page: `PermissionDenied`. Returns the session's token.
pub fn sign_in(gateway: &Gateway, credentials: &Credentials, origin: Origin) -> Result<String> {
    let principal = authenticate(gateway, credentials, origin)?.caller.principal;
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
        expires: expiry(gateway, now),
    })?;
    Ok(token)
}

/// The session the cookie's `token` opens, its expiry moved on; `None` once it has expired or
/// ended, or its account user is locked.
pub fn resume(gateway: &Gateway, token: &str, origin: Origin) -> Result<Option<Session>> {
    let key = session_key(token);
    let now = Timestamp::now();
    let session = gateway
        .store
        .resume_web_session(&key, now, expiry(gateway, now))?;
    Ok(session.map(|session| Session {
        caller: Caller {
            principal: session.principal,
            origin,
        },
        csrf_token: session.csrf_token,
        flash: session.flash,
        key,
    }))
}

/// Leaves a message for the session's next page (Post/Redirect/Get).
pub fn leave_flash(gateway: &Gateway, session: &Session, message: &str) -> Result<()> {
    gateway.store.set_web_session_flash(&session.key, message)
}

/// Ends the session: its cookie opens nothing from now on.
pub fn sign_out(gateway: &Gateway, session: &Session) -> Result<()> {
    gateway.store.delete_web_session(&session.key)
}

fn expiry(gateway: &Gateway, now: Timestamp) -> Timestamp {
    Timestamp(now.seconds() + gateway.settings.web_session_seconds)
}
