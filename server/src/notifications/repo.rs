//! SQL for notifications: storing them once per person and condition, the bell's list, and
//! the e-mail outbox (claim, sent, retry).

use sqlx::{AnyConnection, FromRow};

use app::model::notifications::{EmailStatus, Notification};

#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub key: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
    pub email_status: String,
}

impl NotificationRow {
    pub fn notification(self) -> Notification {
        Notification {
            id: self.id,
            key: self.key,
            title: self.title,
            body: self.body,
            link: self.link,
            created_at: self.created_at,
            read_at: self.read_at,
            email_status: EmailStatus::parse(&self.email_status).unwrap_or(EmailStatus::Pending),
        }
    }
}

/// Stores a notification once per user and key; true when it is new.
pub async fn notify(
    conn: &mut AnyConnection,
    user_id: i64,
    key: &str,
    title: &str,
    body: &str,
    link: &str,
    now: &str,
) -> sqlx::Result<bool> {
    sqlx::query(
        "insert into notifications (user_id, key, title, body, link, created_at)
         values ($1, $2, $3, $4, $5, $6) on conflict (user_id, key) do nothing",
    )
    .bind(user_id)
    .bind(key)
    .bind(title)
    .bind(body)
    .bind(link)
    .bind(now)
    .execute(conn)
    .await
    .map(|done| done.rows_affected() == 1)
}

// ---------------------------------------------------------------- recipients

/// Active site leads of a site, to notify.
pub async fn site_leads(conn: &mut AnyConnection, site_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "select id from users where role = 'site_lead' and site_id = $1 and active = 1 order by id",
    )
    .bind(site_id)
    .fetch_all(conn)
    .await
}

/// Active regional managers of a region, to notify.
pub async fn regional_managers(conn: &mut AnyConnection, region: &str) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "select id from users where role = 'regional_manager' and region_code = $1 and active = 1
         order by id",
    )
    .bind(region)
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------- the bell

const COLUMNS: &str = "id, key, title, body, link, created_at, read_at, email_status";

/// A page of the user's notifications, newest first, and how many match.
pub async fn list(
    conn: &mut AnyConnection,
    user_id: i64,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<NotificationRow>, i64)> {
    let unread = if unread_only {
        " and read_at is null"
    } else {
        ""
    };
    crate::db::page_of(
        conn,
        &format!("select {COLUMNS} from notifications where user_id = cast($1 as bigint){unread}"),
        &[user_id.to_string()],
        "created_at desc, id desc",
        limit,
        offset,
    )
    .await
}

pub async fn unread_count(conn: &mut AnyConnection, user_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("select count(*) from notifications where user_id = $1 and read_at is null")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

pub async fn find(
    conn: &mut AnyConnection,
    user_id: i64,
    id: i64,
) -> sqlx::Result<Option<NotificationRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from notifications where id = $1 and user_id = $2"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(conn)
    .await
}

/// Marks one unread notification read; false when it was read already.
pub async fn mark_read(
    conn: &mut AnyConnection,
    user_id: i64,
    id: i64,
    now: &str,
) -> sqlx::Result<bool> {
    sqlx::query(
        "update notifications set read_at = $1 where id = $2 and user_id = $3 and read_at is null",
    )
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|done| done.rows_affected() == 1)
}

/// Marks every unread notification of the user read; how many there were.
pub async fn mark_all_read(conn: &mut AnyConnection, user_id: i64, now: &str) -> sqlx::Result<u64> {
    sqlx::query("update notifications set read_at = $1 where user_id = $2 and read_at is null")
        .bind(now)
        .bind(user_id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
}

pub async fn email_preference(conn: &mut AnyConnection, user_id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar("select email_notifications from users where id = $1")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

pub async fn set_email_preference(
    conn: &mut AnyConnection,
    user_id: i64,
    preference: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query("update users set email_notifications = $1, updated_at = $2 where id = $3")
        .bind(preference)
        .bind(now)
        .bind(user_id)
        .execute(conn)
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------- e-mail outbox

/// A notification waiting for its e-mail, with its recipient.
#[derive(Debug, Clone, FromRow)]
pub struct OutgoingRow {
    pub id: i64,
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub preference: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub email_attempts: i64,
}

/// Pending e-mails of active users whose next attempt is due, oldest first. Notifications
/// older than `since` are not e-mailed (see [`skip_stale`]).
pub async fn outgoing(
    conn: &mut AnyConnection,
    preference: &str,
    now: &str,
    since: &str,
    limit: i64,
) -> sqlx::Result<Vec<OutgoingRow>> {
    sqlx::query_as(
        "select n.id, n.user_id, u.email, u.name, u.email_notifications as preference, n.title,
                n.body, n.link, n.created_at, n.email_attempts
         from notifications n join users u on u.id = n.user_id
         where n.email_status = 'pending' and u.active = 1 and u.email_notifications = $1
           and (n.email_next_at is null or n.email_next_at <= $2)
           and (n.email_claimed_until is null or n.email_claimed_until <= $2)
           and n.created_at >= $3
         order by n.created_at, n.id limit $4",
    )
    .bind(preference)
    .bind(now)
    .bind(since)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Notifications that will not be e-mailed: of people who want no e-mail, of inactive
/// accounts, or older than `since` (kept from before SMTP was configured). Returns how many.
pub async fn skip_stale(conn: &mut AnyConnection, since: &str) -> sqlx::Result<u64> {
    sqlx::query(
        "update notifications set email_status = 'skipped'
         where email_status = 'pending'
           and (created_at < $1
                or user_id in (select id from users where email_notifications = 'off' or active = 0))",
    )
    .bind(since)
    .execute(conn)
    .await
    .map(|done| done.rows_affected())
}

/// Claims a notification's e-mail for this instance until `until`; false when another
/// instance holds it or it is no longer pending.
pub async fn claim(
    conn: &mut AnyConnection,
    id: i64,
    now: &str,
    until: &str,
) -> sqlx::Result<bool> {
    sqlx::query(
        "update notifications set email_claimed_until = $1
         where id = $2 and email_status = 'pending'
           and (email_claimed_until is null or email_claimed_until <= $3)",
    )
    .bind(until)
    .bind(id)
    .bind(now)
    .execute(conn)
    .await
    .map(|done| done.rows_affected() == 1)
}

pub async fn mark_sent(conn: &mut AnyConnection, id: i64, now: &str) -> sqlx::Result<()> {
    sqlx::query(
        "update notifications set email_status = 'sent', email_sent_at = $1,
                email_attempts = email_attempts + 1, email_claimed_until = null, email_error = null
         where id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Records a failed attempt: retried at `next_at`, or given up (`failed`) when `None`.
pub async fn mark_attempt_failed(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    next_at: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update notifications set email_attempts = email_attempts + 1, email_error = $1,
                email_next_at = $2, email_claimed_until = null,
                email_status = case when $3 = 1 then 'pending' else 'failed' end
         where id = $4",
    )
    .bind(error)
    .bind(next_at)
    .bind(i64::from(next_at.is_some()))
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}
