//! Rubrics: a competency's steps, what the proctor looks for, and how a pass is decided.
//!
//! A rubric is written by people in TOML (see `assets/rubrics/`) and identified by the SHA-256
//! of its exact text, so an assessment always points to the words the student was assessed
//! against. Editing a rubric makes a new text, hence a new hash; old assessments keep theirs.

mod parse;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::digest::Sha256;

pub use parse::{line_column, parse, Problem, ProblemKind, RubricError};

/// A step's identifier inside its rubric (a lowercase slug such as `tin-the-tip`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StepId(String);

impl StepId {
    pub fn new(s: impl Into<String>) -> StepId {
        StepId(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StepId({})", self.0)
    }
}

/// A validated rubric. Construct it with [`parse`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rubric {
    pub id: String,
    pub version: String,
    pub title: String,
    pub description: String,
    pub steps: Vec<Step>,
    pub pass_rule: PassRule,
    /// SHA-256 of the exact TOML text this rubric was parsed from.
    pub sha256: Sha256,
}

impl Rubric {
    pub fn step(&self, id: &StepId) -> Option<&Step> {
        self.steps.iter().find(|s| &s.id == id)
    }

    pub fn reference(&self) -> RubricRef {
        RubricRef { id: self.id.clone(), version: self.version.clone(), sha256: self.sha256 }
    }

    /// The most points an assessment can earn: the best level of every levelled step.
    pub fn max_points(&self) -> u32 {
        self.steps.iter().map(Step::max_points).sum()
    }
}

/// What an assessment records about the rubric it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricRef {
    pub id: String,
    pub version: String,
    pub sha256: Sha256,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub id: StepId,
    pub title: String,
    /// Shown to the student.
    pub instruction: String,
    /// Shown to the proctor only.
    pub look_for: String,
    pub critical: bool,
    pub evidence: Vec<EvidenceKind>,
    /// Seconds of capture kept before the proctor's tick.
    pub pre_roll_s: f64,
    /// Seconds of capture kept after the proctor's tick.
    pub post_roll_s: f64,
    /// Performance levels, lowest first; empty when the step is simply passed or failed.
    pub levels: Vec<Level>,
}

impl Step {
    pub fn level(&self, name: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.name == name)
    }
    pub fn max_points(&self) -> u32 {
        self.levels.iter().map(|l| l.points).max().unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Video,
    Audio,
    InstrumentScreenshot,
    InstrumentState,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 4] =
        [EvidenceKind::Video, EvidenceKind::Audio, EvidenceKind::InstrumentScreenshot, EvidenceKind::InstrumentState];
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Video => "video",
            EvidenceKind::Audio => "audio",
            EvidenceKind::InstrumentScreenshot => "instrument-screenshot",
            EvidenceKind::InstrumentState => "instrument-state",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Level {
    pub name: String,
    pub points: u32,
    pub description: String,
}

/// How a pass is decided. Every critical step must pass in any case; on top of that:
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PassRule {
    /// Minimum share (0..=1) of the applicable non-critical steps that must pass.
    pub min_share: Option<f64>,
    /// Minimum points, summed over the levels awarded.
    pub min_points: Option<u32>,
    /// Non-critical steps that must pass all the same.
    pub required: Vec<StepId>,
}
