//! Starting a server for a test: a temp data dir, loopback port 0, the golden department key.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use benchproof_bundle::Trust;
use benchproof_evidence::enrolment::{Department, Enrolment, RevocationList, Role, ENROLMENT_TYPE};
use benchproof_evidence::{SigningKey, XsdDateTime};
use std::sync::Arc;

use benchproof_server::blob::files::FileBlobs;
use benchproof_server::meta::postgres::PgMeta;
use benchproof_server::{Backend, Clock, RunningServer, ServerConfig};

use crate::client::{metadata, send, Res, Station};
use crate::golden;

pub const MAX_SIZE: u64 = 64 << 20;

/// Which backends a test runs against.
#[derive(Debug, Clone)]
pub enum Kind {
    /// SQLite + files, through `serve` (the zero-configuration default).
    Embedded,
    /// PostgreSQL (at this URL) + files, through `serve_with`.
    Postgres(String),
    /// PostgreSQL + an S3-compatible server (`s3s-fs`), through `serve` with `Backend::Scale`.
    Scale(String),
}

async fn boot(kind: &Kind, config: &ServerConfig) -> RunningServer {
    match kind {
        Kind::Embedded => benchproof_server::serve(config.clone()).await.unwrap(),
        Kind::Postgres(url) => {
            let meta = Arc::new(PgMeta::connect(url).await.unwrap());
            let blobs = Arc::new(FileBlobs::open(&config.data_dir.join("blobs")).unwrap());
            benchproof_server::server::serve_with(config.clone(), meta, blobs).await.unwrap()
        }
        Kind::Scale(_) => benchproof_server::serve(config.clone()).await.unwrap(),
    }
}

/// A running server and what the test needs to talk to it.
pub struct Env {
    pub kind: Kind,
    pub server: Option<RunningServer>,
    pub addr: SocketAddr,
    pub config: ServerConfig,
    pub clock: Clock,
    pub station: Station,
    pub _dir: tempfile::TempDir,
}

pub fn stamp(ms: i64) -> XsdDateTime {
    XsdDateTime::parse_stamp(
        &chrono::DateTime::from_timestamp_millis(ms).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
    .unwrap()
}

/// A station enrolment by `department`, valid from a day ago for 30 days.
pub fn enrol(department: &SigningKey, station: &SigningKey, role: Role, n: u32) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp_millis();
    Enrolment {
        kind: ENROLMENT_TYPE.into(),
        format_version: 1,
        id: format!("urn:uuid:{}", uuid::Uuid::from_u128(0x0193_f6a0_0000_7000_8000_0000_0000_0000 + n as u128)),
        department: Department { did: department.did_key(), name: "Dept. of Electrical Engineering".into() },
        subject: station.did_key(),
        role,
        name: format!("bench {n}"),
        valid_from: stamp(now - 86_400_000),
        valid_until: stamp(now + 30 * 86_400_000),
    }
    .issue(department, stamp(now - 86_400_000))
    .unwrap()
}

pub fn config(data_dir: PathBuf, revocations: Option<RevocationList>) -> ServerConfig {
    let k = golden::keys();
    let trust = Trust { department: k.department.did_key(), revocations };
    let mut c = ServerConfig::embedded(data_dir, "127.0.0.1:0".parse().unwrap(), k.department, trust);
    c.backend = Backend::Embedded;
    c.max_size = MAX_SIZE;
    c.log_origin = "benchproof.test/log".into();
    c.body_idle_timeout = Duration::from_secs(20);
    c
}

impl Env {
    pub async fn start(kind: Kind) -> Env {
        Env::start_with(kind, None).await
    }

    pub async fn start_with(kind: Kind, revocations: Option<RevocationList>) -> Env {
        Env::start_configured(kind, revocations, |_| {}).await
    }

    /// Like [`Env::start_with`], with a last change to the configuration.
    pub async fn start_configured(
        kind: Kind,
        revocations: Option<RevocationList>,
        tweak: impl FnOnce(&mut ServerConfig),
    ) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path().join("data"), revocations);
        tweak(&mut config);
        if let Kind::Scale(url) = &kind {
            let s3 = crate::s3::start(&dir.path().join("s3")).await;
            config.backend = Backend::Scale { postgres: url.clone(), s3 };
        }
        let clock = config.clock.clone();
        let server = boot(&kind, &config).await;
        let k = golden::keys();
        let station = Station { enrolment: enrol(&k.department, &k.station, Role::Station, 1), key: k.station };
        Env { kind, addr: server.addr(), server: Some(server), config, clock, station, _dir: dir }
    }

    /// Stops the server (as a crash would) and starts a new one on the same data.
    pub async fn restart(&mut self) {
        self.server.take().unwrap().stop().await;
        let server = boot(&self.kind, &self.config).await;
        self.addr = server.addr();
        self.server = Some(server);
    }

    pub fn now(&self) -> i64 {
        self.clock.now_secs()
    }

    /// A signed request from this env's station.
    pub async fn signed(
        &self,
        method: &str,
        path: &str,
        tus: &[(&str, String)],
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> Res {
        signed_as(&self.station, self, method, path, tus, extra, body).await
    }

    /// Creates an upload for `bundle`; returns its path.
    pub async fn create(&self, bundle: &[u8]) -> String {
        let r = self
            .signed(
                "POST",
                "/files/",
                &[
                    ("upload-length", bundle.len().to_string()),
                    ("upload-metadata", metadata(bundle, &assessment_of(bundle))),
                ],
                &[],
                b"",
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        r.header("location").unwrap().to_owned()
    }

    pub async fn patch(&self, path: &str, offset: usize, chunk: &[u8], checksum: Option<String>) -> Res {
        let mut tus = vec![("upload-offset", offset.to_string())];
        if let Some(c) = checksum {
            tus.push(("upload-checksum", c));
        }
        self.signed("PATCH", path, &tus, &[("content-type", "application/offset+octet-stream")], chunk).await
    }

    pub async fn offset(&self, path: &str) -> Option<u64> {
        let r = self.signed("HEAD", path, &[], &[], b"").await;
        (r.status == 200).then(|| r.header("upload-offset").unwrap().parse().unwrap())
    }

    /// Uploads `bundle` in `chunks` pieces with sha256 checksums; returns the final answer.
    pub async fn upload(&self, bundle: &[u8], chunks: usize) -> Res {
        let path = self.create(bundle).await;
        let size = bundle.len().div_ceil(chunks);
        let mut last = None;
        for (i, c) in bundle.chunks(size).enumerate() {
            let sum = format!("sha256 {}", crate::client::b64(ring::digest::digest(&ring::digest::SHA256, c).as_ref()));
            let r = self.patch(&path, i * size, c, Some(sum)).await;
            last = Some(r);
        }
        last.unwrap()
    }

    pub async fn get(&self, path: &str) -> Res {
        send(self.addr, "GET", path, &[], b"").await
    }
}

pub async fn signed_as(
    station: &Station,
    env: &Env,
    method: &str,
    path: &str,
    tus: &[(&str, String)],
    extra: &[(&str, &str)],
    body: &[u8],
) -> Res {
    let mut headers = station.sign(env.addr, method, path, tus, env.now());
    headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    send(env.addr, method, path, &headers, body).await
}

/// The assessment id the golden bundles carry (`uuid7(1)`), or any UUID for non-bundles.
pub fn assessment_of(_bundle: &[u8]) -> String {
    golden::uuid7(1).to_string()
}
