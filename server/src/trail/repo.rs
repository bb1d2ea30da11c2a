//! SQL for the audit trail.

use app::model::users::{Page, TrailEntry, TrailQuery};

use super::Entry;
use crate::db::{Db, Engine, WriteTx};

/// Any fixed number works: it names the lock that serialises appends on PostgreSQL.
const APPEND_LOCK: i64 = 7_231_001;

/// Takes the append lock (PostgreSQL; SQLite's `begin immediate` already holds the write lock)
/// and reads the newest entry's hash.
pub async fn lock_and_read_head(tx: &mut WriteTx) -> Result<Option<String>, sqlx::Error> {
    if tx.engine() == Engine::Postgres {
        sqlx::query("select pg_advisory_xact_lock($1)")
            .bind(APPEND_LOCK)
            .execute(tx.conn())
            .await?;
    }
    sqlx::query_scalar("select hash from audit_trail order by id desc limit 1")
        .fetch_optional(tx.conn())
        .await
}

pub async fn insert(tx: &mut WriteTx, entry: &Entry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into audit_trail (at, actor_id, actor_email, action, entity_type, entity_id,
             site_code, region_code, before_json, after_json, ip, user_agent, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&entry.at)
    .bind(entry.actor_id)
    .bind(&entry.actor_email)
    .bind(&entry.action)
    .bind(&entry.entity_type)
    .bind(&entry.entity_id)
    .bind(&entry.site_code)
    .bind(&entry.region_code)
    .bind(&entry.before_json)
    .bind(&entry.after_json)
    .bind(&entry.ip)
    .bind(&entry.user_agent)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(tx.conn())
    .await
    .map(|_| ())
}

const COLUMNS: &str = "id, at, actor_id, actor_email, action, entity_type, entity_id, site_code,
    region_code, before_json, after_json, ip, user_agent, prev_hash, hash";

/// Entries with an id above `after_id`, in id order.
pub async fn page_after(db: &Db, after_id: i64, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from audit_trail where id > $1 order by id limit $2"
    ))
    .bind(after_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// Escapes `%`, `_` and `\` so user text matches literally inside a LIKE pattern.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A filtered page of the trail, newest first. Empty filters match everything.
pub async fn list(
    db: &Db,
    query: &TrailQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Entry>, i64), sqlx::Error> {
    let filter = "($1 = '' or entity_type = $1)
        and ($2 = '' or entity_id = $2)
        and ($3 = '' or lower(actor_email) like $3 escape '\\')
        and ($4 = '' or site_code = $4)
        and ($5 = '' or at >= $5)
        and ($6 = '' or at < $6)";
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    let actor = query
        .actor
        .as_deref()
        .filter(|a| !a.trim().is_empty())
        .map(like_pattern)
        .unwrap_or_default();
    // Dates are whole days: `to` includes the day it names.
    let from = text(&query.from);
    let to = query
        .to
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .and_then(|d| d.succ_opt())
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let binds = [
        text(&query.entity_type),
        text(&query.entity_id),
        actor,
        text(&query.site),
        from,
        to,
    ];

    let count_sql = format!("select count(*) from audit_trail where {filter}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for value in &binds {
        count = count.bind(value.clone());
    }
    let total = count.fetch_one(db.pool()).await?;

    let rows_sql = format!(
        "select {COLUMNS} from audit_trail where {filter} order by id desc limit $7 offset $8"
    );
    let mut rows = sqlx::query_as::<_, Entry>(&rows_sql);
    for value in &binds {
        rows = rows.bind(value.clone());
    }
    let rows = rows.bind(limit).bind(offset).fetch_all(db.pool()).await?;
    Ok((rows, total))
}

impl From<Entry> for TrailEntry {
    fn from(entry: Entry) -> Self {
        TrailEntry {
            id: entry.id,
            at: entry.at,
            actor_email: entry.actor_email,
            action: entry.action,
            entity_type: entry.entity_type,
            entity_id: entry.entity_id,
            site_code: entry.site_code,
            before_json: entry.before_json,
            after_json: entry.after_json,
            ip: entry.ip,
            user_agent: entry.user_agent,
            hash: entry.hash,
        }
    }
}

/// Turns rows and a total into a page.
pub fn page(rows: Vec<Entry>, total: i64, page: i64, per_page: i64) -> Page<TrailEntry> {
    Page {
        items: rows.into_iter().map(Into::into).collect(),
        total,
        page,
        per_page,
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_match_user_text_literally() {
        assert_eq!(like_pattern(" Lead_NBO "), "%lead\\_nbo%");
        assert_eq!(like_pattern("100%"), "%100\\%%");
    }
}
