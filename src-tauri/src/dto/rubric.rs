//! Rubrics as the UI shows them.

use benchproof_domain::rubric;
use serde::Serialize;
use ts_rs::TS;

/// One rubric in the catalogue (search results).
#[derive(Debug, Clone, Serialize, TS)]
pub struct RubricSummary {
    pub id: String,
    pub version: String,
    pub title: String,
    pub description: String,
    pub steps: u32,
    pub sha256: String,
}

impl From<&rubric::Rubric> for RubricSummary {
    fn from(r: &rubric::Rubric) -> Self {
        RubricSummary {
            id: r.id.clone(),
            version: r.version.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            steps: u32::try_from(r.steps.len()).unwrap_or(u32::MAX),
            sha256: r.sha256.to_string(),
        }
    }
}

/// Kinds of evidence a step asks for.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Video,
    Audio,
    InstrumentScreenshot,
    InstrumentState,
}

impl From<rubric::EvidenceKind> for EvidenceKind {
    fn from(k: rubric::EvidenceKind) -> Self {
        match k {
            rubric::EvidenceKind::Video => EvidenceKind::Video,
            rubric::EvidenceKind::Audio => EvidenceKind::Audio,
            rubric::EvidenceKind::InstrumentScreenshot => EvidenceKind::InstrumentScreenshot,
            rubric::EvidenceKind::InstrumentState => EvidenceKind::InstrumentState,
        }
    }
}

/// A performance level of a step.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Level {
    pub name: String,
    pub points: u32,
    pub description: String,
}

/// One step (the proctor's view; `look_for` is proctor-only).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub instruction: String,
    pub look_for: String,
    pub critical: bool,
    pub evidence: Vec<EvidenceKind>,
    pub pre_roll_s: f64,
    pub post_roll_s: f64,
    /// Lowest first; empty when the step is simply passed or failed.
    pub levels: Vec<Level>,
}

/// How a pass is decided.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PassRule {
    pub min_share: Option<f64>,
    pub min_points: Option<u32>,
    pub required: Vec<String>,
}

/// A whole rubric.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Rubric {
    pub id: String,
    pub version: String,
    pub title: String,
    pub description: String,
    pub steps: Vec<Step>,
    pub pass_rule: PassRule,
    pub sha256: String,
}

impl From<&rubric::Rubric> for Rubric {
    fn from(r: &rubric::Rubric) -> Self {
        Rubric {
            id: r.id.clone(),
            version: r.version.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            steps: r.steps.iter().map(step).collect(),
            pass_rule: PassRule {
                min_share: r.pass_rule.min_share,
                min_points: r.pass_rule.min_points,
                required: r.pass_rule.required.iter().map(ToString::to_string).collect(),
            },
            sha256: r.sha256.to_string(),
        }
    }
}

fn step(s: &rubric::Step) -> Step {
    Step {
        id: s.id.to_string(),
        title: s.title.clone(),
        instruction: s.instruction.clone(),
        look_for: s.look_for.clone(),
        critical: s.critical,
        evidence: s.evidence.iter().map(|&e| e.into()).collect(),
        pre_roll_s: s.pre_roll_s,
        post_roll_s: s.post_roll_s,
        levels: s
            .levels
            .iter()
            .map(|l| Level { name: l.name.clone(), points: l.points, description: l.description.clone() })
            .collect(),
    }
}
