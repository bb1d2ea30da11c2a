//! Password hashing with argon2id, off the async threads (it is deliberately slow).

use std::sync::OnceLock;

use app::model::auth::MIN_PASSWORD_LENGTH;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::error::Error;

/// The longest password accepted: long enough for any passphrase, short enough that hashing it
/// cannot be used to tie up the server.
pub const MAX_PASSWORD_LENGTH: usize = 1024;

/// Why a new password is not acceptable, in words for the user; `None` when it is fine.
pub fn weakness(password: &str) -> Option<String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        return Some(format!(
            "Use at least {MIN_PASSWORD_LENGTH} characters (this one has {length}); a phrase of a few words is easiest to remember."
        ));
    }
    if length > MAX_PASSWORD_LENGTH {
        return Some(format!("Use at most {MAX_PASSWORD_LENGTH} characters."));
    }
    if password.trim().is_empty() {
        return Some("A password cannot be only spaces.".into());
    }
    None
}

fn hash_blocking(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

/// Hashes a password with a fresh salt (argon2id, default parameters).
pub async fn hash(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| Error::Internal(format!("password hashing task failed: {e}")))?
}

/// Checks a password against a stored hash. Pass `None` for an unknown account: a dummy hash
/// is checked instead so the answer takes as long and reveals nothing.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, Error> {
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| Error::Internal(format!("password check task failed: {e}")))?;
    Ok(known && matches)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking(&super::secrets::random_secret()).expect("hashing a random secret works")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_twelve_characters_counted_as_characters_not_bytes() {
        assert!(weakness("short pass").is_some());
        assert!(weakness("twelve chars").is_none());
        // 12 characters, 24 bytes.
        assert!(weakness("ééééééééééé1").is_none());
        assert!(weakness(&" ".repeat(12)).is_some());
        assert!(weakness(&"x".repeat(MAX_PASSWORD_LENGTH + 1)).is_some());
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hashed = hash("correct horse battery".into()).await.unwrap();
        assert!(hashed.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(hashed.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong horse battery".into(), Some(hashed))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        assert!(!verify("anything at all".into(), None).await.unwrap());
    }
}
