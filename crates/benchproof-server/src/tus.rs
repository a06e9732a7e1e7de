//! tus 1.0.0 at `/files/`: core, creation, checksum (sha1, sha256), termination, expiration.
//!
//! Invariants:
//! - `Upload-Offset` never claims a byte that is not stored: a PATCH body is written where the
//!   backend keeps it ([`crate::staging`], which also says what survives a power cut), and only
//!   then is the offset advanced (by a compare-and-set in the metadata store). A body
//!   cut short keeps what arrived (fsynced) unless it carried `Upload-Checksum`, in which case
//!   the whole chunk is discarded; bytes past the committed offset are never counted.
//! - One PATCH per upload at a time: an in-process async lock serialises them, and the offset
//!   compare-and-set makes a racing PATCH from another process fail with 409.
//! - The lock is held only while the PATCH runs; a client silent for `body_idle_timeout` loses
//!   its chunk, and a disconnect drops the request future, releasing the lock.
//! - Only the station that created an upload can see or touch it.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use futures_util::StreamExt as _;
use ring::digest;

use crate::auth::station::{authenticate, Station};
use crate::clock::http_date;
use crate::meta::{Part, Upload};
use crate::problem::{Problem, CHECKSUM_MISMATCH};
use crate::receive;
use crate::staging::{self, Chunk};
use crate::state::AppState;

/// The tus extensions this server implements.
pub const EXTENSIONS: &str = "creation,checksum,termination,expiration";

fn tus_headers(res: &mut Response) {
    res.headers_mut().insert("tus-resumable", HeaderValue::from_static("1.0.0"));
    res.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
}

fn header(res: &mut Response, name: &'static str, value: impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        res.headers_mut().insert(name, v);
    }
}

fn get<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, Problem> {
    headers
        .get(name)
        .map(|v| v.to_str().map_err(|_| Problem::bad_request(format!("header {name} is not text"))))
        .transpose()
}

fn number(headers: &HeaderMap, name: &str) -> Result<Option<u64>, Problem> {
    get(headers, name)?
        .map(|v| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| Problem::bad_request(format!("{name} must be a non-negative integer, not {v:?}")))
        })
        .transpose()
}

fn check_version(headers: &HeaderMap) -> Result<(), Problem> {
    match get(headers, "tus-resumable")? {
        Some("1.0.0") => Ok(()),
        other => Err(Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "tus-version",
            "Unsupported tus version",
            format!("send Tus-Resumable: 1.0.0 (got {other:?})"),
        )),
    }
}

/// `OPTIONS /files/`: what this server supports (no authentication).
pub async fn options(State(state): State<AppState>) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    tus_headers(&mut res);
    header(&mut res, "tus-version", "1.0.0");
    header(&mut res, "tus-extension", EXTENSIONS);
    header(&mut res, "tus-checksum-algorithm", "sha1,sha256");
    header(&mut res, "tus-max-size", state.config.max_size);
    res
}

/// The decoded `Upload-Metadata` the protocol requires.
#[derive(Debug, PartialEq, Eq)]
pub struct Metadata {
    pub filename: String,
    pub sha256: String,
    pub assessment: String,
}

/// Parses `key base64,key base64`; requires `filename`, `sha256` and `assessment`.
pub fn parse_metadata(raw: &str) -> Result<Metadata, String> {
    let mut filename = None;
    let mut sha256 = None;
    let mut assessment = None;
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once(' ').unwrap_or((pair, ""));
        let value =
            String::from_utf8(STANDARD.decode(value.trim()).map_err(|_| format!("the value of {key} is not base64"))?)
                .map_err(|_| format!("the value of {key} is not UTF-8"))?;
        match key {
            "filename" => filename = Some(value),
            "sha256" => sha256 = Some(value),
            "assessment" => assessment = Some(value),
            _ => {}
        }
    }
    let sha256 = sha256.ok_or("sha256 (the bundle's lowercase hex SHA-256) is missing")?;
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(format!("sha256 must be 64 lowercase hex digits, not {sha256:?}"));
    }
    let assessment = assessment.ok_or("assessment (the assessment id) is missing")?;
    uuid::Uuid::parse_str(&assessment).map_err(|_| format!("assessment {assessment:?} is not a UUID"))?;
    let filename = filename.ok_or("filename is missing")?;
    Ok(Metadata { filename, sha256, assessment })
}

/// `POST /files/`: creates an upload.
pub async fn create(State(state): State<AppState>, parts: Parts) -> Result<Response, Problem> {
    check_version(&parts.headers)?;
    let station = authenticate(&state, &parts).await?;
    if get(&parts.headers, "upload-defer-length")?.is_some() {
        return Err(Problem::bad_request("deferred lengths are not supported; send Upload-Length"));
    }
    let length = number(&parts.headers, "upload-length")?
        .ok_or_else(|| Problem::bad_request("Upload-Length is missing: send the bundle's size in bytes"))?;
    if length > state.config.max_size {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "upload-too-large",
            "The bundle is larger than this server accepts",
            format!(
                "Upload-Length {length} exceeds Tus-Max-Size {}; ask the department to raise the limit",
                state.config.max_size
            ),
        ));
    }
    check_room(&state, length).await?;
    let raw = get(&parts.headers, "upload-metadata")?.unwrap_or("");
    let meta = parse_metadata(raw).map_err(|e| Problem::bad_request(format!("Upload-Metadata: {e}")))?;
    let now = state.clock.now_ms();
    let upload = Upload {
        id: uuid::Uuid::now_v7().to_string(),
        length,
        offset: 0,
        sha256: meta.sha256,
        assessment: meta.assessment,
        filename: meta.filename,
        metadata: raw.to_owned(),
        station: station.did.to_string(),
        created_ms: now,
        expires_ms: now + state.config.upload_expiry.as_millis() as i64,
    };
    state.meta.create_upload(upload.clone()).await?;
    let mut res = StatusCode::CREATED.into_response();
    tus_headers(&mut res);
    header(&mut res, "location", state.url(&format!("/files/{}", upload.id)));
    header(&mut res, "upload-expires", http_date(upload.expires_ms));
    Ok(res)
}

/// Refuses an upload the spool's disk cannot hold: its parts, then the assembled copy that is
/// verified (the parts are deleted only after the outcome is recorded), plus 1 MiB of slack.
/// Filling up half-way would leave the station retrying a bundle the server cannot finish.
async fn check_room(state: &AppState, length: u64) -> Result<(), Problem> {
    let needed = length.saturating_mul(2).saturating_add(1 << 20);
    let spool = state.spool.clone();
    let free = tokio::task::spawn_blocking(move || crate::blob::files::free_space(&spool))
        .await
        .map_err(|e| Problem::internal(e.to_string()))?
        .map_err(|e| Problem::io("cannot read the free space of the spool", &e))?;
    match free {
        Some(free) if free < needed => Err(Problem::no_room(needed, free)),
        _ => Ok(()),
    }
}

/// Loads an upload the requesting station owns; unknown, expired and foreign uploads are 404.
async fn owned(state: &AppState, id: &str, station: &Station) -> Result<Upload, Problem> {
    let gone =
        || Problem::not_found(format!("no upload {id} (it finished, expired or never existed); create a new upload"));
    let upload = state.meta.upload(id).await?.ok_or_else(gone)?;
    if upload.station != station.did.to_string() || upload.expires_ms < state.clock.now_ms() {
        return Err(gone());
    }
    Ok(upload)
}

/// `HEAD /files/<id>`: the current offset.
pub async fn head(State(state): State<AppState>, Path(id): Path<String>, parts: Parts) -> Result<Response, Problem> {
    check_version(&parts.headers)?;
    let station = authenticate(&state, &parts).await?;
    let upload = owned(&state, &id, &station).await?;
    let mut res = StatusCode::OK.into_response();
    tus_headers(&mut res);
    header(&mut res, "upload-offset", upload.offset);
    header(&mut res, "upload-length", upload.length);
    header(&mut res, "upload-expires", http_date(upload.expires_ms));
    if !upload.metadata.is_empty() {
        header(&mut res, "upload-metadata", &upload.metadata);
    }
    Ok(res)
}

/// `DELETE /files/<id>`: abandons an upload.
pub async fn delete(State(state): State<AppState>, Path(id): Path<String>, parts: Parts) -> Result<Response, Problem> {
    check_version(&parts.headers)?;
    let station = authenticate(&state, &parts).await?;
    owned(&state, &id, &station).await?;
    let lock = state.upload_lock(&id);
    let _guard = lock.lock().await;
    discard_upload(&state, &id).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    tus_headers(&mut res);
    Ok(res)
}

/// Forgets an upload and deletes its bytes.
pub async fn discard_upload(state: &AppState, id: &str) -> Result<(), Problem> {
    let mut keys = state.meta.delete_upload(id).await?;
    keys.extend(state.blobs.in_place(id).map(|(key, _)| key));
    keys.sort();
    keys.dedup();
    for key in keys {
        state.blobs.delete(&key).await?;
    }
    state.forget_upload(id);
    Ok(())
}

enum Checksum {
    Sha1(Vec<u8>),
    Sha256(Vec<u8>),
}

fn parse_checksum(v: &str) -> Result<Checksum, Problem> {
    let (alg, b64) = v
        .trim()
        .split_once(' ')
        .ok_or_else(|| Problem::bad_request("Upload-Checksum must be '<algorithm> <base64>'"))?;
    let sum =
        STANDARD.decode(b64.trim()).map_err(|_| Problem::bad_request("the Upload-Checksum value is not base64"))?;
    match alg {
        "sha1" => Ok(Checksum::Sha1(sum)),
        "sha256" => Ok(Checksum::Sha256(sum)),
        other => {
            Err(Problem::bad_request(format!("checksum algorithm {other:?} is not supported; use sha1 or sha256")))
        }
    }
}

/// `PATCH /files/<id>`: appends a chunk; the last one completes the upload.
pub async fn patch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, Problem> {
    let (parts, body) = req.into_parts();
    check_version(&parts.headers)?;
    let station = authenticate(&state, &parts).await?;
    match get(&parts.headers, "content-type")? {
        Some("application/offset+octet-stream") => {}
        _ => {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "bad-content-type",
                "PATCH bodies must be application/offset+octet-stream",
                "send Content-Type: application/offset+octet-stream",
            ))
        }
    }
    let offset =
        number(&parts.headers, "upload-offset")?.ok_or_else(|| Problem::bad_request("Upload-Offset is missing"))?;
    let checksum = get(&parts.headers, "upload-checksum")?.map(parse_checksum).transpose()?;
    let declared_len = number(&parts.headers, "content-length")?;

    let lock = state.upload_lock(&id);
    let _guard = lock.lock().await;
    let upload = owned(&state, &id, &station).await?;
    if offset != upload.offset {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "offset-mismatch",
            "Upload-Offset does not match the server's offset",
            format!("the server holds {} bytes of this upload; send HEAD and resume from Upload-Offset", upload.offset),
        ));
    }
    if upload.offset == upload.length {
        // Everything arrived but finishing failed earlier (e.g. a full disk): try again.
        return receive::finish(&state, &upload).await;
    }
    let too_large = || {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "upload-too-large",
            "More bytes than the declared Upload-Length",
            format!("this upload was declared as {} bytes; nothing of this chunk was kept", upload.length),
        )
    };
    if declared_len.is_some_and(|n| offset + n > upload.length) {
        return Err(too_large());
    }

    let chunk = Chunk::open(&state, &id, offset).await?;
    let running = state.running.take(&id, offset);
    let file = (chunk.writer()?, chunk.sync_each());
    let checked = receive_body(&state, body, file, &checksum, upload.length - offset, running).await.and_then(|got| {
        let received = got.kept.ok_or_else(too_large)?;
        check_chunk(&got, &checksum).map(|()| (received, got))
    });
    let (received, got) = match checked {
        Ok(kept) => kept,
        Err(refused) => {
            // Nothing of a refused chunk is kept, and its bytes must not hold on to the disk.
            chunk.discard(offset);
            return Err(refused);
        }
    };
    let cut = got.cut;
    let new_offset = offset + received;
    if received > 0 {
        let in_place = matches!(chunk, Chunk::InPlace { .. });
        let key = chunk.keep(&state, &id, offset).await?;
        let part = Part { offset, len: received, key: key.clone() };
        if !state.meta.commit_part(&id, part).await? {
            if !in_place {
                state.blobs.delete(&key).await?;
            }
            return Err(Problem::new(
                StatusCode::CONFLICT,
                "offset-mismatch",
                "Another request moved this upload's offset",
                "send HEAD and resume from the server's Upload-Offset",
            ));
        }
    }
    if let Some(ctx) = got.running {
        state.running.put(&id, new_offset, ctx);
    }
    if cut {
        // The client is gone (or stalled); what arrived is stored and counted.
        return Err(Problem::bad_request(format!(
            "the request body ended early; {new_offset} bytes are held, resume from there"
        )));
    }
    if new_offset == upload.length {
        let done = Upload { offset: new_offset, ..upload };
        return receive::finish(&state, &done).await;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    tus_headers(&mut res);
    header(&mut res, "upload-offset", new_offset);
    header(&mut res, "upload-expires", http_date(upload.expires_ms));
    Ok(res)
}

/// Refuses a chunk whose `Upload-Checksum` does not match (or cannot, being cut short).
fn check_chunk(got: &Received, checksum: &Option<Checksum>) -> Result<(), Problem> {
    let Some(sum) = checksum else { return Ok(()) };
    if got.cut {
        return Err(Problem::bad_request(
            "the chunk was cut short, so its checksum cannot match; nothing was kept, resume from Upload-Offset",
        ));
    }
    let expected = match sum {
        Checksum::Sha1(s) | Checksum::Sha256(s) => s,
    };
    if got.checksum.as_deref() != Some(expected.as_slice()) {
        return Err(Problem::new(
            StatusCode::from_u16(CHECKSUM_MISMATCH).expect("460 is a valid status"),
            "checksum-mismatch",
            "Checksum Mismatch",
            "the chunk's checksum differs from Upload-Checksum; it was discarded, send it again",
        ));
    }
    Ok(())
}

/// What arrived of a `PATCH` body.
struct Received {
    /// `None` if more than the upload's remaining bytes arrived, else how many were kept.
    kept: Option<u64>,
    /// The digest for `Upload-Checksum`, if one was sent.
    checksum: Option<Vec<u8>>,
    /// Whether the body ended early (a disconnect or a stall).
    cut: bool,
    /// The upload's running hash, including this body.
    running: Option<digest::Context>,
}

/// Streams the body into `file` (see [`staging::writer`]), at most `room` bytes, and syncs it
/// if `sync` is set.
async fn receive_body(
    state: &AppState,
    body: Body,
    (file, sync): (std::fs::File, bool),
    checksum: &Option<Checksum>,
    room: u64,
    running: Option<digest::Context>,
) -> Result<Received, Problem> {
    let ctx = checksum.as_ref().map(|c| match c {
        Checksum::Sha1(_) => digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY),
        Checksum::Sha256(_) => digest::Context::new(&digest::SHA256),
    });
    let (tx, written) = staging::writer(file, sync, ctx, running);
    let mut stream = body.into_data_stream();
    let mut received = 0u64;
    let mut cut = false;
    loop {
        let next = tokio::time::timeout(state.config.body_idle_timeout, stream.next()).await;
        let chunk = match next {
            Ok(Some(Ok(chunk))) => chunk,
            Ok(None) => break,
            Ok(Some(Err(_))) | Err(_) => {
                cut = true;
                break;
            }
        };
        received += chunk.len() as u64;
        if received > room {
            return Ok(Received { kept: None, checksum: None, cut: false, running: None });
        }
        if tx.send(chunk).await.is_err() {
            break; // the writer failed; its error is reported below
        }
    }
    drop(tx);
    let written = written
        .await
        .map_err(|e| Problem::internal(format!("the upload writer stopped: {e}")))?
        .map_err(|e| Problem::io("cannot write the upload's file", &e))?;
    Ok(Received {
        kept: Some(received),
        checksum: written.checksum.map(|d| d.as_ref().to_vec()),
        cut,
        running: written.running,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata() {
        let b = |s: &str| STANDARD.encode(s);
        let sha = "a".repeat(64);
        let raw = format!(
            "filename {},sha256 {},assessment {},extra",
            b("x.zip"),
            b(&sha),
            b("0193f6a0-0000-7000-8000-000000000001")
        );
        let m = parse_metadata(&raw).unwrap();
        assert_eq!(m.sha256, sha);
        assert!(parse_metadata(&format!("sha256 {}", b("nothex"))).unwrap_err().contains("64 lowercase hex"));
        assert!(parse_metadata("").unwrap_err().contains("sha256"));
    }
}
