//! Personal API tokens: created by a user for machines, shown once, stored hashed, revocable.

use app::model::users::{ApiToken, CreatedApiToken};

use super::{secrets, Actor};
use crate::db::{now_text, Db};
use crate::error::Error;
use crate::trail::{self, Change, Who};
use crate::users::repo;

/// Every token starts with this, so it is recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "att_";

/// Creates a token for the actor; the returned secret is never shown again.
pub async fn create(db: &Db, actor: &Actor, name: &str) -> Result<CreatedApiToken, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid_field(
            "name",
            "Give the token a name of 1 to 100 characters, e.g. the system that will use it.",
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", secrets::random_secret());
    let prefix: String = token.chars().take(12).collect();
    let mut tx = db.begin_write().await?;
    let row = repo::insert_token(
        &mut tx,
        actor.id(),
        name,
        &secrets::digest(&token),
        &prefix,
        &now_text(),
    )
    .await?;
    let details = ApiToken::from(row);
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("token.create", "api_token", details.id).after(&details),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedApiToken { token, details })
}

/// The actor's own tokens, newest first.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<ApiToken>, Error> {
    Ok(repo::tokens_of(db, actor.id())
        .await?
        .into_iter()
        .map(ApiToken::from)
        .collect())
}

/// Revokes one of the actor's tokens; another user's token is not found.
pub async fn revoke(db: &Db, actor: &Actor, id: i64) -> Result<ApiToken, Error> {
    let mut tx = db.begin_write().await?;
    let Some(before) = repo::token_of(&mut tx, actor.id(), id).await? else {
        return Err(Error::NotFound(format!(
            "You have no API token with id {id}."
        )));
    };
    if before.revoked_at.is_some() {
        return Err(Error::Conflict("This token is already revoked.".into()));
    }
    let now = now_text();
    repo::revoke_token(&mut tx, id, &now).await?;
    let before = ApiToken::from(before);
    let after = ApiToken {
        revoked_at: Some(now),
        ..before.clone()
    };
    trail::record(
        &mut tx,
        &Who::from(actor),
        Change::new("token.revoke", "api_token", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
