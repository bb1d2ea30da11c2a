//! E-mail delivery of stored notifications through SMTP: settings, the messages, and the
//! outbox passes (immediate e-mails, daily digests) with retries and backoff.
//!
//! A notification is stored first (by a job or a service) and e-mailed afterwards, here: a
//! failed send is retried later and never fails the job that created the notification.

use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::repo::{self, OutgoingRow};
use crate::db::Db;
use crate::error::StartupError;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (a relay on the same host or a trusted network only).
    None,
    /// Plain connection upgraded with STARTTLS (required), usually port 587.
    StartTls,
    /// TLS from the first byte ("SMTPS"), usually port 465.
    Tls,
}

impl TlsMode {
    fn default_port(self) -> u16 {
        match self {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
        }
    }
}

/// SMTP settings, from `ATTEST_SMTP_*`. Without `ATTEST_SMTP_HOST` nothing is e-mailed.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: Mailbox,
    /// Where people reach Attest, for the links in e-mails (`ATTEST_PUBLIC_URL`).
    pub public_url: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl SmtpSettings {
    /// Reads the settings; `None` when `ATTEST_SMTP_HOST` is not set (e-mail off).
    pub fn from_lookup(
        lookup: &impl Fn(&str) -> Option<String>,
        public_url: &str,
    ) -> Result<Option<Self>, StartupError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(host) = get("ATTEST_SMTP_HOST") else {
            return Ok(None);
        };
        let tls = match get("ATTEST_SMTP_TLS").as_deref() {
            None | Some("starttls") => TlsMode::StartTls,
            Some("tls") => TlsMode::Tls,
            Some("none") => TlsMode::None,
            Some(other) => {
                return Err(StartupError::Config {
                    setting: "ATTEST_SMTP_TLS",
                    problem: format!("'{other}' is not a TLS mode"),
                    fix: "use starttls (port 587), tls (port 465) or none (a local relay)".into(),
                })
            }
        };
        let port =
            match get("ATTEST_SMTP_PORT") {
                None => tls.default_port(),
                Some(text) => text.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                    StartupError::Config {
                        setting: "ATTEST_SMTP_PORT",
                        problem: format!("'{text}' is not a port number"),
                        fix: "use for example 587".into(),
                    }
                })?,
            };
        let from_text = get("ATTEST_SMTP_FROM").ok_or_else(|| StartupError::Config {
            setting: "ATTEST_SMTP_FROM",
            problem: "is required when ATTEST_SMTP_HOST is set".into(),
            fix: "use for example ATTEST_SMTP_FROM=\"Attest <attest@example.org>\"".into(),
        })?;
        let from = from_text
            .parse::<Mailbox>()
            .map_err(|error| StartupError::Config {
                setting: "ATTEST_SMTP_FROM",
                problem: format!("'{from_text}' is not an e-mail address ({error})"),
                fix: "use for example ATTEST_SMTP_FROM=\"Attest <attest@example.org>\"".into(),
            })?;
        let username = get("ATTEST_SMTP_USERNAME");
        let password = get("ATTEST_SMTP_PASSWORD");
        if username.is_some() != password.is_some() {
            return Err(StartupError::Config {
                setting: "ATTEST_SMTP_USERNAME",
                problem: "ATTEST_SMTP_USERNAME and ATTEST_SMTP_PASSWORD go together".into(),
                fix: "set both, or neither for a server that needs no login".into(),
            });
        }
        Ok(Some(SmtpSettings {
            host,
            port,
            tls,
            username,
            password,
            from,
            public_url: public_url.trim_end_matches('/').to_string(),
        }))
    }
}

/// Sends e-mails through the configured SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

/// Attempts before an e-mail is given up (`failed`); the notification stays in the app.
pub const MAX_ATTEMPTS: i64 = 8;

/// Notifications older than this when first e-mailable are not e-mailed (for example those
/// stored before SMTP was configured).
pub const EMAIL_WITHIN_HOURS: i64 = 72;

/// The wait before the next attempt after `attempts` failures: 1, 2, 4 … minutes, at most an
/// hour; `None` once the attempts are used up.
pub fn retry_delay(attempts: i64) -> Option<chrono::Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let minutes = 1_i64 << (attempts - 1).clamp(0, 6);
    Some(chrono::Duration::minutes(minutes.min(60)))
}

impl Mailer {
    pub fn new(settings: &SmtpSettings) -> Result<Self, StartupError> {
        let tls_parameters = || {
            TlsParameters::new(settings.host.clone()).map_err(|error| StartupError::Config {
                setting: "ATTEST_SMTP_HOST",
                problem: format!("cannot prepare TLS for '{}' ({error})", settings.host),
                fix: "check the host name, or use ATTEST_SMTP_TLS=none for a local relay".into(),
            })
        };
        let tls = match settings.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls => Tls::Required(tls_parameters()?),
            TlsMode::Tls => Tls::Wrapper(tls_parameters()?),
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
                .port(settings.port)
                .tls(tls)
                .timeout(Some(Duration::from_secs(15)));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: settings.from.clone(),
            public_url: settings.public_url.clone(),
        })
    }

    fn link(&self, link: &str) -> String {
        if link.starts_with('/') {
            format!("{}{link}", self.public_url)
        } else {
            link.to_string()
        }
    }

    async fn send(&self, to: &str, name: &str, subject: &str, text: String) -> Result<(), String> {
        let to = Mailbox::new(
            Some(name.to_string()),
            to.parse().map_err(|e| format!("bad address {to}: {e}"))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn immediate_text(&self, row: &OutgoingRow) -> String {
        let mut text = format!("{}\n\n", row.title);
        if !row.body.is_empty() {
            text.push_str(&row.body);
            text.push_str("\n\n");
        }
        if !row.link.is_empty() {
            text.push_str(&format!("Open it in Attest: {}\n\n", self.link(&row.link)));
        }
        text.push_str(&self.footer());
        text
    }

    fn digest_text(&self, rows: &[OutgoingRow]) -> String {
        let mut text = format!(
            "{} new notification{} in Attest:\n\n",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        );
        for row in rows {
            text.push_str(&format!("* {}\n", row.title));
            if !row.body.is_empty() {
                text.push_str(&format!("  {}\n", row.body));
            }
            if !row.link.is_empty() {
                text.push_str(&format!("  {}\n", self.link(&row.link)));
            }
            text.push('\n');
        }
        text.push_str(&self.footer());
        text
    }

    fn footer(&self) -> String {
        format!(
            "--\nAttest quality management. Choose immediate e-mails, a daily digest or none at {}/notifications\n",
            self.public_url
        )
    }
}

/// What one delivery pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// One line per e-mail attempted: to whom, how many notifications, what happened.
    pub lines: Vec<String>,
    /// E-mails sent (a digest counts once).
    pub sent: usize,
    /// Attempts that failed and will be retried.
    pub retrying: usize,
    /// Attempts that failed for the last time.
    pub failed: usize,
}

const BATCH: i64 = 200;
/// How long an instance holds a claimed e-mail before another may try it.
const CLAIM_SECONDS: i64 = 120;

fn text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A connection for a delivery pass, and the oldest creation time still e-mailed (older
/// pending notifications are marked skipped first).
async fn start_pass(
    db: &Db,
    now: DateTime<Utc>,
) -> Result<(sqlx::pool::PoolConnection<sqlx::Any>, String), sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    let since = text(now - chrono::Duration::hours(EMAIL_WITHIN_HOURS));
    repo::skip_stale(&mut conn, &since).await?;
    Ok((conn, since))
}

/// Sends the pending immediate e-mails that are due. Errors of one e-mail are recorded on it
/// and retried with backoff; only a database error ends the pass.
pub async fn deliver_immediate(
    db: &Db,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<Delivery, sqlx::Error> {
    let (mut conn, since) = start_pass(db, now).await?;
    let mut delivery = Delivery::default();
    let rows = repo::outgoing(&mut conn, "immediate", &text(now), &since, BATCH).await?;
    for row in rows {
        let until = text(now + chrono::Duration::seconds(CLAIM_SECONDS));
        if !repo::claim(&mut conn, row.id, &text(now), &until).await? {
            continue; // another instance is sending it
        }
        let result = mailer
            .send(
                &row.email,
                &row.name,
                &row.title,
                mailer.immediate_text(&row),
            )
            .await;
        record(&mut conn, &[row], result, now, &mut delivery).await?;
    }
    Ok(delivery)
}

/// Sends each person who chose the daily digest one e-mail with everything pending.
pub async fn deliver_digests(
    db: &Db,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<Delivery, sqlx::Error> {
    let (mut conn, since) = start_pass(db, now).await?;
    let mut delivery = Delivery::default();
    let rows = repo::outgoing(&mut conn, "daily", &text(now), &since, i64::MAX / 2).await?;
    let mut by_user: std::collections::BTreeMap<i64, Vec<OutgoingRow>> = Default::default();
    for row in rows {
        by_user.entry(row.user_id).or_default().push(row);
    }
    for (_, rows) in by_user {
        let until = text(now + chrono::Duration::seconds(CLAIM_SECONDS));
        let mut claimed = Vec::new();
        for row in rows {
            if repo::claim(&mut conn, row.id, &text(now), &until).await? {
                claimed.push(row);
            }
        }
        let Some(first) = claimed.first() else {
            continue;
        };
        let subject = format!(
            "Attest: {} new notification{}",
            claimed.len(),
            if claimed.len() == 1 { "" } else { "s" }
        );
        let result = mailer
            .send(
                &first.email,
                &first.name,
                &subject,
                mailer.digest_text(&claimed),
            )
            .await;
        record(&mut conn, &claimed, result, now, &mut delivery).await?;
    }
    Ok(delivery)
}

async fn record(
    conn: &mut sqlx::AnyConnection,
    rows: &[OutgoingRow],
    result: Result<(), String>,
    now: DateTime<Utc>,
    delivery: &mut Delivery,
) -> Result<(), sqlx::Error> {
    let what = format!(
        "{} ({} notification{})",
        rows[0].email,
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    match &result {
        Ok(()) => delivery.lines.push(format!("e-mailed {what}")),
        Err(error) => delivery.lines.push(format!("not sent to {what}: {error}")),
    }
    match result {
        Ok(()) => {
            delivery.sent += 1;
            for row in rows {
                repo::mark_sent(conn, row.id, &text(now)).await?;
            }
        }
        Err(error) => {
            let attempts = rows.iter().map(|r| r.email_attempts).max().unwrap_or(0) + 1;
            let next = retry_delay(attempts).map(|wait| text(now + wait));
            match next {
                Some(_) => delivery.retrying += 1,
                None => delivery.failed += 1,
            }
            tracing::warn!(%error, attempts, to = %rows[0].email, retry_at = next.as_deref().unwrap_or("never"), "e-mail not sent");
            for row in rows {
                repo::mark_attempt_failed(conn, row.id, &error, next.as_deref()).await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_a_minute_to_an_hour_then_stop() {
        let minutes: Vec<Option<i64>> = (1..=9)
            .map(|n| retry_delay(n).map(|d| d.num_minutes()))
            .collect();
        assert_eq!(
            minutes,
            vec![
                Some(1),
                Some(2),
                Some(4),
                Some(8),
                Some(16),
                Some(32),
                Some(60),
                None,
                None
            ]
        );
    }

    fn settings(vars: &[(&str, &str)]) -> Result<Option<SmtpSettings>, StartupError> {
        let vars: std::collections::HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SmtpSettings::from_lookup(&|name: &str| vars.get(name).cloned(), "http://x/")
    }

    #[test]
    fn smtp_is_off_without_a_host_and_ports_follow_the_tls_mode() {
        assert!(settings(&[]).unwrap().is_none());
        let starttls = settings(&[
            ("ATTEST_SMTP_HOST", "mail"),
            ("ATTEST_SMTP_FROM", "a@b.org"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!((starttls.tls, starttls.port), (TlsMode::StartTls, 587));
        assert_eq!(starttls.public_url, "http://x");
        let tls = settings(&[
            ("ATTEST_SMTP_HOST", "mail"),
            ("ATTEST_SMTP_FROM", "Attest <a@b.org>"),
            ("ATTEST_SMTP_TLS", "tls"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!((tls.tls, tls.port), (TlsMode::Tls, 465));
    }

    #[test]
    fn bad_smtp_settings_name_the_setting() {
        for (vars, setting) in [
            (vec![("ATTEST_SMTP_HOST", "mail")], "ATTEST_SMTP_FROM"),
            (
                vec![
                    ("ATTEST_SMTP_HOST", "mail"),
                    ("ATTEST_SMTP_FROM", "not an address"),
                ],
                "ATTEST_SMTP_FROM",
            ),
            (
                vec![
                    ("ATTEST_SMTP_HOST", "mail"),
                    ("ATTEST_SMTP_FROM", "a@b.org"),
                    ("ATTEST_SMTP_TLS", "ssl"),
                ],
                "ATTEST_SMTP_TLS",
            ),
            (
                vec![
                    ("ATTEST_SMTP_HOST", "mail"),
                    ("ATTEST_SMTP_FROM", "a@b.org"),
                    ("ATTEST_SMTP_PORT", "x"),
                ],
                "ATTEST_SMTP_PORT",
            ),
            (
                vec![
                    ("ATTEST_SMTP_HOST", "mail"),
                    ("ATTEST_SMTP_FROM", "a@b.org"),
                    ("ATTEST_SMTP_USERNAME", "u"),
                ],
                "ATTEST_SMTP_USERNAME",
            ),
        ] {
            let message = settings(&vars).unwrap_err().to_string();
            assert!(message.contains(setting), "{message}");
        }
    }

    #[test]
    fn the_password_never_appears_in_debug_output() {
        let s = settings(&[
            ("ATTEST_SMTP_HOST", "mail"),
            ("ATTEST_SMTP_FROM", "a@b.org"),
            ("ATTEST_SMTP_USERNAME", "u"),
            ("ATTEST_SMTP_PASSWORD", "hunter2"),
        ])
        .unwrap()
        .unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
