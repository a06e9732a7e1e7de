//! A small stand-in for the department server, enough to drive the worker end to end: the tus
//! subset of `docs/sync-protocol.md` (with `Upload-Checksum` and RFC 9421 signatures checked by
//! `benchproof_sync::signing::verify_request`), a real RFC 6962 log via `benchproof-tlog`, signed
//! checkpoints, receipts and consistency proofs. It can refuse bundles (422) or rewrite its log,
//! so the worker's alerts can be tested. One request per connection, answered then closed.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use benchproof_evidence::SigningKey;
use benchproof_sync::signing::{verify_request, RequestParts};
use benchproof_tlog::{
    consistency_proof, encode_proof, inclusion_proof, leaf_hash, parse_hex_hash, root, sha256, to_hex, Checkpoint,
    ConsistencyResponse, Hash, Receipt, RECEIPT_TYPE,
};

pub const ORIGIN: &str = "dept.test/log";

/// How the stand-in behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Honest,
    /// Answer the final PATCH with 422 invalid-bundle.
    RefuseBundles,
}

#[derive(Debug, Default)]
struct Upload {
    length: u64,
    sha256: String,
    assessment: String,
    bytes: Vec<u8>,
}

#[derive(Debug)]
pub struct State {
    pub mode: Mode,
    uploads: HashMap<String, Upload>,
    /// Bundle digests in log order.
    pub log: Vec<Hash>,
    /// Requests whose signature did not verify.
    pub bad_signatures: u32,
    next_id: u32,
}

#[derive(Debug)]
pub struct Department {
    pub port: u16,
    pub state: Arc<Mutex<State>>,
    pub key: Arc<SigningKey>,
}

impl Department {
    pub fn start(key: SigningKey) -> Department {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            mode: Mode::Honest,
            uploads: HashMap::new(),
            log: Vec::new(),
            bad_signatures: 0,
            next_id: 0,
        }));
        let key = Arc::new(key);
        let (s, k) = (state.clone(), key.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (s, k) = (s.clone(), k.clone());
                thread::spawn(move || {
                    let _ = serve(stream, port, &s, &k);
                });
            }
        });
        Department { port, state, key }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Replaces the log's first leaf: what a department hiding a bundle would do.
    pub fn rewrite_history(&self) {
        let mut state = self.state.lock().unwrap();
        state.log[0] = sha256(b"a bundle that was never there");
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn read_request(stream: &TcpStream) -> std::io::Result<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    Ok(Request { method, path, headers, body })
}

fn respond(mut stream: TcpStream, status: u16, headers: &[(&str, String)], body: &str) -> std::io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nTus-Resumable: 1.0.0\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    stream.write_all(out.as_bytes())
}

fn problem(kind: &str, detail: &str) -> String {
    serde_json::json!({"type": kind, "title": kind, "detail": detail}).to_string()
}

fn serve(stream: TcpStream, port: u16, state: &Mutex<State>, key: &SigningKey) -> std::io::Result<()> {
    let req = read_request(&stream)?;
    let target = format!("http://127.0.0.1:{port}{}", req.path);
    if req.method != "OPTIONS" && !req.path.starts_with("/api/v1/log/") {
        let fields: Vec<(&str, &str)> = ["upload-offset", "upload-length", "upload-checksum", "upload-metadata"]
            .iter()
            .filter_map(|n| req.header(n).map(|v| (*n, v)))
            .collect();
        let parts = RequestParts { method: &req.method, target_uri: &target, fields };
        let ok = match (req.header("signature-input"), req.header("signature"), req.header("benchproof-enrolment")) {
            (Some(i), Some(s), Some(_)) => verify_request(&parts, i, s).is_ok(),
            _ => false,
        };
        if !ok {
            state.lock().unwrap().bad_signatures += 1;
            return respond(
                stream,
                401,
                &[("WWW-Authenticate", "Signature".into())],
                &problem("unauthorised-station", "sign it"),
            );
        }
    }
    let mut st = state.lock().unwrap();
    match (req.method.as_str(), req.path.as_str()) {
        ("OPTIONS", "/files/") => respond(
            stream,
            204,
            &[
                ("Tus-Version", "1.0.0".into()),
                ("Tus-Extension", "creation,checksum,termination,expiration".into()),
                ("Tus-Checksum-Algorithm", "sha1,sha256".into()),
                ("Tus-Max-Size", "2147483648".into()),
            ],
            "",
        ),
        ("POST", "/files/") => {
            let length = req.header("upload-length").and_then(|v| v.parse().ok()).unwrap_or(0);
            let meta: HashMap<String, String> = req
                .header("upload-metadata")
                .unwrap_or_default()
                .split(',')
                .filter_map(|kv| kv.split_once(' '))
                .map(|(k, v)| (k.to_owned(), String::from_utf8(STANDARD.decode(v).unwrap()).unwrap()))
                .collect();
            st.next_id += 1;
            let id = format!("u{}", st.next_id);
            let upload = Upload {
                length,
                sha256: meta.get("sha256").cloned().unwrap_or_default(),
                assessment: meta.get("assessment").cloned().unwrap_or_default(),
                bytes: Vec::new(),
            };
            st.uploads.insert(id.clone(), upload);
            respond(stream, 201, &[("Location", format!("/files/{id}"))], "")
        }
        ("HEAD", path) if path.starts_with("/files/") => match st.uploads.get(&path[7..]) {
            Some(u) => respond(
                stream,
                200,
                &[("Upload-Offset", u.bytes.len().to_string()), ("Upload-Length", u.length.to_string())],
                "",
            ),
            None => respond(stream, 404, &[], ""),
        },
        ("PATCH", path) if path.starts_with("/files/") => {
            let mode = st.mode;
            let Some(u) = st.uploads.get_mut(&path[7..]) else { return respond(stream, 404, &[], "") };
            let offset: usize = req.header("upload-offset").and_then(|v| v.parse().ok()).unwrap_or(usize::MAX);
            if offset != u.bytes.len() {
                return respond(stream, 409, &[], &problem("offset-mismatch", "HEAD and resume"));
            }
            let expected = format!("sha256 {}", STANDARD.encode(sha256(&req.body)));
            if req.header("upload-checksum") != Some(expected.as_str()) {
                return respond(stream, 460, &[], &problem("checksum-mismatch", "resend"));
            }
            u.bytes.extend_from_slice(&req.body);
            let offset = u.bytes.len().to_string();
            if (u.bytes.len() as u64) < u.length {
                return respond(stream, 204, &[("Upload-Offset", offset)], "");
            }
            let digest = sha256(&u.bytes);
            if mode == Mode::RefuseBundles || to_hex(&digest) != u.sha256 {
                return respond(stream, 422, &[], &problem("invalid-bundle", "the signature check failed"));
            }
            if !st.log.contains(&digest) {
                st.log.push(digest);
            }
            let url = format!("/api/v1/bundles/{}/receipt", to_hex(&digest));
            respond(stream, 204, &[("Upload-Offset", offset), ("Benchproof-Receipt", url)], "")
        }
        ("GET", path) if path.starts_with("/api/v1/bundles/") => {
            let hex = path.trim_start_matches("/api/v1/bundles/").trim_end_matches("/receipt");
            let Some(digest) = parse_hex_hash(hex) else { return respond(stream, 404, &[], "") };
            let Some(index) = st.log.iter().position(|d| *d == digest) else { return respond(stream, 404, &[], "") };
            let leaves: Vec<Hash> = st.log.iter().map(|d| leaf_hash(d)).collect();
            let cp = Checkpoint { origin: ORIGIN.into(), size: leaves.len() as u64, root: root(&leaves) };
            let assessment =
                st.uploads.values().find(|u| u.sha256 == hex).map(|u| u.assessment.clone()).unwrap_or_default();
            let receipt = Receipt {
                kind: RECEIPT_TYPE.into(),
                format_version: 1,
                bundle_sha256: hex.to_owned(),
                assessment,
                leaf_index: index as u64,
                checkpoint: cp.sign(key, ORIGIN).unwrap(),
                inclusion_proof: encode_proof(&inclusion_proof(&leaves, index as u64).unwrap()),
                log_key: key.did_key(),
                received_at: benchproof_evidence::XsdDateTime::parse_stamp("2026-11-29T10:00:00Z").unwrap(),
            };
            respond(
                stream,
                200,
                &[("Content-Type", "application/json".into())],
                &serde_json::to_string(&receipt).unwrap(),
            )
        }
        ("GET", path) if path.starts_with("/api/v1/log/consistency?") => {
            let query: HashMap<&str, u64> = path
                .split_once('?')
                .unwrap()
                .1
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k, v.parse().unwrap()))
                .collect();
            let leaves: Vec<Hash> = st.log.iter().map(|d| leaf_hash(d)).collect();
            let (from, to) = (query["from"], query["to"]);
            let proof = consistency_proof(&leaves, from, to).unwrap();
            let body = ConsistencyResponse { from, to, proof: encode_proof(&proof) };
            respond(stream, 200, &[("Content-Type", "application/json".into())], &serde_json::to_string(&body).unwrap())
        }
        _ => respond(stream, 404, &[], ""),
    }
}
