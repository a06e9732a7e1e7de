//! An assessment as the proctor's and the student's screens show it.

use benchproof_domain as domain;
use benchproof_station::desk;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::rubric::Rubric;
use crate::media;

/// A verdict on one step.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
    NotApplicable,
}

impl From<Verdict> for domain::Verdict {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Pass => domain::Verdict::Pass,
            Verdict::Fail => domain::Verdict::Fail,
            Verdict::NotApplicable => domain::Verdict::NotApplicable,
        }
    }
}

impl From<domain::Verdict> for Verdict {
    fn from(v: domain::Verdict) -> Self {
        match v {
            domain::Verdict::Pass => Verdict::Pass,
            domain::Verdict::Fail => Verdict::Fail,
            domain::Verdict::NotApplicable => Verdict::NotApplicable,
        }
    }
}

/// Where an assessment is in its life.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum LifecycleState {
    Created,
    Running,
    Finished,
    Sealed,
    Abandoned,
}

impl From<domain::LifecycleState> for LifecycleState {
    fn from(s: domain::LifecycleState) -> Self {
        match s {
            domain::LifecycleState::Created => LifecycleState::Created,
            domain::LifecycleState::Running => LifecycleState::Running,
            domain::LifecycleState::Finished => LifecycleState::Finished,
            domain::LifecycleState::Sealed => LifecycleState::Sealed,
            domain::LifecycleState::Abandoned => LifecycleState::Abandoned,
        }
    }
}

/// One tick, kept when withdrawn.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Tick {
    #[ts(type = "number")]
    pub seq: u64,
    pub at: String,
    pub step: String,
    pub verdict: Verdict,
    pub level: Option<String>,
    pub note: Option<String>,
    /// True once an undo withdrew it: kept as history, no longer counts.
    pub undone: bool,
}

/// A saved piece of evidence, with the URL the webview loads it from.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Snippet {
    #[ts(type = "number")]
    pub seq: u64,
    pub snippet: String,
    pub step: Option<String>,
    pub name: String,
    pub media_type: String,
    pub sha256: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub captured_at: String,
    /// Where the webview loads it from (the `media` protocol).
    pub url: String,
    /// A small still for the timeline, if the evidence is an image.
    pub thumbnail_url: Option<String>,
}

/// Why an assessment did not pass.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum ShortOf {
    CriticalFailed { step: String },
    CriticalNotApplicable { step: String },
    CriticalUntested { step: String },
    RequiredFailed { step: String },
    RequiredUntested { step: String },
    ShareBelow { share: f64, min_share: f64 },
    PointsBelow { points: u32, min_points: u32 },
}

impl From<&domain::scoring::ShortOf> for ShortOf {
    fn from(s: &domain::scoring::ShortOf) -> Self {
        use domain::scoring::ShortOf as D;
        match s {
            D::CriticalFailed { step } => ShortOf::CriticalFailed { step: step.to_string() },
            D::CriticalNotApplicable { step } => ShortOf::CriticalNotApplicable { step: step.to_string() },
            D::CriticalUntested { step } => ShortOf::CriticalUntested { step: step.to_string() },
            D::RequiredFailed { step } => ShortOf::RequiredFailed { step: step.to_string() },
            D::RequiredUntested { step } => ShortOf::RequiredUntested { step: step.to_string() },
            D::ShareBelow { share, min_share } => ShortOf::ShareBelow { share: *share, min_share: *min_share },
            D::PointsBelow { points, min_points } => ShortOf::PointsBelow { points: *points, min_points: *min_points },
        }
    }
}

/// The computed outcome.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Score {
    pub outcome: super::Outcome,
    pub passed: u32,
    pub failed: u32,
    pub not_applicable: u32,
    pub untested: u32,
    pub share: f64,
    pub points: u32,
    pub max_points: u32,
    pub failed_critical: Vec<String>,
    pub short_of: Vec<ShortOf>,
}

impl From<&domain::Score> for Score {
    fn from(s: &domain::Score) -> Self {
        Score {
            outcome: s.outcome.into(),
            passed: s.passed,
            failed: s.failed,
            not_applicable: s.not_applicable,
            untested: s.untested,
            share: s.share,
            points: s.points,
            max_points: s.max_points,
            failed_critical: s.failed_critical.iter().map(ToString::to_string).collect(),
            short_of: s.short_of.iter().map(Into::into).collect(),
        }
    }
}

/// A device outage recorded in the log.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeviceOutage {
    pub device: String,
    pub reason: String,
    pub lost_at: String,
    pub restored_at: Option<String>,
}

/// A free note (proctor only).
#[derive(Debug, Clone, Serialize, TS)]
pub struct NoteView {
    #[ts(type = "number")]
    pub seq: u64,
    pub at: String,
    pub text: String,
}

/// One assessment as the proctor sees it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AssessmentView {
    pub id: String,
    pub student: String,
    pub rubric: Rubric,
    pub state: LifecycleState,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The earlier attempt of the same student and rubric, if any.
    pub previous: Option<String>,
    pub ticks: Vec<Tick>,
    pub snippets: Vec<Snippet>,
    /// Free notes (proctor only; never shown on the student view).
    pub notes: Vec<NoteView>,
    pub outages: Vec<DeviceOutage>,
    pub score: Score,
    /// The proctor who sealed it, when known.
    pub signed_by: Option<String>,
    /// Index of the step the proctor is on; restored on resume.
    pub current_step: u32,
}

impl From<desk::AssessmentDetail> for AssessmentView {
    fn from(d: desk::AssessmentDetail) -> Self {
        let a = &d.assessment;
        AssessmentView {
            id: a.id.to_string(),
            student: a.student.clone(),
            rubric: (&a.rubric).into(),
            state: a.state.into(),
            created_at: a.created_at.to_string(),
            started_at: a.started_at.map(|t| t.to_string()),
            finished_at: a.finished_at.map(|t| t.to_string()),
            previous: d.previous.map(|p| p.to_string()),
            ticks: a
                .ticks
                .iter()
                .map(|t| Tick {
                    seq: t.seq,
                    at: t.at.to_string(),
                    step: t.step.to_string(),
                    verdict: t.verdict.into(),
                    level: t.level.clone(),
                    note: t.note.clone(),
                    undone: t.withdrawn,
                })
                .collect(),
            snippets: d.snippets.iter().map(|s| snippet(a.id, s)).collect(),
            notes: d
                .notes
                .iter()
                .map(|n| NoteView { seq: n.seq, at: n.at.to_string(), text: n.text.clone() })
                .collect(),
            outages: d
                .outages
                .iter()
                .map(|o| DeviceOutage {
                    device: o.device.clone(),
                    reason: o.reason.clone(),
                    lost_at: o.lost_at.to_string(),
                    restored_at: o.restored_at.map(|t| t.to_string()),
                })
                .collect(),
            score: (&d.score).into(),
            signed_by: d.signed_by,
            current_step: u32::try_from(d.current_step).unwrap_or(0),
        }
    }
}

fn snippet(id: domain::AssessmentId, s: &domain::assessment::SnippetRecord) -> Snippet {
    let url = media::url(&id.to_string(), &s.snippet.to_string());
    Snippet {
        seq: s.seq,
        snippet: s.snippet.to_string(),
        step: s.step.as_ref().map(ToString::to_string),
        name: s.name.clone(),
        media_type: s.media_type.clone(),
        sha256: s.sha256.to_string(),
        bytes: s.bytes,
        captured_at: s.captured_at.to_string(),
        thumbnail_url: s.media_type.starts_with("image/").then(|| url.clone()),
        url,
    }
}

/// What `create_assessment` needs.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct NewAssessment {
    pub rubric_id: String,
    pub student: String,
    /// The student agreed to be recorded; the station refuses without it.
    pub consent: bool,
    /// Re-assessment: the earlier attempt of the same student and rubric.
    pub previous: Option<String>,
}

/// What the proctor decides for one step.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct TickRequest {
    pub step: String,
    pub verdict: Verdict,
    pub level: Option<String>,
    pub note: Option<String>,
}

impl From<TickRequest> for desk::TickInput {
    fn from(t: TickRequest) -> Self {
        desk::TickInput { step: t.step, verdict: t.verdict.into(), level: t.level, note: t.note }
    }
}

/// One step on the student's screen.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StudentStepView {
    pub id: String,
    pub title: String,
    pub instruction: String,
    pub ticked: bool,
}

/// The student view's data: deliberately without notes or `look_for`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StudentView {
    pub student: String,
    pub rubric_title: String,
    pub recording: bool,
    pub current_step: u32,
    pub steps: Vec<StudentStepView>,
}

impl From<desk::StudentView> for StudentView {
    fn from(v: desk::StudentView) -> Self {
        StudentView {
            student: v.student,
            rubric_title: v.rubric_title,
            recording: v.recording,
            current_step: u32::try_from(v.current_step).unwrap_or(0),
            steps: v
                .steps
                .into_iter()
                .map(|s| StudentStepView { id: s.id, title: s.title, instruction: s.instruction, ticked: s.ticked })
                .collect(),
        }
    }
}
