//! Configuration from the environment, with documented defaults (see the README's table).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::auth::lockout::LockoutPolicy;
use crate::auth::AuthSettings;
use crate::error::StartupError;

/// Where the database is, parsed from `ATTEST_DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file (created if missing) or `:memory:`.
    Sqlite { path: String, url: String },
    /// A PostgreSQL server.
    Postgres { url: String },
}

impl DatabaseUrl {
    pub const DEFAULT: &'static str = "sqlite://data/attest.db";

    /// Parses a URL, choosing the backend by its scheme.
    pub fn parse(url: &str) -> Result<Self, StartupError> {
        let url = url.trim();
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or_default().to_string();
            if path.is_empty() {
                return Err(StartupError::Config {
                    setting: "ATTEST_DATABASE_URL",
                    problem: format!("'{url}' names no database file"),
                    fix: "use for example sqlite://data/attest.db".into(),
                });
            }
            return Ok(DatabaseUrl::Sqlite {
                path,
                url: url.to_string(),
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres {
                url: url.to_string(),
            });
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(StartupError::Config {
            setting: "ATTEST_DATABASE_URL",
            problem: format!("unknown database scheme '{scheme}'"),
            fix: "use sqlite://path/to/file.db or postgres://user:password@host:port/database"
                .into(),
        })
    }

    /// The URL as given, for the driver.
    pub fn as_str(&self) -> &str {
        match self {
            DatabaseUrl::Sqlite { url, .. } | DatabaseUrl::Postgres { url } => url,
        }
    }

    /// The URL with any password replaced, safe for logs and error messages.
    pub fn redacted(&self) -> String {
        redact_password(self.as_str())
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Replaces the password in `scheme://user:password@host` with `***`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub addr: SocketAddr,
    /// Folder with the built client (`pkg/…`) and public files (favicon).
    pub site_root: PathBuf,
    /// Sessions, lockout and cookies.
    pub auth: AuthSettings,
    /// The certificate and key reports are signed with.
    pub signing: crate::reports::identity::SigningPaths,
    /// The scheduled jobs' cron expressions, time zones and thresholds.
    pub jobs: crate::jobs::settings::JobSettings,
    /// SMTP for e-mailing notifications; `None`: e-mail is off.
    pub smtp: Option<crate::notifications::mail::SmtpSettings>,
    /// How often stored notifications are checked for e-mailing.
    pub mail_poll: std::time::Duration,
}

/// Reads a whole number of minutes (at least 1) from a variable, or the default.
fn minutes(
    lookup: &impl Fn(&str) -> Option<String>,
    setting: &'static str,
    default: i64,
) -> Result<chrono::Duration, StartupError> {
    whole_number(lookup, setting, default).map(chrono::Duration::minutes)
}

fn whole_number(
    lookup: &impl Fn(&str) -> Option<String>,
    setting: &'static str,
    default: i64,
) -> Result<i64, StartupError> {
    number_in(lookup, setting, default, 1..=i64::MAX)
}

/// Reads a whole number within `range` from a variable, or the default.
pub(crate) fn number_in(
    lookup: &impl Fn(&str) -> Option<String>,
    setting: &'static str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, StartupError> {
    match lookup(setting) {
        None => Ok(default),
        Some(text) => match text.trim().parse::<i64>() {
            Ok(value) if range.contains(&value) => Ok(value),
            _ => Err(StartupError::Config {
                setting,
                problem: if *range.end() == i64::MAX {
                    format!(
                        "'{text}' is not a whole number of at least {}",
                        range.start()
                    )
                } else {
                    format!(
                        "'{text}' is not a whole number from {} to {}",
                        range.start(),
                        range.end()
                    )
                },
                fix: format!("use for example {setting}={default}"),
            }),
        },
    }
}

impl Config {
    pub const DEFAULT_ADDR: &'static str = "127.0.0.1:3000";
    pub const DEFAULT_SITE_ROOT: &'static str = "target/site";

    /// Reads `ATTEST_DATABASE_URL`, `ATTEST_ADDR` and `ATTEST_SITE_ROOT`.
    pub fn from_env() -> Result<Self, StartupError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables (the environment, or a test's map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, StartupError> {
        let database_url = DatabaseUrl::parse(
            &lookup("ATTEST_DATABASE_URL").unwrap_or_else(|| DatabaseUrl::DEFAULT.into()),
        )?;
        let addr_text = lookup("ATTEST_ADDR").unwrap_or_else(|| Self::DEFAULT_ADDR.into());
        let addr = addr_text.trim().parse().map_err(|_| StartupError::Config {
            setting: "ATTEST_ADDR",
            problem: format!("'{addr_text}' is not an address and port"),
            fix: "use for example 127.0.0.1:3000 or 0.0.0.0:8080".into(),
        })?;
        let site_root = lookup("ATTEST_SITE_ROOT")
            .unwrap_or_else(|| Self::DEFAULT_SITE_ROOT.into())
            .into();
        let secure_cookies = match lookup("ATTEST_SECURE_COOKIES").as_deref().map(str::trim) {
            None | Some("") | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(StartupError::Config {
                    setting: "ATTEST_SECURE_COOKIES",
                    problem: format!("'{other}' is neither true nor false"),
                    fix: "use true when users reach Attest over HTTPS".into(),
                })
            }
        };
        let lockout_minutes = minutes(&lookup, "ATTEST_LOCKOUT_MINUTES", 15)?;
        let auth = AuthSettings {
            idle_timeout: minutes(&lookup, "ATTEST_SESSION_IDLE_MINUTES", 480)?,
            lockout: LockoutPolicy {
                max_failures: whole_number(&lookup, "ATTEST_LOCKOUT_ATTEMPTS", 5)?,
                window: lockout_minutes,
                lock_for: lockout_minutes,
            },
            secure_cookies,
        };
        let signing_dir = match &database_url {
            DatabaseUrl::Sqlite { path, .. } => std::path::Path::new(path)
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .join("signing"),
            DatabaseUrl::Postgres { .. } => std::path::PathBuf::from("data/signing"),
        };
        let signing = crate::reports::identity::SigningPaths::from_lookup(&lookup, &signing_dir)?;
        let jobs = crate::jobs::settings::JobSettings::from_lookup(&lookup)?;
        // Links in e-mails: where people reach Attest (a proxy's address in production).
        let public_url = lookup("ATTEST_PUBLIC_URL")
            .map(|url| url.trim().to_string())
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| format!("http://{addr}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(StartupError::Config {
                setting: "ATTEST_PUBLIC_URL",
                problem: format!("'{public_url}' is not an http(s) address"),
                fix: "use for example https://attest.example.org".into(),
            });
        }
        let smtp = crate::notifications::mail::SmtpSettings::from_lookup(&lookup, &public_url)?;
        let mail_poll =
            std::time::Duration::from_secs(
                whole_number(&lookup, "ATTEST_MAIL_POLL_SECONDS", 30)? as u64
            );
        Ok(Config {
            database_url,
            addr,
            site_root,
            auth,
            signing,
            jobs,
            smtp,
            mail_poll,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, StartupError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_are_a_local_sqlite_file_and_port_3000() {
        let config = config(&[]).unwrap();
        assert_eq!(
            config.database_url,
            DatabaseUrl::Sqlite {
                path: "data/attest.db".into(),
                url: "sqlite://data/attest.db".into()
            }
        );
        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.site_root, PathBuf::from("target/site"));
        assert_eq!(config.auth.idle_timeout, chrono::Duration::hours(8));
        assert_eq!(config.auth.lockout, LockoutPolicy::default());
        assert!(!config.auth.secure_cookies);
        // The generated signing pair sits beside the database.
        assert_eq!(
            config.signing.key,
            PathBuf::from("data/signing/attest-signing-key.pem")
        );
        assert!(!config.signing.configured);
    }

    #[test]
    fn session_and_lockout_settings_are_read_and_checked() {
        let config = config(&[
            ("ATTEST_SESSION_IDLE_MINUTES", "30"),
            ("ATTEST_LOCKOUT_ATTEMPTS", "3"),
            ("ATTEST_SECURE_COOKIES", "true"),
        ])
        .unwrap();
        assert_eq!(config.auth.idle_timeout, chrono::Duration::minutes(30));
        assert_eq!(config.auth.lockout.max_failures, 3);
        assert!(config.auth.secure_cookies);
        let message = self::config(&[("ATTEST_SESSION_IDLE_MINUTES", "0")])
            .unwrap_err()
            .to_string();
        assert!(message.contains("ATTEST_SESSION_IDLE_MINUTES"), "{message}");
    }

    #[test]
    fn the_scheme_chooses_the_backend() {
        assert!(matches!(
            DatabaseUrl::parse("postgres://u:p@localhost/attest").unwrap(),
            DatabaseUrl::Postgres { .. }
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://localhost/attest").unwrap(),
            DatabaseUrl::Postgres { .. }
        ));
        assert!(matches!(
            DatabaseUrl::parse("sqlite:/var/lib/attest.db?mode=rwc").unwrap(),
            DatabaseUrl::Sqlite { path, .. } if path == "/var/lib/attest.db"
        ));
    }

    #[test]
    fn an_unknown_scheme_names_the_setting_and_the_fix() {
        let message = DatabaseUrl::parse("mysql://localhost/attest")
            .unwrap_err()
            .to_string();
        assert!(message.contains("ATTEST_DATABASE_URL"), "{message}");
        assert!(message.contains("'mysql'"), "{message}");
        assert!(message.contains("postgres://"), "{message}");
    }

    #[test]
    fn a_bad_address_names_the_setting() {
        let message = config(&[("ATTEST_ADDR", "localhost")])
            .unwrap_err()
            .to_string();
        assert!(message.contains("ATTEST_ADDR"), "{message}");
    }

    #[test]
    fn passwords_never_appear_in_printed_urls() {
        let url = DatabaseUrl::parse("postgres://attest:s3cret@db:5432/attest").unwrap();
        assert_eq!(url.redacted(), "postgres://attest:***@db:5432/attest");
        assert!(!format!("{url:?}").contains("s3cret"));
        let no_password = DatabaseUrl::parse("postgres://attest@db/attest").unwrap();
        assert_eq!(no_password.redacted(), "postgres://attest@db/attest");
    }
}
