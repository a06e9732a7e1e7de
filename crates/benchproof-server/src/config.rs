//! What the CLI hands the server: where to keep data, where to listen, which backends, and the
//! department's trust inputs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use benchproof_bundle::Trust;
use benchproof_evidence::SigningKey;

use crate::clock::Clock;

/// Default `Tus-Max-Size`: 2 GiB.
pub const DEFAULT_MAX_SIZE: u64 = 2 << 30;
/// Default expiry of an abandoned upload: 24 h.
pub const DEFAULT_UPLOAD_EXPIRY: Duration = Duration::from_secs(24 * 3600);

/// Where metadata and blobs live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite+files` (the default): `<data dir>/server.sqlite` and `<data dir>/blobs/`.
    Embedded,
    /// PostgreSQL metadata and an S3-compatible blob store, shareable by several processes.
    Scale { postgres: String, s3: S3Config },
}

/// An S3-compatible bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    /// The bucket name (`s3://<bucket>`).
    pub bucket: String,
    /// Endpoint for non-AWS stores (`http://127.0.0.1:9000`); `None` for AWS.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Allow plain `http://` endpoints (a store on loopback or a private network).
    pub allow_http: bool,
}

impl Backend {
    /// Parses `sqlite+files`, or a `postgres://…` URL together with `s3://bucket`.
    pub fn parse(metadata: &str, blobs: Option<S3Config>) -> Result<Backend, String> {
        match (metadata, blobs) {
            ("sqlite+files", None) => Ok(Backend::Embedded),
            (url, Some(s3)) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Backend::Scale { postgres: url.to_owned(), s3 })
            }
            (url, None) if url.starts_with("postgres") => {
                Err("a PostgreSQL backend also needs an S3-compatible bucket (s3://bucket) for the bundles".into())
            }
            (other, _) => Err(format!("unknown backend {other:?}: use sqlite+files, or postgres://… with s3://bucket")),
        }
    }
}

/// Everything the server needs to run.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Local state: the embedded database and blobs, and the spool for uploads in flight (also
    /// with the `Scale` backend, so it must have room for the largest bundle being received).
    pub data_dir: PathBuf,
    /// Where to listen; port 0 picks a free port (see [`crate::RunningServer::addr`]).
    pub addr: SocketAddr,
    pub backend: Backend,
    /// The department key: it signs checkpoints, and receipts name it as `logKey`.
    pub department_key: Arc<SigningKey>,
    /// The department did and revocation list: which stations and bundles are trusted.
    pub trust: Trust,
    /// The log's origin line, e.g. `benchproof.example.edu/log`.
    pub log_origin: String,
    /// The URL stations use when a reverse proxy is in front (`https://bench.example.edu`):
    /// `@target-uri` is checked against it, and `Location`/receipt URLs are built from it.
    pub public_url: Option<String>,
    /// `Tus-Max-Size`.
    pub max_size: u64,
    /// How long an upload may stay unfinished.
    pub upload_expiry: Duration,
    /// How often abandoned uploads are swept.
    pub sweep_every: Duration,
    /// How long a silent client may hold an upload's lock during a PATCH.
    pub body_idle_timeout: Duration,
    /// The clock (the system clock outside tests).
    pub clock: Clock,
    /// How credentials name the department (`did:key` unless a `did:web` domain is given).
    pub issuer: crate::credentials::IssuerConfig,
}

impl ServerConfig {
    /// The embedded default for a department: `sqlite+files` under `data_dir`, listening on `addr`.
    pub fn embedded(data_dir: PathBuf, addr: SocketAddr, department_key: SigningKey, trust: Trust) -> ServerConfig {
        ServerConfig {
            data_dir,
            addr,
            backend: Backend::Embedded,
            department_key: Arc::new(department_key),
            trust,
            log_origin: "benchproof/log".into(),
            public_url: None,
            max_size: DEFAULT_MAX_SIZE,
            upload_expiry: DEFAULT_UPLOAD_EXPIRY,
            sweep_every: Duration::from_secs(600),
            body_idle_timeout: Duration::from_secs(60),
            clock: Clock::system(),
            issuer: crate::credentials::IssuerConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_selection() {
        assert_eq!(Backend::parse("sqlite+files", None), Ok(Backend::Embedded));
        assert!(Backend::parse("postgres://x", None).unwrap_err().contains("s3://"));
        assert!(Backend::parse("mysql://x", None).unwrap_err().contains("unknown backend"));
    }
}
