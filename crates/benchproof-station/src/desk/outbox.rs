//! The outbox as the queue screen shows it: each bundle's delivery state mapped from the store's
//! sync row, whether the department server answers, and sync passes run off the UI thread.
//!
//! Invariants:
//! - [`QueueState::of`] is a pure function of a [`SyncItem`]: what the screen says is what the
//!   store holds, nothing is guessed.
//! - Network IO never happens under the desk's lock: [`probe`] only reads `sync.toml`, and
//!   [`sync_pass`] opens its own [`Station`] on the same data directory (SQLite WAL allows a
//!   second connection), so the proctor's screens stay responsive during an upload.
//! - At most one sync pass runs at a time in this process (a pass already running will pick up
//!   whatever a later request wanted).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use benchproof_domain::Timestamp;
use benchproof_store::{DeliveryState, SyncItem};
use benchproof_sync::{SyncReport, TusClient, TusConfig};

use crate::sync::{load_settings, settings_path};
use crate::{Station, StationError};

/// How long the reachability probe waits for the server.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Serialises sync passes within the process.
static PASS: Mutex<()> = Mutex::new(());

/// Where one bundle's delivery stands, for the queue screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueState {
    /// Queued, not tried yet.
    Pending,
    /// The server holds `percent` % of it (`bytes_confirmed / bundle_bytes`, rounded down).
    Uploading { percent: u8 },
    /// The server holds it and its receipt verified; `receipt` summarises where it is logged.
    Delivered { receipt: Option<ReceiptSummary> },
    /// The last attempt failed for `reason`; the worker tries again at `next_attempt`
    /// (`None`: as soon as it runs). `percent` is what the server already holds.
    Failed { reason: String, next_attempt: Option<Timestamp>, percent: u8 },
    /// The worker stopped trying (the server refused the bundle, or its log was rewritten):
    /// `alert` says why; only an operator's retry puts it back in the queue.
    GaveUp { alert: String },
}

/// Where a delivered bundle sits in the department's transparency log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptSummary {
    /// The bundle's leaf in the log.
    pub leaf_index: u64,
    /// The size of the log at the checkpoint the receipt proves inclusion in.
    pub tree_size: u64,
}

impl QueueState {
    /// The state the store's row records.
    pub fn of(item: &SyncItem) -> QueueState {
        let percent = percent(item.bytes_confirmed, item.bundle_bytes);
        match item.state {
            DeliveryState::Delivered => {
                QueueState::Delivered { receipt: item.receipt.as_deref().and_then(ReceiptSummary::parse) }
            }
            DeliveryState::Failed => QueueState::GaveUp {
                alert: item
                    .alert
                    .clone()
                    .or_else(|| item.last_error.clone())
                    .unwrap_or_else(|| "the sync worker gave up on this bundle".into()),
            },
            DeliveryState::Pending | DeliveryState::Uploading => match &item.last_error {
                Some(reason) => {
                    QueueState::Failed { reason: reason.clone(), next_attempt: item.next_attempt_at, percent }
                }
                None if item.state == DeliveryState::Uploading => QueueState::Uploading { percent },
                None => QueueState::Pending,
            },
        }
    }
}

impl ReceiptSummary {
    /// Reads the leaf index and the checkpoint's tree size (its second line, C2SP
    /// `tlog-checkpoint`) from a stored receipt; `None` if it is not a receipt.
    pub fn parse(receipt_json: &str) -> Option<ReceiptSummary> {
        let v: serde_json::Value = serde_json::from_str(receipt_json).ok()?;
        let leaf_index = v.get("leafIndex")?.as_u64()?;
        let tree_size = v.get("checkpoint")?.as_str()?.lines().nth(1)?.trim().parse().ok()?;
        Some(ReceiptSummary { leaf_index, tree_size })
    }
}

fn percent(confirmed: u64, total: u64) -> u8 {
    if total == 0 {
        return 0;
    }
    (u128::from(confirmed.min(total)) * 100 / u128::from(total)) as u8
}

/// Whether the department server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStatus {
    /// There is no `sync.toml` in the data directory: bundles stay in the outbox.
    NotConfigured,
    /// `sync.toml` cannot be read; `reason` says how to fix it.
    Invalid { reason: String },
    /// `OPTIONS <url>/files/` answered as a tus 1.0.0 server.
    Reachable { url: String },
    /// It did not answer (in time, or as a tus server).
    Unreachable { url: String, reason: String },
}

/// Probes the configured server with a cheap `OPTIONS /files/` (no signature needed), waiting
/// at most [`PROBE_TIMEOUT`] for each step.
pub fn probe(data_dir: &Path) -> ServerStatus {
    let settings = match load_settings(data_dir) {
        Ok(Some(s)) => s,
        Ok(None) => return ServerStatus::NotConfigured,
        Err(e) => return ServerStatus::Invalid { reason: e.to_string() },
    };
    let url = settings.server.trim_end_matches('/').to_owned();
    let mut config = TusConfig::new(format!("{url}/files/"));
    config.connect_timeout = PROBE_TIMEOUT;
    config.io_timeout = PROBE_TIMEOUT;
    match TusClient::new(config, None).capabilities() {
        Ok(_) => ServerStatus::Reachable { url },
        Err(e) => ServerStatus::Unreachable { url, reason: e.to_string() },
    }
}

/// Runs one sync pass as the station in `data_dir`, on a station of its own. `Ok(None)` when no
/// server is configured or another pass is already running.
pub fn sync_pass(data_dir: &Path) -> Result<Option<SyncReport>, StationError> {
    let Some(settings) = load_settings(data_dir)? else { return Ok(None) };
    let Ok(_running) = PASS.try_lock() else { return Ok(None) };
    let station = Station::open(data_dir)?;
    station.sync_once(&settings, &mut |_, _, _| {}).map(Some)
}

/// Starts [`sync_pass`] on a thread of its own; its outcome is recorded in the store, where the
/// next [`super::Desk::queue`] reads it.
/// Does nothing when no server is configured.
pub fn sync_in_background(data_dir: PathBuf) {
    if !settings_path(&data_dir).exists() {
        return;
    }
    // A failed spawn (no threads left) only delays delivery to the next periodic pass.
    let _ = std::thread::Builder::new().name("sync-pass".into()).spawn(move || {
        // Failures are recorded per bundle by the worker; a store error is retried next pass.
        let _ = sync_pass(&data_dir);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_down_and_clamps() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 66);
        assert_eq!(percent(3, 3), 100);
        assert_eq!(percent(5, 3), 100);
        assert_eq!(percent(u64::MAX - 1, u64::MAX), 99);
    }

    #[test]
    fn receipt_summary_reads_leaf_and_tree_size() {
        let json = r#"{"leafIndex": 41, "checkpoint": "dept/log\n42\nAAAA\n\n— dept/log abc\n"}"#;
        assert_eq!(ReceiptSummary::parse(json), Some(ReceiptSummary { leaf_index: 41, tree_size: 42 }));
        assert_eq!(ReceiptSummary::parse(r#"{"leafIndex": 1}"#), None);
        assert_eq!(ReceiptSummary::parse("not json"), None);
    }
}
