//! `data/assessment.json`: the signed summary of an assessment, format version 1.
//!
//! Every field is a pure function of the event log and the rubric text ([`describe`]); the
//! verifier recomputes it from `events.jsonl` and `rubric.toml` and insists on equality, so a
//! document cannot say anything its event log does not. Fields are frozen: a change makes
//! format version 2, never an edit of version 1.

use benchproof_domain::assessment::{SnippetRecord, Tick};
use benchproof_domain::scoring::Outcome;
use benchproof_domain::{Assessment, EventRecord, LifecycleState, Sha256, SnippetId, StepId, Timestamp, Verdict};
use benchproof_evidence::DidKey;
use serde::{Deserialize, Serialize};

pub const DOCUMENT_TYPE: &str = "BenchproofAssessment";
pub const FORMAT_VERSION: u32 = 2;

/// The version a document is written in: 1 unless the log uses what version 2 added
/// (`tick_withdrawn`), so that bundles readable by version-1 verifiers stay version 1.
pub fn format_version_for(a: &Assessment) -> u32 {
    if a.has_withdrawals() {
        2
    } else {
        1
    }
}

pub const ASSESSMENT_PATH: &str = "assessment.json";
pub const EVENTS_PATH: &str = "events.jsonl";
pub const RUBRIC_PATH: &str = "rubric.toml";
pub const STATION_ENROLMENT_PATH: &str = "enrolments/station.json";
pub const PROCTOR_ENROLMENT_PATH: &str = "enrolments/proctor.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssessmentDocument {
    #[serde(rename = "type")]
    pub kind: String,
    pub format_version: u32,
    /// `urn:uuid:<assessment id>`.
    pub id: String,
    pub student: String,
    pub rubric: RubricEntry,
    pub station: SignerEntry,
    pub proctor: SignerEntry,
    pub created_at: Timestamp,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub steps: Vec<StepEntry>,
    /// Evidence saved without naming a step.
    pub other_evidence: Vec<EvidenceEntry>,
    pub outcome: OutcomeEntry,
    pub events: EventsEntry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RubricEntry {
    pub id: String,
    pub version: String,
    pub sha256: Sha256,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignerEntry {
    pub did: DidKey,
    /// Bag path of the department-signed enrolment record of this key.
    pub enrolment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepEntry {
    pub id: StepId,
    pub title: String,
    pub critical: bool,
    /// The latest verdict; absent when the step was never ticked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticked_at: Option<Timestamp>,
    /// How many times the step was ticked (earlier ticks are in the event log).
    pub ticks: u32,
    pub evidence: Vec<EvidenceEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceEntry {
    pub snippet: SnippetId,
    /// Bag path, `data/media/<seq>-<name>`.
    pub path: String,
    pub media_type: String,
    pub sha256: Sha256,
    pub bytes: u64,
    pub captured_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutcomeEntry {
    pub result: Outcome,
    pub points: u32,
    pub max_points: u32,
    pub failed_critical: Vec<StepId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventsEntry {
    pub path: String,
    pub count: u64,
    /// Hash of the last event: the event log cannot lose its end unnoticed.
    pub head: Sha256,
}

/// Why an assessment cannot be described (sealed) yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescribeError {
    #[error("the assessment is {0}; only a finished assessment can be sealed (finish it first)")]
    NotFinished(LifecycleState),
}

/// The bag path of a saved snippet: `data/media/<4-digit event seq>-<name>`, with anything but
/// ASCII letters, digits, `.`, `_` and `-` in the name replaced by `-`.
pub fn media_path(seq: u64, name: &str) -> String {
    let clean: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' }).collect();
    let clean = clean.trim_start_matches('.');
    format!("data/media/{seq:04}-{}", if clean.is_empty() { "evidence" } else { clean })
}

/// `data/<file>` for a payload file.
pub fn data_path(file: &str) -> String {
    format!("data/{file}")
}

/// The document (without proofs) that a finished assessment's event log implies.
pub fn describe(
    a: &Assessment,
    events: &[EventRecord],
    station: &DidKey,
    proctor: &DidKey,
) -> Result<AssessmentDocument, DescribeError> {
    let (Some(started_at), Some(finished_at), LifecycleState::Finished) = (a.started_at, a.finished_at, a.state) else {
        return Err(DescribeError::NotFinished(a.state));
    };
    let score = a.score();
    let steps = a
        .rubric
        .steps
        .iter()
        .map(|s| {
            let latest: Option<&Tick> = a.latest_tick(&s.id);
            StepEntry {
                id: s.id.clone(),
                title: s.title.clone(),
                critical: s.critical,
                verdict: latest.map(|t| t.verdict),
                level: latest.and_then(|t| t.level.clone()),
                note: latest.and_then(|t| t.note.clone()),
                ticked_at: latest.map(|t| t.at),
                ticks: a.ticks.iter().filter(|t| t.step == s.id && !t.withdrawn).count() as u32,
                evidence: a.snippets.iter().filter(|e| e.step.as_ref() == Some(&s.id)).map(evidence_entry).collect(),
            }
        })
        .collect();
    Ok(AssessmentDocument {
        kind: DOCUMENT_TYPE.into(),
        format_version: format_version_for(a),
        id: format!("urn:uuid:{}", a.id),
        student: a.student.clone(),
        rubric: RubricEntry {
            id: a.rubric.id.clone(),
            version: a.rubric.version.clone(),
            sha256: a.rubric.sha256,
            path: data_path(RUBRIC_PATH),
        },
        station: SignerEntry { did: station.clone(), enrolment: data_path(STATION_ENROLMENT_PATH) },
        proctor: SignerEntry { did: proctor.clone(), enrolment: data_path(PROCTOR_ENROLMENT_PATH) },
        created_at: a.created_at,
        started_at,
        finished_at,
        steps,
        other_evidence: a.snippets.iter().filter(|e| e.step.is_none()).map(evidence_entry).collect(),
        outcome: OutcomeEntry {
            result: score.outcome,
            points: score.points,
            max_points: score.max_points,
            failed_critical: score.failed_critical,
        },
        events: EventsEntry { path: data_path(EVENTS_PATH), count: events.len() as u64, head: a.head },
    })
}

fn evidence_entry(e: &SnippetRecord) -> EvidenceEntry {
    EvidenceEntry {
        snippet: e.snippet,
        path: media_path(e.seq, &e.name),
        media_type: e.media_type.clone(),
        sha256: e.sha256,
        bytes: e.bytes,
        captured_at: e.captured_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_paths_are_safe_and_ordered() {
        assert_eq!(media_path(7, "scope shot (1).png"), "data/media/0007-scope-shot--1-.png");
        assert_eq!(media_path(12, "../../etc/passwd"), "data/media/0012--..-etc-passwd");
        assert_eq!(media_path(3, ""), "data/media/0003-evidence");
    }
}
