//! Settings in one place: the command line, the gateway's settings and its limits, and the
//! type that keeps a secret from printing.

mod command_line;
pub mod limits;
mod secret;
mod settings;

pub use command_line::{AccountCommand, Cli, Command, UserCommand};
pub use limits::Limits;
pub use secret::Secret;
pub use settings::{CredentialCacheSettings, ProtectionSettings, Settings, StoreSettings};
