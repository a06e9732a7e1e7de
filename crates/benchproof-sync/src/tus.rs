//! A blocking tus 1.0.0 client (core, creation, checksum with `sha256`) that signs every request
//! but `OPTIONS` as `docs/sync-protocol.md` says.
//!
//! Invariants: the client never assumes what the server holds — after any failed `PATCH` (a cut,
//! a timeout, `409`, `460`) it asks with `HEAD` and continues from the server's offset, so bytes
//! re-sent after a cut are at most one chunk. A chunk is read from the file at exactly the offset
//! it is sent for, and carries its SHA-256 in `Upload-Checksum`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use benchproof_evidence::SigningKey;
use ring::rand::{SecureRandom, SystemRandom};
use ureq::http::Response;
use ureq::Agent;

use crate::error::{Problem, TusError};
use crate::signing::{sign_request, RequestParts};
use crate::throttle::{MeteredReader, TokenBucket};

/// The protocol version every request and response carries.
pub const TUS_VERSION: &str = "1.0.0";
/// Default chunk size: 4 MiB.
pub const DEFAULT_CHUNK: usize = 4 * 1024 * 1024;
/// Failed `PATCH`es in a row without any progress before an upload is abandoned for this run.
const MAX_FRUITLESS_TRIES: u32 = 3;

/// Settings of a [`TusClient`].
#[derive(Debug, Clone)]
pub struct TusConfig {
    /// The creation URL, e.g. `https://dept.example.edu/files/`.
    pub files_url: String,
    /// Bytes per `PATCH` (at least 1).
    pub chunk_size: usize,
    /// Optional cap in bytes per second.
    pub bandwidth_limit: Option<u64>,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for any single read or write on the connection (a stalled link fails then).
    pub io_timeout: Duration,
}

impl TusConfig {
    /// Defaults: 4 MiB chunks, no cap, 10 s to connect, 30 s per read or write.
    pub fn new(files_url: impl Into<String>) -> Self {
        TusConfig {
            files_url: files_url.into(),
            chunk_size: DEFAULT_CHUNK,
            bandwidth_limit: None,
            connect_timeout: Duration::from_secs(10),
            io_timeout: Duration::from_secs(30),
        }
    }
}

/// The station's identity for request signatures: its key and department-signed enrolment.
#[derive(Debug)]
pub struct StationIdentity {
    pub key: SigningKey,
    pub enrolment: serde_json::Value,
}

/// What `OPTIONS` reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    pub extensions: Vec<String>,
    pub checksum_algorithms: Vec<String>,
    pub max_size: Option<u64>,
}

/// How an upload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The `Benchproof-Receipt` URL of the final answer, if the server gave one.
    pub receipt_url: Option<String>,
    /// Body bytes put on the wire during this call (more than the remaining length when chunks
    /// had to be re-sent).
    pub bytes_sent: u64,
    /// Bytes the server already held when this call started.
    pub resumed_from: u64,
}

/// Progress of an upload: bytes the server holds or that are in flight, of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub sent: u64,
    pub total: u64,
}

/// A tus client bound to one server.
#[derive(Debug)]
pub struct TusClient {
    agent: Agent,
    config: TusConfig,
    identity: Option<StationIdentity>,
    rng: SystemRandom,
    body_bytes: AtomicU64,
}

impl TusClient {
    /// A client for `config`, signing requests as `identity` when given.
    pub fn new(config: TusConfig, identity: Option<StationIdentity>) -> Self {
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_per_read(Some(config.io_timeout))
            .timeout_per_write(Some(config.io_timeout))
            .max_redirects(0)
            .build()
            .into();
        TusClient { agent, config, identity, rng: SystemRandom::new(), body_bytes: AtomicU64::new(0) }
    }

    /// Body bytes this client has handed to connections since it was made, re-sent ones
    /// included (for measuring what a cut costs).
    pub fn body_bytes_sent(&self) -> u64 {
        self.body_bytes.load(Ordering::Relaxed)
    }

    /// The configuration.
    pub fn config(&self) -> &TusConfig {
        &self.config
    }

    /// `OPTIONS`: checks the server speaks tus 1.0.0 with `creation`, and reads its limits.
    pub fn capabilities(&self) -> Result<Capabilities, TusError> {
        let response = self
            .agent
            .options(&self.config.files_url)
            .header("Tus-Resumable", TUS_VERSION)
            .call()
            .map_err(|e| TusError::transport("OPTIONS", e))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(refusal("OPTIONS", response));
        }
        let versions = header(&response, "tus-version").unwrap_or_default();
        if !versions.split(',').any(|v| v.trim() == TUS_VERSION) {
            return Err(TusError::NotTus {
                url: self.config.files_url.clone(),
                detail: format!("Tus-Version is {versions:?}"),
            });
        }
        let list = |name: &str| -> Vec<String> {
            header(&response, name)
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default()
        };
        let extensions = list("tus-extension");
        if !extensions.iter().any(|e| e == "creation") {
            return Err(TusError::NotTus {
                url: self.config.files_url.clone(),
                detail: "the server does not offer the creation extension".into(),
            });
        }
        Ok(Capabilities {
            extensions,
            checksum_algorithms: list("tus-checksum-algorithm"),
            max_size: header(&response, "tus-max-size").and_then(|v| v.trim().parse().ok()),
        })
    }

    /// `POST`: creates an upload of `length` bytes with `metadata` (`key`, value) pairs and returns
    /// its absolute URL.
    pub fn create(&self, length: u64, metadata: &[(&str, &str)]) -> Result<String, TusError> {
        let encoded: Vec<String> = metadata.iter().map(|(k, v)| format!("{k} {}", STANDARD.encode(v))).collect();
        let length_text = length.to_string();
        let metadata_text = encoded.join(",");
        let url = self.config.files_url.clone();
        let mut fields = vec![("upload-length", length_text.as_str())];
        let mut request =
            self.agent.post(&url).header("Tus-Resumable", TUS_VERSION).header("Upload-Length", &length_text);
        // tus: Upload-Metadata, when present, holds at least one pair.
        if !metadata.is_empty() {
            fields.push(("upload-metadata", metadata_text.as_str()));
            request = request.header("Upload-Metadata", &metadata_text);
        }
        for (name, value) in self.signature("POST", &url, &fields) {
            request = request.header(name, value);
        }
        let response = request.send_empty().map_err(|e| TusError::transport("POST", e))?;
        if response.status().as_u16() != 201 {
            return Err(refusal("POST", response));
        }
        let location = header(&response, "location")
            .ok_or_else(|| TusError::Protocol { detail: "the creation answer has no Location".into() })?;
        Ok(resolve(&url, &location))
    }

    /// `HEAD`: the offset the server holds for `upload_url`.
    pub fn offset(&self, upload_url: &str) -> Result<u64, TusError> {
        let mut request = self.agent.head(upload_url).header("Tus-Resumable", TUS_VERSION);
        for (name, value) in self.signature("HEAD", upload_url, &[]) {
            request = request.header(name, value);
        }
        let response = request.call().map_err(|e| TusError::transport("HEAD", e))?;
        match response.status().as_u16() {
            200 | 204 => parse_offset(&response),
            404 | 410 => Err(TusError::UploadGone { url: upload_url.to_owned() }),
            _ => Err(refusal("HEAD", response)),
        }
    }

    /// Sends `file` (of `length` bytes) to `upload_url` from the server's offset to the end,
    /// re-reading the offset after any failed chunk. `progress` hears about every block read.
    pub fn upload(
        &self,
        upload_url: &str,
        file: &mut File,
        length: u64,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Completion, TusError> {
        let mut offset = self.offset(upload_url)?;
        let resumed_from = offset;
        let mut bytes_sent = 0u64;
        let mut fruitless = 0u32;
        let mut bucket = self
            .config
            .bandwidth_limit
            .map(|rate| TokenBucket::new(rate, rate.min(256 * 1024), std::time::Instant::now()));
        let mut buffer = Vec::new();
        let mut receipt_url = None;
        if offset > length {
            return Err(TusError::Protocol {
                detail: format!("the server holds {offset} bytes of a {length}-byte upload"),
            });
        }
        if offset == length {
            // Every byte is held, but the server may not have finished the upload (it stopped,
            // or its disk filled, between the last byte and the verdict): an empty PATCH at the
            // end asks it to finish, and answers with the receipt as the last PATCH would.
            return match self.patch(upload_url, offset, &[], &checksum_of(&[]), None, &mut |_| {}).1? {
                PatchAnswer::Accepted { receipt, .. } => Ok(Completion {
                    receipt_url: receipt.map(|r| resolve(upload_url, &r)),
                    bytes_sent: 0,
                    resumed_from: offset,
                }),
                PatchAnswer::Resync => Err(TusError::Stalled { offset, tries: 1 }),
            };
        }
        let chunk_size = self.config.chunk_size.max(1) as u64;
        let mut prepared: Option<Prepared> = None;
        while offset < length {
            let end = (offset + chunk_size).min(length);
            let chunk = match prepared.take() {
                Some(p) if p.offset == offset && p.bytes.len() as u64 == end - offset => p,
                // After a resync the chunk read ahead is the wrong one: reuse its allocation.
                stale => Prepared::read(file, offset, end, stale.map(|p| p.bytes).unwrap_or_default())?,
            };
            let chunk_start = offset;
            let mut report = |read: u64| progress(Progress { sent: chunk_start + read, total: length });
            // Read and hash the following chunk while this one is on the wire.
            let (attempt, following) = std::thread::scope(|s| {
                let following = (end < length).then(|| {
                    let spare = std::mem::take(&mut buffer);
                    let file = &mut *file;
                    s.spawn(move || Prepared::read(file, end, (end + chunk_size).min(length), spare))
                });
                let attempt =
                    self.patch(upload_url, offset, &chunk.bytes, &chunk.checksum, bucket.as_mut(), &mut report);
                (attempt, following.map(|h| h.join().expect("the chunk reader does not panic")))
            });
            buffer = chunk.bytes;
            prepared = following.transpose()?;
            let (sent, result) = attempt;
            bytes_sent += sent;
            let failure = match result {
                Ok(PatchAnswer::Accepted { new_offset, receipt }) => {
                    if new_offset <= offset || new_offset > end {
                        return Err(TusError::Protocol {
                            detail: format!("after a PATCH of {offset}..{end} the server reports offset {new_offset}"),
                        });
                    }
                    offset = new_offset;
                    receipt_url = receipt.map(|r| resolve(upload_url, &r));
                    fruitless = 0;
                    None
                }
                Ok(PatchAnswer::Resync) => Some(TusError::Stalled { offset, tries: fruitless + 1 }),
                Err(e @ TusError::Transport { .. }) => Some(e),
                Err(other) => return Err(other),
            };
            if let Some(failure) = failure {
                let before = offset;
                match self.offset(upload_url) {
                    Ok(held) if held > length => {
                        return Err(TusError::Protocol {
                            detail: format!("the server holds {held} of {length} bytes"),
                        });
                    }
                    Ok(held) => offset = held,
                    // The link is still down: count it as a fruitless try and ask again.
                    Err(TusError::Transport { .. }) => {}
                    Err(other) => return Err(other),
                }
                if offset <= before {
                    fruitless += 1;
                    if fruitless >= MAX_FRUITLESS_TRIES {
                        return Err(failure);
                    }
                } else {
                    fruitless = 0;
                }
            }
            progress(Progress { sent: offset, total: length });
        }
        Ok(Completion { receipt_url, bytes_sent, resumed_from })
    }

    /// One `PATCH`; returns the body bytes handed to the connection and the answer.
    fn patch(
        &self,
        upload_url: &str,
        offset: u64,
        chunk: &[u8],
        checksum: &str,
        bucket: Option<&mut TokenBucket>,
        report: &mut dyn FnMut(u64),
    ) -> (u64, Result<PatchAnswer, TusError>) {
        let offset_text = offset.to_string();
        let fields = vec![("upload-offset", offset_text.as_str()), ("upload-checksum", checksum)];
        let mut request = self
            .agent
            .patch(upload_url)
            .header("Tus-Resumable", TUS_VERSION)
            .header("Content-Type", "application/offset+octet-stream")
            .header("Content-Length", chunk.len().to_string())
            .header("Upload-Offset", &offset_text)
            .header("Upload-Checksum", checksum);
        for (name, value) in self.signature("PATCH", upload_url, &fields) {
            request = request.header(name, value);
        }
        let mut reader = MeteredReader { inner: chunk, bucket, read: 0, on_read: report };
        let result = request.send(ureq::SendBody::from_reader(&mut reader));
        let sent = reader.read;
        self.body_bytes.fetch_add(sent, Ordering::Relaxed);
        let response = match result {
            Ok(r) => r,
            Err(e) => return (sent, Err(TusError::transport("PATCH", e))),
        };
        let answer = match response.status().as_u16() {
            200 | 204 => parse_offset(&response).map(|new_offset| PatchAnswer::Accepted {
                new_offset,
                receipt: header(&response, "benchproof-receipt"),
            }),
            404 | 410 => Err(TusError::UploadGone { url: upload_url.to_owned() }),
            // 460: the chunk was damaged on the way and discarded. 409 without a `conflict`
            // problem: our offset was stale. Both: ask where the server is and go on from there.
            460 => Ok(PatchAnswer::Resync),
            409 => {
                let refusal = refusal("PATCH", response);
                match &refusal {
                    TusError::Refused { problem: Some(p), .. } if p.kind == "conflict" => Err(refusal),
                    _ => Ok(PatchAnswer::Resync),
                }
            }
            _ => Err(refusal("PATCH", response)),
        };
        (sent, answer)
    }

    /// `GET` of a signed JSON resource (a receipt); `Ok(None)` when the server answers 404.
    pub fn get_json(&self, url: &str) -> Result<Option<String>, TusError> {
        let mut request = self.agent.get(url).header("Accept", "application/json");
        for (name, value) in self.signature("GET", url, &[]) {
            request = request.header(name, value);
        }
        let mut response = request.call().map_err(|e| TusError::transport("GET", e))?;
        match response.status().as_u16() {
            200 => response
                .body_mut()
                .with_config()
                .limit(1024 * 1024)
                .read_to_string()
                .map(Some)
                .map_err(|e| TusError::transport("GET", e)),
            404 => Ok(None),
            _ => Err(refusal("GET", response)),
        }
    }

    /// `PUT` with an empty body to a signed resource (a schedule check-in); the answer's body on
    /// `200`, a refusal otherwise. Its data travel in the URL, which the signature covers.
    pub fn put_empty(&self, url: &str) -> Result<String, TusError> {
        let mut request = self.agent.put(url).header("Accept", "application/json");
        for (name, value) in self.signature("PUT", url, &[]) {
            request = request.header(name, value);
        }
        let mut response = request.send_empty().map_err(|e| TusError::transport("PUT", e))?;
        match response.status().as_u16() {
            200 => response
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_string()
                .map_err(|e| TusError::transport("PUT", e)),
            _ => Err(refusal("PUT", response)),
        }
    }

    /// The `did:key` requests are signed with, if any.
    pub fn station_did(&self) -> Option<String> {
        self.identity.as_ref().map(|i| i.key.did_key().to_string())
    }

    /// The signature headers for a request, or none without an identity.
    fn signature(&self, method: &str, url: &str, fields: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        let Some(identity) = &self.identity else { return Vec::new() };
        let created = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let mut nonce = [0u8; 16];
        self.rng.fill(&mut nonce).expect("the system random generator works");
        let parts = RequestParts { method, target_uri: url, fields: fields.to_vec() };
        let headers =
            sign_request(&parts, &identity.key, created, &benchproof_tlog::to_hex(&nonce), &identity.enrolment);
        vec![
            ("Signature-Input", headers.signature_input),
            ("Signature", headers.signature),
            ("Benchproof-Enrolment", headers.enrolment),
        ]
    }
}

enum PatchAnswer {
    Accepted { new_offset: u64, receipt: Option<String> },
    Resync,
}

fn header(response: &Response<ureq::Body>, name: &str) -> Option<String> {
    response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn parse_offset(response: &Response<ureq::Body>) -> Result<u64, TusError> {
    header(response, "upload-offset")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| TusError::Protocol { detail: "the answer has no valid Upload-Offset".into() })
}

/// A non-success answer as an error, with its RFC 9457 problem when the body is one.
fn refusal(during: &'static str, mut response: Response<ureq::Body>) -> TusError {
    let status = response.status().as_u16();
    let body = response.body_mut().with_config().limit(64 * 1024).read_to_string().unwrap_or_default();
    let problem = serde_json::from_str::<Problem>(&body).ok();
    TusError::Refused { during, status, problem, body: body.chars().take(500).collect() }
}

/// One chunk read from the file, with its `Upload-Checksum` value.
struct Prepared {
    offset: u64,
    bytes: Vec<u8>,
    checksum: String,
}

impl Prepared {
    /// Reads bytes `offset..end` of `file` into `buffer` (reusing its allocation) and hashes them.
    fn read(file: &mut File, offset: u64, end: u64, mut buffer: Vec<u8>) -> Result<Prepared, TusError> {
        buffer.resize((end - offset) as usize, 0);
        file.seek(SeekFrom::Start(offset)).map_err(TusError::File)?;
        file.read_exact(&mut buffer).map_err(TusError::File)?;
        Ok(Prepared { offset, checksum: checksum_of(&buffer), bytes: buffer })
    }
}

/// The `Upload-Checksum` value of `chunk`.
fn checksum_of(chunk: &[u8]) -> String {
    format!("sha256 {}", STANDARD.encode(benchproof_tlog::sha256(chunk)))
}

/// Resolves a `Location` (absolute, absolute-path or relative) against `base`.
fn resolve(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_owned();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    if location.starts_with('/') {
        return format!("{}{location}", &base[..authority_end]);
    }
    let dir_end = base.rfind('/').filter(|i| *i >= authority_end).map_or(base.len(), |i| i + 1);
    let prefix = &base[..dir_end];
    if prefix.ends_with('/') {
        format!("{prefix}{location}")
    } else {
        format!("{prefix}/{location}")
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn locations_resolve_like_a_browser() {
        let base = "http://127.0.0.1:8080/files/";
        assert_eq!(resolve(base, "http://other:1/files/a"), "http://other:1/files/a");
        assert_eq!(resolve(base, "/files/abc"), "http://127.0.0.1:8080/files/abc");
        assert_eq!(resolve(base, "abc"), "http://127.0.0.1:8080/files/abc");
        assert_eq!(resolve("http://h/files/x", "/api/v1/r"), "http://h/api/v1/r");
        assert_eq!(resolve("http://h:1", "/files/x"), "http://h:1/files/x");
    }
}
