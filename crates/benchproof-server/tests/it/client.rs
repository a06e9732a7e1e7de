//! A small HTTP/1.1 client and tus station for the tests: one connection per request, requests
//! signed as `docs/sync-protocol.md` says (RFC 9421, Ed25519, enrolment header).

use std::net::SocketAddr;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use benchproof_evidence::SigningKey;
use ring::rand::{SecureRandom, SystemRandom};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response, fully read.
#[derive(Debug)]
pub struct Res {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Res {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The problem `type` of an error response.
    pub fn problem(&self) -> String {
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{self:?}");
        self.json()["type"].as_str().unwrap().to_owned()
    }
}

/// Writes a request (headers, then `body`), and reads the response.
pub async fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> Res {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(&head(addr, method, path, headers, body.len())).await.unwrap();
    s.write_all(body).await.unwrap();
    read_response(&mut s, method == "HEAD").await
}

/// The request line and headers.
pub fn head(addr: SocketAddr, method: &str, path: &str, headers: &[(String, String)], len: usize) -> Vec<u8> {
    let mut h = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    if method != "HEAD" && method != "GET" && method != "OPTIONS" {
        h.push_str(&format!("content-length: {len}\r\n"));
    }
    h.push_str("\r\n");
    h.into_bytes()
}

pub async fn read_response(s: &mut TcpStream, is_head: bool) -> Res {
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let text = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = buf[split + 4..].to_vec();
    if is_head {
        body.clear();
    }
    Res { status, headers, body }
}

/// A station: its key and its signed enrolment.
pub struct Station {
    pub key: SigningKey,
    pub enrolment: serde_json::Value,
}

pub fn nonce() -> String {
    let mut b = [0u8; 16];
    SystemRandom::new().fill(&mut b).unwrap();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Station {
    /// Signature headers for a request carrying `tus` headers (name, value), at `created`.
    pub fn sign(
        &self,
        addr: SocketAddr,
        method: &str,
        path: &str,
        tus: &[(&str, String)],
        created: i64,
    ) -> Vec<(String, String)> {
        let order = ["upload-offset", "upload-length", "upload-checksum", "upload-metadata"];
        let mut covered = vec!["\"@method\"".to_owned(), "\"@target-uri\"".to_owned()];
        let mut base = format!("\"@method\": {method}\n\"@target-uri\": http://{addr}{path}\n");
        let mut headers: Vec<(String, String)> = vec![("tus-resumable".into(), "1.0.0".into())];
        for name in order {
            if let Some((_, v)) = tus.iter().find(|(n, _)| *n == name) {
                covered.push(format!("\"{name}\""));
                base.push_str(&format!("\"{name}\": {v}\n"));
            }
        }
        for (n, v) in tus {
            headers.push((n.to_string(), v.clone()));
        }
        let params = format!(
            "({});created={created};nonce=\"{}\";keyid=\"{}\";alg=\"ed25519\"",
            covered.join(" "),
            nonce(),
            self.key.did_key()
        );
        base.push_str(&format!("\"@signature-params\": {params}"));
        let sig = self.key.sign(base.as_bytes());
        headers.push(("signature-input".into(), format!("bp={params}")));
        headers.push(("signature".into(), format!("bp=:{}:", STANDARD.encode(sig))));
        headers.push((
            "benchproof-enrolment".into(),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&self.enrolment).unwrap()),
        ));
        headers
    }
}

/// Standard base64, as tus metadata and checksums use.
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Upload-Metadata for a bundle.
pub fn metadata(bundle: &[u8], assessment: &str) -> String {
    format!(
        "filename {},sha256 {},assessment {}",
        b64(format!("benchproof-{assessment}.zip").as_bytes()),
        b64(sha256_hex(bundle).as_bytes()),
        b64(assessment.as_bytes())
    )
}
