//! Admin pages (server-rendered HTML): received bundles, quarantine, conflicts, stations, the
//! log head, and login/logout. Every page but the login page needs an admin session.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use crate::auth::admin;
use crate::clock::rfc3339;
use crate::html::{esc, page, table};
use crate::problem::Problem;
use crate::state::AppState;

/// The logged-in admin, or the redirect to the login page.
pub(crate) async fn require(state: &AppState, headers: &HeaderMap) -> Result<Result<String, Response>, Problem> {
    Ok(match admin::session_user(state, headers).await? {
        Some(u) => Ok(u),
        None => Err(Redirect::to("/admin/login").into_response()),
    })
}

pub(crate) fn code(s: &str) -> String {
    format!("<code>{}</code>", esc(s))
}

/// An admin page saying why an action was refused, with `status` and a link back.
pub(crate) fn user_error(status: StatusCode, title: &str, user: &str, message: &str, back: &str) -> Response {
    let body = format!("<p class=\"bad\" role=\"alert\">{}</p><p><a href=\"{}\">Back</a></p>", esc(message), esc(back));
    (status, Html(page(title, Some(user), &body))).into_response()
}

/// `GET /admin`: received bundles.
pub async fn bundles(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let rows: Vec<Vec<String>> = state
        .meta
        .bundles()
        .await?
        .iter()
        .map(|b| {
            vec![
                b.leaf_index.to_string(),
                esc(&rfc3339(b.received_ms)),
                "<span class=\"ok\">verified</span>".into(),
                esc(&b.outcome),
                esc(&b.student),
                esc(&b.rubric),
                esc(&b.station_name),
                code(&b.assessment),
                format!("<a href=\"/admin/bundles/{}\">{}</a>", esc(&b.sha256), code(&b.sha256)),
            ]
        })
        .collect();
    let body = table(
        "Accepted bundles, newest first",
        &["Leaf", "Received", "Verification", "Outcome", "Student", "Rubric", "Station", "Assessment", "SHA-256"],
        &rows,
    );
    Ok(Html(page("Received bundles", Some(&user), &body)).into_response())
}

/// `GET /admin/quarantine`.
pub async fn quarantine(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let rows: Vec<Vec<String>> = state
        .meta
        .quarantined()
        .await?
        .iter()
        .map(|q| {
            vec![
                esc(&rfc3339(q.received_ms)),
                format!("<span class=\"bad\">{}</span>", esc(&q.check)),
                esc(&q.reason),
                code(&q.station),
                code(&q.key),
                code(&q.sha256),
            ]
        })
        .collect();
    let body = table(
        "Bundles refused by the verifier",
        &["Received", "Failed check", "Reason", "Station", "Kept as", "SHA-256"],
        &rows,
    );
    Ok(Html(page("Quarantine", Some(&user), &body)).into_response())
}

/// `GET /admin/conflicts`.
pub async fn conflicts(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let rows: Vec<Vec<String>> = state
        .meta
        .conflicts()
        .await?
        .iter()
        .map(|c| {
            vec![
                esc(&rfc3339(c.received_ms)),
                code(&c.assessment),
                code(&c.held_sha256),
                code(&c.sha256),
                code(&c.station),
                code(&c.key),
            ]
        })
        .collect();
    let body = table(
        "Valid bundles claiming an assessment already held",
        &["Received", "Assessment", "Held bundle", "Other bundle", "Station", "Kept as"],
        &rows,
    );
    Ok(Html(page("Conflicts", Some(&user), &body)).into_response())
}

/// `GET /admin/stations`.
pub async fn stations(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let rows: Vec<Vec<String>> = state
        .meta
        .stations()
        .await?
        .iter()
        .map(|s| vec![esc(&s.name), code(&s.did), esc(&rfc3339(s.last_contact_ms))])
        .collect();
    let body = table("Stations that have contacted this server", &["Name", "Key", "Last contact"], &rows);
    Ok(Html(page("Stations", Some(&user), &body)).into_response())
}

/// `GET /admin/log`: the signed tree head.
pub async fn log_head(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let leaves = crate::log::leaf_hashes(&state).await?;
    let note = crate::log::sign_checkpoint(&state, &leaves)?;
    let body = format!(
        "<p>{} leaves. Log key <code>{}</code>. Public: <a href=\"/api/v1/log/checkpoint\">/api/v1/log/checkpoint</a>.</p><pre>{}</pre>",
        leaves.len(),
        esc(&state.config.department_key.did_key().to_string()),
        esc(&note)
    );
    Ok(Html(page("Transparency log head", Some(&user), &body)).into_response())
}

fn login_page(message: Option<&str>) -> String {
    let msg = message.map(|m| format!("<p class=\"bad\" role=\"alert\">{}</p>", esc(m))).unwrap_or_default();
    page(
        "Log in",
        None,
        &format!(
            "{msg}<form method=\"post\" action=\"/admin/login\"><label>User <input name=\"user\" autocomplete=\"username\" required></label><label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label><button type=\"submit\">Log in</button></form>"
        ),
    )
}

/// `GET /admin/login`.
pub async fn login_form() -> Html<String> {
    Html(login_page(None))
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct Login {
    user: String,
    password: String,
}

/// `POST /admin/login`.
pub async fn login(State(state): State<AppState>, Form(f): Form<Login>) -> Result<Response, Problem> {
    match admin::login(&state, &f.user, &f.password).await? {
        Some(cookie) => Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/admin")).into_response()),
        None => Ok((
            StatusCode::UNAUTHORIZED,
            Html(login_page(Some(
                "Wrong user or password. Try again, or ask the server operator to set a new password.",
            ))),
        )
            .into_response()),
    }
}

/// `POST /admin/logout`.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let cookie = admin::logout(&state, &headers).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/admin/login")).into_response())
}
