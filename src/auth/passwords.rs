//! argon2id password hashes. Hashing is deliberately slow, so it runs off the async runtime.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::rngs::OsRng;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

pub use crate::domain::admins::MIN_PASSWORD_CHARS;

pub fn hash_password_blocking(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Password hashes computed at once: each takes about 19 MiB and a core for a while, so a burst
/// of sign-ins waits its turn instead of exhausting memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, PasswordError> {
    let _turn = HASHING.acquire().await.map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

pub async fn hash_password(password: String) -> Result<String, PasswordError> {
    off_runtime(move || hash_password_blocking(&password)).await?
}

/// Checks `password` against `stored`; with no stored hash (unknown account) it checks against a
/// dummy hash, so both cases take the same time and do not reveal which accounts exist.
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool, PasswordError> {
    off_runtime(move || {
        let known = stored.is_some();
        let hash_text = match stored {
            Some(h) => h,
            None => dummy_hash().to_string(),
        };
        let ok = match PasswordHash::new(&hash_text) {
            Ok(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
            Err(_) => false,
        };
        ok && known
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password_blocking("not a real password, only for timing").unwrap_or_default())
}
