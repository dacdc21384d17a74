//! The mechanisms authentication uses: credentials as presented, bcrypt, the credential
//! cache, fingerprints of wrong passwords, the usage meters and the page's random tokens. The
//! rules that combine them are use cases: `service::authenticate`, `service::web_sessions`.

mod cache;
mod credentials;
mod fingerprint;
mod hasher;
mod tokens;
mod usage;

pub use cache::{CacheCounts, CredentialCache, Scheme};
pub use credentials::Credentials;
pub use fingerprint::fingerprint;
pub use hasher::{PasswordHasher, Spent};
pub use tokens::{random_token, same_token, session_key};
pub use usage::{Standing, UsageMeter};
