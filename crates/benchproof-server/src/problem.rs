//! RFC 9457 problem details: every API error is `application/problem+json` with a short `type`
//! code, a `title` and a `detail` that says what to do next.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One API error, rendered as `application/problem+json`.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(skip)]
    pub status: StatusCode,
    /// A short stable code: `conflict`, `invalid-bundle`, `checksum-mismatch`, …
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
    /// The verifier's check that refused an invalid bundle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// Adds `WWW-Authenticate: Signature` (401 for stations).
    #[serde(skip)]
    pub challenge: bool,
}

/// `460 Checksum Mismatch` (tus checksum extension).
pub const CHECKSUM_MISMATCH: u16 = 460;

impl Problem {
    /// A problem with a status, a code, a title and what to do.
    pub fn new(status: StatusCode, kind: &'static str, title: impl Into<String>, detail: impl Into<String>) -> Problem {
        Problem { status, kind, title: title.into(), detail: detail.into(), check: None, challenge: false }
    }

    /// `400 bad-request`.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", "The request is malformed", detail)
    }

    /// `401 unauthorised-station` with a `WWW-Authenticate: Signature` challenge.
    pub fn unauthorised(detail: impl Into<String>) -> Problem {
        let mut p =
            Problem::new(StatusCode::UNAUTHORIZED, "unauthorised-station", "The request signature was refused", detail);
        p.challenge = true;
        p
    }

    /// `403 forbidden-station`: the signature is good but the station may not upload.
    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden-station", "This station is not enrolled here", detail)
    }

    /// `404 not-found`.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    /// `500 internal` for faults the client cannot fix; the detail is logged, not hidden.
    pub fn internal(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "The server failed",
            format!("{}; retry later, and tell the department administrator if it persists", detail.into()),
        )
    }

    /// `507 insufficient-storage`: the server's disk is full; what it held before is intact.
    pub fn disk_full() -> Problem {
        Problem::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "insufficient-storage",
            "The server's disk is full",
            "the bytes already acknowledged are kept and nothing else of this request; retry later (the station keeps the bundle), and tell the department administrator to free space",
        )
    }

    /// `507 insufficient-storage` before anything is stored: `needed` bytes of room, `free` left.
    pub fn no_room(needed: u64, free: u64) -> Problem {
        Problem::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "insufficient-storage",
            "The server has no room for this bundle",
            format!(
                "receiving it needs about {needed} bytes free and the server's disk has {free}; nothing was stored — retry later (the station keeps the bundle), and tell the department administrator to free space"
            ),
        )
    }

    /// Maps an IO error: a full disk is 507, anything else 500.
    pub fn io(context: &str, e: &std::io::Error) -> Problem {
        if is_disk_full(e) {
            Problem::disk_full()
        } else {
            Problem::internal(format!("{context}: {e}"))
        }
    }
}

/// True when `e` means the disk (or quota) is full.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || e.kind() == std::io::ErrorKind::QuotaExceeded
        || e.raw_os_error() == Some(28)
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        h.insert("tus-resumable", HeaderValue::from_static("1.0.0"));
        if self.challenge {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Signature"));
        }
        res
    }
}

impl From<crate::meta::MetaError> for Problem {
    fn from(e: crate::meta::MetaError) -> Problem {
        match &e {
            crate::meta::MetaError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::DiskFull =>
            {
                Problem::disk_full()
            }
            _ => Problem::internal(format!("metadata store: {e}")),
        }
    }
}

impl From<crate::blob::BlobError> for Problem {
    fn from(e: crate::blob::BlobError) -> Problem {
        match e {
            crate::blob::BlobError::Io(ctx, io) => Problem::io(&ctx, &io),
            other => Problem::internal(format!("blob store: {other}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_507_anything_else_500() {
        let full = std::io::Error::from_raw_os_error(28);
        assert_eq!(Problem::io("write", &full).status, StatusCode::INSUFFICIENT_STORAGE);
        assert_eq!(Problem::io("write", &full).kind, "insufficient-storage");
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(Problem::io("write", &other).status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
