//! A read-only view of one assessment: what `assessment show` and the demo print, and what the
//! app's history screen shows.

use benchproof_domain::assessment::{SnippetRecord, Tick};
use benchproof_domain::{Assessment, AssessmentId, LifecycleState, Score, Sha256, Timestamp};
use serde::Serialize;

use crate::{Station, StationError};

#[derive(Debug, Clone, Serialize)]
pub struct AssessmentReport {
    pub id: AssessmentId,
    pub student: String,
    pub rubric: RubricInfo,
    pub state: LifecycleState,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub steps: Vec<StepReport>,
    pub score: Score,
    pub devices_lost: Vec<String>,
    pub chain: ChainReport,
}

#[derive(Debug, Clone, Serialize)]
pub struct RubricInfo {
    pub id: String,
    pub version: String,
    pub title: String,
    pub sha256: Sha256,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub id: String,
    pub title: String,
    pub critical: bool,
    /// The tick that counts (the latest), if any.
    pub latest: Option<Tick>,
    /// How many times the step was ticked in all.
    pub ticks: usize,
    pub evidence: Vec<SnippetRecord>,
}

/// The event chain was verified against the stored head when the report was made.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    pub events: u64,
    pub head: Sha256,
    pub verified: bool,
}

impl AssessmentReport {
    pub fn of(a: &Assessment) -> AssessmentReport {
        let steps = a
            .rubric
            .steps
            .iter()
            .map(|s| StepReport {
                id: s.id.to_string(),
                title: s.title.clone(),
                critical: s.critical,
                latest: a.latest_tick(&s.id).cloned(),
                ticks: a.ticks.iter().filter(|t| t.step == s.id && !t.withdrawn).count(),
                evidence: a.snippets.iter().filter(|e| e.step.as_ref() == Some(&s.id)).cloned().collect(),
            })
            .collect();
        AssessmentReport {
            id: a.id,
            student: a.student.clone(),
            rubric: RubricInfo {
                id: a.rubric.id.clone(),
                version: a.rubric.version.clone(),
                title: a.rubric.title.clone(),
                sha256: a.rubric.sha256,
            },
            state: a.state,
            created_at: a.created_at,
            started_at: a.started_at,
            finished_at: a.finished_at,
            steps,
            score: a.score(),
            devices_lost: a.devices_lost.clone(),
            chain: ChainReport { events: a.last_seq, head: a.head, verified: true },
        }
    }
}

impl Station {
    /// Loads, verifies and reports on one assessment.
    pub fn report(&self, id: AssessmentId) -> Result<AssessmentReport, StationError> {
        // `load` verifies the chain against the stored head before replaying it.
        Ok(AssessmentReport::of(&self.load(id)?))
    }
}
