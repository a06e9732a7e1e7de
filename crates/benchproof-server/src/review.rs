//! Employer review links: an admin grants one outsider read access to the evidence of one
//! archived assessment, until a deadline, optionally behind a one-time code given out of band.
//!
//! - [`admin`]: create (the token and code are shown once), list, revoke, and the access log.
//! - [`public`]: `/review/{token}` (the page, the code form), its media and its receipt.
//! - [`render`]: the page itself; [`range`]: files with HTTP Range support.
//!
//! Invariants: a token is 256 random bits (base64url) and only its SHA-256 is stored; a code is
//! stored as an argon2id hash and five wrong codes lock the link; every request naming a known
//! link is logged with its outcome before anything is answered; an expired or revoked link
//! answers 410 with a page that holds no data of the assessment; a link serves only files that
//! its own bundle's verified document lists, looked up by digest (never by path), so no token
//! reaches another assessment's media.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use ring::rand::{SecureRandom, SystemRandom};

use crate::html::{esc, page};
use crate::meta::{hex, ReviewAccessRow, ReviewLinkRow};
use crate::problem::Problem;
use crate::state::AppState;

pub mod admin;
pub mod public;
pub mod range;
pub mod render;

/// The review session cookie (scoped to one link's path).
pub const COOKIE: &str = "bp_review";
/// Wrong codes after which a link is locked.
pub const MAX_CODE_FAILURES: usize = 5;
/// Letters of one-time codes: no 0/O or 1/I/L to misread.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in a one-time code (≈ 49 bits).
pub const CODE_LEN: usize = 10;

/// A new random token (256 bits, base64url without padding).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    SystemRandom::new().fill(&mut b).expect("the system random source works");
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, b)
}

/// A new one-time code.
pub fn new_code() -> String {
    let mut b = [0u8; CODE_LEN];
    SystemRandom::new().fill(&mut b).expect("the system random source works");
    // 256 is not a multiple of 31: reject the top values so every letter is equally likely.
    let mut out = String::new();
    let mut pool = b.to_vec();
    while out.len() < CODE_LEN {
        if pool.is_empty() {
            let mut more = [0u8; 16];
            SystemRandom::new().fill(&mut more).expect("the system random source works");
            pool.extend_from_slice(&more);
        }
        let x = pool.remove(0) as usize;
        if x < 256 - 256 % CODE_ALPHABET.len() {
            out.push(CODE_ALPHABET[x % CODE_ALPHABET.len()] as char);
        }
    }
    out
}

/// A code as typed: upper-cased, without spaces or dashes.
pub fn normalise_code(typed: &str) -> String {
    typed.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

/// Hex SHA-256 of a string.
pub fn sha256_hex(s: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, s.as_bytes()).as_ref())
}

/// The session cookie value for a link with a code: only someone who holds the token and passed
/// the code check (which needs the stored hash) gets it.
fn session_value(token: &str, code_phc: &str) -> String {
    sha256_hex(&format!("benchproof-review\0{token}\0{code_phc}"))
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Who asked: the peer address (and `X-Forwarded-For` behind a proxy) and the user agent.
pub fn client(parts: &axum::http::request::Parts) -> String {
    let addr = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown address".into());
    let h = |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let forwarded = h(header::HeaderName::from_static("x-forwarded-for"));
    let agent: String = h(header::USER_AGENT).chars().take(200).collect();
    if forwarded.is_empty() {
        format!("{addr}; {agent}")
    } else {
        format!("{addr} (for {}); {agent}", forwarded.chars().take(100).collect::<String>())
    }
}

/// A page for a link that shows nothing of the assessment.
pub fn closed(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!("<p role=\"alert\">{}</p>", esc(message));
    let mut res = (status, Html(page(title, None, &body))).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    res.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    res
}

/// Whether a request may see a link's content.
#[derive(Debug)]
pub enum Gate {
    /// Yes: the link.
    Open(ReviewLinkRow),
    /// The link needs its code first (not yet given in this browser).
    NeedsCode(ReviewLinkRow),
    /// No: the answer to give (already logged).
    Closed(Response),
}

/// Looks up `token`, logs the access to `resource`, and decides.
pub async fn gate(
    state: &AppState,
    token: &str,
    parts: &axum::http::request::Parts,
    resource: &str,
) -> Result<Gate, Problem> {
    let Some(link) = state.meta.review_link_by_token(&sha256_hex(token)).await? else {
        return Ok(Gate::Closed(closed(
            StatusCode::NOT_FOUND,
            "No such review link",
            "This review link does not exist. Check that the whole link was copied, or ask the department that sent it for a new one.",
        )));
    };
    let now = state.clock.now_ms();
    let (outcome, answer) = if link.revoked_ms.is_some() {
        ("revoked", Some(closed(StatusCode::GONE, "Review link withdrawn", "The department has withdrawn this review link, so the evidence is no longer shown here. Ask the department for a new link if you still need it.")))
    } else if now >= link.expires_ms {
        ("expired", Some(closed(StatusCode::GONE, "Review link expired", "This review link has expired, so the evidence is no longer shown here. Ask the department that sent it for a new link.")))
    } else if link.code_phc.is_some() && code_failures(state, &link.id).await? >= MAX_CODE_FAILURES {
        ("locked", Some(closed(StatusCode::FORBIDDEN, "Review link locked", "Too many wrong codes were entered for this review link, so it is locked. Ask the department for a new link.")))
    } else {
        match &link.code_phc {
            Some(phc) if cookie(&parts.headers).as_deref() != Some(session_value(token, phc).as_str()) => {
                ("code-required", None)
            }
            _ => ("granted", None),
        }
    };
    log(state, &link, resource, outcome, parts).await?;
    Ok(match (outcome, answer) {
        (_, Some(res)) => Gate::Closed(res),
        ("code-required", None) => Gate::NeedsCode(link),
        _ => Gate::Open(link),
    })
}

/// Appends one row to the link's access log.
pub async fn log(
    state: &AppState,
    link: &ReviewLinkRow,
    resource: &str,
    outcome: &str,
    parts: &axum::http::request::Parts,
) -> Result<(), Problem> {
    state
        .meta
        .log_review_access(ReviewAccessRow {
            link: link.id.clone(),
            at_ms: state.clock.now_ms(),
            resource: resource.to_owned(),
            outcome: outcome.to_owned(),
            client: client(parts),
        })
        .await?;
    Ok(())
}

async fn code_failures(state: &AppState, link: &str) -> Result<usize, Problem> {
    Ok(state.meta.review_accesses(Some(link)).await?.iter().filter(|a| a.outcome == "code-refused").count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_codes() {
        let t = new_token();
        assert_eq!(t.len(), 43, "256 bits in base64url");
        assert_ne!(t, new_token());
        let c = new_code();
        assert_eq!(c.len(), CODE_LEN);
        assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{c}");
        assert_eq!(normalise_code(" ab-cd ef"), "ABCDEF");
        assert_ne!(session_value("t", "a"), session_value("t", "b"));
    }
}
