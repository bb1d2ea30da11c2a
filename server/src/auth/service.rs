//! Signing in and out, and recognising the user behind a session or token.

use app::model::auth::CurrentUser;
use chrono::{Duration, Utc};

use super::lockout::LockoutPolicy;
use super::{passwords, secrets, Actor, Credential, RequestMeta};
use crate::db::{now_text, Db};
use crate::error::Error;
use crate::trail::{self, Change, Who};
use crate::users::repo::{self, time_text};

/// Session and lockout settings (see the README's configuration table).
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// A session ends after this long without a request.
    pub idle_timeout: Duration,
    pub lockout: LockoutPolicy,
    /// Mark the session cookie `Secure` (the server is reached over HTTPS).
    pub secure_cookies: bool,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            idle_timeout: Duration::hours(8),
            lockout: LockoutPolicy::default(),
            secure_cookies: false,
        }
    }
}

/// The one answer to every failed sign-in: it never tells whether the account exists.
pub use app::model::auth::LOGIN_FAILED;

/// A new session: the secret goes to the client once (cookie or bearer token).
pub struct NewSession {
    pub secret: String,
    pub user: CurrentUser,
}

/// The normal form of an email address for lookups.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks the credentials and opens a session. Failures count towards a lockout and are
/// recorded in the audit trail; every failure gets the same message. `replaces` is the
/// session the client already had: it ends, so a sign-in always gets a new session id.
#[tracing::instrument(skip_all)]
pub async fn login(
    db: &Db,
    settings: &AuthSettings,
    email: &str,
    password: String,
    meta: &RequestMeta,
    replaces: Option<&str>,
) -> Result<NewSession, Error> {
    let email = normalise_email(email);
    let user = repo::find_by_email(db, &email).await?;
    let now = Utc::now();
    let usable = user
        .as_ref()
        .filter(|u| u.active != 0 && !u.failures().is_locked(now));
    let verified = passwords::verify(password, usable.map(|u| u.password_hash.clone())).await?;

    let who = |user: &repo::UserRow| Who {
        actor_id: Some(user.id),
        actor_email: Some(user.email.clone()),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
    };
    let Some(user) = user else {
        return Err(Error::Unauthorized(LOGIN_FAILED.into()));
    };
    let mut tx = db.begin_write().await?;
    if !verified {
        let before = user.failures();
        if user.active != 0 && !before.is_locked(now) {
            let after = before.after_failure(&settings.lockout, now);
            repo::save_failures(&mut tx, user.id, &after).await?;
            let action = if after.is_locked(now) {
                "auth.locked"
            } else {
                "auth.login_failed"
            };
            let change = Change::new(action, "user", user.id)
                .site(user.site_code.clone(), user.home_region())
                .after(serde_json::json!({ "failed_logins": after.failed_logins, "locked_until": after.locked_until.map(time_text) }));
            trail::record(&mut tx, &who(&user), change).await?;
        }
        tx.commit().await?;
        return Err(Error::Unauthorized(LOGIN_FAILED.into()));
    }

    let now_text = time_text(now);
    repo::record_login(&mut tx, user.id, &now_text).await?;
    if let Some(previous) = replaces {
        repo::delete_session(&mut tx, previous).await?;
    }
    let secret = secrets::random_secret();
    let expires = time_text(now + settings.idle_timeout);
    repo::insert_session(
        &mut tx,
        &secrets::digest(&secret),
        user.id,
        &now_text,
        &expires,
        meta.ip.as_deref(),
        meta.user_agent.as_deref(),
    )
    .await?;
    let change =
        Change::new("auth.login", "user", user.id).site(user.site_code.clone(), user.home_region());
    trail::record(&mut tx, &who(&user), change).await?;
    tx.commit().await?;
    Ok(NewSession {
        secret,
        user: user.current_user(),
    })
}

/// Ends the session the actor is using (an API token is revoked separately).
#[tracing::instrument(skip_all, fields(user_id = actor.id()))]
pub async fn logout(db: &Db, actor: &Actor) -> Result<(), Error> {
    let mut tx = db.begin_write().await?;
    if let Credential::Cookie { session_hash } | Credential::Bearer { session_hash } =
        &actor.credential
    {
        repo::delete_session(&mut tx, session_hash).await?;
    }
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("auth.logout", "user", actor.id()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How often a session's expiry is pushed back: not on every request, to spare writes.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// The active user behind a session secret, extending the session's idle expiry.
pub async fn user_of_session(
    db: &Db,
    settings: &AuthSettings,
    secret: &str,
) -> Result<Option<(String, CurrentUser)>, Error> {
    let hash = secrets::digest(secret);
    let now = Utc::now();
    let Some((user, last_seen)) = repo::find_session_user(db, &hash, &time_text(now)).await? else {
        return Ok(None);
    };
    if user.active == 0 {
        return Ok(None);
    }
    let stale = chrono::DateTime::parse_from_rfc3339(&last_seen)
        .map(|seen| now - seen.with_timezone(&Utc) > TOUCH_EVERY)
        .unwrap_or(true);
    if stale {
        repo::touch_session(
            db,
            &hash,
            &time_text(now),
            &time_text(now + settings.idle_timeout),
        )
        .await?;
    }
    Ok(Some((hash, user.current_user())))
}

/// The active user behind a personal API token.
pub async fn user_of_token(db: &Db, token: &str) -> Result<Option<(i64, CurrentUser)>, Error> {
    let Some((token_id, user)) = repo::find_live_token(db, &secrets::digest(token)).await? else {
        return Ok(None);
    };
    if user.active == 0 {
        return Ok(None);
    }
    repo::mark_token_used(db, token_id, &now_text()).await?;
    Ok(Some((token_id, user.current_user())))
}

#[cfg(test)]
mod tests {
    use super::normalise_email;

    #[test]
    fn emails_are_compared_without_case_or_surrounding_spaces() {
        assert_eq!(
            normalise_email("  Lead.NBO@Attest.Example "),
            "lead.nbo@attest.example"
        );
    }
}
