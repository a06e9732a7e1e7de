//! Sealing, the outbox and history.

use benchproof_station::{bundles, desk};
use benchproof_store::DeliveryState;
use serde::Serialize;
use ts_rs::TS;

use super::assessment::LifecycleState;

/// The computed outcome of an assessment.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Passed,
    NotYetCompetent,
    Incomplete,
}

impl From<benchproof_domain::Outcome> for Outcome {
    fn from(o: benchproof_domain::Outcome) -> Self {
        match o {
            benchproof_domain::Outcome::Passed => Outcome::Passed,
            benchproof_domain::Outcome::NotYetCompetent => Outcome::NotYetCompetent,
            benchproof_domain::Outcome::Incomplete => Outcome::Incomplete,
        }
    }
}

/// Progress of a long job (sealing), 0..=1, sent over a `Channel`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Progress {
    pub stage: String,
    pub fraction: f64,
}

/// A bundle written to the outbox.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SealedInfo {
    pub assessment: String,
    pub path: String,
    pub digest: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

impl From<bundles::SealedInfo> for SealedInfo {
    fn from(s: bundles::SealedInfo) -> Self {
        SealedInfo {
            assessment: s.assessment.to_string(),
            path: s.path.display().to_string(),
            digest: s.digest.to_string(),
            bytes: s.bytes,
        }
    }
}

/// Where a bundle's delivery stands.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SyncState {
    Pending,
    Uploading,
    Delivered,
    Failed,
}

/// One bundle in the outbox.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OutboxItem {
    pub assessment: String,
    pub student: String,
    pub rubric_title: String,
    pub bundle_sha256: String,
    #[ts(type = "number")]
    pub bundle_bytes: u64,
    pub state: SyncState,
    /// 0..=1 while uploading.
    pub progress: f64,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The server's receipt once delivered.
    pub receipt: Option<String>,
    pub queued_at: String,
    /// When a failed attempt is tried again, if one is scheduled.
    pub next_attempt: Option<String>,
    /// Why the worker stopped trying (the server refused the bundle, or its log was
    /// rewritten); only a retry puts the bundle back in the queue.
    pub alert: Option<String>,
    /// The bundle's leaf in the department's transparency log, once delivered.
    #[ts(type = "number | null")]
    pub leaf_index: Option<u64>,
    /// The log size at the checkpoint the receipt proves inclusion in.
    #[ts(type = "number | null")]
    pub tree_size: Option<u64>,
}

impl From<desk::QueueEntry> for OutboxItem {
    fn from(e: desk::QueueEntry) -> Self {
        let progress = e.progress();
        let (next_attempt, alert, receipt_summary) = match &e.state {
            desk::QueueState::Failed { next_attempt, .. } => (next_attempt.map(|t| t.to_string()), None, None),
            desk::QueueState::GaveUp { alert } => (None, Some(alert.clone()), None),
            desk::QueueState::Delivered { receipt } => (None, None, *receipt),
            desk::QueueState::Pending | desk::QueueState::Uploading { .. } => (None, None, None),
        };
        let i = e.item;
        OutboxItem {
            assessment: i.assessment.to_string(),
            student: e.student,
            rubric_title: e.rubric_title,
            bundle_sha256: i.bundle_sha256.to_string(),
            bundle_bytes: i.bundle_bytes,
            state: match i.state {
                DeliveryState::Pending => SyncState::Pending,
                DeliveryState::Uploading => SyncState::Uploading,
                DeliveryState::Delivered => SyncState::Delivered,
                DeliveryState::Failed => SyncState::Failed,
            },
            progress,
            attempts: i.attempts,
            last_error: i.alert.or(i.last_error),
            receipt: i.receipt,
            queued_at: i.queued_at.to_string(),
            next_attempt,
            alert,
            leaf_index: receipt_summary.map(|r| r.leaf_index),
            tree_size: receipt_summary.map(|r| r.tree_size),
        }
    }
}

/// The outbox and whether the department server answers.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QueueStatus {
    pub server_reachable: bool,
    /// The configured server (`sync.toml`), if any.
    pub server_url: Option<String>,
    /// Why the server is not reachable: not configured, a bad `sync.toml`, or the probe's error.
    pub server_detail: Option<String>,
    pub items: Vec<OutboxItem>,
}

impl QueueStatus {
    /// The outbox with the probe's verdict.
    pub fn new(entries: Vec<desk::QueueEntry>, server: desk::ServerStatus) -> Self {
        let items = entries.into_iter().map(Into::into).collect();
        let (server_reachable, server_url, server_detail) = match server {
            desk::ServerStatus::NotConfigured => (
                false,
                None,
                Some("no department server is configured (sync.toml); bundles stay in the outbox".to_owned()),
            ),
            desk::ServerStatus::Invalid { reason } => (false, None, Some(reason)),
            desk::ServerStatus::Reachable { url } => (true, Some(url), None),
            desk::ServerStatus::Unreachable { url, reason } => (false, Some(url), Some(reason)),
        };
        QueueStatus { server_reachable, server_url, server_detail, items }
    }
}

/// One row of the history screen.
#[derive(Debug, Clone, Serialize, TS)]
pub struct HistoryItem {
    pub id: String,
    pub student: String,
    pub rubric_id: String,
    pub rubric_title: String,
    pub state: LifecycleState,
    pub outcome: Outcome,
    pub created_at: String,
    /// The attempt this one re-assesses.
    pub previous: Option<String>,
}

impl From<desk::HistoryEntry> for HistoryItem {
    fn from(h: desk::HistoryEntry) -> Self {
        HistoryItem {
            id: h.id.to_string(),
            student: h.student,
            rubric_id: h.rubric_id,
            rubric_title: h.rubric_title,
            state: h.state.into(),
            outcome: h.outcome.into(),
            created_at: h.created_at.to_string(),
            previous: h.previous.map(|p| p.to_string()),
        }
    }
}
