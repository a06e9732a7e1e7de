//! OAuth 2.0 for the Open Badges 3.0 API (OB 3.0 §7): dynamic client registration (RFC 7591,
//! [`register`]), the authorization code grant with PKCE S256 ([`authorize`], RFC 6749 §4.1 and
//! RFC 7636), the token endpoint with refresh-token rotation and token revocation (RFC 7009)
//! ([`token`]). [`access`] checks a bearer access token (RFC 6750) for a scope.
//!
//! The resource owner is the department: an admin logs in on the consent page and grants a
//! registered client (a badge platform, a wallet, a records system) read access to the
//! department's live credentials. Students have no accounts on the server, so there is no
//! per-learner grant.
//!
//! Invariants: client secrets, codes and tokens are 256-bit random values shown once and stored
//! only as SHA-256 digests; a code is single-use, lives [`CODE_MS`], is bound to its client,
//! redirect URI and PKCE challenge, and a second redemption revokes every token of its grant
//! (RFC 6749 §4.1.2); a refresh rotates (the old refresh token is revoked); scopes only narrow
//! along a grant; only scopes in [`SUPPORTED_SCOPES`] are ever granted.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::json;

use crate::meta::ClientRow;
use crate::problem::Problem;
use crate::review::sha256_hex;
use crate::state::AppState;

pub mod access;
pub mod authorize;
pub mod register;
pub mod token;

/// Where the OAuth endpoints live, under the API's base.
pub const REGISTER_PATH: &str = "/ims/ob/v3p0/oauth/register";
pub const AUTHORIZE_PATH: &str = "/ims/ob/v3p0/oauth/authorize";
pub const TOKEN_PATH: &str = "/ims/ob/v3p0/oauth/token";
pub const REVOKE_PATH: &str = "/ims/ob/v3p0/oauth/revoke";

/// Read the department's credentials (`getCredentials`).
pub const SCOPE_CREDENTIAL_READONLY: &str = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly";
/// Ask for a refresh token (accepted and granted; refresh tokens are issued to clients that
/// registered the `refresh_token` grant either way).
pub const SCOPE_OFFLINE_ACCESS: &str = "offline_access";
/// What this server grants; other OB 3.0 scopes (`credential.upsert`, `profile.*`) are refused at
/// registration and authorization, as their endpoints do not exist here.
pub const SUPPORTED_SCOPES: [&str; 2] = [SCOPE_CREDENTIAL_READONLY, SCOPE_OFFLINE_ACCESS];

/// How long a code may wait for its redemption.
pub const CODE_MS: i64 = 10 * 60 * 1000;
/// How long an access token is good for.
pub const ACCESS_MS: i64 = 3600 * 1000;
/// How long a refresh token is good for (rotated on every use).
pub const REFRESH_MS: i64 = 90 * 24 * 3600 * 1000;

/// A new 256-bit random value, as URL-safe base64 without padding (43 characters).
pub fn secret() -> String {
    let mut b = [0u8; 32];
    SystemRandom::new().fill(&mut b).expect("the system random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// The stored digest of a secret, code or token.
pub fn digest(secret: &str) -> String {
    sha256_hex(secret)
}

/// Splits a space-separated scope string into its distinct scopes, in order.
pub fn scopes(s: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for x in s.split(' ').filter(|x| !x.is_empty()) {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// An RFC 6749 §5.2 error answer (`{"error": …, "error_description": …}`), never cached.
pub fn error(status: StatusCode, code: &str, description: &str) -> Response {
    let mut res =
        (status, no_store(), json!({ "error": code, "error_description": description }).to_string()).into_response();
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"benchproof OAuth clients\""));
    }
    res
}

/// The headers of every token-endpoint answer (RFC 6749 §5.1).
pub fn no_store() -> [(header::HeaderName, &'static str); 3] {
    [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store"), (header::PRAGMA, "no-cache")]
}

/// Authenticates a client by HTTP Basic (`client_secret_basic`, RFC 6749 §2.3.1: both parts
/// form-urlencoded). `Err` is the 401 `invalid_client` answer.
pub async fn authenticate_client(state: &AppState, headers: &HeaderMap) -> Result<ClientRow, Response> {
    let refuse = || {
        error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "authenticate with HTTP Basic: the client_id and client_secret from registration",
        )
    };
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(refuse)?;
    let (id, secret) = basic.split_once(':').ok_or_else(refuse)?;
    let decode = |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    let (id, secret) = (decode(id).ok_or_else(refuse)?, decode(secret).ok_or_else(refuse)?);
    let client = state.meta.client(&id).await.map_err(|e| Problem::from(e).into_response())?;
    match client {
        Some(c) if constant_time_eq(c.secret_sha256.as_bytes(), digest(&secret).as_bytes()) => Ok(c),
        _ => Err(refuse()),
    }
}

/// Compares two digests without an early exit.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}
