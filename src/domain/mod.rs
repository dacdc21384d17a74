//! The domain core: validated types and the one error catalogue. Pure: no I/O and no wire
//! formats.

pub mod account;
pub mod api_user;
pub mod audit;
pub mod description;
pub mod error;
pub mod login;
pub mod paging;
pub mod password;
pub mod principal;
pub mod session_key;
pub mod status;
pub mod text;
pub mod time;

pub use account::{
    Account, AccountId, AccountName, AccountUser, AccountUserId, NewAccount, NewAccountUser,
    Protected,
};
pub use api_user::{ApiUser, ApiUserChanges, ApiUserId, NewApiUser};
pub use audit::{Audit, AuditAction, AuditEvent, AuditFilter, Channel, Origin};
pub use description::{Description, MAX_DESCRIPTION_CHARS};
pub use error::{Blame, Error, Result};
pub use login::Login;
pub use paging::{MAX_SELECT, Paging};
pub use password::{Fingerprint, Password, PasswordHash, PasswordOwner};
pub use principal::{Caller, Manager, Principal, Role};
pub use session_key::SessionKey;
pub use status::Status;
pub use time::Timestamp;
