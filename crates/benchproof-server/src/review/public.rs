//! The reviewer's side: `GET /review/{token}` (the page, or the code form), `POST
//! /review/{token}` (the code), `GET /review/{token}/media/{sha256}` and `/receipt.json`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::{closed, gate, log, normalise_code, range, render, session_value, Gate, COOKIE};
use crate::auth::admin::password_matches;
use crate::credentials::archive;
use crate::html::{esc, page};
use crate::problem::Problem;
use crate::state::AppState;

/// Media types served inline; anything else is sent as a download of opaque bytes.
const INLINE_TYPES: &[&str] = &[
    "video/mp4",
    "video/webm",
    "audio/mp4",
    "audio/ogg",
    "audio/webm",
    "audio/mpeg",
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/gif",
    "application/json",
    "text/plain",
];

/// The type to serve evidence of `media_type` as: inline only for the harmless ones above.
pub fn served_type(media_type: &str) -> (&str, bool) {
    let base = media_type.split(';').next().unwrap_or("").trim();
    match INLINE_TYPES.iter().find(|t| t.eq_ignore_ascii_case(base)) {
        Some(t) => (t, true),
        None => ("application/octet-stream", false),
    }
}

fn code_form(token: &str, message: Option<&str>, status: StatusCode) -> Response {
    let alert = message.map(|m| format!("<p class=\"bad\" role=\"alert\">{}</p>", esc(m))).unwrap_or_default();
    let body = format!(
        "{alert}<p>The department protects this evidence with a code, sent to you separately from the link.</p><form method=\"post\" action=\"/review/{t}\"><label>Code <input name=\"code\" autocomplete=\"one-time-code\" required></label><button type=\"submit\">Show the evidence</button></form>",
        t = esc(token)
    );
    let mut res = (status, Html(page("Enter the review code", None, &body))).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    res
}

/// `GET /review/{token}`.
pub async fn get_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: axum::http::request::Parts,
) -> Result<Response, Problem> {
    let link = match gate(&state, &token, &parts, "page").await? {
        Gate::Open(link) => link,
        Gate::NeedsCode(_) => return Ok(code_form(&token, None, StatusCode::UNAUTHORIZED)),
        Gate::Closed(res) => return Ok(res),
    };
    let archived = match archive::open(&state, &link.bundle_sha256).await {
        Ok(a) => a,
        Err(e) => {
            let p = Problem::from(e);
            let message = format!("The department's server cannot show this evidence now: {}", p.detail);
            return Ok(closed(p.status, "Evidence unavailable", &message));
        }
    };
    let receipt = crate::log::receipt(&state, &archived.row).await?;
    let html = render::page(&state, &link, &archived, &receipt, &token).await;
    let mut res = Html(html).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    Ok(res)
}

/// The code form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    code: String,
}

/// `POST /review/{token}`: checks the one-time code; sets the link's session cookie.
pub async fn post_code(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: axum::http::request::Parts,
    Form(form): Form<CodeForm>,
) -> Result<Response, Problem> {
    let link = match gate(&state, &token, &parts, "code").await? {
        Gate::Open(_) => return Ok(Redirect::to(&format!("/review/{token}")).into_response()),
        Gate::NeedsCode(link) => link,
        Gate::Closed(res) => return Ok(res),
    };
    let phc = link.code_phc.clone().expect("only links with a code need one");
    let (p, typed) = (phc.clone(), normalise_code(&form.code));
    let ok = tokio::task::spawn_blocking(move || password_matches(&p, &typed))
        .await
        .map_err(|e| Problem::internal(e.to_string()))?;
    if !ok {
        log(&state, &link, "code", "code-refused", &parts).await?;
        return Ok(code_form(
            &token,
            Some("That code is not right. Check it and try again; after five wrong codes the link locks."),
            StatusCode::UNAUTHORIZED,
        ));
    }
    log(&state, &link, "code", "code-accepted", &parts).await?;
    let secure =
        if state.config.public_url.as_deref().is_some_and(|u| u.starts_with("https://")) { "; Secure" } else { "" };
    let max_age = ((link.expires_ms - state.clock.now_ms()) / 1000).max(0);
    let cookie = format!(
        "{COOKIE}={}; Path=/review/{token}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        session_value(&token, &phc)
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&format!("/review/{token}"))).into_response())
}

/// The link of `token` when it is open to this browser, else the answer to give: a resource
/// behind a code is refused until the page's code form was answered.
async fn opened(
    state: &AppState,
    token: &str,
    parts: &axum::http::request::Parts,
    resource: &str,
) -> Result<Result<crate::meta::review::ReviewLinkRow, Response>, Problem> {
    Ok(match gate(state, token, parts, resource).await? {
        Gate::Open(link) => Ok(link),
        Gate::NeedsCode(_) => {
            Err(closed(StatusCode::UNAUTHORIZED, "Code required", "Open the review link and enter its code first."))
        }
        Gate::Closed(res) => Err(res),
    })
}

/// `GET /review/{token}/media/{sha256}`: one evidence file of the link's own bundle.
pub async fn get_media(
    State(state): State<AppState>,
    Path((token, sha)): Path<(String, String)>,
    parts: axum::http::request::Parts,
) -> Result<Response, Problem> {
    let resource: String = format!("media {}", sha.chars().take(80).collect::<String>());
    let link = match opened(&state, &token, &parts, &resource).await? {
        Ok(link) => link,
        Err(res) => return Ok(res),
    };
    let Some((path, media_type)) = archive::cached_media(&state, &link.bundle_sha256, &sha).await? else {
        return Ok(closed(
            StatusCode::NOT_FOUND,
            "No such evidence",
            "This review link shows no file with that digest.",
        ));
    };
    let (content_type, inline) = served_type(&media_type);
    let mut res = range::serve_file(&path, content_type, &parts.headers).await?;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    if !inline {
        h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    }
    Ok(res)
}

/// `GET /review/{token}/receipt.json`: the bundle's transparency receipt.
pub async fn get_receipt(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: axum::http::request::Parts,
) -> Result<Response, Problem> {
    let link = match opened(&state, &token, &parts, "receipt").await? {
        Ok(link) => link,
        Err(res) => return Ok(res),
    };
    let row = state
        .meta
        .bundle(&link.bundle_sha256)
        .await?
        .ok_or_else(|| Problem::internal("a review link names a bundle that is not archived"))?;
    let receipt = crate::log::receipt(&state, &row).await?;
    Ok(([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], axum::Json(receipt))
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_harmless_types_are_inline() {
        assert_eq!(served_type("video/mp4"), ("video/mp4", true));
        assert_eq!(served_type("Image/PNG"), ("image/png", true));
        assert_eq!(served_type("text/html"), ("application/octet-stream", false));
        assert_eq!(served_type("image/svg+xml"), ("application/octet-stream", false));
    }
}
