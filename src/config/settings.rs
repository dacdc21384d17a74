//! What `dualgate serve` and the operator commands are told: every flag with its environment
//! twin (`DUALGATE_*`) and its default, each defined once (defaults of the core's own rules
//! come from the core's `Default`s).

use super::Limits;
use super::command_line::account_name;
use super::database_url::{DatabaseUrl, DatabaseUrlParser};
use super::secret::Secret;
use super::trusted_proxies::TrustedProxies;
use crate::service::{CredentialCacheLimits, Protection};
use crate::tls::TlsFiles;
use clap::Args;
use std::path::PathBuf;

/// What every command needs to reach the data.
#[derive(Debug, Clone, Args)]
pub struct StoreSettings {
    /// SQLite database file (used unless `--database-url` is given).
    #[arg(long, env = "DUALGATE_DB", default_value = "dualgate.db")]
    pub db: PathBuf,
    /// PostgreSQL URL, `postgres://user:password@host:port/database`: serves from PostgreSQL,
    /// which several instances can share, instead of the SQLite file.
    #[arg(long, env = "DUALGATE_DATABASE_URL", hide_env_values = true,
          value_parser = DatabaseUrlParser)]
    pub database_url: Option<DatabaseUrl>,
    /// bcrypt cost for new password hashes (4..=31).
    #[arg(long, env = "DUALGATE_BCRYPT_COST", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(4..=31))]
    pub bcrypt_cost: u32,
}

/// The gateway's settings.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    #[command(flatten)]
    pub store: StoreSettings,
    /// Address to listen on.
    #[arg(long, env = "DUALGATE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Comma-separated CIDR ranges of the proxies in front (empty: none). Only a request whose
    /// TCP peer is in one of them has its client address taken from `X-Forwarded-For`.
    #[arg(long, env = "DUALGATE_TRUSTED_PROXY", default_value = "")]
    pub trusted_proxy: TrustedProxies,
    /// Address of a second listener serving only `GET /metrics` (Prometheus text format);
    /// unset, no metrics are kept. Keep it on loopback or a private network.
    #[arg(long, env = "DUALGATE_METRICS_BIND")]
    pub metrics_bind: Option<String>,
    /// PEM certificate chain (leaf first): `--bind` serves HTTPS only. `SIGHUP` reloads it
    /// and the key, keeping both when the new files do not load.
    #[arg(long, env = "DUALGATE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `--tls-cert`.
    #[arg(long, env = "DUALGATE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Public base URL (default `http://<bind>/`, `https://<bind>/` with `--tls-cert`): the
    /// WSDL's address, `ApiEndpoint`, and whether the Access page's cookies are `Secure`.
    #[arg(long, env = "DUALGATE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Domain of API user logins.
    #[arg(
        long,
        env = "DUALGATE_APIUSER_DOMAIN",
        default_value = "apiconnector.com"
    )]
    pub apiuser_domain: String,
    /// Body size, timeouts and XML / JSON structure limits.
    #[command(flatten)]
    pub limits: Limits,
    #[command(flatten)]
    pub protection: ProtectionSettings,
    #[command(flatten)]
    pub credential_cache: CredentialCacheSettings,
    /// Name of the account created on first start.
    #[arg(long, env = "DUALGATE_ACCOUNT_NAME", default_value = "Default",
          value_parser = account_name)]
    pub account_name: String,
    /// Login of the owner created on first start.
    #[arg(
        long,
        env = "DUALGATE_OWNER_EMAIL",
        default_value = "owner@example.com"
    )]
    pub owner_email: String,
    /// Password of the owner created on first start (generated and printed when unset).
    #[arg(long, env = "DUALGATE_OWNER_PASSWORD", hide_env_values = true)]
    pub owner_password: Option<Secret>,
    /// Minutes a sign-in to the Access page lasts after its last request (1 minute to 7 days).
    #[arg(long, env = "DUALGATE_WEB_SESSION_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=7 * 24 * 60))]
    pub web_session_minutes: u32,
}

/// Lockout and rate limits; the defaults are the core's (`service::Protection::default`).
#[derive(Debug, Clone, Args)]
pub struct ProtectionSettings {
    /// Wrong passwords within the window that lock a login (API user or account user).
    #[arg(long, env = "DUALGATE_LOCKOUT_THRESHOLD",
          default_value_t = Protection::default().lockout_threshold,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub lockout_threshold: u32,
    /// Window of the lockout count and of the per-address limit, in minutes (1 to 60).
    #[arg(long, env = "DUALGATE_LOCKOUT_WINDOW_MINUTES",
          default_value_t = Protection::default().lockout_window_minutes,
          value_parser = clap::value_parser!(i64).range(1..=60))]
    pub lockout_window_minutes: i64,
    /// Failed logins from one client address within the window before it is refused (429).
    #[arg(long, env = "DUALGATE_FAILED_LOGINS_PER_ADDRESS",
          default_value_t = Protection::default().failed_logins_per_address,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub failed_logins_per_address: u32,
    /// Calls per rolling hour of an API user on the Flat scheme.
    #[arg(long, env = "DUALGATE_RATE_LIMIT_FLAT_PER_HOUR",
          default_value_t = Protection::default().flat_rate_limit_per_hour,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_flat_per_hour: u32,
    /// Calls per minute of an API user on the Tiered scheme (the default scheme).
    #[arg(long, env = "DUALGATE_RATE_LIMIT_TIERED_PER_MINUTE",
          default_value_t = Protection::default().tiered_rate_limit_per_minute,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_tiered_per_minute: u32,
}

impl From<ProtectionSettings> for Protection {
    fn from(settings: ProtectionSettings) -> Self {
        Protection {
            lockout_threshold: settings.lockout_threshold,
            lockout_window_minutes: settings.lockout_window_minutes,
            failed_logins_per_address: settings.failed_logins_per_address,
            flat_rate_limit_per_hour: settings.rate_limit_flat_per_hour,
            tiered_rate_limit_per_minute: settings.rate_limit_tiered_per_minute,
        }
    }
}

/// The credential cache: verified credentials recognised without bcrypt.
#[derive(Debug, Clone, Copy, Args)]
pub struct CredentialCacheSettings {
    /// Verified credentials kept (0 turns the cache off: every call pays bcrypt).
    #[arg(long, env = "DUALGATE_CREDENTIAL_CACHE_ENTRIES",
          default_value_t = CredentialCacheLimits::default().entries)]
    pub credential_cache_entries: usize,
    /// Seconds a verified credential is recognised before bcrypt checks it again.
    #[arg(long, env = "DUALGATE_CREDENTIAL_CACHE_TTL_SECONDS",
          default_value_t = CredentialCacheLimits::default().ttl_seconds)]
    pub credential_cache_ttl_seconds: u64,
}

impl From<CredentialCacheSettings> for CredentialCacheLimits {
    fn from(settings: CredentialCacheSettings) -> Self {
        CredentialCacheLimits {
            entries: settings.credential_cache_entries,
            ttl_seconds: settings.credential_cache_ttl_seconds,
        }
    }
}

impl Settings {
    /// The certificate and key files, when HTTPS is on.
    pub fn tls(&self) -> Option<TlsFiles> {
        Some(TlsFiles {
            cert: self.tls_cert.clone()?,
            key: self.tls_key.clone()?,
        })
    }

    /// The public URL with exactly one trailing `/`; `bound` is the address actually bound
    /// (which differs from `bind` for port 0).
    pub fn public_url_for(&self, bound: std::net::SocketAddr) -> String {
        let url = self.public_url.clone().unwrap_or_else(|| {
            let scheme = if self.tls().is_some() {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{bound}/")
        });
        format!("{}/", url.trim_end_matches('/'))
    }
}
