//! Notifications: stored once per person and condition (the key), shown under the bell with
//! an unread count, marked read, and e-mailed by the [`Outbox`] (immediately or in a daily
//! digest, as each person chooses).

pub mod api;
pub mod mail;
pub mod repo;

use std::sync::Arc;
use std::time::Duration;

use app::model::notifications::{
    EmailPreference, Notification, NotificationList, NotificationQuery,
};
use app::model::users::Page;
use tokio::sync::Notify;

use crate::auth::Actor;
use crate::db::{now_text, Db};
use crate::error::Error;
use crate::trail::{self, Change, Who};
use mail::Mailer;

/// The caller's notifications, newest first, with the unread count and their e-mail setting.
pub async fn list(
    db: &Db,
    actor: &Actor,
    query: &NotificationQuery,
    email_enabled: bool,
) -> Result<NotificationList, Error> {
    let (page, per_page, offset) = crate::users::paging(query.page, query.per_page);
    let mut conn = db.pool().acquire().await?;
    let (rows, total) = repo::list(
        &mut conn,
        actor.id(),
        query.unread.unwrap_or(false),
        per_page,
        offset,
    )
    .await?;
    let unread = repo::unread_count(&mut conn, actor.id()).await?;
    let preference = repo::email_preference(&mut conn, actor.id()).await?;
    Ok(NotificationList {
        page: Page {
            items: rows
                .into_iter()
                .map(repo::NotificationRow::notification)
                .collect(),
            total,
            page,
            per_page,
        },
        unread,
        email_preference: EmailPreference::parse(&preference).unwrap_or(EmailPreference::Immediate),
        email_enabled,
    })
}

/// How many of the caller's notifications are unread (the bell).
pub async fn unread_count(db: &Db, actor: &Actor) -> Result<i64, Error> {
    let mut conn = db.pool().acquire().await?;
    Ok(repo::unread_count(&mut conn, actor.id()).await?)
}

/// Marks one of the caller's notifications read (again: no change).
pub async fn mark_read(db: &Db, actor: &Actor, id: i64) -> Result<Notification, Error> {
    let mut tx = db.begin_write().await?;
    let missing = || Error::NotFound(format!("You have no notification with id {id}."));
    repo::find(tx.conn(), actor.id(), id)
        .await?
        .ok_or_else(missing)?;
    let now = now_text();
    if repo::mark_read(tx.conn(), actor.id(), id, &now).await? {
        trail::record(
            &mut tx,
            &Who::from(actor),
            Change::new("notification.read", "notification", id)
                .after(serde_json::json!({"read_at": now})),
        )
        .await?;
    }
    let row = repo::find(tx.conn(), actor.id(), id)
        .await?
        .ok_or_else(missing)?;
    tx.commit().await?;
    Ok(row.notification())
}

/// Marks all the caller's notifications read; how many were unread.
pub async fn mark_all_read(db: &Db, actor: &Actor) -> Result<i64, Error> {
    let mut tx = db.begin_write().await?;
    let now = now_text();
    let count = repo::mark_all_read(tx.conn(), actor.id(), &now).await?;
    if count > 0 {
        trail::record(
            &mut tx,
            &Who::from(actor),
            Change::new("notification.read_all", "user", actor.id())
                .after(serde_json::json!({"marked_read": count, "read_at": now})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(count as i64)
}

/// Sets how the caller gets notifications by e-mail: `immediate`, `daily` or `off`.
pub async fn set_email_preference(
    db: &Db,
    actor: &Actor,
    preference: &str,
) -> Result<EmailPreference, Error> {
    let chosen = EmailPreference::parse(preference.trim()).ok_or_else(|| {
        Error::invalid_field("email_preference", "Choose immediate, daily or off.")
    })?;
    let mut tx = db.begin_write().await?;
    let before = repo::email_preference(tx.conn(), actor.id()).await?;
    if before != chosen.as_str() {
        repo::set_email_preference(tx.conn(), actor.id(), chosen.as_str(), &now_text()).await?;
        trail::record(
            &mut tx,
            &Who::from(actor),
            Change::new("user.email_preference", "user", actor.id())
                .before(serde_json::json!({"email_notifications": before}))
                .after(serde_json::json!({"email_notifications": chosen.as_str()})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(chosen)
}

/// Delivers stored notifications by e-mail when SMTP is configured: a pass every poll
/// interval, and at once when woken (a job just stored notifications).
#[derive(Clone)]
pub struct Outbox {
    mailer: Option<Mailer>,
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new(mailer: Option<Mailer>) -> Self {
        Outbox {
            mailer,
            wake: Arc::new(Notify::new()),
        }
    }

    /// False when SMTP is not configured: notifications are stored and shown, not e-mailed.
    pub fn enabled(&self) -> bool {
        self.mailer.is_some()
    }

    pub fn mailer(&self) -> Option<&Mailer> {
        self.mailer.as_ref()
    }

    /// Asks for a delivery pass now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// One pass of immediate e-mails (used by the loop and by `attest jobs run`).
    pub async fn deliver_now(&self, db: &Db) -> Result<mail::Delivery, Error> {
        match &self.mailer {
            Some(mailer) => Ok(mail::deliver_immediate(db, mailer, chrono::Utc::now()).await?),
            None => Ok(mail::Delivery::default()),
        }
    }

    /// Runs until the task is dropped: a pass on every wake-up or poll interval. A pass that
    /// fails (database down) is logged and tried again at the next one.
    pub async fn run(self, db: Db, poll: Duration) {
        if self.mailer.is_none() {
            return;
        }
        loop {
            match self.deliver_now(&db).await {
                Ok(delivery) if !delivery.lines.is_empty() => {
                    tracing::info!(
                        sent = delivery.sent,
                        retrying = delivery.retrying,
                        failed = delivery.failed,
                        "e-mail delivery"
                    )
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "e-mail delivery pass failed"),
            }
            tokio::select! {
                () = self.wake.notified() => {},
                () = tokio::time::sleep(poll) => {},
            }
        }
    }
}
