//! Open Badges 3.0 on the department server: an admin issues the credential of an archived,
//! passed bundle ([`issue`]), revokes it through the published Bitstring Status List
//! ([`status`]), and exports it ([`export`]); [`did`] publishes `/.well-known/did.json` for a
//! `did:web` department; [`attempts`] links a student's attempts on a rubric, with remediation
//! notes; [`archive`] keeps verified local copies of archived bundles (for
//! issuing and for the review pages); [`pages`] are the admin pages; [`api`] is a read-only
//! subset of the OB 3.0 API.
//!
//! Invariants: a credential is only issued for a bundle whose metadata row *and* a fresh
//! verification of its archived bytes say `passed`; it is signed with the department key the
//! server already holds (`eddsa-rdfc-2022`); each credential owns one bit of status list 1,
//! allocated at random and never reused; the published list is a pure function of the stored
//! revocations, signed again whenever one is added.

use axum::http::HeaderMap;
use benchproof_credential::{Issuer, IssuerDid};

use crate::problem::Problem;
use crate::state::AppState;

pub mod api;
pub mod archive;
pub mod attempts;
pub mod did;
pub mod export;
pub mod issue;
pub mod pages;
pub mod published;
pub mod status;

/// The path of the (one) status list credential.
pub const STATUS_LIST_PATH: &str = "/status/1";

/// How credentials name the issuing department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerConfig {
    /// The department's name (`issuer.name`).
    pub name: String,
    /// The department's web page (`issuer.url`); defaults to the server's base URL.
    pub url: Option<String>,
    /// The `did:web` domain (`benchproof serve --did-web DOMAIN`); `None` issues as `did:key`.
    pub did_web: Option<String>,
}

impl Default for IssuerConfig {
    fn default() -> Self {
        IssuerConfig { name: "benchproof department".into(), url: None, did_web: None }
    }
}

/// The absolute base URL of this server as outsiders reach it: `--public-url`, else
/// `https://<did:web domain>`, else `http://<Host of this request>`.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.trim_end_matches('/').to_owned();
    }
    if let Some(d) = &state.config.issuer.did_web {
        return format!("https://{d}");
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// The department's DID: `did:web` when configured, else the key's `did:key`.
pub fn issuer_did(state: &AppState) -> Result<IssuerDid, Problem> {
    let key = &state.config.department_key;
    match &state.config.issuer.did_web {
        Some(domain) => IssuerDid::web(domain, *key.did_key().public_key())
            .map_err(|e| Problem::internal(format!("--did-web: {e}"))),
        None => Ok(IssuerDid::Key(key.did_key())),
    }
}

/// The issuing department as credentials name it.
pub fn issuer(state: &AppState, base_url: &str) -> Result<Issuer, Problem> {
    Ok(Issuer {
        did: issuer_did(state)?,
        name: state.config.issuer.name.clone(),
        url: state.config.issuer.url.clone().unwrap_or_else(|| base_url.to_owned()),
    })
}
