//! Scoring: a pure function from a rubric and the latest verdict per step to an outcome.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::assessment::Verdict;
use crate::rubric::{Rubric, StepId};

/// The latest decision for one step (earlier ticks of the same step are history only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub level: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every critical and required step passed and the pass rule's thresholds are met.
    Passed,
    /// Something that must pass did not, or a threshold was missed.
    NotYetCompetent,
    /// A critical or required step has no verdict yet, and nothing has failed outright.
    Incomplete,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::NotYetCompetent => "not-yet-competent",
            Outcome::Incomplete => "incomplete",
        }
    }
}

/// Why an assessment did not pass.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum ShortOf {
    CriticalFailed { step: StepId },
    CriticalNotApplicable { step: StepId },
    CriticalUntested { step: StepId },
    RequiredFailed { step: StepId },
    RequiredUntested { step: StepId },
    ShareBelow { share: f64, min_share: f64 },
    PointsBelow { points: u32, min_points: u32 },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub outcome: Outcome,
    pub passed: u32,
    pub failed: u32,
    pub not_applicable: u32,
    pub untested: u32,
    /// Share of the applicable non-critical steps that passed (1.0 when none apply).
    pub share: f64,
    pub points: u32,
    pub max_points: u32,
    /// Critical steps that failed or were marked not applicable.
    pub failed_critical: Vec<StepId>,
    pub short_of: Vec<ShortOf>,
}

pub fn score(rubric: &Rubric, decisions: &HashMap<StepId, Decision>) -> Score {
    let (mut passed, mut failed, mut not_applicable, mut untested) = (0, 0, 0, 0);
    let (mut nc_applicable, mut nc_passed, mut points) = (0u32, 0u32, 0u32);
    let mut failing = Vec::new();
    let mut missing = Vec::new();
    let mut failed_critical = Vec::new();

    for step in &rubric.steps {
        let decision = decisions.get(&step.id);
        let required = rubric.pass_rule.required.contains(&step.id);
        match decision.map(|d| d.verdict) {
            Some(Verdict::Pass) => passed += 1,
            Some(Verdict::Fail) => failed += 1,
            Some(Verdict::NotApplicable) => not_applicable += 1,
            None => untested += 1,
        }
        if let Some(Decision { verdict: Verdict::Pass, level: Some(level) }) = decision {
            points += step.level(level).map_or(0, |l| l.points);
        }
        let id = step.id.clone();
        if step.critical {
            match decision.map(|d| d.verdict) {
                Some(Verdict::Pass) => {}
                Some(Verdict::Fail) => {
                    failed_critical.push(id.clone());
                    failing.push(ShortOf::CriticalFailed { step: id });
                }
                Some(Verdict::NotApplicable) => {
                    failed_critical.push(id.clone());
                    failing.push(ShortOf::CriticalNotApplicable { step: id });
                }
                None => missing.push(ShortOf::CriticalUntested { step: id }),
            }
            continue;
        }
        match decision.map(|d| d.verdict) {
            Some(Verdict::NotApplicable) => {}
            Some(Verdict::Pass) => {
                nc_applicable += 1;
                nc_passed += 1;
            }
            Some(Verdict::Fail) => {
                nc_applicable += 1;
                if required {
                    failing.push(ShortOf::RequiredFailed { step: id });
                }
            }
            None => {
                nc_applicable += 1;
                if required {
                    missing.push(ShortOf::RequiredUntested { step: id });
                }
            }
        }
    }

    let share = if nc_applicable == 0 { 1.0 } else { f64::from(nc_passed) / f64::from(nc_applicable) };
    if let Some(min_share) = rubric.pass_rule.min_share {
        if share < min_share {
            failing.push(ShortOf::ShareBelow { share, min_share });
        }
    }
    if let Some(min_points) = rubric.pass_rule.min_points {
        if points < min_points {
            failing.push(ShortOf::PointsBelow { points, min_points });
        }
    }

    // A missing critical verdict makes the result incomplete rather than a fail, unless
    // something has already failed outright; thresholds only count once nothing is missing.
    let outright = failing.iter().any(|s| {
        matches!(
            s,
            ShortOf::CriticalFailed { .. } | ShortOf::CriticalNotApplicable { .. } | ShortOf::RequiredFailed { .. }
        )
    });
    let outcome = if outright {
        Outcome::NotYetCompetent
    } else if !missing.is_empty() {
        Outcome::Incomplete
    } else if !failing.is_empty() {
        Outcome::NotYetCompetent
    } else {
        Outcome::Passed
    };
    let mut short_of = failing;
    short_of.extend(missing);

    Score {
        outcome,
        passed,
        failed,
        not_applicable,
        untested,
        share,
        points,
        max_points: rubric.max_points(),
        failed_critical,
        short_of,
    }
}
