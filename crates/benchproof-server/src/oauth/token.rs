//! `POST /ims/ob/v3p0/oauth/token` (RFC 6749 §4.1.3 and §6: the `authorization_code` and
//! `refresh_token` grants) and `POST /ims/ob/v3p0/oauth/revoke` (RFC 7009). Both authenticate the
//! client with HTTP Basic and read `application/x-www-form-urlencoded` bodies in which no
//! parameter may repeat (§3.2).

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;

use super::register::metadata;
use super::{authenticate_client, digest, error, no_store, scopes, secret, sha256, ACCESS_MS, REFRESH_MS};
use crate::meta::{ClientRow, Redeemed, TokenRow};
use crate::problem::Problem;
use crate::state::AppState;

/// The form's parameters; `Err` names the first repeated one.
fn form(body: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if out.insert(k.to_string(), v.into_owned()).is_some() {
            return Err(format!("the parameter {k:?} is repeated"));
        }
    }
    Ok(out)
}

fn invalid(code: &str, why: &str) -> Response {
    error(StatusCode::BAD_REQUEST, code, why)
}

/// A PKCE verifier (RFC 7636 §4.1) whose S256 challenge is `challenge`.
fn verifier_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    well_formed && base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha256(verifier.as_bytes())) == challenge
}

/// `requested` (if any) narrowed within `granted`; `None` when it asks for more.
fn narrow(requested: Option<&String>, granted: &str) -> Option<String> {
    let Some(r) = requested else { return Some(granted.to_owned()) };
    let (asked, held) = (scopes(r), scopes(granted));
    (!asked.is_empty() && asked.iter().all(|s| held.contains(s))).then(|| asked.join(" "))
}

/// Stores and answers a new access token, and a refresh token when the client registered that grant.
async fn issue(
    state: &AppState,
    client: &ClientRow,
    scope: &str,
    username: &str,
    grant_id: &str,
) -> Result<Response, Problem> {
    let now = state.clock.now_ms();
    let row = |kind: &str, token: &str, life: i64| TokenRow {
        token_sha256: digest(token),
        kind: kind.into(),
        client_id: client.client_id.clone(),
        scope: scope.into(),
        username: username.into(),
        grant_id: grant_id.into(),
        created_ms: now,
        expires_ms: now + life,
        revoked_ms: None,
    };
    let access = secret();
    state.meta.create_token(row("access", &access, ACCESS_MS)).await?;
    let mut body =
        json!({ "access_token": access, "token_type": "Bearer", "expires_in": ACCESS_MS / 1000, "scope": scope });
    let refreshable =
        metadata(client)["grant_types"].as_array().is_some_and(|g| g.iter().any(|g| g == "refresh_token"));
    if refreshable {
        let refresh = secret();
        state.meta.create_token(row("refresh", &refresh, REFRESH_MS)).await?;
        body["refresh_token"] = refresh.into();
    }
    Ok((StatusCode::OK, no_store(), body.to_string()).into_response())
}

async fn authorization_code(
    state: &AppState,
    client: &ClientRow,
    f: &HashMap<String, String>,
) -> Result<Response, Problem> {
    let (Some(code), Some(redirect_uri), Some(verifier)) =
        (f.get("code"), f.get("redirect_uri"), f.get("code_verifier"))
    else {
        return Ok(invalid("invalid_request", "send code, redirect_uri and code_verifier"));
    };
    let now = state.clock.now_ms();
    let row = match state.meta.redeem_code(&digest(code), now).await? {
        Redeemed::Unknown => {
            return Ok(invalid("invalid_grant", "unknown authorization code; start the authorization again"))
        }
        Redeemed::Again(row) => {
            state.meta.revoke_grant(&row.code_sha256, now).await?;
            return Ok(invalid(
                "invalid_grant",
                "this authorization code was already used; every token issued from it is now revoked",
            ));
        }
        Redeemed::First(row) => row,
    };
    if row.client_id != client.client_id {
        return Ok(invalid("invalid_grant", "the authorization code was issued to another client"));
    }
    if now >= row.expires_ms {
        return Ok(invalid(
            "invalid_grant",
            "the authorization code expired (10 minutes); start the authorization again",
        ));
    }
    if *redirect_uri != row.redirect_uri {
        return Ok(invalid("invalid_grant", "redirect_uri differs from the one in the authorization request"));
    }
    if !verifier_matches(verifier, &row.challenge) {
        return Ok(invalid("invalid_grant", "code_verifier does not match the code_challenge (PKCE S256)"));
    }
    let Some(scope) = narrow(f.get("scope"), &row.scope) else {
        return Ok(invalid("invalid_scope", &format!("the grant covers only: {}", row.scope)));
    };
    issue(state, client, &scope, &row.username, &row.code_sha256).await
}

async fn refresh_token(state: &AppState, client: &ClientRow, f: &HashMap<String, String>) -> Result<Response, Problem> {
    let Some(token) = f.get("refresh_token") else {
        return Ok(invalid("invalid_request", "send refresh_token"));
    };
    let now = state.clock.now_ms();
    let held = state.meta.token(&digest(token)).await?;
    let Some(old) = held.filter(|t| t.kind == "refresh" && t.client_id == client.client_id) else {
        return Ok(invalid("invalid_grant", "unknown refresh token for this client"));
    };
    if old.revoked_ms.is_some() || now >= old.expires_ms {
        return Ok(invalid(
            "invalid_grant",
            "the refresh token was revoked, rotated or expired; ask the admin to authorize again",
        ));
    }
    let Some(scope) = narrow(f.get("scope"), &old.scope) else {
        return Ok(invalid("invalid_scope", &format!("the grant covers only: {}", old.scope)));
    };
    if !state.meta.revoke_token(&old.token_sha256, now).await? {
        return Ok(invalid("invalid_grant", "the refresh token was used at the same moment by another request"));
    }
    issue(state, client, &scope, &old.username, &old.grant_id).await
}

/// The authenticated client and the form, or the answer that refuses them.
async fn client_and_form(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Result<(ClientRow, HashMap<String, String>), Response>, Problem> {
    let client = match authenticate_client(state, headers).await {
        Ok(c) => c,
        Err(refused) => return Ok(Err(refused)),
    };
    Ok(form(body).map(|f| (client, f)).map_err(|why| invalid("invalid_request", &why)))
}

/// `POST /ims/ob/v3p0/oauth/token`.
pub async fn post_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let (client, f) = match client_and_form(&state, &headers, &body).await? {
        Ok(both) => both,
        Err(refused) => return Ok(refused),
    };
    match f.get("grant_type").map(String::as_str) {
        Some("authorization_code") => authorization_code(&state, &client, &f).await,
        Some("refresh_token") => refresh_token(&state, &client, &f).await,
        Some(other) => Ok(invalid(
            "unsupported_grant_type",
            &format!("{other:?} is not supported; use authorization_code or refresh_token"),
        )),
        None => Ok(invalid("invalid_request", "send grant_type")),
    }
}

/// `POST /ims/ob/v3p0/oauth/revoke`: 200 whether or not the token was known (RFC 7009 §2.2);
/// revoking a refresh token also revokes the access tokens of its grant.
pub async fn post_revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let (client, f) = match client_and_form(&state, &headers, &body).await? {
        Ok(both) => both,
        Err(refused) => return Ok(refused),
    };
    let Some(token) = f.get("token") else {
        return Ok(invalid("invalid_request", "send the token to revoke"));
    };
    let now = state.clock.now_ms();
    if let Some(t) = state.meta.token(&digest(token)).await?.filter(|t| t.client_id == client.client_id) {
        if t.kind == "refresh" {
            state.meta.revoke_grant(&t.grant_id, now).await?;
        } else {
            state.meta.revoke_token(&t.token_sha256, now).await?;
        }
    }
    Ok((StatusCode::OK, no_store(), "{}").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_the_rfc_7636_example() {
        // RFC 7636 Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(verifier_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(!verifier_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"));
        assert!(!verifier_matches("short", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    }

    #[test]
    fn scopes_only_narrow() {
        let held = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly offline_access";
        assert_eq!(narrow(None, held).as_deref(), Some(held));
        assert_eq!(narrow(Some(&"offline_access".into()), held).as_deref(), Some("offline_access"));
        assert_eq!(narrow(Some(&"profile".into()), held), None);
        assert_eq!(narrow(Some(&"".into()), held), None);
    }

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(form(b"grant_type=a&grant_type=b").is_err());
        assert_eq!(form(b"code=x%2By&a=1").unwrap()["code"], "x+y");
    }
}
