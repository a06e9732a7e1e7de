//! Read-only views the desk builds for the app: an assessment with its notes and outages, the
//! student's screen, history with re-assessment links, and the outbox. Pure reads of the store.

use benchproof_capture::{SourceInfo, SourceKind};
use benchproof_domain::assessment::SnippetRecord;
use benchproof_domain::{Assessment, AssessmentId, EventBody, LifecycleState, Outcome, Score, Timestamp};
use benchproof_store::{AssessmentSummary, DeliveryState, SyncItem};

use super::outbox::QueueState;
use super::DeskResult;
use crate::{Station, StationError};

/// One assessment with everything the proctor's screens show.
#[derive(Debug, Clone)]
pub struct AssessmentDetail {
    pub assessment: Assessment,
    pub score: Score,
    pub notes: Vec<NoteEntry>,
    pub outages: Vec<Outage>,
    /// The earlier attempt of the same student against the same rubric, if any.
    pub previous: Option<AssessmentId>,
    pub current_step: usize,
    /// The proctor who sealed it in this run of the app, if known.
    pub signed_by: Option<String>,
    /// Snippets with their event, in log order (same as `assessment.snippets`).
    pub snippets: Vec<SnippetRecord>,
}

/// A free note from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteEntry {
    pub seq: u64,
    pub at: Timestamp,
    pub text: String,
}

/// A device outage from the log (`device_lost` up to its `device_restored`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    pub device: String,
    pub reason: String,
    pub lost_at: Timestamp,
    pub restored_at: Option<Timestamp>,
}

/// A capture device and whether it currently delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceState {
    pub id: String,
    pub label: String,
    pub camera: bool,
    pub simulated: bool,
    pub connected: bool,
}

impl DeviceState {
    pub(super) fn of(info: SourceInfo, lost: &[String]) -> DeviceState {
        DeviceState {
            connected: !lost.contains(&info.id),
            camera: info.kind == SourceKind::Camera,
            id: info.id,
            label: info.label,
            simulated: info.simulated,
        }
    }
}

/// The student's screen: instructions and progress, never notes or `look_for`.
#[derive(Debug, Clone, PartialEq)]
pub struct StudentView {
    pub student: String,
    pub rubric_title: String,
    pub recording: bool,
    pub current_step: usize,
    pub steps: Vec<StudentStep>,
}

/// One step as the student sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentStep {
    pub id: String,
    pub title: String,
    pub instruction: String,
    pub ticked: bool,
}

impl StudentView {
    pub(super) fn of(a: &Assessment, current_step: usize, recording: bool) -> StudentView {
        StudentView {
            student: a.student.clone(),
            rubric_title: a.rubric.title.clone(),
            recording,
            current_step,
            steps: a
                .rubric
                .steps
                .iter()
                .map(|s| StudentStep {
                    id: s.id.to_string(),
                    title: s.title.clone(),
                    instruction: s.instruction.clone(),
                    ticked: a.latest_tick(&s.id).is_some(),
                })
                .collect(),
        }
    }
}

/// One row of the history screen.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub id: AssessmentId,
    pub student: String,
    pub rubric_id: String,
    pub rubric_title: String,
    pub state: LifecycleState,
    pub outcome: Outcome,
    pub created_at: Timestamp,
    pub previous: Option<AssessmentId>,
}

/// One outbox bundle with its delivery state.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    /// The store's sync row, as recorded.
    pub item: SyncItem,
    /// What the row means for the queue screen ([`QueueState::of`] the item).
    pub state: QueueState,
    pub student: String,
    pub rubric_title: String,
}

impl QueueEntry {
    /// Upload progress, 0..=1.
    pub fn progress(&self) -> f64 {
        match self.item.state {
            DeliveryState::Delivered => 1.0,
            _ if self.item.bundle_bytes == 0 => 0.0,
            _ => self.item.bytes_confirmed as f64 / self.item.bundle_bytes as f64,
        }
    }
}

pub(super) fn detail(
    station: &Station,
    a: Assessment,
    current_step: usize,
    signed_by: Option<String>,
) -> DeskResult<AssessmentDetail> {
    let events = station.store.events(a.id).map_err(StationError::from)?;
    let mut notes = Vec::new();
    let mut outages: Vec<Outage> = Vec::new();
    for e in &events {
        match &e.event {
            EventBody::Note { text } => notes.push(NoteEntry { seq: e.seq, at: e.at, text: text.clone() }),
            EventBody::DeviceLost { device, reason } => outages.push(Outage {
                device: device.clone(),
                reason: reason.clone(),
                lost_at: e.at,
                restored_at: None,
            }),
            EventBody::DeviceRestored { device } => {
                if let Some(o) = outages.iter_mut().rev().find(|o| &o.device == device && o.restored_at.is_none()) {
                    o.restored_at = Some(e.at);
                }
            }
            _ => {}
        }
    }
    let list = station.store.list_assessments().map_err(StationError::from)?;
    let me = list.iter().find(|s| s.id == a.id).cloned();
    let previous = me.and_then(|me| previous_attempt(&list, &me));
    Ok(AssessmentDetail {
        score: a.score(),
        snippets: a.snippets.clone(),
        assessment: a,
        notes,
        outages,
        previous,
        current_step,
        signed_by,
    })
}

/// The latest attempt of the same student and rubric created before `me`.
fn previous_attempt(all: &[AssessmentSummary], me: &AssessmentSummary) -> Option<AssessmentId> {
    all.iter()
        .filter(|o| o.id != me.id && o.student == me.student && o.rubric_id == me.rubric_id)
        .filter(|o| (o.created_at, o.id.to_string()) < (me.created_at, me.id.to_string()))
        .max_by_key(|o| (o.created_at, o.id.to_string()))
        .map(|o| o.id)
}

pub(super) fn history(station: &Station) -> DeskResult<Vec<HistoryEntry>> {
    let list = station.store.list_assessments().map_err(StationError::from)?;
    let mut out = Vec::with_capacity(list.len());
    for s in &list {
        let a = station.load(s.id)?;
        out.push(HistoryEntry {
            id: s.id,
            student: s.student.clone(),
            rubric_id: s.rubric_id.clone(),
            rubric_title: a.rubric.title.clone(),
            state: s.state,
            outcome: a.score().outcome,
            created_at: s.created_at,
            previous: previous_attempt(&list, s),
        });
    }
    out.sort_by_key(|h| std::cmp::Reverse((h.created_at, h.id.to_string())));
    Ok(out)
}

pub(super) fn queue(station: &Station) -> DeskResult<Vec<QueueEntry>> {
    let items = station.store.sync_items().map_err(StationError::from)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let summary = station.store.summary(item.assessment).map_err(StationError::from)?;
        let (rubric, _) = station.store.rubric(&summary.rubric_sha256).map_err(StationError::from)?;
        out.push(QueueEntry {
            state: QueueState::of(&item),
            item,
            student: summary.student,
            rubric_title: rubric.title,
        });
    }
    Ok(out)
}
