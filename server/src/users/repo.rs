//! SQL for users, their sessions and their API tokens.

use app::model::auth::{CurrentUser, Role, Scope};
use app::model::users::{ApiToken, User, UserQuery};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::auth::lockout::FailureState;
use crate::db::{Db, WriteTx};
use crate::trail::repo::like_pattern;

/// A user row with its site's code and region (for site-scoped users).
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub region_code: Option<String>,
    pub site_code: Option<String>,
    pub site_region_code: Option<String>,
    pub password_hash: String,
    pub must_change_password: i64,
    pub active: i64,
    pub failed_logins: i64,
    pub first_failed_at: Option<String>,
    pub locked_until: Option<String>,
    pub last_login_at: Option<String>,
    pub created_at: String,
}

fn parse_time(text: &Option<String>) -> Option<DateTime<Utc>> {
    text.as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// RFC 3339 text as stored.
pub fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl UserRow {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Staff)
    }

    pub fn scope(&self) -> Scope {
        match (&self.site_code, &self.region_code) {
            (Some(site), _) => Scope::Site(site.clone()),
            (None, Some(region)) => Scope::Region(region.clone()),
            (None, None) => Scope::Global,
        }
    }

    /// The region a record of this user belongs to, for scoping who may manage it.
    pub fn home_region(&self) -> Option<String> {
        self.site_region_code
            .clone()
            .or_else(|| self.region_code.clone())
    }

    pub fn failures(&self) -> FailureState {
        FailureState {
            failed_logins: self.failed_logins,
            first_failed_at: parse_time(&self.first_failed_at),
            locked_until: parse_time(&self.locked_until),
        }
    }

    pub fn current_user(&self) -> CurrentUser {
        CurrentUser {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            scope: self.scope(),
            must_change_password: self.must_change_password != 0,
        }
    }

    pub fn user(&self, now: DateTime<Utc>) -> User {
        User {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            scope: self.scope(),
            active: self.active != 0,
            must_change_password: self.must_change_password != 0,
            locked: self.failures().is_locked(now),
            last_login_at: self.last_login_at.clone(),
            created_at: self.created_at.clone(),
        }
    }
}

const SELECT_USER: &str = "
    select u.id, u.email, u.name, u.role, u.region_code, s.code as site_code,
           c.region_code as site_region_code, u.password_hash, u.must_change_password, u.active,
           u.failed_logins, u.first_failed_at, u.locked_until, u.last_login_at, u.created_at
      from users u
      left join sites s on s.id = u.site_id
      left join countries c on c.code = s.country_code";

pub async fn find_by_email(db: &Db, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT_USER} where u.email = $1"))
        .bind(email)
        .fetch_optional(db.pool())
        .await
}

pub async fn find(db: &Db, id: i64) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT_USER} where u.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await
}

pub async fn find_in(tx: &mut WriteTx, id: i64) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT_USER} where u.id = $1"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await
}

pub async fn email_taken(tx: &mut WriteTx, email: &str, except_id: i64) -> sqlx::Result<bool> {
    let count: i64 = sqlx::query_scalar("select count(*) from users where email = $1 and id <> $2")
        .bind(email)
        .bind(except_id)
        .fetch_one(tx.conn())
        .await?;
    Ok(count > 0)
}

/// The database ids behind a scope: the site's id, or the region code checked to exist.
/// `None` when the code names nothing.
pub async fn resolve_scope(
    tx: &mut WriteTx,
    scope: &Scope,
) -> sqlx::Result<Option<(Option<String>, Option<i64>)>> {
    match scope {
        Scope::Global => Ok(Some((None, None))),
        Scope::Region(code) => {
            let found: Option<String> =
                sqlx::query_scalar("select code from regions where code = $1")
                    .bind(code)
                    .fetch_optional(tx.conn())
                    .await?;
            Ok(found.map(|code| (Some(code), None)))
        }
        Scope::Site(code) => {
            let found: Option<i64> =
                sqlx::query_scalar("select id from sites where code = $1 and status = 'active'")
                    .bind(code)
                    .fetch_optional(tx.conn())
                    .await?;
            Ok(found.map(|id| (None, Some(id))))
        }
    }
}

pub struct NewUserRow<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub region_code: Option<String>,
    pub site_id: Option<i64>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

pub async fn insert(tx: &mut WriteTx, user: &NewUserRow<'_>, now: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into users (email, name, role, region_code, site_id, password_hash,
                            must_change_password, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id",
    )
    .bind(user.email)
    .bind(user.name)
    .bind(user.role.as_str())
    .bind(&user.region_code)
    .bind(user.site_id)
    .bind(user.password_hash)
    .bind(i64::from(user.must_change_password))
    .bind(now)
    .fetch_one(tx.conn())
    .await
}

pub async fn update_profile(
    tx: &mut WriteTx,
    id: i64,
    name: &str,
    role: Role,
    region_code: Option<String>,
    site_id: Option<i64>,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update users set name = $2, role = $3, region_code = $4, site_id = $5, updated_at = $6 where id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(role.as_str())
    .bind(region_code)
    .bind(site_id)
    .bind(now)
    .execute(tx.conn())
    .await
    .map(|_| ())
}

pub async fn set_active(tx: &mut WriteTx, id: i64, active: bool, now: &str) -> sqlx::Result<()> {
    sqlx::query("update users set active = $2, updated_at = $3 where id = $1")
        .bind(id)
        .bind(i64::from(active))
        .bind(now)
        .execute(tx.conn())
        .await
        .map(|_| ())
}

pub async fn set_password(
    tx: &mut WriteTx,
    id: i64,
    password_hash: &str,
    must_change: bool,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update users set password_hash = $2, must_change_password = $3, failed_logins = 0,
                first_failed_at = null, locked_until = null, updated_at = $4 where id = $1",
    )
    .bind(id)
    .bind(password_hash)
    .bind(i64::from(must_change))
    .bind(now)
    .execute(tx.conn())
    .await
    .map(|_| ())
}

pub async fn save_failures(tx: &mut WriteTx, id: i64, state: &FailureState) -> sqlx::Result<()> {
    sqlx::query("update users set failed_logins = $2, first_failed_at = $3, locked_until = $4 where id = $1")
        .bind(id)
        .bind(state.failed_logins)
        .bind(state.first_failed_at.map(time_text))
        .bind(state.locked_until.map(time_text))
        .execute(tx.conn())
        .await
        .map(|_| ())
}

pub async fn record_login(tx: &mut WriteTx, id: i64, now: &str) -> sqlx::Result<()> {
    sqlx::query(
        "update users set failed_logins = 0, first_failed_at = null, locked_until = null,
                last_login_at = $2 where id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(tx.conn())
    .await
    .map(|_| ())
}

/// A filtered page of users, by name.
pub async fn list(
    db: &Db,
    query: &UserQuery,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<UserRow>, i64)> {
    let filter =
        "($1 = '' or lower(u.email) like $1 escape '\\' or lower(u.name) like $1 escape '\\')
        and ($2 = '' or u.role = $2)
        and ($3 = -1 or u.active = $3)";
    let q = query
        .q
        .as_deref()
        .filter(|q| !q.trim().is_empty())
        .map(like_pattern)
        .unwrap_or_default();
    let role = query.role.clone().unwrap_or_default();
    let active = query.active.map(i64::from).unwrap_or(-1);
    let total: i64 = sqlx::query_scalar(&format!("select count(*) from users u where {filter}"))
        .bind(&q)
        .bind(&role)
        .bind(active)
        .fetch_one(db.pool())
        .await?;
    let rows = sqlx::query_as(&format!(
        "{SELECT_USER} where {filter} order by u.name, u.id limit $4 offset $5"
    ))
    .bind(&q)
    .bind(&role)
    .bind(active)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    Ok((rows, total))
}

// Sessions ----------------------------------------------------------------------------------

pub async fn insert_session(
    tx: &mut WriteTx,
    id_hash: &str,
    user_id: i64,
    now: &str,
    expires_at: &str,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into sessions (id_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
         values ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(ip)
    .bind(user_agent)
    .execute(tx.conn())
    .await
    .map(|_| ())
}

/// The user of a session that has not expired, with when it was last seen.
pub async fn find_session_user(
    db: &Db,
    id_hash: &str,
    now: &str,
) -> sqlx::Result<Option<(UserRow, String)>> {
    let last_seen: Option<(i64, String)> = sqlx::query_as(
        "select user_id, last_seen_at from sessions where id_hash = $1 and expires_at > $2",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    let Some((user_id, last_seen)) = last_seen else {
        return Ok(None);
    };
    Ok(find(db, user_id).await?.map(|user| (user, last_seen)))
}

pub async fn touch_session(
    db: &Db,
    id_hash: &str,
    now: &str,
    expires_at: &str,
) -> sqlx::Result<()> {
    sqlx::query("update sessions set last_seen_at = $2, expires_at = $3 where id_hash = $1")
        .bind(id_hash)
        .bind(now)
        .bind(expires_at)
        .execute(db.pool())
        .await
        .map(|_| ())
}

pub async fn delete_session(tx: &mut WriteTx, id_hash: &str) -> sqlx::Result<()> {
    sqlx::query("delete from sessions where id_hash = $1")
        .bind(id_hash)
        .execute(tx.conn())
        .await
        .map(|_| ())
}

/// Ends every session of a user except `keep` (the one making the request, if any).
pub async fn delete_sessions_of(
    tx: &mut WriteTx,
    user_id: i64,
    keep: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("delete from sessions where user_id = $1 and id_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(tx.conn())
        .await
        .map(|_| ())
}

// API tokens --------------------------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<TokenRow> for ApiToken {
    fn from(row: TokenRow) -> Self {
        ApiToken {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        }
    }
}

const SELECT_TOKEN: &str =
    "select id, user_id, name, prefix, created_at, last_used_at, revoked_at from api_tokens";

pub async fn insert_token(
    tx: &mut WriteTx,
    user_id: i64,
    name: &str,
    token_hash: &str,
    prefix: &str,
    now: &str,
) -> sqlx::Result<TokenRow> {
    let id: i64 = sqlx::query_scalar(
        "insert into api_tokens (user_id, name, token_hash, prefix, created_at)
         values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(prefix)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    sqlx::query_as(&format!("{SELECT_TOKEN} where id = $1"))
        .bind(id)
        .fetch_one(tx.conn())
        .await
}

pub async fn tokens_of(db: &Db, user_id: i64) -> sqlx::Result<Vec<TokenRow>> {
    sqlx::query_as(&format!(
        "{SELECT_TOKEN} where user_id = $1 order by id desc"
    ))
    .bind(user_id)
    .fetch_all(db.pool())
    .await
}

pub async fn token_of(tx: &mut WriteTx, user_id: i64, id: i64) -> sqlx::Result<Option<TokenRow>> {
    sqlx::query_as(&format!("{SELECT_TOKEN} where user_id = $1 and id = $2"))
        .bind(user_id)
        .bind(id)
        .fetch_optional(tx.conn())
        .await
}

pub async fn revoke_token(tx: &mut WriteTx, id: i64, now: &str) -> sqlx::Result<()> {
    sqlx::query("update api_tokens set revoked_at = $2 where id = $1 and revoked_at is null")
        .bind(id)
        .bind(now)
        .execute(tx.conn())
        .await
        .map(|_| ())
}

/// The token's id and owner, if the token exists and is not revoked.
pub async fn find_live_token(db: &Db, token_hash: &str) -> sqlx::Result<Option<(i64, UserRow)>> {
    let found: Option<(i64, i64)> = sqlx::query_as(
        "select id, user_id from api_tokens where token_hash = $1 and revoked_at is null",
    )
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?;
    let Some((token_id, user_id)) = found else {
        return Ok(None);
    };
    Ok(find(db, user_id).await?.map(|user| (token_id, user)))
}

pub async fn mark_token_used(db: &Db, id: i64, now: &str) -> sqlx::Result<()> {
    sqlx::query("update api_tokens set last_used_at = $2 where id = $1")
        .bind(id)
        .bind(now)
        .execute(db.pool())
        .await
        .map(|_| ())
}
