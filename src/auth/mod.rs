//! The mechanisms authentication uses: credentials as presented, bcrypt, the credential
//! cache, fingerprints of wrong passwords and the page's random tokens (the usage meters are
//! the store's, `storage::Meter`). The rules that combine them are use cases:
//! `service::authenticate`, `service::web_sessions`.

mod cache;
mod credentials;
mod fingerprint;
mod hasher;
mod tokens;

pub use cache::{CacheCounts, CredentialCache, Scheme};
pub use credentials::Credentials;
pub use fingerprint::fingerprint;
pub use hasher::{PasswordHasher, Spent};
pub use tokens::{random_token, same_token, session_key};
