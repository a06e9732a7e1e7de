//! Errors of the tus client and the worker, each classified for the planner.

use serde::Deserialize;

use crate::plan::FailureKind;

/// An RFC 9457 problem document, as the department server sends with its refusals.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Problem {
    /// A short code such as `conflict`, `invalid-bundle`, `unauthorised-station`.
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    /// What to do.
    #[serde(default)]
    pub detail: String,
}

/// Why a tus exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum TusError {
    /// The connection failed, was cut or timed out.
    #[error(
        "{during} failed on the network: {source}; the upload resumes from the server's offset on the next attempt"
    )]
    Transport {
        during: &'static str,
        #[source]
        source: ureq::Error,
    },
    /// The local bundle file could not be read.
    #[error("cannot read the bundle file: {0}")]
    File(#[source] std::io::Error),
    /// The URL does not lead to a tus 1.0.0 server.
    #[error("{url} is not a tus 1.0.0 upload endpoint ({detail}); check the department server URL")]
    NotTus { url: String, detail: String },
    /// The server answered with an error status.
    #[error("the server refused the {during} with {status}{}", describe(.problem.as_ref(), .body))]
    Refused { during: &'static str, status: u16, problem: Option<Problem>, body: String },
    /// The server no longer knows the upload (expired or removed).
    #[error("the server no longer has the upload {url}; it will be started again")]
    UploadGone { url: String },
    /// The server's answer broke the protocol.
    #[error("the server's answer breaks the tus protocol: {detail}")]
    Protocol { detail: String },
    /// Chunks kept failing without the server's offset moving.
    #[error("no progress at offset {offset} after {tries} tries; will retry later")]
    Stalled { offset: u64, tries: u32 },
}

fn describe(problem: Option<&Problem>, body: &str) -> String {
    match problem {
        Some(p) if !p.detail.is_empty() => format!(" ({}: {})", p.kind, p.detail),
        Some(p) => format!(" ({}: {})", p.kind, p.title),
        None if body.trim().is_empty() => String::new(),
        None => format!(" ({})", body.trim()),
    }
}

impl TusError {
    pub(crate) fn transport(during: &'static str, source: ureq::Error) -> Self {
        TusError::Transport { during, source }
    }

    /// Whether retrying later can help. `401`/`403` (the station is not trusted), `409` with a
    /// `conflict` problem (another bundle holds the assessment), `413` (too large) and `422`
    /// (invalid bundle) are permanent: the same bytes from the same station will be refused again.
    pub fn kind(&self) -> FailureKind {
        match self {
            TusError::Refused { status: 401 | 403 | 413 | 422, .. } => FailureKind::Permanent,
            TusError::Refused { status: 409, problem: Some(p), .. } if p.kind == "conflict" => FailureKind::Permanent,
            _ => FailureKind::Transient,
        }
    }
}
