//! A read-only subset of the Open Badges 3.0 REST API (OB 3.0 §6):
//! `GET /ims/ob/v3p0/discovery` (the service description, OpenAPI 3.0, with the OAuth 2.0
//! security scheme of OB 3.0 §7) and `GET /ims/ob/v3p0/credentials` (`getCredentials`, with
//! `limit`/`offset`, `X-Total-Count` and `Link` paging). Callers hold an OAuth 2.0 access token
//! with the `credential.readonly` scope (see [`crate::oauth`]), or are an admin of this server.
//! Not implemented: `upsertCredential` and the profile endpoints (their scopes are refused at
//! registration). The caller sees every live (unrevoked) credential of the department, newest
//! first.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::base_url;
use crate::oauth::access::{self, Denied};
use crate::oauth::{
    AUTHORIZE_PATH, REGISTER_PATH, REVOKE_PATH, SCOPE_CREDENTIAL_READONLY, SCOPE_OFFLINE_ACCESS, TOKEN_PATH,
};
use crate::problem::Problem;
use crate::state::AppState;

/// The largest page.
const MAX_LIMIT: usize = 100;

/// `GET /ims/ob/v3p0/discovery`: what this server implements, as OpenAPI 3.0.
pub async fn get_discovery(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&state, &headers);
    let doc = json!({
        "openapi": "3.0.1",
        "info": {
            "title": "benchproof department server: Open Badges 3.0 API (read-only subset)",
            "version": "3.0",
            "description": "getCredentials only, for clients registered dynamically and authorized by a department admin (OAuth 2.0 authorization code grant with PKCE).",
            "termsOfService": format!("{base}/"),
            "x-imssf-privacyPolicyUrl": format!("{base}/"),
        },
        "servers": [{ "url": format!("{base}/ims/ob/v3p0") }],
        "paths": {
            "/credentials": {
                "get": {
                    "operationId": "getCredentials",
                    "parameters": [
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT } },
                        { "name": "offset", "in": "query", "schema": { "type": "integer", "minimum": 0 } }
                    ],
                    "security": [{ "OAuth2ACG": [SCOPE_CREDENTIAL_READONLY] }],
                    "responses": {
                        "200": { "description": "GetOpenBadgeCredentialsResponse" },
                        "400": { "description": "Imsx_StatusInfo: bad limit or offset" },
                        "401": { "description": "Imsx_StatusInfo: no valid access token" },
                        "403": { "description": "Imsx_StatusInfo: the token lacks the credential.readonly scope" }
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant authorization, with PKCE (S256)",
                    "x-imssf-name": state.config.issuer.name,
                    "x-imssf-registrationUrl": format!("{base}{REGISTER_PATH}"),
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": format!("{base}{AUTHORIZE_PATH}"),
                            "tokenUrl": format!("{base}{TOKEN_PATH}"),
                            "refreshUrl": format!("{base}{TOKEN_PATH}"),
                            "x-imssf-revocationUrl": format!("{base}{REVOKE_PATH}"),
                            "scopes": {
                                SCOPE_CREDENTIAL_READONLY: "Read the department's live OpenBadgeCredentials",
                                SCOPE_OFFLINE_ACCESS: "Keep access with a refresh token",
                            }
                        }
                    }
                }
            }
        }
    });
    ([(header::CONTENT_TYPE, "application/json")], doc.to_string()).into_response()
}

/// Paging of `getCredentials`.
#[derive(Debug, Deserialize)]
pub struct Paging {
    limit: Option<usize>,
    offset: Option<usize>,
}

/// An OB 3.0 `Imsx_StatusInfo` failure.
fn status_info(status: StatusCode, minor: &str, description: &str) -> Response {
    let body = json!({
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": { "imsx_codeMinorField": [{ "imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor }] }
    });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// `GET /ims/ob/v3p0/credentials`.
pub async fn get_credentials(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Problem> {
    let challenge = match access::check(&state, &headers, SCOPE_CREDENTIAL_READONLY).await? {
        Ok(_) => None,
        Err(Denied::Missing) => Some((
            StatusCode::UNAUTHORIZED,
            "Bearer".to_owned(),
            "send an OAuth 2.0 access token (see /ims/ob/v3p0/discovery) as Authorization: Bearer <token>".to_owned(),
        )),
        Err(Denied::InvalidToken(why)) => Some((
            StatusCode::UNAUTHORIZED,
            format!("Bearer error=\"invalid_token\", error_description=\"{why}\""),
            why.to_owned(),
        )),
        Err(Denied::InsufficientScope) => Some((
            StatusCode::FORBIDDEN,
            format!("Bearer error=\"insufficient_scope\", scope=\"{SCOPE_CREDENTIAL_READONLY}\""),
            format!("the token lacks the {SCOPE_CREDENTIAL_READONLY} scope; authorize again asking for it"),
        )),
    };
    if let Some((status, www, why)) = challenge {
        let minor = if status == StatusCode::FORBIDDEN { "forbidden" } else { "unauthorizedrequest" };
        let mut res = status_info(status, minor, &why);
        if let Ok(v) = HeaderValue::from_str(&www) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        return Ok(res);
    }
    let limit = paging.limit.unwrap_or(MAX_LIMIT);
    let offset = paging.offset.unwrap_or(0);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Ok(status_info(StatusCode::BAD_REQUEST, "invalid_data", &format!("limit must be 1 to {MAX_LIMIT}")));
    }
    let live: Vec<_> = state.meta.credentials().await?.into_iter().filter(|c| c.revoked_ms.is_none()).collect();
    let page: Vec<serde_json::Value> = live
        .iter()
        .skip(offset)
        .take(limit)
        .map(|c| serde_json::from_str(&c.document))
        .collect::<Result<_, _>>()
        .map_err(|e| Problem::internal(format!("stored credential: {e}")))?;
    let base = format!("{}/ims/ob/v3p0/credentials", base_url(&state, &headers));
    let mut links = vec![
        format!("<{base}?limit={limit}&offset=0>; rel=\"first\""),
        format!("<{base}?limit={limit}&offset={}>; rel=\"last\"", live.len().saturating_sub(1) / limit * limit),
    ];
    if offset + limit < live.len() {
        links.push(format!("<{base}?limit={limit}&offset={}>; rel=\"next\"", offset + limit));
    }
    if offset > 0 {
        links.push(format!("<{base}?limit={limit}&offset={}>; rel=\"prev\"", offset.saturating_sub(limit)));
    }
    let body = json!({ "credential": page, "compactJwsString": [] });
    let mut res = ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
    let h = res.headers_mut();
    h.insert("x-total-count", HeaderValue::from(live.len()));
    if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
        h.insert(header::LINK, v);
    }
    Ok(res)
}
