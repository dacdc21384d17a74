//! Settings in one place: the command line, the gateway's settings and its limits, the
//! trusted proxies, and the types that keep a secret (a password, a database URL's password)
//! from printing.

mod command_line;
mod database_url;
pub mod limits;
mod secret;
mod settings;
mod trusted_proxies;

pub use command_line::{AccountCommand, Cli, Command, UserCommand};
pub use database_url::{DatabaseUrl, DatabaseUrlParser};
pub use limits::Limits;
pub use secret::Secret;
pub use settings::{CredentialCacheSettings, ProtectionSettings, Settings, StoreSettings};
pub use trusted_proxies::TrustedProxies;
