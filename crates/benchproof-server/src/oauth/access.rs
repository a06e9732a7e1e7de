//! Who is calling the OB 3.0 API: a client with an OAuth 2.0 bearer access token (RFC 6750)
//! holding the needed scope, or an admin of this server (session cookie, or its session token as a
//! bearer token, for scripts the department runs itself).

use axum::http::{header, HeaderMap};

use super::digest;
use crate::problem::Problem;
use crate::state::AppState;

/// The caller, once allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An OAuth client, with the admin who granted it.
    Client { client_id: String, granted_by: String },
    /// An admin's own session.
    Admin(String),
}

/// Why the call is refused (RFC 6750 §3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// No credentials at all: 401 with a bare `Bearer` challenge.
    Missing,
    /// A bearer token that is unknown, expired or revoked: 401 `invalid_token`.
    InvalidToken(&'static str),
    /// A valid token without the scope: 403 `insufficient_scope`.
    InsufficientScope,
}

/// Checks the request for `scope`.
pub async fn check(state: &AppState, headers: &HeaderMap, scope: &str) -> Result<Result<Caller, Denied>, Problem> {
    if let Some(user) = crate::auth::admin::session_user(state, headers).await? {
        return Ok(Ok(Caller::Admin(user)));
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = bearer else { return Ok(Err(Denied::Missing)) };
    let now = state.clock.now_ms();
    if let Some(t) = state.meta.token(&digest(token)).await?.filter(|t| t.kind == "access") {
        return Ok(if t.revoked_ms.is_some() {
            Err(Denied::InvalidToken("the access token was revoked"))
        } else if now >= t.expires_ms {
            Err(Denied::InvalidToken("the access token expired; use the refresh token"))
        } else if !super::scopes(&t.scope).contains(&scope) {
            Err(Denied::InsufficientScope)
        } else {
            Ok(Caller::Client { client_id: t.client_id, granted_by: t.username })
        });
    }
    Ok(match state.meta.session_user(&digest(token), now).await? {
        Some(user) => Ok(Caller::Admin(user)),
        None => Err(Denied::InvalidToken("unknown bearer token")),
    })
}
