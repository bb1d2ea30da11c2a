//! The scale network's audit trail: each entry is dated when its change happened, and the
//! entries are chained in time order with the trail's own hashing, then written in batches.

use crate::trail::{self, Change, Entry, Who};

use super::batch::{row, Table, Writer};

/// Entries waiting to be chained.
#[derive(Default)]
pub(super) struct TrailLog {
    entries: Vec<Entry>,
}

impl TrailLog {
    /// Notes a change made by `who` at `at` (RFC 3339, UTC).
    pub(super) fn record(&mut self, at: &str, who: &Who, change: Change) {
        self.entries.push(Entry::of(who, change, at.to_string()));
    }

    /// Chains the entries after the trail's newest one, oldest first, and writes them.
    pub(super) async fn write(mut self, w: &mut Writer) -> Result<usize, sqlx::Error> {
        // Stable: changes of the same second keep the order they were noted in.
        self.entries.sort_by(|a, b| a.at.cmp(&b.at));
        let mut prev = trail::repo::lock_and_read_head(w.tx().await?)
            .await?
            .unwrap_or_else(|| trail::GENESIS.to_string());
        let written = self.entries.len();
        for mut entry in self.entries {
            entry.id = w.next_id(Table::AuditTrail);
            entry.link(prev);
            prev = entry.hash.clone();
            let Entry {
                id,
                at,
                actor_id,
                actor_email,
                action,
                entity_type,
                entity_id,
                site_code,
                region_code,
                before_json,
                after_json,
                ip,
                user_agent,
                prev_hash,
                hash,
            } = entry;
            w.push(
                Table::AuditTrail,
                row![
                    id,
                    at,
                    actor_id,
                    actor_email,
                    action,
                    entity_type,
                    entity_id,
                    site_code,
                    region_code,
                    before_json,
                    after_json,
                    ip,
                    user_agent,
                    prev_hash,
                    hash
                ],
            )
            .await?;
        }
        Ok(written)
    }
}
