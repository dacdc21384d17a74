//! Sign-in sessions of the Access page. They live in the store, not in a process, so that
//! several gateway instances can share them; the cookie's token is stored only as a hash.

use crate::domain::{Error, Login, Principal, Result, SessionKey, Timestamp};

/// A session being opened for an account user who has just signed in.
pub struct NewWebSession {
    pub key: SessionKey,
    pub login: Login,
    /// The synchronizer token every form of this session must send back.
    pub csrf_token: String,
    pub created: Timestamp,
    pub expires: Timestamp,
}

/// A live session, with its account user's principal as stored now (a permission withdrawn
/// since sign-in is withdrawn from the session too).
pub struct WebSession {
    pub principal: Principal,
    pub csrf_token: String,
    /// The message a previous request left for this one (Post/Redirect/Get).
    pub flash: Option<String>,
}

pub trait WebSessionStore: Send + Sync {
    /// Stores a new session for an account user, records its `created` as the user's last
    /// sign-in, and drops the sessions that have expired.
    fn insert_web_session(&self, new: &NewWebSession) -> Result<()>;
    /// The session with this key unless it expired by `now` or its account user is locked
    /// (as the API refuses a locked principal's every call); its expiry moves to
    /// `renewed_until` and its flash message is taken.
    fn resume_web_session(
        &self,
        key: &SessionKey,
        now: Timestamp,
        renewed_until: Timestamp,
    ) -> Result<Option<WebSession>>;
    /// Leaves a message for the session's next page.
    fn set_web_session_flash(&self, key: &SessionKey, flash: &str) -> Result<()>;
    fn delete_web_session(&self, key: &SessionKey) -> Result<()>;
}

/// A session is opened only for an account user: `inserted` is whether its row was written.
pub(super) fn opened_for_an_account_user(inserted: bool) -> Result<()> {
    match inserted {
        true => Ok(()),
        false => Err(Error::unknown(
            "a web session for a login with no account user",
        )),
    }
}
