//! Admin pages for credentials: one bundle (issue, its credentials and exports, its review
//! links, the zip) and the list of every credential with the cohort report.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::clock::rfc3339;
use crate::html::{esc, page, table};
use crate::meta::CredentialRow;
use crate::pages::{code, require, user_error};
use crate::problem::Problem;
use crate::review::admin::{link_rows, LINK_HEADERS, MAX_DAYS};
use crate::state::AppState;

fn credential_rows(credentials: &[&CredentialRow]) -> Vec<Vec<String>> {
    credentials
        .iter()
        .map(|c| {
            let id = esc(&c.id);
            let exports = format!(
                "<a href=\"/admin/credentials/{id}/credential.json\">JSON</a> · <a href=\"/admin/credentials/{id}/badge.png\">PNG</a> · <a href=\"/admin/credentials/{id}/badge.svg\">SVG</a>"
            );
            let status = match (c.revoked_ms, &c.revoke_reason) {
                (Some(at), reason) => format!(
                    "<span class=\"bad\">revoked</span> {} by {}: {}",
                    esc(&rfc3339(at)),
                    esc(c.revoked_by.as_deref().unwrap_or("")),
                    esc(reason.as_deref().unwrap_or(""))
                ),
                (None, _) => format!(
                    "<span class=\"ok\">valid</span><form method=\"post\" action=\"/admin/credentials/{id}/revoke\"><label>Reason <input name=\"reason\" required maxlength=\"500\"></label><button type=\"submit\">Revoke</button></form>"
                ),
            };
            vec![
                code(&c.id),
                esc(&c.student),
                esc(&c.rubric),
                esc(&format!("{} by {}", rfc3339(c.issued_ms), c.issued_by)),
                c.status_index.to_string(),
                status,
                exports,
            ]
        })
        .collect()
}

const CREDENTIAL_HEADERS: [&str; 7] = ["Credential", "Student", "Rubric", "Issued", "Status bit", "Status", "Export"];

/// `GET /admin/bundles/{sha}`.
pub async fn get_bundle(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let Some(b) = state.meta.bundle(&sha).await? else {
        return Ok(user_error(
            StatusCode::NOT_FOUND,
            "No such bundle",
            &user,
            &format!("There is no accepted bundle {sha}."),
            "/admin",
        ));
    };
    let all = state.meta.credentials().await?;
    let mine: Vec<&CredentialRow> = all.iter().filter(|c| c.bundle_sha256 == b.sha256).collect();
    let s = esc(&b.sha256);
    let mut body = format!(
        "<dl><dt>Assessment</dt><dd>{}</dd><dt>Student</dt><dd>{}</dd><dt>Rubric</dt><dd>{}</dd><dt>Outcome</dt><dd>{}</dd><dt>Station</dt><dd>{}</dd><dt>Received</dt><dd>{}</dd><dt>Log leaf</dt><dd>{}</dd></dl><p><a href=\"/admin/bundles/{s}/bundle.zip\">Download the bundle zip</a> ({} bytes)</p><h2 id=\"credentials\">Credentials</h2>",
        code(&b.assessment),
        esc(&b.student),
        esc(&b.rubric),
        esc(&b.outcome),
        esc(&b.station_name),
        esc(&rfc3339(b.received_ms)),
        b.leaf_index,
        b.bytes,
    );
    if b.outcome != "passed" {
        body.push_str(&format!(
            "<p>No credential: the outcome is {}; only passed assessments are issued.</p>",
            esc(&b.outcome)
        ));
    } else if mine.iter().all(|c| c.revoked_ms.is_some()) {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/admin/bundles/{s}/issue\"><button type=\"submit\">Issue the Open Badges 3.0 credential</button></form>"
        ));
    }
    body.push_str(&table("Credentials of this bundle", &CREDENTIAL_HEADERS, &credential_rows(&mine)));
    let links: Vec<_> = state.meta.review_links().await?.into_iter().filter(|l| l.bundle_sha256 == b.sha256).collect();
    body.push_str(&format!(
        "<h2 id=\"review\">Employer review links</h2><form method=\"post\" action=\"/admin/bundles/{s}/review-links\"><label>For whom <input name=\"label\" required maxlength=\"200\"></label><label>Valid for (days) <input name=\"days\" type=\"number\" min=\"1\" max=\"{MAX_DAYS}\" value=\"14\" required></label><label><input name=\"with_code\" type=\"checkbox\" checked> Require a one-time code (sent separately)</label><button type=\"submit\">Create a review link</button></form>"
    ));
    body.push_str(&table("Review links of this bundle", &LINK_HEADERS, &link_rows(&links, state.clock.now_ms())));
    body.push_str(&super::attempts::section(&state, &b).await?);
    Ok(Html(page("Bundle", Some(&user), &body)).into_response())
}

/// `GET /admin/credentials`.
pub async fn get_credentials(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let all = state.meta.credentials().await?;
    let refs: Vec<&CredentialRow> = all.iter().collect();
    let mut body = String::from(
        "<p>Cohort report: <a href=\"/admin/report.csv\">CSV</a> · <a href=\"/admin/report.json\">JSON</a>. Revocations are published in the signed status list at <a href=\"/status/1\">/status/1</a>.</p>",
    );
    body.push_str(&table("Issued credentials, newest first", &CREDENTIAL_HEADERS, &credential_rows(&refs)));
    Ok(Html(page("Credentials", Some(&user), &body)).into_response())
}
