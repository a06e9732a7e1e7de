//! Admin authentication: argon2id password hashes (PHC strings) in the metadata store, and
//! session cookies holding a random 256-bit token, of which only the SHA-256 is stored.
//!
//! The cookie is `HttpOnly`, `SameSite=Strict` (so no other site can make a logged-in request),
//! and `Secure` when the public URL is https.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::HeaderMap;
use ring::rand::{SecureRandom, SystemRandom};

use crate::meta::{hex, MetaStore};
use crate::problem::Problem;
use crate::state::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "bp_admin";
/// A well-formed hash no password matches, verified for unknown users to even out timing.
const DUMMY_PHC: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2bAhjKkdZuGZBcaZ5RQ8mrzRVeVYk3AIcQ+E4aRhhaE";

/// How long a session lasts.
pub const SESSION_MS: i64 = 8 * 3600 * 1000;

/// Why a password could not be set.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is shorter than 12 characters; choose a longer one")]
    TooShort,
    #[error("the user name must be 1–64 letters, digits, '.', '-' or '_'")]
    BadUser,
    #[error("hashing failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Meta(#[from] crate::meta::MetaError),
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    SystemRandom::new().fill(&mut b).expect("the system random source works");
    b
}

/// An argon2id PHC hash of `password` with a random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::encode_b64(&random::<16>()).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// True when `password` matches the PHC hash.
pub fn password_matches(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Sets (or replaces) an admin's password.
pub async fn set_password(meta: &dyn MetaStore, user: &str, password: &str) -> Result<(), PasswordError> {
    if user.is_empty() || user.len() > 64 || !user.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b)) {
        return Err(PasswordError::BadUser);
    }
    if password.chars().count() < 12 {
        return Err(PasswordError::TooShort);
    }
    let pw = password.to_owned();
    let phc = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| PasswordError::Hash(e.to_string()))??;
    meta.set_admin(user, &phc).await?;
    Ok(())
}

fn token_sha256(token: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref())
}

/// True when `user` is an admin and `password` is theirs.
pub async fn password_ok(state: &AppState, user: &str, password: &str) -> Result<bool, Problem> {
    let phc = state.meta.admin_hash(user).await?;
    let pw = password.to_owned();
    // Verify even for unknown users, so timing does not reveal which names exist.
    let phc_or_dummy = phc.clone().unwrap_or_else(|| DUMMY_PHC.into());
    let ok = tokio::task::spawn_blocking(move || password_matches(&phc_or_dummy, &pw))
        .await
        .map_err(|e| Problem::internal(e.to_string()))?;
    Ok(ok && phc.is_some())
}

/// Checks a login; on success returns the `Set-Cookie` value of a new session.
pub async fn login(state: &AppState, user: &str, password: &str) -> Result<Option<String>, Problem> {
    if !password_ok(state, user, password).await? {
        return Ok(None);
    }
    let token = hex(&random::<32>());
    let now = state.clock.now_ms();
    state.meta.create_session(&token_sha256(&token), user, now + SESSION_MS).await?;
    let secure =
        if state.config.public_url.as_deref().is_some_and(|u| u.starts_with("https://")) { "; Secure" } else { "" };
    Ok(Some(format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", SESSION_MS / 1000)))
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// The logged-in admin, if the request carries a live session.
pub async fn session_user(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, Problem> {
    match cookie_token(headers) {
        Some(t) => Ok(state.meta.session_user(&token_sha256(&t), state.clock.now_ms()).await?),
        None => Ok(None),
    }
}

/// Ends the request's session; returns the `Set-Cookie` that clears the cookie.
pub async fn logout(state: &AppState, headers: &HeaderMap) -> Result<String, Problem> {
    if let Some(t) = cookie_token(headers) {
        state.meta.delete_session(&token_sha256(&t)).await?;
    }
    Ok(format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert_ne!(a, b, "salts are random");
        assert!(a.starts_with("$argon2id$"));
        assert!(password_matches(&a, "correct horse battery"));
        assert!(!password_matches(&a, "correct horse battery!"));
        assert!(PasswordHash::new(DUMMY_PHC).is_ok(), "the dummy costs a real verification");
    }
}
