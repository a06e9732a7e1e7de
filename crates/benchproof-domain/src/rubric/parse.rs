//! TOML → [`Rubric`], reporting every problem with line and column.
//!
//! Three passes: TOML syntax (the parser stops at the first error it cannot recover from),
//! then shape (serde, collecting every unknown key rather than stopping at the first), then the
//! rubric's own rules (all of them, each pointing at the offending value).

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{EvidenceKind, Level, PassRule, Rubric, Step, StepId};
use crate::digest::Sha256;

/// Longest pre- or post-roll a rubric may ask for: the station keeps pre-roll in memory.
pub const MAX_ROLL_SECONDS: f64 = 300.0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    Syntax,
    UnknownField,
    WrongType,
    MissingField,
    Empty,
    BadId,
    DuplicateStepId,
    NoCriticalStep,
    NoSteps,
    UnknownEvidence,
    BadRoll,
    DuplicateLevel,
    TooFewLevels,
    PassRuleUnknownStep,
    PassRuleOutOfRange,
}

/// One thing wrong with a rubric file, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Every problem found in one rubric text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RubricError {
    pub source_name: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for RubricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}:{}: {}", self.source_name, p.line, p.column, p.message)?;
        }
        Ok(())
    }
}

/// Parses and validates a rubric. `source_name` (usually the file path) only labels problems.
pub fn parse(source_name: &str, text: &str) -> Result<Rubric, RubricError> {
    let mut problems = Problems { text, list: Vec::new() };
    let rubric = parse_into(text, &mut problems);
    match rubric {
        Some(r) if problems.list.is_empty() => Ok(r),
        _ => Err(RubricError { source_name: source_name.to_owned(), problems: problems.list }),
    }
}

struct Problems<'t> {
    text: &'t str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn push(&mut self, kind: ProblemKind, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = line_column(self.text, span.start);
        self.list.push(Problem { kind, line, column, message: message.into() });
    }
}

/// The 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[derive(Deserialize)]
struct RawRubric {
    id: Spanned<String>,
    version: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    description: String,
    pass_rule: Option<Spanned<RawPassRule>>,
    steps: Spanned<Vec<Spanned<RawStep>>>,
}

#[derive(Deserialize)]
struct RawPassRule {
    min_share: Option<Spanned<f64>>,
    min_points: Option<Spanned<i64>>,
    #[serde(default)]
    required: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawStep {
    id: Spanned<String>,
    title: Spanned<String>,
    instruction: Spanned<String>,
    look_for: Spanned<String>,
    #[serde(default)]
    critical: bool,
    #[serde(default)]
    evidence: Vec<Spanned<String>>,
    pre_roll_s: Spanned<f64>,
    post_roll_s: Spanned<f64>,
    #[serde(default)]
    levels: Vec<Spanned<RawLevel>>,
}

#[derive(Deserialize)]
struct RawLevel {
    name: Spanned<String>,
    points: Spanned<i64>,
    #[serde(default)]
    description: String,
}

fn parse_into(text: &str, problems: &mut Problems<'_>) -> Option<Rubric> {
    let table = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            problems.push(ProblemKind::Syntax, span, format!("invalid TOML: {}", e.message().trim()));
            return None;
        }
    };

    let mut unknown = Vec::new();
    let de = toml::Deserializer::from(table.clone());
    let raw: Result<RawRubric, _> = serde_ignored::deserialize(de, |path| unknown.push(path.to_string()));
    for path in unknown {
        // `Spanned` wrappers show up as a private segment in serde paths; drop them.
        let path = path.split('.').filter(|s| !s.starts_with("$__serde_spanned")).collect::<Vec<_>>().join(".");
        let span = span_of_path(&table, &path).unwrap_or(0..0);
        let field = path.rsplit('.').next().unwrap_or(&path).to_owned();
        problems.push(
            ProblemKind::UnknownField,
            span,
            format!("unknown field `{field}` (at `{path}`); check the spelling against docs/rubric-format.md"),
        );
    }
    let raw = match raw {
        Ok(r) => r,
        Err(e) => {
            let message = e.message().trim().to_owned();
            let kind =
                if message.starts_with("missing field") { ProblemKind::MissingField } else { ProblemKind::WrongType };
            problems.push(kind, e.span().unwrap_or(0..0), message);
            return None;
        }
    };
    Some(validate(raw, text, problems))
}

/// Finds the span of a serde path such as `steps.2.levels.0.colour` in the parsed table.
fn span_of_path(root: &Spanned<DeTable<'_>>, path: &str) -> Option<Range<usize>> {
    let mut value: Option<&Spanned<DeValue<'_>>> = None;
    let mut key_span = None;
    for segment in path.split('.') {
        let next = match value.map(|v| v.get_ref()) {
            None => lookup(root.get_ref(), segment, &mut key_span),
            Some(DeValue::Table(t)) => lookup(t, segment, &mut key_span),
            Some(DeValue::Array(a)) => {
                let v = segment.parse::<usize>().ok().and_then(|i| a.get(i));
                key_span = v.map(|v| v.span());
                v
            }
            Some(_) => None,
        };
        value = Some(next?);
    }
    key_span
}

fn lookup<'a, 'i>(
    table: &'a DeTable<'i>,
    key: &str,
    key_span: &mut Option<Range<usize>>,
) -> Option<&'a Spanned<DeValue<'i>>> {
    let (k, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == key)?;
    *key_span = Some(k.span());
    Some(v)
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn require_text(field: &str, value: &Spanned<String>, problems: &mut Problems<'_>) {
    if value.get_ref().trim().is_empty() {
        problems.push(ProblemKind::Empty, value.span(), format!("`{field}` must not be empty"));
    }
}

fn validate(raw: RawRubric, text: &str, problems: &mut Problems<'_>) -> Rubric {
    if !is_slug(raw.id.get_ref()) {
        problems.push(
            ProblemKind::BadId,
            raw.id.span(),
            format!("rubric id {:?} must be a lowercase slug (a-z, 0-9, '-')", raw.id.get_ref()),
        );
    }
    let version = raw.version.get_ref();
    if version.trim().is_empty() || version.chars().any(char::is_whitespace) {
        problems.push(
            ProblemKind::BadId,
            raw.version.span(),
            format!("version {version:?} must be non-empty with no spaces, e.g. \"1.0.0\""),
        );
    }
    require_text("title", &raw.title, problems);

    if raw.steps.get_ref().is_empty() {
        problems.push(ProblemKind::NoSteps, raw.steps.span(), "a rubric needs at least one step");
    }
    let mut seen = HashSet::new();
    let mut steps = Vec::new();
    for step in raw.steps.get_ref() {
        steps.push(validate_step(step.get_ref(), &mut seen, problems));
    }
    if !steps.is_empty() && !steps.iter().any(|s| s.critical) {
        problems.push(
            ProblemKind::NoCriticalStep,
            raw.steps.span(),
            "no step is marked `critical = true`; a competency needs at least one step that must pass",
        );
    }

    let pass_rule = raw.pass_rule.map(|p| validate_pass_rule(p.into_inner(), &steps, problems)).unwrap_or_default();

    Rubric {
        id: raw.id.into_inner(),
        version: raw.version.into_inner(),
        title: raw.title.into_inner(),
        description: raw.description,
        steps,
        pass_rule,
        sha256: Sha256::of(text.as_bytes()),
    }
}

fn validate_step(raw: &RawStep, seen: &mut HashSet<String>, problems: &mut Problems<'_>) -> Step {
    let id = raw.id.get_ref();
    if !is_slug(id) {
        problems.push(
            ProblemKind::BadId,
            raw.id.span(),
            format!("step id {id:?} must be a lowercase slug (a-z, 0-9, '-')"),
        );
    } else if !seen.insert(id.clone()) {
        problems.push(
            ProblemKind::DuplicateStepId,
            raw.id.span(),
            format!("duplicate step id {id:?}; every step needs its own id"),
        );
    }
    require_text("title", &raw.title, problems);
    require_text("instruction", &raw.instruction, problems);
    require_text("look_for", &raw.look_for, problems);

    let mut evidence = Vec::new();
    for e in &raw.evidence {
        match EvidenceKind::ALL.iter().find(|k| k.as_str() == e.get_ref()) {
            Some(k) if !evidence.contains(k) => evidence.push(*k),
            Some(_) => {}
            None => problems.push(
                ProblemKind::UnknownEvidence,
                e.span(),
                format!(
                    "unknown evidence kind {:?}; use one of video, audio, instrument-screenshot, instrument-state",
                    e.get_ref()
                ),
            ),
        }
    }

    let pre = *raw.pre_roll_s.get_ref();
    if !(pre > 0.0 && pre <= MAX_ROLL_SECONDS) {
        problems.push(
            ProblemKind::BadRoll,
            raw.pre_roll_s.span(),
            format!("pre_roll_s = {pre} must be more than 0 and at most {MAX_ROLL_SECONDS} seconds"),
        );
    }
    let post = *raw.post_roll_s.get_ref();
    if !(0.0..=MAX_ROLL_SECONDS).contains(&post) {
        problems.push(
            ProblemKind::BadRoll,
            raw.post_roll_s.span(),
            format!("post_roll_s = {post} must be between 0 and {MAX_ROLL_SECONDS} seconds"),
        );
    }

    let mut levels: Vec<Level> = Vec::new();
    for l in &raw.levels {
        let l = l.get_ref();
        require_text("level name", &l.name, problems);
        if levels.iter().any(|x| &x.name == l.name.get_ref()) {
            problems.push(
                ProblemKind::DuplicateLevel,
                l.name.span(),
                format!("duplicate level {:?} in step {id:?}", l.name.get_ref()),
            );
        }
        let points = match u32::try_from(*l.points.get_ref()) {
            Ok(p) if p <= 1000 => p,
            _ => {
                problems.push(
                    ProblemKind::PassRuleOutOfRange,
                    l.points.span(),
                    format!("points = {} must be between 0 and 1000", l.points.get_ref()),
                );
                0
            }
        };
        levels.push(Level { name: l.name.get_ref().clone(), points, description: l.description.clone() });
    }
    if levels.len() == 1 {
        problems.push(
            ProblemKind::TooFewLevels,
            raw.levels[0].span(),
            format!("step {id:?} has a single level; give two or more, or none"),
        );
    }

    Step {
        id: StepId::new(id.clone()),
        title: raw.title.get_ref().clone(),
        instruction: raw.instruction.get_ref().clone(),
        look_for: raw.look_for.get_ref().clone(),
        critical: raw.critical,
        evidence,
        pre_roll_s: pre,
        post_roll_s: post,
        levels,
    }
}

fn validate_pass_rule(raw: RawPassRule, steps: &[Step], problems: &mut Problems<'_>) -> PassRule {
    let min_share = raw.min_share.map(|s| {
        let v = *s.get_ref();
        if !(0.0..=1.0).contains(&v) {
            problems.push(
                ProblemKind::PassRuleOutOfRange,
                s.span(),
                format!("min_share = {v} must be between 0 and 1 (a share of the non-critical steps)"),
            );
        }
        v
    });
    let max_points: u32 = steps.iter().map(Step::max_points).sum();
    let min_points = raw.min_points.map(|p| {
        let v = *p.get_ref();
        if v < 0 || v > i64::from(max_points) {
            problems.push(
                ProblemKind::PassRuleOutOfRange,
                p.span(),
                format!("min_points = {v} cannot be reached: the steps' levels give at most {max_points} points"),
            );
        }
        u32::try_from(v).unwrap_or(0)
    });
    let mut required = Vec::new();
    for r in raw.required {
        match steps.iter().find(|s| s.id.as_str() == r.get_ref()) {
            Some(s) => required.push(s.id.clone()),
            None => problems.push(
                ProblemKind::PassRuleUnknownStep,
                r.span(),
                format!("pass_rule.required names step {:?}, which this rubric does not have", r.get_ref()),
            ),
        }
    }
    PassRule { min_share, min_points, required }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const GOOD: &str = r#"
id = "demo-skill"
version = "1.0.0"
title = "Demo skill"
description = "A tiny rubric for tests."

[pass_rule]
min_share = 0.5
required = ["tidy"]

[[steps]]
id = "prepare"
title = "Prepare"
instruction = "Lay out the tools."
look_for = "Tools within reach."
critical = true
evidence = ["video"]
pre_roll_s = 5
post_roll_s = 2.5

[[steps]]
id = "tidy"
title = "Tidy"
instruction = "Clean the bench."
look_for = "Bench clear."
evidence = ["video", "audio"]
pre_roll_s = 3
post_roll_s = 0

[[steps.levels]]
name = "Novice"
points = 1

[[steps.levels]]
name = "Proficient"
points = 3
"#;

    #[test]
    fn parses_a_good_rubric() {
        let r = parse("good.toml", GOOD).unwrap();
        assert_eq!(r.id, "demo-skill");
        assert_eq!(r.steps.len(), 2);
        assert_eq!(r.steps[0].pre_roll_s, 5.0);
        assert_eq!(r.max_points(), 3);
        assert_eq!(r.pass_rule.required, vec![StepId::new("tidy")]);
        assert_eq!(r.sha256, Sha256::of(GOOD.as_bytes()));
    }

    fn problems(text: &str) -> Vec<Problem> {
        parse("bad.toml", text).unwrap_err().problems
    }

    #[test]
    fn syntax_error_has_position() {
        let p = problems("id = \"x\"\ntitle = = 3\n");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].kind, ProblemKind::Syntax);
        assert_eq!(p[0].line, 2);
    }

    #[test]
    fn every_unknown_field_is_reported_with_position() {
        let text = GOOD
            .replace("critical = true", "critical = true\ncritcal = false")
            .replace("name = \"Novice\"", "name = \"Novice\"\ncolour = \"red\"");
        let p = problems(&text);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.iter().all(|p| p.kind == ProblemKind::UnknownField));
        assert!(p[0].message.contains("critcal"));
        let line = text.lines().position(|l| l.starts_with("critcal")).unwrap() + 1;
        assert_eq!((p[0].line, p[0].column), (line, 1));
    }

    #[test]
    fn rule_violations_are_all_reported() {
        let text = GOOD
            .replace("id = \"tidy\"", "id = \"prepare\"")
            .replace("critical = true", "critical = false")
            .replace("pre_roll_s = 3", "pre_roll_s = 0")
            .replace("evidence = [\"video\"]", "evidence = [\"smell\"]");
        let kinds: Vec<_> = problems(&text).into_iter().map(|p| p.kind).collect();
        for k in [
            ProblemKind::DuplicateStepId,
            ProblemKind::NoCriticalStep,
            ProblemKind::BadRoll,
            ProblemKind::UnknownEvidence,
            ProblemKind::PassRuleUnknownStep,
        ] {
            assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
        }
    }

    #[test]
    fn missing_field_and_wrong_type() {
        let p = problems(&GOOD.replace("title = \"Demo skill\"\n", ""));
        assert_eq!(p[0].kind, ProblemKind::MissingField);
        let p = problems(&GOOD.replace("pre_roll_s = 5", "pre_roll_s = \"five\""));
        assert_eq!(p[0].kind, ProblemKind::WrongType);
        assert!(p[0].line > 1);
    }

    #[test]
    fn unreachable_min_points() {
        let p = problems(&GOOD.replace("min_share = 0.5", "min_points = 99"));
        assert_eq!(p[0].kind, ProblemKind::PassRuleOutOfRange);
    }
}
