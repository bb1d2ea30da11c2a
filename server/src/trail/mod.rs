//! The audit trail: an append-only, hash-chained record of every state change.
//!
//! Each entry is written in the same transaction as the change it records. Its hash is the
//! SHA-256 of the previous entry's hash and this entry's canonical form, so changing, removing
//! or reordering any entry breaks the chain from there on; `attest audit-trail verify` finds the
//! first broken link. Database triggers refuse UPDATE and DELETE on both backends.

pub mod api;
pub mod repo;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use app::model::users::{Page, TrailEntry, TrailQuery};

use crate::auth::policy::{self, Permission};
use crate::auth::Actor;
use crate::db::{now_text, Db, WriteTx};
use crate::error::Error;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who made a change, and from where.
#[derive(Debug, Clone, Default)]
pub struct Who {
    pub actor_id: Option<i64>,
    pub actor_email: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Who {
    /// The server itself (seeding, scheduled jobs).
    pub fn system() -> Self {
        Who {
            actor_email: Some("system".into()),
            ..Who::default()
        }
    }
}

impl From<&Actor> for Who {
    fn from(actor: &Actor) -> Self {
        Who {
            actor_id: Some(actor.user.id),
            actor_email: Some(actor.user.email.clone()),
            ip: actor.meta.ip.clone(),
            user_agent: actor.meta.user_agent.clone(),
        }
    }
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: String,
    pub site_code: Option<String>,
    pub region_code: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    pub fn new(action: &'static str, entity_type: &'static str, entity_id: impl ToString) -> Self {
        Change {
            action,
            entity_type,
            entity_id: entity_id.to_string(),
            site_code: None,
            region_code: None,
            before: None,
            after: None,
        }
    }

    pub fn site(mut self, site_code: Option<String>, region_code: Option<String>) -> Self {
        self.site_code = site_code;
        self.region_code = region_code;
        self
    }

    pub fn before(mut self, value: impl Serialize) -> Self {
        self.before = serde_json::to_value(value).ok();
        self
    }

    pub fn after(mut self, value: impl Serialize) -> Self {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

/// The hashed fields of an entry, in their stored (text) form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_email: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub site_code: Option<String>,
    pub region_code: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    /// The canonical form that is hashed: a JSON array of the fields in a fixed order (the id
    /// is left out: the chain itself fixes the order).
    pub fn canonical(&self) -> String {
        serde_json::json!([
            self.at,
            self.actor_id,
            self.actor_email,
            self.action,
            self.entity_type,
            self.entity_id,
            self.site_code,
            self.region_code,
            self.before_json,
            self.after_json,
            self.ip,
            self.user_agent,
        ])
        .to_string()
    }

    /// SHA-256 over the previous hash and this entry's canonical form.
    pub fn expected_hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.prev_hash.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.canonical().as_bytes());
        hex::encode(hasher.finalize())
    }
}

impl Entry {
    /// The entry of a change `who` made at `at` (RFC 3339), not yet linked into the chain.
    pub fn of(who: &Who, change: Change, at: String) -> Entry {
        Entry {
            id: 0,
            at,
            actor_id: who.actor_id,
            actor_email: who.actor_email.clone(),
            action: change.action.to_string(),
            entity_type: change.entity_type.to_string(),
            entity_id: change.entity_id,
            site_code: change.site_code,
            region_code: change.region_code,
            before_json: change.before.map(|v| v.to_string()),
            after_json: change.after.map(|v| v.to_string()),
            ip: who.ip.clone(),
            user_agent: who.user_agent.clone(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    /// Links the entry after the one whose hash is `prev_hash`, and seals it with its own hash.
    pub fn link(&mut self, prev_hash: String) {
        self.prev_hash = prev_hash;
        self.hash = self.expected_hash();
    }
}

/// Appends one entry in the caller's transaction.
pub async fn record(tx: &mut WriteTx, who: &Who, change: Change) -> Result<(), sqlx::Error> {
    let prev_hash = repo::lock_and_read_head(tx)
        .await?
        .unwrap_or_else(|| GENESIS.to_string());
    let mut entry = Entry::of(who, change, now_text());
    entry.link(prev_hash);
    repo::insert(tx, &entry).await
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every entry links to the one before and matches its hash.
    Intact { entries: u64 },
    /// The first entry that does not.
    Broken {
        entries_checked: u64,
        id: i64,
        reason: String,
    },
}

/// Walks the whole chain in id order, a page at a time.
pub async fn verify(db: &Db) -> Result<Verification, sqlx::Error> {
    let mut expected_prev = GENESIS.to_string();
    let mut after_id = 0;
    let mut checked = 0u64;
    loop {
        let page = repo::page_after(db, after_id, 5_000).await?;
        if page.is_empty() {
            return Ok(Verification::Intact { entries: checked });
        }
        for entry in page {
            checked += 1;
            if entry.prev_hash != expected_prev {
                return Ok(Verification::Broken {
                    entries_checked: checked,
                    id: entry.id,
                    reason: "its link to the previous entry does not match (an entry before it was removed or reordered)".into(),
                });
            }
            if entry.expected_hash() != entry.hash {
                return Ok(Verification::Broken {
                    entries_checked: checked,
                    id: entry.id,
                    reason: "its content does not match its hash (the entry was altered)".into(),
                });
            }
            expected_prev = entry.hash.clone();
            after_id = entry.id;
        }
    }
}

/// A page of the trail for an administrator.
pub async fn browse(db: &Db, actor: &Actor, query: &TrailQuery) -> Result<Page<TrailEntry>, Error> {
    policy::require(actor, Permission::ReadAuditTrail)?;
    let (page, per_page, offset) = crate::users::paging(query.page, query.per_page);
    let (rows, total) = repo::list(db, query, per_page, offset).await?;
    Ok(repo::page(rows, total, page, per_page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        let mut entry = Entry {
            id: 1,
            at: "2026-11-25T08:00:00Z".into(),
            actor_id: Some(7),
            actor_email: Some("qo@attest.example".into()),
            action: "user.create".into(),
            entity_type: "user".into(),
            entity_id: "12".into(),
            site_code: Some("KEN-NBO".into()),
            region_code: Some("EHA".into()),
            before_json: None,
            after_json: Some(r#"{"role":"staff"}"#.into()),
            ip: Some("127.0.0.1".into()),
            user_agent: None,
            prev_hash: GENESIS.into(),
            hash: String::new(),
        };
        entry.hash = entry.expected_hash();
        entry
    }

    #[test]
    fn any_change_to_a_hashed_field_changes_the_hash() {
        let original = entry();
        let mut altered = original.clone();
        altered.after_json = Some(r#"{"role":"admin"}"#.into());
        assert_ne!(altered.expected_hash(), original.hash);
        let mut moved = original.clone();
        moved.site_code = Some("UGA-KLA".into());
        assert_ne!(moved.expected_hash(), original.hash);
    }

    #[test]
    fn the_hash_depends_on_the_previous_entry() {
        let original = entry();
        let mut relinked = original.clone();
        relinked.prev_hash = "f".repeat(64);
        assert_ne!(relinked.expected_hash(), original.hash);
    }

    #[test]
    fn null_and_empty_text_hash_differently() {
        let original = entry();
        let mut empty = original.clone();
        empty.user_agent = Some(String::new());
        assert_ne!(empty.expected_hash(), original.hash);
    }
}
