//! The transparency log: every accepted bundle's SHA-256 is a leaf, in acceptance order (the
//! metadata store's dense leaf indexes). Checkpoints are signed on demand with the department key;
//! Ed25519 is deterministic, so the same tree head always yields the same note.
//!
//! Public endpoints: `GET /api/v1/log/checkpoint`, `/inclusion?leaf=<hex>&size=N`,
//! `/consistency?from=M&to=N`.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use benchproof_evidence::XsdDateTime;
use benchproof_tlog::{
    consistency_proof, encode_proof, inclusion_proof, leaf_hash, root, Checkpoint, ConsistencyResponse, Hash,
    InclusionResponse, Receipt, RECEIPT_FORMAT_VERSION, RECEIPT_TYPE,
};
use serde::Deserialize;

use crate::clock::rfc3339;
use crate::meta::{unhex32, BundleRow};
use crate::problem::Problem;
use crate::state::AppState;

/// The leaf hashes of the whole log.
pub async fn leaf_hashes(state: &AppState) -> Result<Vec<Hash>, Problem> {
    Ok(state.meta.leaves().await?.iter().map(|d| leaf_hash(d)).collect())
}

/// The signed checkpoint of the first `size` leaves.
pub fn sign_checkpoint(state: &AppState, leaves: &[Hash]) -> Result<String, Problem> {
    let cp = Checkpoint { origin: state.config.log_origin.clone(), size: leaves.len() as u64, root: root(leaves) };
    cp.sign(&state.config.department_key, &state.config.log_origin)
        .map_err(|e| Problem::internal(format!("cannot sign the checkpoint: {e}")))
}

/// The receipt of an accepted bundle, against the current tree head.
pub async fn receipt(state: &AppState, row: &BundleRow) -> Result<Receipt, Problem> {
    let leaves = leaf_hashes(state).await?;
    let proof = inclusion_proof(&leaves, row.leaf_index).map_err(|e| Problem::internal(format!("log: {e}")))?;
    Ok(Receipt {
        kind: RECEIPT_TYPE.into(),
        format_version: RECEIPT_FORMAT_VERSION,
        bundle_sha256: row.sha256.clone(),
        assessment: row.assessment.clone(),
        leaf_index: row.leaf_index,
        checkpoint: sign_checkpoint(state, &leaves)?,
        inclusion_proof: encode_proof(&proof),
        log_key: state.config.department_key.did_key(),
        received_at: XsdDateTime::parse_stamp(&rfc3339(row.received_ms))
            .map_err(|e| Problem::internal(format!("receivedAt: {e}")))?,
    })
}

/// `GET /api/v1/log/checkpoint`.
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, Problem> {
    let note = sign_checkpoint(&state, &leaf_hashes(&state).await?)?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], note)
        .into_response())
}

/// Query of `/inclusion`.
#[derive(Debug, Deserialize)]
pub struct InclusionQuery {
    leaf: String,
    size: Option<u64>,
}

fn bad_size(detail: String) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "bad-tree-size", "No such tree size", detail)
}

/// `GET /api/v1/log/inclusion?leaf=<hex>&size=N` (`size` defaults to the current size).
pub async fn inclusion(
    State(state): State<AppState>,
    Query(q): Query<InclusionQuery>,
) -> Result<Json<InclusionResponse>, Problem> {
    if unhex32(&q.leaf).is_none() {
        return Err(Problem::bad_request("leaf must be the bundle's SHA-256 as 64 lowercase hex digits"));
    }
    let row = state
        .meta
        .bundle(&q.leaf)
        .await?
        .ok_or_else(|| Problem::not_found(format!("bundle {} is not in the log", q.leaf)))?;
    let leaves = leaf_hashes(&state).await?;
    let size = q.size.unwrap_or(leaves.len() as u64);
    if size > leaves.len() as u64 || size <= row.leaf_index {
        return Err(bad_size(format!(
            "the leaf is at index {} and the log has {} leaves: ask for a size from {} to {}",
            row.leaf_index,
            leaves.len(),
            row.leaf_index + 1,
            leaves.len()
        )));
    }
    let proof = inclusion_proof(&leaves[..size as usize], row.leaf_index).map_err(|e| bad_size(e.to_string()))?;
    Ok(Json(InclusionResponse { leaf_index: row.leaf_index, tree_size: size, proof: encode_proof(&proof) }))
}

/// Query of `/consistency`.
#[derive(Debug, Deserialize)]
pub struct ConsistencyQuery {
    from: u64,
    to: Option<u64>,
}

/// `GET /api/v1/log/consistency?from=M&to=N` (`to` defaults to the current size).
pub async fn consistency(
    State(state): State<AppState>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<ConsistencyResponse>, Problem> {
    let leaves = leaf_hashes(&state).await?;
    let to = q.to.unwrap_or(leaves.len() as u64);
    let proof = consistency_proof(&leaves, q.from, to).map_err(|e| bad_size(e.to_string()))?;
    Ok(Json(ConsistencyResponse { from: q.from, to, proof: encode_proof(&proof) }))
}
