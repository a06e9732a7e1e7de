//! Serving a file with HTTP Range support (RFC 9110 §14): one byte range → 206 with
//! `Content-Range`; a range past the end → 416; no range, or several ranges, → the whole file.
//! The body is streamed in 64 KiB chunks, never read whole into memory.

use std::io::SeekFrom;
use std::path::Path;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::problem::Problem;

/// What a `Range` header asks of a file of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Whole,
    /// Bytes `start..=end`.
    Part {
        start: u64,
        end: u64,
    },
    Unsatisfiable,
}

/// Parses a `Range` header value for a file of `len` bytes.
pub fn parse(range: Option<&str>, len: u64) -> Wanted {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(start), Ok(end)) if start <= end => (start, end.min(len.saturating_sub(1))),
        (Ok(start), Err(_)) if b.is_empty() => (start, len.saturating_sub(1)),
        (Err(_), Ok(suffix)) if a.is_empty() => {
            if suffix == 0 {
                return Wanted::Unsatisfiable;
            }
            (len.saturating_sub(suffix), len.saturating_sub(1))
        }
        _ => return Wanted::Whole,
    };
    if start >= len {
        Wanted::Unsatisfiable
    } else {
        Wanted::Part { start, end }
    }
}

/// The file at `path` as `content_type`, honouring the request's `Range`.
pub async fn serve_file(path: &Path, content_type: &str, request: &HeaderMap) -> Result<Response, Problem> {
    let mut file = tokio::fs::File::open(path).await.map_err(|e| Problem::io("cannot open the evidence file", &e))?;
    let len = file.metadata().await.map_err(|e| Problem::io("cannot read the evidence file", &e))?.len();
    let wanted = parse(request.get(header::RANGE).and_then(|v| v.to_str().ok()), len);
    let (status, start, count) = match wanted {
        Wanted::Whole => (StatusCode::OK, 0, len),
        Wanted::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        Wanted::Unsatisfiable => {
            let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(res);
        }
    };
    file.seek(SeekFrom::Start(start)).await.map_err(|e| Problem::io("cannot seek in the evidence file", &e))?;
    let stream = futures_util::stream::unfold((file.take(count), vec![0u8; 64 << 10]), |(mut f, mut buf)| async move {
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => Some((Ok::<_, std::io::Error>(Bytes::copy_from_slice(&buf[..n])), (f, buf))),
            Err(e) => Some((Err(e), (f, buf))),
        }
    });
    let mut res = (status, Body::from_stream(stream)).into_response();
    let h = res.headers_mut();
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if status == StatusCode::PARTIAL_CONTENT {
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{len}", start + count - 1)) {
            h.insert(header::CONTENT_RANGE, v);
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let cases = [
            (None, Wanted::Whole),
            (Some("bytes=0-"), Wanted::Part { start: 0, end: 99 }),
            (Some("bytes=10-19"), Wanted::Part { start: 10, end: 19 }),
            (Some("bytes=90-500"), Wanted::Part { start: 90, end: 99 }),
            (Some("bytes=-10"), Wanted::Part { start: 90, end: 99 }),
            (Some("bytes=-500"), Wanted::Part { start: 0, end: 99 }),
            (Some("bytes=100-"), Wanted::Unsatisfiable),
            (Some("bytes=-0"), Wanted::Unsatisfiable),
            (Some("bytes=5-2"), Wanted::Whole),
            (Some("bytes=0-1,5-6"), Wanted::Whole),
            (Some("items=0-1"), Wanted::Whole),
            (Some("bytes=x-y"), Wanted::Whole),
        ];
        for (header, want) in cases {
            assert_eq!(parse(header, 100), want, "{header:?}");
        }
        assert_eq!(parse(Some("bytes=0-"), 0), Wanted::Unsatisfiable);
    }
}
