//! Exports on the admin pages: a credential as JSON, baked PNG and SVG badges, the cohort report
//! (CSV and JSON), and the bundle zip. All need an admin session.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use benchproof_credential::bake;
use benchproof_credential::report::{to_csv, to_json, ReportRow};

use super::archive;
use crate::clock::rfc3339;
use crate::meta::CredentialRow;
use crate::pages::{require, user_error};
use crate::problem::Problem;
use crate::state::AppState;

fn download(content_type: &'static str, filename: &str, body: impl Into<Body>) -> Response {
    let mut res = ([(header::CONTENT_TYPE, content_type)], body.into()).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// A file-name-safe form of a credential id (`urn:uuid:…` → the UUID).
fn file_stem(c: &CredentialRow) -> String {
    c.id.trim_start_matches("urn:uuid:").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

/// `GET /admin/credentials/{id}/{format}` with format `credential.json`, `badge.png` or `badge.svg`.
pub async fn get_credential(
    State(state): State<AppState>,
    Path((id, format)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let Some(c) = state.meta.credential(&id).await? else {
        return Ok(user_error(
            StatusCode::NOT_FOUND,
            "No such credential",
            &user,
            &format!("There is no credential {id}."),
            "/admin/credentials",
        ));
    };
    let doc: serde_json::Value =
        serde_json::from_str(&c.document).map_err(|e| Problem::internal(format!("stored credential: {e}")))?;
    let title = doc["credentialSubject"]["achievement"]["name"].as_str().unwrap_or("Badge").to_owned();
    let stem = file_stem(&c);
    let dept = state.config.issuer.name.clone();
    Ok(match format.as_str() {
        "credential.json" => download("application/json", &format!("{stem}.json"), c.document),
        "badge.png" => {
            let png = bake::bake_png(&bake::default_png(&title, &dept), &doc)
                .map_err(|e| Problem::internal(format!("baking: {e}")))?;
            download("image/png", &format!("{stem}.png"), png)
        }
        "badge.svg" => {
            let svg = bake::bake_svg(&bake::default_svg(&title, &dept), &doc)
                .map_err(|e| Problem::internal(format!("baking: {e}")))?;
            download("image/svg+xml", &format!("{stem}.svg"), svg)
        }
        other => {
            return Ok(user_error(
                StatusCode::NOT_FOUND,
                "No such export",
                &user,
                &format!("There is no export {other:?}: use credential.json, badge.png or badge.svg."),
                "/admin/credentials",
            ))
        }
    })
}

/// The cohort: one row per accepted bundle, with its live credential (if any).
pub async fn cohort(state: &AppState) -> Result<Vec<ReportRow>, Problem> {
    let credentials = state.meta.credentials().await?;
    let mut rows: Vec<ReportRow> = state
        .meta
        .bundles()
        .await?
        .into_iter()
        .map(|b| {
            let live = credentials.iter().find(|c| c.bundle_sha256 == b.sha256 && c.revoked_ms.is_none());
            ReportRow {
                student: b.student,
                rubric: b.rubric.replacen(' ', "@", 1),
                outcome: b.outcome,
                date: rfc3339(live.map_or(b.received_ms, |c| c.issued_ms)),
                credential_id: live.map(|c| c.id.clone()).unwrap_or_default(),
            }
        })
        .collect();
    rows.sort_by(|a, b| (&a.rubric, &a.student, &a.date).cmp(&(&b.rubric, &b.student, &b.date)));
    Ok(rows)
}

/// `GET /admin/report.csv` and `/admin/report.json`.
pub async fn get_report(
    State(state): State<AppState>,
    Path(format): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let rows = cohort(&state).await?;
    Ok(match format.as_str() {
        "report.csv" => download("text/csv; charset=utf-8", "cohort.csv", to_csv(&rows)),
        "report.json" => download("application/json", "cohort.json", to_json(&rows)),
        other => user_error(
            StatusCode::NOT_FOUND,
            "No such report",
            &user,
            &format!("There is no report {other:?}: use report.csv or report.json."),
            "/admin/credentials",
        ),
    })
}

/// `GET /admin/bundles/{sha}/bundle.zip`: the archived bundle as received.
pub async fn get_bundle_zip(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    if let Err(r) = require(&state, &headers).await? {
        return Ok(r);
    }
    let (row, zip) = archive::local_zip(&state, &sha).await?;
    let bytes = tokio::fs::read(&zip).await.map_err(|e| Problem::io("cannot read the cached bundle", &e))?;
    Ok(download("application/zip", &format!("benchproof-{}.zip", row.assessment), bytes))
}
