//! `GET|POST /ims/ob/v3p0/oauth/authorize`: the consent page of the authorization code grant
//! (RFC 6749 §4.1.1–4.1.2) with PKCE S256 required (RFC 7636, as OB 3.0 §7.1.2.1 says).
//!
//! The client and redirect URI are checked first; while either is wrong the page shows the error
//! and redirects nowhere (§4.1.2.1). Other errors go back to the client as `error=…&state=…`.
//! Consent needs an admin: the session cookie when this browser is logged in (it only comes with
//! a same-site request, such as this page's own form), else the admin's user and password typed
//! into the form. Denying needs neither.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::register::metadata;
use super::{digest, scopes, secret, AUTHORIZE_PATH, CODE_MS, SCOPE_CREDENTIAL_READONLY, SCOPE_OFFLINE_ACCESS};
use crate::auth::admin;
use crate::html::{esc, page};
use crate::meta::{ClientRow, CodeRow};
use crate::problem::Problem;
use crate::state::AppState;

/// The authorization request's parameters, and on the form also the admin's answer.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    /// `allow` or `deny` (form only).
    decision: Option<String>,
    user: Option<String>,
    password: Option<String>,
}

/// A request that passed every check.
struct Valid {
    client: ClientRow,
    name: String,
    redirect_uri: String,
    scope: String,
}

enum Refused {
    /// Shown here: the client or redirect URI cannot be trusted with a redirect.
    Page(String),
    /// Sent back to the client's redirect URI.
    Redirect(Response),
}

/// `redirect_uri` with `pairs` appended to its query.
fn back_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut u = url::Url::parse(redirect_uri).expect("registered redirect URIs are absolute URLs");
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    Redirect::to(u.as_str()).into_response()
}

fn refuse(uri: &str, state: Option<&str>, code: &str, why: &str) -> Refused {
    let mut pairs = vec![("error", code), ("error_description", why)];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    Refused::Redirect(back_to(uri, &pairs))
}

async fn validate(state: &AppState, p: &Params) -> Result<Valid, Refused> {
    let client_id = p.client_id.as_deref().unwrap_or_default();
    let client = match state.meta.client(client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(Refused::Page(format!("No client {client_id:?} is registered here. The application that sent you must register first (OB 3.0 §7.1.1)."))),
        Err(e) => return Err(Refused::Page(format!("The server could not read its client list: {e}"))),
    };
    let registered = metadata(&client);
    let uris: Vec<String> = registered["redirect_uris"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let redirect_uri = match (&p.redirect_uri, uris.as_slice()) {
        (Some(u), _) if uris.contains(u) => u.clone(),
        (None, [only]) => only.clone(),
        (Some(u), _) => {
            return Err(Refused::Page(format!(
                "The redirect URI {u:?} is not one the client registered; nothing was sent to it."
            )))
        }
        (None, _) => {
            return Err(Refused::Page("The request names no redirect_uri and the client registered several.".into()))
        }
    };
    let st = p.state.as_deref();
    if p.response_type.as_deref() != Some("code") {
        return Err(refuse(&redirect_uri, st, "unsupported_response_type", "response_type must be code"));
    }
    let challenge = p.code_challenge.as_deref().unwrap_or_default();
    if p.code_challenge_method.as_deref() != Some("S256") {
        return Err(refuse(
            &redirect_uri,
            st,
            "invalid_request",
            "PKCE is required: send code_challenge with code_challenge_method=S256",
        ));
    }
    if challenge.len() != 43 || !challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(refuse(
            &redirect_uri,
            st,
            "invalid_request",
            "code_challenge must be BASE64URL(SHA-256(code_verifier)), 43 characters",
        ));
    }
    let allowed =
        scopes(registered["scope"].as_str().unwrap_or_default()).into_iter().map(String::from).collect::<Vec<_>>();
    let asked = p.scope.clone().unwrap_or_else(|| allowed.join(" "));
    let asked = scopes(&asked);
    if asked.is_empty() || asked.iter().any(|s| !allowed.iter().any(|a| a == s)) {
        return Err(refuse(
            &redirect_uri,
            st,
            "invalid_scope",
            &format!("ask for scopes the client registered: {}", allowed.join(" ")),
        ));
    }
    let name = registered["client_name"].as_str().unwrap_or(client_id).to_owned();
    Ok(Valid { client, name, redirect_uri, scope: asked.join(" ") })
}

fn describe(scope: &str) -> &'static str {
    match scope {
        SCOPE_CREDENTIAL_READONLY => "read every live Open Badges credential this department has issued",
        SCOPE_OFFLINE_ACCESS => "keep that access without asking again (a refresh token)",
        _ => "an unknown permission",
    }
}

fn consent_page(p: &Params, v: &Valid, message: Option<&str>) -> String {
    let hidden: String = [
        ("response_type", &p.response_type),
        ("client_id", &p.client_id),
        ("redirect_uri", &Some(v.redirect_uri.clone())),
        ("scope", &Some(v.scope.clone())),
        ("state", &p.state),
        ("code_challenge", &p.code_challenge),
        ("code_challenge_method", &p.code_challenge_method),
    ]
    .iter()
    .filter_map(|(k, val)| {
        val.as_ref().map(|val| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(val)))
    })
    .collect();
    let items: String =
        scopes(&v.scope).iter().map(|s| format!("<li>{} <code>{}</code></li>", esc(describe(s)), esc(s))).collect();
    let host = url::Url::parse(&v.redirect_uri).ok().and_then(|u| u.host_str().map(String::from)).unwrap_or_default();
    let msg = message.map(|m| format!("<p class=\"bad\" role=\"alert\">{}</p>", esc(m))).unwrap_or_default();
    let about = metadata(&v.client)["client_uri"]
        .as_str()
        .map(|u| format!(" (<a href=\"{0}\">{0}</a>)", esc(u)))
        .unwrap_or_default();
    format!(
        "{msg}<p><strong>{name}</strong>{about} asks to:</p><ul>{items}</ul><p>If you allow it, you will be sent back to <code>{host}</code>.</p>\
         <form method=\"post\" action=\"{AUTHORIZE_PATH}\">{hidden}\
         <p>An admin of this server must allow it. If this browser is not logged in to the admin pages, log in here:</p>\
         <label>User <input name=\"user\" autocomplete=\"username\"></label>\
         <label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>",
        name = esc(&v.name),
    )
}

fn error_page(why: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(page("Authorization refused", None, &format!("<p class=\"bad\" role=\"alert\">{}</p>", esc(why)))),
    )
        .into_response()
}

/// `GET /ims/ob/v3p0/oauth/authorize`: the consent page.
pub async fn get_authorize(State(state): State<AppState>, Query(p): Query<Params>) -> Response {
    match validate(&state, &p).await {
        Ok(v) => Html(page("Allow access to credentials?", None, &consent_page(&p, &v, None))).into_response(),
        Err(Refused::Page(why)) => error_page(&why),
        Err(Refused::Redirect(r)) => r,
    }
}

/// `POST /ims/ob/v3p0/oauth/authorize`: the admin's answer.
pub async fn post_authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(p): Form<Params>,
) -> Result<Response, Problem> {
    let v = match validate(&state, &p).await {
        Ok(v) => v,
        Err(Refused::Page(why)) => return Ok(error_page(&why)),
        Err(Refused::Redirect(r)) => return Ok(r),
    };
    let st = p.state.as_deref();
    if p.decision.as_deref() != Some("allow") {
        let mut pairs = vec![("error", "access_denied"), ("error_description", "the department admin denied access")];
        if let Some(s) = st {
            pairs.push(("state", s));
        }
        return Ok(back_to(&v.redirect_uri, &pairs));
    }
    let user = match admin::session_user(&state, &headers).await? {
        Some(u) => u,
        None => {
            let (user, password) = (p.user.as_deref().unwrap_or_default(), p.password.as_deref().unwrap_or_default());
            if !admin::password_ok(&state, user, password).await? {
                let body = consent_page(
                    &p,
                    &v,
                    Some("Wrong user or password: log in as an admin of this server to allow access."),
                );
                return Ok(
                    (StatusCode::UNAUTHORIZED, Html(page("Allow access to credentials?", None, &body))).into_response()
                );
            }
            user.to_owned()
        }
    };
    let now = state.clock.now_ms();
    let code = secret();
    state
        .meta
        .create_code(CodeRow {
            code_sha256: digest(&code),
            client_id: v.client.client_id.clone(),
            redirect_uri: v.redirect_uri.clone(),
            scope: v.scope.clone(),
            challenge: p.code_challenge.clone().unwrap_or_default(),
            username: user,
            created_ms: now,
            expires_ms: now + CODE_MS,
            used_ms: None,
        })
        .await?;
    let mut pairs = vec![("code", code.as_str()), ("scope", v.scope.as_str())];
    if let Some(s) = st {
        pairs.push(("state", s));
    }
    Ok(back_to(&v.redirect_uri, &pairs))
}
