//! `POST /ims/ob/v3p0/oauth/register`: dynamic client registration (RFC 7591), open to anyone —
//! a registration grants nothing until an admin consents on the authorization page.
//!
//! Accepted metadata: `redirect_uris` (required; https, or http on a loopback host for native
//! apps per RFC 8252; no fragment), `client_name` (required, shown on the consent page),
//! `client_uri`, `logo_uri`, `tos_uri`, `policy_uri`, `software_id`, `software_version`,
//! `contacts`, `token_endpoint_auth_method` (`client_secret_basic` only), `grant_types`
//! (`authorization_code`, optionally `refresh_token`), `response_types` (`code`), and `scope`
//! (narrowed to [`SUPPORTED_SCOPES`]; at least `credential.readonly` must remain).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{digest, error, no_store, scopes, secret, SCOPE_CREDENTIAL_READONLY, SUPPORTED_SCOPES};
use crate::meta::ClientRow;
use crate::problem::Problem;
use crate::state::AppState;

/// The client metadata this server reads (RFC 7591 §2); unknown fields are ignored, as §3.1 says.
#[derive(Debug, Deserialize)]
pub struct Metadata {
    redirect_uris: Option<Vec<String>>,
    client_name: Option<String>,
    client_uri: Option<String>,
    logo_uri: Option<String>,
    tos_uri: Option<String>,
    policy_uri: Option<String>,
    software_id: Option<String>,
    software_version: Option<String>,
    contacts: Option<Vec<String>>,
    token_endpoint_auth_method: Option<String>,
    grant_types: Option<Vec<String>>,
    response_types: Option<Vec<String>>,
    scope: Option<String>,
}

/// Why registration metadata is refused: (RFC 7591 error code, what to change).
type Refusal = (&'static str, String);

/// A redirect URI a code may be sent to: absolute, no fragment, https or http on loopback.
pub fn valid_redirect_uri(uri: &str) -> Result<(), String> {
    let u = url::Url::parse(uri).map_err(|e| format!("{uri:?} is not an absolute URL ({e})"))?;
    if u.fragment().is_some() {
        return Err(format!("{uri:?} has a fragment; redirect URIs must not (RFC 6749 §3.1.2)"));
    }
    let loopback = matches!(u.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
    match u.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        s => Err(format!("{uri:?} uses {s}:; use https (or http on 127.0.0.1 for an app on this machine)")),
    }
}

fn check(m: &Metadata) -> Result<(Vec<String>, Vec<String>, String), Refusal> {
    let uris = m.redirect_uris.clone().unwrap_or_default();
    if uris.is_empty() {
        return Err(("invalid_redirect_uri", "give at least one redirect_uris entry".into()));
    }
    for u in &uris {
        valid_redirect_uri(u).map_err(|e| ("invalid_redirect_uri", e))?;
    }
    if m.client_name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(("invalid_client_metadata", "give a client_name: admins see it when asked to consent".into()));
    }
    let method = m.token_endpoint_auth_method.as_deref().unwrap_or("client_secret_basic");
    if method != "client_secret_basic" {
        return Err((
            "invalid_client_metadata",
            format!("token_endpoint_auth_method {method:?} is not supported; use client_secret_basic"),
        ));
    }
    let grants = m.grant_types.clone().unwrap_or_else(|| vec!["authorization_code".into()]);
    if !grants.iter().any(|g| g == "authorization_code")
        || grants.iter().any(|g| g != "authorization_code" && g != "refresh_token")
    {
        return Err((
            "invalid_client_metadata",
            "grant_types must be authorization_code, optionally with refresh_token".into(),
        ));
    }
    let responses = m.response_types.clone().unwrap_or_else(|| vec!["code".into()]);
    if responses != ["code"] {
        return Err(("invalid_client_metadata", "response_types must be [\"code\"]".into()));
    }
    let asked = m.scope.as_deref().unwrap_or(SCOPE_CREDENTIAL_READONLY);
    let granted: Vec<&str> = scopes(asked).into_iter().filter(|s| SUPPORTED_SCOPES.contains(s)).collect();
    if !granted.contains(&SCOPE_CREDENTIAL_READONLY) {
        return Err((
            "invalid_client_metadata",
            format!("scope must include {SCOPE_CREDENTIAL_READONLY}: it is the only API this server offers"),
        ));
    }
    Ok((uris, grants, granted.join(" ")))
}

/// `POST /ims/ob/v3p0/oauth/register`.
pub async fn post_register(State(state): State<AppState>, body: axum::body::Bytes) -> Result<Response, Problem> {
    let m: Metadata = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            return Ok(error(
                StatusCode::BAD_REQUEST,
                "invalid_client_metadata",
                &format!("the body is not client metadata JSON: {e}"),
            ))
        }
    };
    let (uris, grants, scope) = match check(&m) {
        Ok(ok) => ok,
        Err((code, why)) => return Ok(error(StatusCode::BAD_REQUEST, code, &why)),
    };
    let now = state.clock.now_ms();
    let (client_id, client_secret) = (uuid::Uuid::now_v7().to_string(), secret());
    let mut registered = json!({
        "client_id": client_id,
        "client_id_issued_at": now / 1000,
        "client_secret_expires_at": 0,
        "client_name": m.client_name,
        "redirect_uris": uris,
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": grants,
        "response_types": ["code"],
        "scope": scope,
    });
    let optional = [
        ("client_uri", m.client_uri.map(Value::from)),
        ("logo_uri", m.logo_uri.map(Value::from)),
        ("tos_uri", m.tos_uri.map(Value::from)),
        ("policy_uri", m.policy_uri.map(Value::from)),
        ("software_id", m.software_id.map(Value::from)),
        ("software_version", m.software_version.map(Value::from)),
        ("contacts", m.contacts.map(Value::from)),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            registered[k] = v;
        }
    }
    let row = ClientRow {
        client_id: client_id.clone(),
        secret_sha256: digest(&client_secret),
        metadata: registered.to_string(),
        created_ms: now,
    };
    state.meta.create_client(row).await?;
    registered["client_secret"] = Value::from(client_secret);
    Ok((StatusCode::CREATED, no_store(), registered.to_string()).into_response())
}

/// The registered metadata of a client, as stored.
pub fn metadata(row: &ClientRow) -> Value {
    serde_json::from_str(&row.metadata).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_must_be_https_or_loopback_without_fragment() {
        assert!(valid_redirect_uri("https://platform.example/cb?x=1").is_ok());
        assert!(valid_redirect_uri("http://127.0.0.1:8123/cb").is_ok());
        assert!(valid_redirect_uri("http://platform.example/cb").is_err());
        assert!(valid_redirect_uri("https://platform.example/cb#frag").is_err());
        assert!(valid_redirect_uri("/relative").is_err());
        assert!(valid_redirect_uri("javascript:alert(1)").is_err());
    }
}
