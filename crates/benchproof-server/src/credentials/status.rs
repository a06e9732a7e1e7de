//! Revocation: the signed Bitstring Status List credential at `/status/1`, and
//! `POST /admin/credentials/{id}/revoke`.
//!
//! The list is a pure function of the stored credentials: bit `status_index` is set for each
//! revoked one, and `validFrom` (also the proof's `created`) is the time of the latest revocation
//! (or of the first issue when none is revoked). Ed25519 is deterministic, so every request and
//! every server process publishes the same bytes until the next revocation re-signs it.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use benchproof_credential::status::{issue_list_credential, StatusList};
use benchproof_evidence::XsdDateTime;
use serde::Deserialize;

use super::{base_url, issuer, STATUS_LIST_PATH};
use crate::clock::rfc3339;
use crate::pages::{require, user_error};
use crate::problem::Problem;
use crate::state::AppState;

/// The signed status list credential, as published at `<base>/status/1`.
pub async fn list_credential(state: &AppState, base: &str) -> Result<serde_json::Value, Problem> {
    let credentials = state.meta.credentials().await?;
    let mut list = StatusList::default();
    for c in credentials.iter().filter(|c| c.revoked_ms.is_some()) {
        list.set(c.status_index as usize, true).map_err(|e| Problem::internal(format!("status list: {e}")))?;
    }
    let changed = credentials
        .iter()
        .filter_map(|c| c.revoked_ms)
        .max()
        .or_else(|| credentials.iter().map(|c| c.issued_ms).min())
        .unwrap_or_else(|| state.clock.now_ms());
    let valid_from = XsdDateTime::parse_stamp(&rfc3339(changed)).map_err(|e| Problem::internal(e.to_string()))?;
    let issuer = issuer(state, base)?;
    let url = format!("{base}{STATUS_LIST_PATH}");
    let key = state.config.department_key.clone();
    tokio::task::spawn_blocking(move || issue_list_credential(&url, &issuer, &valid_from, &list, &key))
        .await
        .map_err(|e| Problem::internal(e.to_string()))?
        .map_err(|e| Problem::internal(format!("cannot sign the status list: {e}")))
}

/// `GET /status/1` (public).
pub async fn get_list(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let doc = list_credential(&state, &base_url(&state, &headers)).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-cache")],
        serde_json::to_vec(&doc).map_err(|e| Problem::internal(e.to_string()))?,
    )
        .into_response())
}

/// The revoke form.
#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/credentials/{id}/revoke` (form field `reason`).
pub async fn post_revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let back = "/admin/credentials";
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Ok(user_error(
            StatusCode::BAD_REQUEST,
            "Not revoked",
            &user,
            "Give a reason for the revocation (1–500 characters); it is kept with the credential.",
            back,
        ));
    }
    let Some(row) = state.meta.credential(&id).await? else {
        return Ok(user_error(
            StatusCode::NOT_FOUND,
            "Not revoked",
            &user,
            &format!("There is no credential {id}."),
            back,
        ));
    };
    if !state.meta.revoke_credential(&id, &user, reason, state.clock.now_ms()).await? {
        return Ok(user_error(
            StatusCode::CONFLICT,
            "Not revoked",
            &user,
            &format!("Credential {id} was already revoked; the published status list says so."),
            back,
        ));
    }
    Ok(Redirect::to(&format!("/admin/bundles/{}#credentials", row.bundle_sha256)).into_response())
}
