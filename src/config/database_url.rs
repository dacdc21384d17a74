use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use std::ffi::OsStr;
use std::fmt;
use std::str::FromStr;

/// A PostgreSQL connection URL (`postgres://` or `postgresql://`). It may hold a password, so
/// it prints with the password masked and is read whole only by `expose`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

const SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if SCHEMES.iter().any(|scheme| value.starts_with(scheme)) {
            Ok(DatabaseUrl(value.to_owned()))
        } else {
            Err("the database URL must start with postgres:// or postgresql://".to_owned())
        }
    }
}

/// Reads a database URL from the command line or the environment. A value refused is not
/// repeated in the error, as clap's own message would: it may hold a password.
#[derive(Debug, Clone, Copy)]
pub struct DatabaseUrlParser;

impl TypedValueParser for DatabaseUrlParser {
    type Value = DatabaseUrl;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<DatabaseUrl, clap::Error> {
        let refused = |reason: &str| {
            let flag = arg.map_or_else(|| "the database URL".to_owned(), |arg| arg.to_string());
            clap::Error::raw(
                ErrorKind::ValueValidation,
                format!("invalid value for '{flag}': {reason}\n"),
            )
            .with_cmd(command)
        };
        value
            .to_str()
            .ok_or_else(|| refused("the database URL is not UTF-8"))?
            .parse()
            .map_err(|reason: String| refused(&reason))
    }
}

impl fmt::Debug for DatabaseUrl {
    /// `scheme://user:***@host…`: the user and the host help an operator, the password never.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (scheme, rest) = self.0.split_once("://").unwrap_or(("", &self.0));
        let shown = match rest.rsplit_once('@') {
            Some((user_info, host)) => {
                let user = user_info
                    .split_once(':')
                    .map_or(user_info, |(user, _)| user);
                format!("{scheme}://{user}:***@{host}")
            }
            None => format!("{scheme}://{rest}"),
        };
        f.write_str(&shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_prints() {
        let url: DatabaseUrl = "postgres://gate:S3cret@db:5432/dualgate".parse().unwrap();
        assert_eq!(url.expose(), "postgres://gate:S3cret@db:5432/dualgate");
        assert_eq!(format!("{url:?}"), "postgres://gate:***@db:5432/dualgate");
        let bare: DatabaseUrl = "postgresql://127.0.0.1/dualgate".parse().unwrap();
        assert_eq!(format!("{bare:?}"), "postgresql://127.0.0.1/dualgate");
    }

    #[test]
    fn a_refused_url_is_not_repeated_in_the_error() {
        let command = clap::Command::new("dualgate").arg(
            clap::Arg::new("database-url")
                .long("database-url")
                .value_parser(DatabaseUrlParser),
        );
        let refused = command
            .try_get_matches_from(["dualgate", "--database-url", "mysql://gate:S3cret@db/x"])
            .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::ValueValidation);
        assert_eq!(
            refused.to_string(),
            "error: invalid value for '--database-url <database-url>': the database URL must \
             start with postgres:// or postgresql://\n"
        );
    }

    #[test]
    fn only_postgres_urls_are_taken() {
        assert!("sqlite://dualgate.db".parse::<DatabaseUrl>().is_err());
        assert!("mysql://x@y/z".parse::<DatabaseUrl>().is_err());
    }
}
