//! Electronic signatures: the signer re-enters their password, and the record keeps who signed,
//! when, what the signature means and the SHA-256 of what was signed. Features (SOP approval,
//! report issue, CAPA closure) call [`verify_signer`] before their transaction and [`record`]
//! inside it, so a signature and the change it authorises commit together.

use serde::Serialize;
use sha2::{Digest, Sha256};

use chrono::Utc;

use crate::auth::lockout::LockoutPolicy;
use crate::auth::{passwords, Actor};
use crate::db::{now_text, Db, WriteTx};
use crate::error::Error;
use crate::trail::{self, Change, Who};
use crate::users::repo;

/// What a signature means, in the words regulators expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Meaning {
    Approved,
    Issued,
    VerifiedEffective,
    Reviewed,
}

impl Meaning {
    pub fn as_str(self) -> &'static str {
        match self {
            Meaning::Approved => "approved",
            Meaning::Issued => "issued",
            Meaning::VerifiedEffective => "verified effective",
            Meaning::Reviewed => "reviewed",
        }
    }
}

/// A recorded signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signature {
    pub id: i64,
    pub signer_id: i64,
    pub signer_email: String,
    pub signed_at: String,
    pub meaning: String,
    pub entity_type: String,
    pub entity_id: String,
    pub content_sha256: String,
}

/// The hex SHA-256 of the content being signed.
pub fn content_hash(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// Checks that the signer is who they say: their current password, re-entered. Wrong passwords
/// count towards the same lockout as sign-in (otherwise signing would be an unlimited password
/// oracle for anyone holding a session) and are recorded in the audit trail.
pub async fn verify_signer(
    db: &Db,
    actor: &Actor,
    password: String,
    lockout: &LockoutPolicy,
) -> Result<(), Error> {
    let row = repo::find(db, actor.id())
        .await?
        .ok_or_else(|| Error::Unauthorized("Please sign in again.".into()))?;
    let now = Utc::now();
    let before = row.failures();
    if before.is_locked(now) {
        return Err(Error::invalid_field(
            "password",
            "Too many wrong passwords: signing (and signing in) is locked for a few minutes; nothing was signed.",
        ));
    }
    if passwords::verify(password, Some(row.password_hash.clone())).await? {
        return Ok(());
    }
    let after = before.after_failure(lockout, now);
    let mut tx = db.begin_write().await?;
    repo::save_failures(&mut tx, row.id, &after).await?;
    let action = if after.is_locked(now) {
        "auth.locked"
    } else {
        "signature.failed"
    };
    let change = Change::new(action, "user", row.id)
        .site(row.site_code.clone(), row.home_region())
        .after(serde_json::json!({ "failed_logins": after.failed_logins, "locked": after.is_locked(now) }));
    trail::record(&mut tx, &Who::from(actor), change).await?;
    tx.commit().await?;
    Err(Error::invalid_field(
        "password",
        "The password is not correct; nothing was signed.",
    ))
}

/// Records a signature (and its audit-trail entry) in the caller's transaction.
pub async fn record(
    tx: &mut WriteTx,
    actor: &Actor,
    meaning: Meaning,
    entity_type: &'static str,
    entity_id: &str,
    content_sha256: &str,
) -> Result<Signature, Error> {
    let signed_at = now_text();
    let id: i64 = sqlx::query_scalar(
        "insert into signatures (signer_id, signed_at, meaning, entity_type, entity_id, content_sha256)
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(actor.id())
    .bind(&signed_at)
    .bind(meaning.as_str())
    .bind(entity_type)
    .bind(entity_id)
    .bind(content_sha256)
    .fetch_one(tx.conn())
    .await?;
    let signature = Signature {
        id,
        signer_id: actor.id(),
        signer_email: actor.user.email.clone(),
        signed_at,
        meaning: meaning.as_str().into(),
        entity_type: entity_type.into(),
        entity_id: entity_id.into(),
        content_sha256: content_sha256.into(),
    };
    let change = Change::new("signature.sign", entity_type, entity_id).after(&signature);
    trail::record(tx, &Who::from(actor), change).await?;
    Ok(signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meanings_read_as_the_brief_words_them() {
        assert_eq!(Meaning::VerifiedEffective.as_str(), "verified effective");
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
