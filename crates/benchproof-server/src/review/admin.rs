//! The admin's side of review links: create one for an archived bundle (the link and the code
//! are shown this once), list them with their access log, revoke one.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::{new_code, new_token, sha256_hex};
use crate::auth::admin::hash_password;
use crate::clock::rfc3339;
use crate::credentials::base_url;
use crate::html::{esc, page, table};
use crate::meta::ReviewLinkRow;
use crate::pages::{code, require, user_error};
use crate::problem::Problem;
use crate::state::AppState;

/// Longest a link may live.
pub const MAX_DAYS: u32 = 90;

/// The create form (`POST /admin/bundles/{sha}/review-links`).
#[derive(Debug, Deserialize)]
pub struct CreateForm {
    /// Whom the link is for.
    label: String,
    /// Days until it expires (1–90).
    days: u32,
    /// `on` when a one-time code is required.
    #[serde(default)]
    with_code: Option<String>,
}

/// Creates a link; shows its URL (and code) once.
pub async fn post_create(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CreateForm>,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let back = format!("/admin/bundles/{sha}");
    let label = form.label.trim();
    if label.is_empty() || label.chars().count() > 200 {
        return Ok(user_error(
            StatusCode::BAD_REQUEST,
            "No link created",
            &user,
            "Say whom the link is for (1–200 characters), e.g. \"Acme Ltd, hiring panel\".",
            &back,
        ));
    }
    if !(1..=MAX_DAYS).contains(&form.days) {
        return Ok(user_error(
            StatusCode::BAD_REQUEST,
            "No link created",
            &user,
            &format!("A link lives from 1 to {MAX_DAYS} days; make a new one when it runs out."),
            &back,
        ));
    }
    let Some(bundle) = state.meta.bundle(&sha).await? else {
        return Ok(user_error(
            StatusCode::NOT_FOUND,
            "No link created",
            &user,
            &format!("There is no accepted bundle {sha}."),
            "/admin",
        ));
    };
    let token = new_token();
    let code = form.with_code.as_deref().is_some_and(|v| !v.is_empty()).then(new_code);
    let code_phc = match &code {
        Some(c) => {
            let c = c.clone();
            Some(
                tokio::task::spawn_blocking(move || hash_password(&c))
                    .await
                    .map_err(|e| Problem::internal(e.to_string()))?
                    .map_err(|e| Problem::internal(e.to_string()))?,
            )
        }
        None => None,
    };
    let now = state.clock.now_ms();
    let row = ReviewLinkRow {
        id: uuid::Uuid::now_v7().to_string(),
        token_sha256: sha256_hex(&token),
        bundle_sha256: bundle.sha256.clone(),
        assessment: bundle.assessment.clone(),
        label: label.to_owned(),
        code_phc,
        created_ms: now,
        created_by: user.clone(),
        expires_ms: now + i64::from(form.days) * 86_400_000,
        revoked_ms: None,
        revoked_by: None,
    };
    state.meta.create_review_link(row.clone()).await?;
    let url = format!("{}/review/{token}", base_url(&state, &headers));
    let code_html = code
        .map(|c| {
            format!(
                "<p>One-time code (send it separately, e.g. by phone): <strong id=\"review-code\">{}</strong></p>",
                esc(&c)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<p>Review link for {} (assessment <code>{}</code>), valid until {}. Copy it now: it is not shown again (only its hash is kept).</p><p><a id=\"review-url\" href=\"{u}\">{u}</a></p>{code_html}<p><a href=\"{}\">Back to the bundle</a> · <a href=\"/admin/reviews\">All review links</a></p>",
        esc(label),
        esc(&row.assessment),
        esc(&rfc3339(row.expires_ms)),
        esc(&back),
        u = esc(&url),
    );
    Ok((StatusCode::CREATED, Html(page("Review link created", Some(&user), &body))).into_response())
}

/// `POST /admin/reviews/{id}/revoke`.
pub async fn post_revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    if !state.meta.revoke_review_link(&id, &user, state.clock.now_ms()).await? {
        return Ok(user_error(
            StatusCode::CONFLICT,
            "Not revoked",
            &user,
            &format!("Review link {id} does not exist or was already revoked."),
            "/admin/reviews",
        ));
    }
    Ok(Redirect::to("/admin/reviews").into_response())
}

/// The status of a link at `now`.
pub fn status(link: &ReviewLinkRow, now: i64) -> &'static str {
    if link.revoked_ms.is_some() {
        "revoked"
    } else if now >= link.expires_ms {
        "expired"
    } else {
        "live"
    }
}

/// Rows of the links table, with a revoke button on live links.
pub fn link_rows(links: &[ReviewLinkRow], now: i64) -> Vec<Vec<String>> {
    links
        .iter()
        .map(|l| {
            let st = status(l, now);
            let action = if st == "live" {
                format!("<form method=\"post\" action=\"/admin/reviews/{}/revoke\"><button type=\"submit\">Revoke</button></form>", esc(&l.id))
            } else {
                String::new()
            };
            vec![
                esc(&l.label),
                format!("<a href=\"/admin/bundles/{}\">{}</a>", esc(&l.bundle_sha256), code(&l.assessment)),
                esc(&format!("{} by {}", rfc3339(l.created_ms), l.created_by)),
                esc(&rfc3339(l.expires_ms)),
                if l.code_phc.is_some() { "yes".into() } else { "no".into() },
                format!("<span class=\"{}\">{st}</span>", if st == "live" { "ok" } else { "bad" }),
                action,
            ]
        })
        .collect()
}

/// The headers of [`link_rows`].
pub const LINK_HEADERS: [&str; 7] = ["For", "Assessment", "Created", "Expires", "Code", "Status", ""];

/// `GET /admin/reviews`: every link and the access log.
pub async fn get_list(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let now = state.clock.now_ms();
    let links = state.meta.review_links().await?;
    let mut body = table("Review links, newest first", &LINK_HEADERS, &link_rows(&links, now));
    let accesses: Vec<Vec<String>> = state
        .meta
        .review_accesses(None)
        .await?
        .iter()
        .take(1000)
        .map(|a| {
            let label = links.iter().find(|l| l.id == a.link).map_or("", |l| l.label.as_str());
            vec![esc(&rfc3339(a.at_ms)), esc(label), esc(&a.resource), esc(&a.outcome), esc(&a.client)]
        })
        .collect();
    body.push_str(&table(
        "Access log, newest first (the latest 1000)",
        &["When", "Link for", "Asked for", "Outcome", "Client"],
        &accesses,
    ));
    Ok(Html(page("Review links", Some(&user), &body)).into_response())
}
