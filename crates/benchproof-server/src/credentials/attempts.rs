//! Re-assessment: the attempts of one student on one rubric, linked on each bundle's admin page,
//! with the critical steps each failed attempt failed and the remediation notes added to it
//! (`POST /admin/bundles/{sha}/remediation`). A later passed attempt is issued like any other;
//! earlier attempts, their notes and credentials are never changed.

use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::archive;
use crate::clock::rfc3339;
use crate::html::{esc, table};
use crate::meta::{BundleRow, RemediationRow};
use crate::pages::{code, require, user_error};
use crate::problem::Problem;
use crate::state::AppState;

/// The critical steps a failed attempt failed, by title (from its verified document).
async fn failed_critical(state: &AppState, b: &BundleRow) -> String {
    if b.outcome == "passed" {
        return String::new();
    }
    match archive::open(state, &b.sha256).await {
        Ok(a) => {
            let doc = &a.verified.document;
            let titles: Vec<String> = doc
                .outcome
                .failed_critical
                .iter()
                .map(|id| doc.steps.iter().find(|s| &s.id == id).map_or(id.to_string(), |s| s.title.clone()))
                .collect();
            if titles.is_empty() {
                "none (a threshold was missed or steps were not assessed)".into()
            } else {
                esc(&titles.join(", "))
            }
        }
        Err(e) => format!("<span class=\"bad\">{}</span>", esc(&Problem::from(e).detail)),
    }
}

/// The "Attempts" section of bundle `current`'s admin page.
pub async fn section(state: &AppState, current: &BundleRow) -> Result<String, Problem> {
    let mut attempts: Vec<BundleRow> = state
        .meta
        .bundles()
        .await?
        .into_iter()
        .filter(|b| b.student == current.student && b.rubric == current.rubric)
        .collect();
    attempts.sort_by_key(|b| (b.received_ms, b.leaf_index));
    let notes = state.meta.remediation_notes(attempts.iter().map(|b| b.sha256.clone()).collect()).await?;
    let credentials = state.meta.credentials().await?;
    let mut rows = Vec::new();
    for (n, b) in attempts.iter().enumerate() {
        let mut note_html = String::new();
        for r in notes.iter().filter(|r| r.bundle_sha256 == b.sha256) {
            let _ = write!(
                note_html,
                "<p>{} <small>({}, {})</small></p>",
                esc(&r.note),
                esc(&r.created_by),
                esc(&rfc3339(r.created_ms))
            );
        }
        let live = credentials.iter().find(|c| c.bundle_sha256 == b.sha256 && c.revoked_ms.is_none());
        let this = if b.sha256 == current.sha256 { " (this one)" } else { "" };
        rows.push(vec![
            format!("<a href=\"/admin/bundles/{}\">attempt {}</a>{this}", esc(&b.sha256), n + 1),
            esc(&rfc3339(b.received_ms)),
            esc(&b.outcome),
            failed_critical(state, b).await,
            live.map(|c| code(&c.id)).unwrap_or_default(),
            note_html,
        ]);
    }
    let mut html =
        format!("<h2 id=\"attempts\">Attempts of {} on {}</h2>", esc(&current.student), esc(&current.rubric));
    html.push_str(&table(
        "Attempts, oldest first",
        &["Attempt", "Received", "Outcome", "Failed critical steps", "Live credential", "Remediation notes"],
        &rows,
    ));
    if current.outcome != "passed" {
        let _ = write!(
            html,
            "<form method=\"post\" action=\"/admin/bundles/{}/remediation\"><label>Remediation note for this attempt <textarea name=\"note\" required maxlength=\"2000\"></textarea></label><button type=\"submit\">Add the note</button></form>",
            esc(&current.sha256)
        );
    }
    Ok(html)
}

/// The remediation form.
#[derive(Debug, Deserialize)]
pub struct NoteForm {
    note: String,
}

/// `POST /admin/bundles/{sha}/remediation`.
pub async fn post_note(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    headers: HeaderMap,
    Form(form): Form<NoteForm>,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let back = format!("/admin/bundles/{sha}");
    let note = form.note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Ok(user_error(
            StatusCode::BAD_REQUEST,
            "No note added",
            &user,
            "Write the note (1–2000 characters).",
            &back,
        ));
    }
    let Some(b) = state.meta.bundle(&sha).await? else {
        return Ok(user_error(
            StatusCode::NOT_FOUND,
            "No note added",
            &user,
            &format!("There is no accepted bundle {sha}."),
            "/admin",
        ));
    };
    if b.outcome == "passed" {
        return Ok(user_error(
            StatusCode::CONFLICT,
            "No note added",
            &user,
            "This attempt passed; remediation notes belong to attempts that did not.",
            &back,
        ));
    }
    state
        .meta
        .add_remediation_note(RemediationRow {
            bundle_sha256: b.sha256.clone(),
            note: note.to_owned(),
            created_ms: state.clock.now_ms(),
            created_by: user,
        })
        .await?;
    Ok(Redirect::to(&format!("{back}#attempts")).into_response())
}
