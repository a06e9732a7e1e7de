//! The `media` protocol: plays back evidence from the station's media store, with HTTP range
//! requests so the webview can seek in a video without loading it whole.
//!
//! Invariant: only evidence named by an assessment's own log is served
//! (`media://localhost/<assessment>/<snippet>`); no path from the URL ever reaches the disk.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use tauri::http::{header, Response, StatusCode};

/// The most bytes one response carries: large videos stream in pieces as the player asks.
const MAX_CHUNK: u64 = 4 * 1024 * 1024;

/// The URL the webview loads evidence `snippet` of `assessment` from.
pub fn url(assessment: &str, snippet: &str) -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://media.localhost/{assessment}/{snippet}")
    } else {
        format!("media://localhost/{assessment}/{snippet}")
    }
}

/// Splits a request path `/<assessment>/<snippet>` into its two ids.
pub fn parse_path(path: &str) -> Option<(&str, &str)> {
    let mut parts = path.trim_start_matches('/').split('/');
    let (a, s) = (parts.next()?, parts.next()?);
    (parts.next().is_none() && !a.is_empty() && !s.is_empty()).then_some((a, s))
}

/// A `Range` header that names no byte of the file (answered with 416).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsatisfiable;

/// A byte range `start..=end` of a file of `len` bytes, from a `Range: bytes=…` header.
/// `Ok(None)` means the whole file.
pub fn parse_range(header: Option<&str>, len: u64) -> Result<Option<(u64, u64)>, Unsatisfiable> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ok(None) };
    // Only the first range of a multi-range request is served (players ask for one).
    let first = spec.split(',').next().unwrap_or("").trim();
    let (start, end) = first.split_once('-').ok_or(Unsatisfiable)?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| Unsatisfiable)?;
            (len.saturating_sub(n), len.checked_sub(1).ok_or(Unsatisfiable)?)
        }
        (s, "") => (s.parse().map_err(|_| Unsatisfiable)?, len.checked_sub(1).ok_or(Unsatisfiable)?),
        (s, e) => (
            s.parse().map_err(|_| Unsatisfiable)?,
            e.parse::<u64>().map_err(|_| Unsatisfiable)?.min(len.saturating_sub(1)),
        ),
    };
    if start > end || start >= len {
        return Err(Unsatisfiable);
    }
    Ok(Some((start, end.min(start + MAX_CHUNK - 1))))
}

/// Serves `file` (of `media_type`) for a request with the given `Range` header.
pub fn respond(file: &Path, media_type: &str, range: Option<&str>) -> Response<Vec<u8>> {
    match serve(file, media_type, range) {
        Ok(r) => r,
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, &format!("{}: {e}", file.display())),
    }
}

fn serve(path: &Path, media_type: &str, range: Option<&str>) -> std::io::Result<Response<Vec<u8>>> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let builder = Response::builder()
        .header(header::CONTENT_TYPE, media_type)
        .header(header::ACCEPT_RANGES, "bytes")
        // The UI reads clips with `fetch` from its own origin (`tauri://localhost`), since
        // WebKitGTK's media player cannot read this protocol itself (WebKit bug 146351).
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .header(header::CACHE_CONTROL, "private, max-age=31536000, immutable");
    let Ok(range) = parse_range(range, len) else {
        return Ok(builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, format!("bytes */{len}"))
            .body(Vec::new())
            .expect("static headers are valid"));
    };
    let Some((start, end)) = range else {
        let mut body = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.read_to_end(&mut body)?;
        return Ok(builder.status(StatusCode::OK).body(body).expect("static headers are valid"));
    };
    file.seek(SeekFrom::Start(start))?;
    let mut body = Vec::new();
    file.take(end - start + 1).read_to_end(&mut body)?;
    Ok(builder
        .status(StatusCode::PARTIAL_CONTENT)
        .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
        .body(body)
        .expect("static headers are valid"))
}

/// A plain-text response (errors).
pub fn text(status: StatusCode, message: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(message.as_bytes().to_vec())
        .expect("static headers are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range(None, 100), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-9"), 100), Ok(Some((0, 9))));
        assert_eq!(parse_range(Some("bytes=90-"), 100), Ok(Some((90, 99))));
        assert_eq!(parse_range(Some("bytes=-10"), 100), Ok(Some((90, 99))));
        assert_eq!(parse_range(Some("bytes=95-200"), 100), Ok(Some((95, 99))));
        assert_eq!(parse_range(Some("bytes=100-"), 100), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=9-3"), 100), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=x-3"), 100), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=0-"), 0), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=0-"), 10 * MAX_CHUNK), Ok(Some((0, MAX_CHUNK - 1))));
    }

    #[test]
    fn seeking_returns_exactly_the_bytes_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip");
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        std::fs::write(&path, &data).unwrap();
        let whole = respond(&path, "video/mp4", None);
        assert_eq!(whole.status(), StatusCode::OK);
        assert_eq!(whole.body(), &data);
        let part = respond(&path, "video/mp4", Some("bytes=5000-5009"));
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(part.headers()[header::CONTENT_RANGE], "bytes 5000-5009/10000");
        assert_eq!(part.headers()[header::CONTENT_TYPE], "video/mp4");
        assert_eq!(part.body(), &data[5000..=5009]);
        let bad = respond(&path, "video/mp4", Some("bytes=20000-"));
        assert_eq!(bad.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(bad.headers()[header::CONTENT_RANGE], "bytes */10000");
    }

    #[test]
    fn only_two_segment_paths_name_evidence() {
        assert_eq!(parse_path("/a/b"), Some(("a", "b")));
        assert_eq!(parse_path("/a/b/c"), None);
        assert_eq!(parse_path("/a"), None);
        assert_eq!(parse_path("//b"), None);
    }
}
