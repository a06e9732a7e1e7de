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
}

impl From<desk::QueueEntry> for OutboxItem {
    fn from(e: desk::QueueEntry) -> Self {
        let progress = e.progress();
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
        }
    }
}

/// The outbox and whether the department server answers.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QueueStatus {
    pub server_reachable: bool,
    pub server_url: Option<String>,
    pub items: Vec<OutboxItem>,
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
