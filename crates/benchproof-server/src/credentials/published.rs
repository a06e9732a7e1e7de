//! What credentials point at, public: `GET /evidence/{assessment}/{sha256}` (the evidence `id`s:
//! a page saying how to ask for a review link, with no data) and `GET /rubrics/{id}/{version}`
//! (the rubric a credential is aligned to, as the archived bundles carry it).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use benchproof_bagit::Limits;

use super::archive;
use crate::html::{esc, page};
use crate::problem::Problem;
use crate::state::AppState;

/// `GET /evidence/{assessment}/{sha256}`: the same page for any pair, so it reveals nothing.
pub async fn get_evidence(State(state): State<AppState>) -> Html<String> {
    let dept = &state.config.issuer.name;
    let contact =
        state.config.issuer.url.as_deref().map(|u| format!(" (<a href=\"{0}\">{0}</a>)", esc(u))).unwrap_or_default();
    Html(page(
        "Evidence held by the department",
        None,
        &format!(
            "<p>This is the evidence behind an Open Badges credential issued by {}{contact}. The evidence itself (video snippets, instrument captures, the sealed bundle) is shown only through a review link. Ask the holder of the credential or the department for one; the credential's <code>digestMultibase</code> values let you check what you are shown.</p>",
            esc(dept)
        ),
    ))
}

/// `GET /rubrics/{id}/{version}`: the rubric's TOML.
pub async fn get_rubric(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let wanted = format!("{id} {version}");
    let Some(b) = state.meta.bundles().await?.into_iter().find(|b| b.rubric == wanted) else {
        return Err(Problem::not_found(format!(
            "this department holds no assessment against rubric {id} version {version}"
        )));
    };
    let (_, zip) = archive::local_zip(&state, &b.sha256).await?;
    let text = tokio::task::spawn_blocking(move || benchproof_bundle::read_rubric(&zip, Limits::default()))
        .await
        .map_err(|e| Problem::internal(e.to_string()))?
        .map_err(|e| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unverified-bundle",
                "The archived bundle is damaged",
                e.to_string(),
            )
        })?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}
