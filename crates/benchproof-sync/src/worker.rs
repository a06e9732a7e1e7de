//! The sync worker: reads the outbox (diff), asks [`crate::plan`] what to do (plan), and does it
//! over tus (execute), recording every outcome in the store.
//!
//! Invariants: a bundle is marked delivered only after its receipt verified against the
//! department key and the log proved consistent with the last checkpoint kept
//! ([`crate::receipts::accept`]); the worker never deletes a bundle or a row. Every failure is
//! recorded with its backoff before the next bundle is tried.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use benchproof_domain::{AssessmentId, Timestamp};
use benchproof_evidence::DidKey;
use benchproof_store::{Store, StoreError, SyncAlert, SyncFailure, SyncItem};
use benchproof_tlog::{sha256, to_hex, ConsistencyResponse, Hash};
use ring::digest::{Context, SHA256};

use crate::error::TusError;
use crate::plan::{next_attempt, plan, Action, Connectivity, FailureKind, OutboxItem, Policy};
use crate::receipts::{self, ConsistencySource, ReceiptProblem};
use crate::tus::{Progress, StationIdentity, TusClient, TusConfig};

/// Settings of a [`SyncWorker`].
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// The department server's base URL, e.g. `https://dept.example.edu` (uploads go to
    /// `<base>/files/`, receipts come from `<base>/api/v1/…`).
    pub server_url: String,
    /// The department key the receipts and checkpoints must be signed with.
    pub department_key: DidKey,
    /// Retry policy.
    pub policy: Policy,
    /// Bytes per `PATCH`.
    pub chunk_size: usize,
    /// Optional bandwidth cap in bytes per second.
    pub bandwidth_limit: Option<u64>,
    /// Connection and per-read/write timeouts.
    pub connect_timeout: Duration,
    pub io_timeout: Duration,
}

impl SyncConfig {
    /// Defaults for `server_url` trusting `department_key`: 4 MiB chunks, no cap, default policy.
    pub fn new(server_url: impl Into<String>, department_key: DidKey) -> Self {
        let server_url: String = server_url.into();
        let tus = TusConfig::new(String::new());
        SyncConfig {
            server_url: server_url.trim_end_matches('/').to_owned(),
            department_key,
            policy: Policy::default(),
            chunk_size: tus.chunk_size,
            bandwidth_limit: None,
            connect_timeout: tus.connect_timeout,
            io_timeout: tus.io_timeout,
        }
    }

    fn files_url(&self) -> String {
        format!("{}/files/", self.server_url)
    }

    fn receipt_url(&self, bundle_sha256: &Hash) -> String {
        format!("{}/api/v1/bundles/{}/receipt", self.server_url, to_hex(bundle_sha256))
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Whether the server answered the probe (`None` if nothing needed it).
    pub connectivity: Option<Connectivity>,
    /// Bundles delivered in this pass, with a verified receipt.
    pub delivered: Vec<AssessmentId>,
    /// Bundles whose attempt failed, with the reason (they will be retried after a backoff).
    pub failed: Vec<(AssessmentId, String)>,
    /// Bundles given up on, with the alert.
    pub gave_up: Vec<(AssessmentId, String)>,
    /// Alerts raised (a rewritten log, an invalid receipt).
    pub alerts: Vec<String>,
    /// When something is next due, if anything is outstanding.
    pub next_wake: Option<Timestamp>,
    /// Body bytes sent in this pass (re-sent bytes included).
    pub bytes_sent: u64,
    /// The micro-event schedule exchange (check-ins reported, schedule downloaded), when it ran.
    pub schedule: Option<crate::schedule::ScheduleReport>,
    /// Why the schedule exchange failed (the station keeps working from its stored copy).
    pub schedule_error: Option<String>,
}

/// The station's sync worker.
#[derive(Debug)]
pub struct SyncWorker {
    pub(crate) client: TusClient,
    pub(crate) config: SyncConfig,
    jitter_seed: u64,
}

impl SyncWorker {
    /// A worker for `config`, signing as `identity`. `jitter_seed` makes backoff jitter
    /// reproducible (pass something random in production).
    pub fn new(config: SyncConfig, identity: StationIdentity, jitter_seed: u64) -> Self {
        let mut tus = TusConfig::new(config.files_url());
        tus.chunk_size = config.chunk_size;
        tus.bandwidth_limit = config.bandwidth_limit;
        tus.connect_timeout = config.connect_timeout;
        tus.io_timeout = config.io_timeout;
        SyncWorker { client: TusClient::new(tus, Some(identity)), config, jitter_seed }
    }

    /// Probes the server with `OPTIONS /files/`.
    pub fn probe(&self) -> Connectivity {
        match self.client.capabilities() {
            Ok(_) => Connectivity::Online,
            Err(_) => Connectivity::Offline,
        }
    }

    /// One pass over the outbox at `now`. `progress` hears about bytes as they go.
    pub fn run_once(
        &self,
        store: &Store,
        now: Timestamp,
        progress: &mut dyn FnMut(AssessmentId, Progress),
    ) -> Result<SyncReport, StoreError> {
        let mut report = SyncReport::default();
        let items = store.sync_items()?;
        let views: Vec<OutboxItem> = items.iter().map(OutboxItem::from).collect();
        let needs_server = plan(&views, now, Connectivity::Online, &self.config.policy)
            .iter()
            .any(|a| matches!(a, Action::Upload { .. } | Action::Resume { .. } | Action::FetchReceipt { .. }));
        let connectivity = if needs_server { self.probe() } else { Connectivity::Online };
        report.connectivity = needs_server.then_some(connectivity);
        for action in plan(&views, now, connectivity, &self.config.policy) {
            self.execute(store, &items, action, now, &mut report, progress)?;
        }
        // Refusals recorded just now may call for giving up at once.
        let views: Vec<OutboxItem> = store.sync_items()?.iter().map(OutboxItem::from).collect();
        for action in plan(&views, now, Connectivity::Offline, &self.config.policy) {
            match action {
                Action::GiveUp { .. } => self.execute(store, &items, action, now, &mut report, progress)?,
                Action::Wait { until } => report.next_wake = Some(until),
                _ => {}
            }
        }
        Ok(report)
    }

    /// Runs passes until `stop()` says so, sleeping between them until something is due (at most
    /// the policy's poll interval), reading the time from `clock`.
    pub fn run(
        &self,
        store: &Store,
        clock: &dyn Fn() -> Timestamp,
        stop: &dyn Fn() -> bool,
        on_report: &mut dyn FnMut(&SyncReport),
    ) -> Result<(), StoreError> {
        while !stop() {
            let now = clock();
            let report = self.run_once(store, now, &mut |_, _| {})?;
            on_report(&report);
            let poll = now.plus_millis(self.config.policy.poll_ms);
            let wake = report.next_wake.map_or(poll, |w| w.min(poll));
            while !stop() && clock() < wake {
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        Ok(())
    }

    fn execute(
        &self,
        store: &Store,
        items: &[SyncItem],
        action: Action,
        now: Timestamp,
        report: &mut SyncReport,
        progress: &mut dyn FnMut(AssessmentId, Progress),
    ) -> Result<(), StoreError> {
        if let Action::Wait { until } = action {
            report.next_wake = Some(until);
            return Ok(());
        }
        let Some(item) = action.assessment().and_then(|id| items.iter().find(|i| i.assessment == id)) else {
            return Ok(());
        };
        let outcome = match &action {
            Action::GiveUp { reason, .. } => {
                store.record_gave_up(item.assessment, reason)?;
                store.record_sync_alert(&SyncAlert {
                    at: now,
                    kind: "bundle-refused".into(),
                    assessment: Some(item.assessment),
                    detail: item.last_error.clone().unwrap_or_else(|| reason.clone()),
                })?;
                report.gave_up.push((item.assessment, reason.clone()));
                return Ok(());
            }
            Action::Upload { .. } | Action::Resume { .. } => self.deliver(store, item, now, report, progress),
            Action::FetchReceipt { .. } => match self.fetch_receipt(store, item, now) {
                // Every byte is there but no verdict: the server stopped (or its disk filled)
                // before finishing. Resuming sends the empty PATCH that asks it to finish.
                Err(Failure::NoReceiptYet) if item.upload_url.is_some() => {
                    self.deliver(store, item, now, report, progress)
                }
                other => other,
            },
            Action::Wait { .. } => unreachable!("handled above"),
        };
        match outcome {
            Ok(()) => report.delivered.push(item.assessment),
            Err(failure) => self.record_failure(store, item, failure, now, report)?,
        }
        Ok(())
    }

    /// Uploads (or resumes) a bundle, then accepts its receipt.
    fn deliver(
        &self,
        store: &Store,
        item: &SyncItem,
        now: Timestamp,
        report: &mut SyncReport,
        progress: &mut dyn FnMut(AssessmentId, Progress),
    ) -> Result<(), Failure> {
        let path = Path::new(&item.bundle_path);
        let (digest, length) = hash_file(path).map_err(Failure::Tus)?;
        let url = match &item.upload_url {
            Some(url) => url.clone(),
            None => {
                let id = item.assessment.to_string();
                let filename = format!("benchproof-{id}.zip");
                let hex = to_hex(&digest);
                let metadata = [("filename", filename.as_str()), ("sha256", hex.as_str()), ("assessment", id.as_str())];
                let url = self.client.create(length, &metadata).map_err(Failure::Tus)?;
                store.record_upload_created(item.assessment, &url)?;
                url
            }
        };
        let mut file = File::open(path).map_err(|e| Failure::Tus(TusError::File(e)))?;
        let id = item.assessment;
        let result = self.client.upload(&url, &mut file, length, &mut |p| progress(id, p));
        let completion = match result {
            Ok(c) => c,
            Err(TusError::UploadGone { url }) => {
                // Finished uploads are forgotten too: when the answer to the last PATCH was lost,
                // the receipt is already there and nothing needs sending again.
                match self.accept_from(store, item, &self.config.receipt_url(&digest), &digest, now) {
                    Err(Failure::NoReceiptYet) => {}
                    done => return done,
                }
                store.forget_upload(item.assessment)?;
                return Err(Failure::Tus(TusError::UploadGone { url }));
            }
            Err(e) => {
                if let Ok(offset) = self.client.offset(&url) {
                    store.record_upload_progress(item.assessment, offset)?;
                }
                return Err(Failure::Tus(e));
            }
        };
        report.bytes_sent += completion.bytes_sent;
        store.record_upload_progress(item.assessment, length)?;
        let receipt_url = completion.receipt_url.unwrap_or_else(|| self.config.receipt_url(&digest));
        self.accept_from(store, item, &receipt_url, &digest, now)
    }

    fn fetch_receipt(&self, store: &Store, item: &SyncItem, now: Timestamp) -> Result<(), Failure> {
        let (digest, _) = hash_file(Path::new(&item.bundle_path)).map_err(Failure::Tus)?;
        self.accept_from(store, item, &self.config.receipt_url(&digest), &digest, now)
    }

    fn accept_from(
        &self,
        store: &Store,
        item: &SyncItem,
        url: &str,
        digest: &Hash,
        now: Timestamp,
    ) -> Result<(), Failure> {
        let json = self.client.get_json(url).map_err(Failure::Tus)?.ok_or(Failure::NoReceiptYet)?;
        let receipt =
            receipts::accept(store, &json, digest, &self.config.department_key, self, now).map_err(Failure::Receipt)?;
        let canonical = serde_json::to_string(&receipt).expect("a receipt serialises");
        store.record_delivered(item.assessment, &canonical, now)?;
        Ok(())
    }

    fn record_failure(
        &self,
        store: &Store,
        item: &SyncItem,
        failure: Failure,
        now: Timestamp,
        report: &mut SyncReport,
    ) -> Result<(), StoreError> {
        if let Failure::Store(e) = failure {
            return Err(e);
        }
        let message = failure.to_string();
        if let Failure::Receipt(problem) = &failure {
            if problem.is_alert() {
                store.record_sync_alert(&SyncAlert {
                    at: now,
                    kind: "log-rewritten".into(),
                    assessment: Some(item.assessment),
                    detail: message.clone(),
                })?;
                store.record_gave_up(item.assessment, &message)?;
                report.alerts.push(message.clone());
                report.gave_up.push((item.assessment, message));
                return Ok(());
            }
        }
        let kind = failure.kind();
        let next = match failure {
            // The server forgot the upload: start again at once.
            Failure::Tus(TusError::UploadGone { .. }) => None,
            _ => {
                let seed = self.jitter_seed
                    ^ u64::from_le_bytes(
                        item.assessment.to_string().as_bytes()[..8].try_into().expect("a UUID has 36 characters"),
                    );
                Some(next_attempt(now, item.attempts + 1, kind, &self.config.policy, seed))
            }
        };
        store.record_sync_failure(
            item.assessment,
            &SyncFailure {
                error: &message,
                permanent: kind == FailureKind::Permanent,
                next_attempt_at: next,
                alert: None,
            },
        )?;
        report.failed.push((item.assessment, message));
        Ok(())
    }
}

impl ConsistencySource for SyncWorker {
    fn consistency(&self, from: u64, to: u64) -> Result<ConsistencyResponse, ReceiptProblem> {
        let url = format!("{}/api/v1/log/consistency?from={from}&to={to}", self.config.server_url);
        let json = self
            .client
            .get_json(&url)?
            .ok_or_else(|| ReceiptProblem::Fetch(TusError::Protocol { detail: format!("{url} answered 404") }))?;
        Ok(serde_json::from_str(&json)?)
    }
}

/// Why a delivery attempt failed.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Tus(TusError),
    #[error("the upload is complete but the server has no receipt for it yet")]
    NoReceiptYet,
    #[error(transparent)]
    Receipt(ReceiptProblem),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Failure {
    fn kind(&self) -> FailureKind {
        match self {
            Failure::Tus(e) => e.kind(),
            _ => FailureKind::Transient,
        }
    }
}

/// SHA-256 and length of a bundle file, in one streaming pass.
fn hash_file(path: &Path) -> Result<(Hash, u64), TusError> {
    use std::io::Read;
    let mut file = File::open(path).map_err(TusError::File)?;
    let mut ctx = Context::new(&SHA256);
    let mut buffer = vec![0u8; 1024 * 1024];
    let mut length = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(TusError::File)?;
        if n == 0 {
            break;
        }
        ctx.update(&buffer[..n]);
        length += n as u64;
    }
    let digest: Hash = ctx.finish().as_ref().try_into().expect("SHA-256 is 32 bytes");
    debug_assert!(length > 0 || digest == sha256(b""));
    Ok((digest, length))
}
