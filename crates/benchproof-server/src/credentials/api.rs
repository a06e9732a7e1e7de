//! A read-only subset of the Open Badges 3.0 REST API (OB 3.0 §6):
//! `GET /ims/ob/v3p0/discovery` (the service description, OpenAPI 3.0) and
//! `GET /ims/ob/v3p0/credentials` (`getCredentials`, with `limit`/`offset`, `X-Total-Count` and
//! `Link` paging). Not implemented: OAuth 2.0 (dynamic client registration, authorisation code
//! grant, scopes), `upsertCredential`, profiles. Authentication is an admin session, as a cookie
//! or as `Authorization: Bearer <session token>`; the caller sees every live (unrevoked)
//! credential of the department, newest first.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::base_url;
use crate::problem::Problem;
use crate::review::sha256_hex;
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
            "description": "getCredentials only; authenticated with an admin session token, not OAuth 2.0.",
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
                    "security": [{ "bearerAuth": [] }],
                    "responses": {
                        "200": { "description": "GetOpenBadgeCredentialsResponse" },
                        "400": { "description": "Imsx_StatusInfo: bad limit or offset" },
                        "401": { "description": "Imsx_StatusInfo: no admin session" }
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An admin session token of this server (the bp_admin cookie's value after /admin/login). OAuth 2.0 is not implemented."
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

async fn admin(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, Problem> {
    if let Some(user) = crate::auth::admin::session_user(state, headers).await? {
        return Ok(Some(user));
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match bearer {
        Some(token) if !token.is_empty() => {
            Ok(state.meta.session_user(&sha256_hex(token), state.clock.now_ms()).await?)
        }
        _ => Ok(None),
    }
}

/// `GET /ims/ob/v3p0/credentials`.
pub async fn get_credentials(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Problem> {
    if admin(&state, &headers).await?.is_none() {
        let mut res = status_info(
            StatusCode::UNAUTHORIZED,
            "unauthorizedrequest",
            "log in at /admin/login and send the session token as Authorization: Bearer <token>",
        );
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
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
