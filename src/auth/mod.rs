//! The mechanisms authentication uses: credentials as presented, bcrypt, the credential
//! cache, fingerprints of wrong passwords and the usage meters. The rules that combine them
//! are a use case: `service::authenticate`.

mod cache;
mod credentials;
mod fingerprint;
mod hasher;
mod usage;

pub use cache::{CredentialCache, Scheme};
pub use credentials::Credentials;
pub use fingerprint::fingerprint;
pub use hasher::{PasswordHasher, Spent};
pub use usage::{Standing, UsageMeter};
