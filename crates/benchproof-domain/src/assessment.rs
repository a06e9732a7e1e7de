//! The assessment lifecycle: created → running → finished → sealed, or abandoned.
//!
//! An [`Assessment`] changes only by applying [`EventRecord`]s, so the same code builds it live
//! at the bench and replays it from a stored or bundled event log. The usual loop is:
//! [`Assessment::next_record`] (validate and build the next link), persist it, then
//! [`Assessment::apply`] it.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::digest::Sha256;
use crate::event::{verify_chain, ChainBreak, EventBody, EventRecord};
use crate::id::{AssessmentId, SnippetId};
use crate::rubric::{Rubric, StepId};
use crate::scoring::{score, Decision, Score};
use crate::time::Timestamp;

/// Longest note or reason text kept, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest student identifier, in characters.
pub const MAX_STUDENT_CHARS: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
    NotApplicable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::NotApplicable => "not-applicable",
        }
    }
}

impl std::str::FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pass" => Ok(Verdict::Pass),
            "fail" => Ok(Verdict::Fail),
            "not-applicable" | "na" | "n/a" => Ok(Verdict::NotApplicable),
            _ => Err(format!("unknown verdict {s:?}; use pass, fail or not-applicable")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LifecycleState {
    Created,
    Running,
    Finished,
    Sealed,
    Abandoned,
}

impl LifecycleState {
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleState::Created => "created",
            LifecycleState::Running => "running",
            LifecycleState::Finished => "finished",
            LifecycleState::Sealed => "sealed",
            LifecycleState::Abandoned => "abandoned",
        }
    }
}

impl fmt::Display for LifecycleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for LifecycleState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [Self::Created, Self::Running, Self::Finished, Self::Sealed, Self::Abandoned]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown assessment state {s:?}"))
    }
}

/// Why an event cannot be applied. Nothing is changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("cannot {action} while the assessment is {state}")]
    NotAllowed { state: LifecycleState, action: &'static str },
    #[error("this rubric has no step {0:?}")]
    UnknownStep(StepId),
    #[error("step {step:?} has no level {level:?}; its levels are: {known}")]
    UnknownLevel { step: StepId, level: String, known: String },
    #[error("step {0:?} is graded in levels: a pass needs a level")]
    LevelRequired(StepId),
    #[error("step {0:?} has no levels, so a level cannot be given")]
    LevelNotApplicable(StepId),
    #[error("the student identifier must be 1 to {MAX_STUDENT_CHARS} printable characters")]
    BadStudent,
    #[error("{field} must be at most {MAX_TEXT_CHARS} characters with no control characters")]
    BadText { field: &'static str },
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("snippet {0} was already saved")]
    DuplicateSnippet(SnippetId),
    #[error("there is no tick {0} to withdraw (it does not exist, is not a tick, or was withdrawn already)")]
    NoSuchTick(u64),
    #[error("an assessment can only be created once, by its first event")]
    AlreadyCreated,
    #[error("event {found} does not follow event {last} of this assessment (expected seq {}, prev {head})", last + 1)]
    OutOfOrder { last: u64, head: Sha256, found: u64 },
    #[error("the event log was written for rubric {found}, but rubric {expected} was supplied")]
    RubricMismatch { expected: Sha256, found: Sha256 },
}

/// Why a stored event log cannot be replayed into an assessment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("the event chain is broken: {0}")]
    Chain(#[from] ChainBreak),
    #[error("the first event must be `created`, found `{0}`")]
    NoGenesis(&'static str),
    #[error("event {seq} cannot be applied: {error}")]
    Transition { seq: u64, error: TransitionError },
}

/// One tick of one step, kept even when the step is ticked again later.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tick {
    pub seq: u64,
    pub at: Timestamp,
    pub step: StepId,
    pub verdict: Verdict,
    pub level: Option<String>,
    pub note: Option<String>,
    /// True once a `tick_withdrawn` event took it back: kept as history, no longer counts.
    pub withdrawn: bool,
}

/// A saved piece of evidence, as the event log records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnippetRecord {
    pub seq: u64,
    pub snippet: SnippetId,
    pub step: Option<StepId>,
    pub name: String,
    pub media_type: String,
    pub sha256: Sha256,
    pub bytes: u64,
    pub captured_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub id: AssessmentId,
    pub rubric: Rubric,
    pub student: String,
    pub state: LifecycleState,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// Every tick in order, including superseded ones.
    pub ticks: Vec<Tick>,
    pub snippets: Vec<SnippetRecord>,
    /// Devices currently reported lost (a warning the proctor must see).
    pub devices_lost: Vec<String>,
    pub last_seq: u64,
    pub head: Sha256,
}

fn check_text(field: &'static str, text: &str) -> Result<(), TransitionError> {
    if text.chars().count() > MAX_TEXT_CHARS || text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(TransitionError::BadText { field });
    }
    Ok(())
}

fn check_student(student: &str) -> Result<(), TransitionError> {
    let n = student.chars().count();
    if n == 0 || n > MAX_STUDENT_CHARS || student.trim() != student || student.chars().any(char::is_control) {
        return Err(TransitionError::BadStudent);
    }
    Ok(())
}

impl Assessment {
    /// Starts a new chain: validates the student and returns the assessment with its genesis record.
    pub fn create(
        id: AssessmentId,
        rubric: Rubric,
        student: &str,
        at: Timestamp,
    ) -> Result<(Assessment, EventRecord), TransitionError> {
        check_student(student)?;
        let body = EventBody::Created { rubric: rubric.reference(), student: student.to_owned() };
        let record = EventRecord::new(id, 1, at, Sha256::ZERO, body);
        let assessment = Assessment {
            id,
            rubric,
            student: student.to_owned(),
            state: LifecycleState::Created,
            created_at: at,
            started_at: None,
            finished_at: None,
            ended_at: None,
            ticks: Vec::new(),
            snippets: Vec::new(),
            devices_lost: Vec::new(),
            last_seq: 1,
            head: record.hash,
        };
        Ok((assessment, record))
    }

    /// Rebuilds an assessment from its whole event log, checking the chain on the way.
    pub fn replay(rubric: Rubric, records: &[EventRecord]) -> Result<Assessment, ReplayError> {
        verify_chain(records, None)?;
        let genesis = &records[0];
        let EventBody::Created { rubric: reference, student } = &genesis.event else {
            return Err(ReplayError::NoGenesis(genesis.event.kind()));
        };
        if reference.sha256 != rubric.sha256 {
            let error = TransitionError::RubricMismatch { expected: rubric.sha256, found: reference.sha256 };
            return Err(ReplayError::Transition { seq: 1, error });
        }
        let (mut a, first) = Assessment::create(genesis.assessment, rubric, student, genesis.at)
            .map_err(|error| ReplayError::Transition { seq: 1, error })?;
        debug_assert_eq!(first.hash, genesis.hash);
        for r in &records[1..] {
            a.apply(r).map_err(|error| ReplayError::Transition { seq: r.seq, error })?;
        }
        Ok(a)
    }

    /// Validates `body` against the current state and builds the next link of the chain.
    pub fn next_record(&self, at: Timestamp, body: EventBody) -> Result<EventRecord, TransitionError> {
        self.check(&body)?;
        Ok(EventRecord::new(self.id, self.last_seq + 1, at, self.head, body))
    }

    /// Applies the next record of the chain. On error, nothing changes.
    pub fn apply(&mut self, record: &EventRecord) -> Result<(), TransitionError> {
        if record.seq != self.last_seq + 1 || record.prev != self.head || record.assessment != self.id {
            return Err(TransitionError::OutOfOrder { last: self.last_seq, head: self.head, found: record.seq });
        }
        self.check(&record.event)?;
        let at = record.at;
        match &record.event {
            EventBody::Created { .. } => unreachable!("check refuses a second genesis"),
            EventBody::Started {} => {
                self.state = LifecycleState::Running;
                self.started_at = Some(at);
            }
            EventBody::StepTicked { step, verdict, level, note } => self.ticks.push(Tick {
                seq: record.seq,
                at,
                step: step.clone(),
                verdict: *verdict,
                level: level.clone(),
                note: note.clone(),
                withdrawn: false,
            }),
            EventBody::TickWithdrawn { tick } => {
                if let Some(t) = self.ticks.iter_mut().find(|t| t.seq == *tick) {
                    t.withdrawn = true;
                }
            }
            EventBody::SnippetSaved { snippet, step, name, media_type, sha256, bytes, captured_at } => {
                self.snippets.push(SnippetRecord {
                    seq: record.seq,
                    snippet: *snippet,
                    step: step.clone(),
                    name: name.clone(),
                    media_type: media_type.clone(),
                    sha256: *sha256,
                    bytes: *bytes,
                    captured_at: *captured_at,
                })
            }
            EventBody::Note { .. } => {}
            EventBody::DeviceLost { device, .. } => {
                if !self.devices_lost.contains(device) {
                    self.devices_lost.push(device.clone());
                }
            }
            EventBody::DeviceRestored { device } => self.devices_lost.retain(|d| d != device),
            EventBody::Finished {} => {
                self.state = LifecycleState::Finished;
                self.finished_at = Some(at);
            }
            EventBody::Sealed { .. } => {
                self.state = LifecycleState::Sealed;
                self.ended_at = Some(at);
            }
            EventBody::Abandoned { .. } => {
                self.state = LifecycleState::Abandoned;
                self.ended_at = Some(at);
            }
        }
        self.last_seq = record.seq;
        self.head = record.hash;
        Ok(())
    }

    /// Whether `body` may happen now.
    pub fn check(&self, body: &EventBody) -> Result<(), TransitionError> {
        use LifecycleState as S;
        let allowed: &[S] = match body {
            EventBody::Created { .. } => return Err(TransitionError::AlreadyCreated),
            EventBody::Started {} => &[S::Created],
            EventBody::StepTicked { .. } | EventBody::TickWithdrawn { .. } | EventBody::SnippetSaved { .. } => {
                &[S::Running]
            }
            EventBody::DeviceLost { .. } | EventBody::DeviceRestored { .. } => &[S::Created, S::Running],
            EventBody::Note { .. } => &[S::Created, S::Running, S::Finished],
            EventBody::Finished {} => &[S::Running],
            EventBody::Sealed { .. } => &[S::Finished],
            EventBody::Abandoned { .. } => &[S::Created, S::Running, S::Finished],
        };
        if !allowed.contains(&self.state) {
            return Err(TransitionError::NotAllowed { state: self.state, action: action_name(body) });
        }
        match body {
            EventBody::StepTicked { step, verdict, level, note } => {
                self.check_tick(step, *verdict, level.as_deref())?;
                if let Some(n) = note {
                    check_text("note", n)?;
                }
            }
            EventBody::SnippetSaved { snippet, step, name, media_type, .. } => {
                if let Some(step) = step {
                    self.rubric.step(step).ok_or_else(|| TransitionError::UnknownStep(step.clone()))?;
                }
                if name.trim().is_empty() {
                    return Err(TransitionError::Empty("snippet name"));
                }
                if media_type.trim().is_empty() {
                    return Err(TransitionError::Empty("media type"));
                }
                if self.snippets.iter().any(|s| s.snippet == *snippet) {
                    return Err(TransitionError::DuplicateSnippet(*snippet));
                }
            }
            EventBody::TickWithdrawn { tick } if !self.ticks.iter().any(|t| t.seq == *tick && !t.withdrawn) => {
                return Err(TransitionError::NoSuchTick(*tick));
            }
            EventBody::Note { text } => {
                if text.trim().is_empty() {
                    return Err(TransitionError::Empty("note"));
                }
                check_text("note", text)?;
            }
            EventBody::Abandoned { reason } => check_text("reason", reason)?,
            EventBody::DeviceLost { device, reason } => {
                check_text("device", device)?;
                check_text("reason", reason)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn check_tick(&self, step: &StepId, verdict: Verdict, level: Option<&str>) -> Result<(), TransitionError> {
        let s = self.rubric.step(step).ok_or_else(|| TransitionError::UnknownStep(step.clone()))?;
        match (level, s.levels.is_empty()) {
            (Some(_), true) => Err(TransitionError::LevelNotApplicable(step.clone())),
            (Some(l), false) if s.level(l).is_none() => Err(TransitionError::UnknownLevel {
                step: step.clone(),
                level: l.to_owned(),
                known: s.levels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", "),
            }),
            (None, false) if verdict == Verdict::Pass => Err(TransitionError::LevelRequired(step.clone())),
            _ => Ok(()),
        }
    }

    /// The latest tick of `step` that still counts.
    pub fn latest_tick(&self, step: &StepId) -> Option<&Tick> {
        self.ticks.iter().rev().find(|t| &t.step == step && !t.withdrawn)
    }

    /// The most recent tick that still counts (what "undo" takes back).
    pub fn last_live_tick(&self) -> Option<&Tick> {
        self.ticks.iter().rev().find(|t| !t.withdrawn)
    }

    /// True when any tick was withdrawn (such a log needs bundle format version 2).
    pub fn has_withdrawals(&self) -> bool {
        self.ticks.iter().any(|t| t.withdrawn)
    }

    /// The latest tick of every ticked step, withdrawn ticks left out.
    pub fn decisions(&self) -> HashMap<StepId, Decision> {
        let mut out = HashMap::new();
        for t in self.ticks.iter().filter(|t| !t.withdrawn) {
            out.insert(t.step.clone(), Decision { verdict: t.verdict, level: t.level.clone() });
        }
        out
    }

    pub fn score(&self) -> Score {
        score(&self.rubric, &self.decisions())
    }
}

fn action_name(body: &EventBody) -> &'static str {
    match body {
        EventBody::Created { .. } => "create it again",
        EventBody::Started {} => "start it",
        EventBody::StepTicked { .. } => "tick a step",
        EventBody::TickWithdrawn { .. } => "withdraw a tick",
        EventBody::SnippetSaved { .. } => "save a snippet",
        EventBody::Note { .. } => "add a note",
        EventBody::DeviceLost { .. } | EventBody::DeviceRestored { .. } => "record a device change",
        EventBody::Finished {} => "finish it",
        EventBody::Sealed { .. } => "seal it",
        EventBody::Abandoned { .. } => "abandon it",
    }
}
