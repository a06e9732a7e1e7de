//! `GET /.well-known/did.json`: the DID document of a `did:web` department (its one Ed25519 key).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use benchproof_credential::IssuerDid;

use super::issuer_did;
use crate::problem::Problem;
use crate::state::AppState;

/// The document, or 404 when the department issues as `did:key` (which needs no document).
pub async fn get_did_json(State(state): State<AppState>) -> Result<Response, Problem> {
    let did = issuer_did(&state)?;
    if matches!(did, IssuerDid::Key(_)) {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "no-did-web",
            "This department issues as did:key",
            "credentials name the department by its did:key, which needs no DID document; start the server with --did-web DOMAIN to publish one",
        ));
    }
    let body = serde_json::to_vec(&did.did_document()).map_err(|e| Problem::internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/did+json")], body).into_response())
}
