//! The hash-chained event log: every change to an assessment is one [`EventRecord`], and every
//! record carries the hash of the one before it, so removing, reordering or editing an event
//! breaks the chain at a place [`verify_chain`] can name.
//!
//! A record's hash is `SHA-256(JCS(record without "hash"))`, JCS being RFC 8785 JSON
//! canonicalisation; the first record's `prev` is 64 zeros. The format is frozen: new event
//! kinds may be added, existing fields are never changed.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::assessment::Verdict;
use crate::digest::Sha256;
use crate::id::{AssessmentId, SnippetId};
use crate::rubric::{RubricRef, StepId};
use crate::time::Timestamp;

/// What happened. Serialised with a `kind` tag, e.g. `{"kind":"step_ticked",...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventBody {
    /// The genesis of every chain: who is assessed against which exact rubric text.
    Created {
        rubric: RubricRef,
        student: String,
    },
    Started {},
    StepTicked {
        step: StepId,
        verdict: Verdict,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Withdraws an earlier tick (the proctor's "undo"): it stays in the log and stops counting.
    TickWithdrawn {
        /// The `seq` of the `step_ticked` event withdrawn.
        tick: u64,
    },
    SnippetSaved {
        snippet: SnippetId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<StepId>,
        /// A file name for people and for the bundle, e.g. `solder-joint.mp4`.
        name: String,
        media_type: String,
        sha256: Sha256,
        bytes: u64,
        captured_at: Timestamp,
    },
    Note {
        text: String,
    },
    DeviceLost {
        device: String,
        reason: String,
    },
    DeviceRestored {
        device: String,
    },
    Finished {},
    Sealed {
        bundle_sha256: Sha256,
    },
    Abandoned {
        reason: String,
    },
}

impl EventBody {
    /// The lifecycle state an assessment is in after this event, when the event changes it.
    pub fn resulting_state(&self) -> Option<crate::assessment::LifecycleState> {
        use crate::assessment::LifecycleState as S;
        match self {
            EventBody::Created { .. } => Some(S::Created),
            EventBody::Started {} => Some(S::Running),
            EventBody::Finished {} => Some(S::Finished),
            EventBody::Sealed { .. } => Some(S::Sealed),
            EventBody::Abandoned { .. } => Some(S::Abandoned),
            _ => None,
        }
    }

    /// The `kind` tag, for messages and for the store's index column.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Created { .. } => "created",
            EventBody::Started {} => "started",
            EventBody::StepTicked { .. } => "step_ticked",
            EventBody::TickWithdrawn { .. } => "tick_withdrawn",
            EventBody::SnippetSaved { .. } => "snippet_saved",
            EventBody::Note { .. } => "note",
            EventBody::DeviceLost { .. } => "device_lost",
            EventBody::DeviceRestored { .. } => "device_restored",
            EventBody::Finished {} => "finished",
            EventBody::Sealed { .. } => "sealed",
            EventBody::Abandoned { .. } => "abandoned",
        }
    }
}

/// One link of an assessment's chain. `seq` counts from 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRecord {
    pub assessment: AssessmentId,
    pub seq: u64,
    pub at: Timestamp,
    pub prev: Sha256,
    pub event: EventBody,
    pub hash: Sha256,
}

#[derive(Serialize)]
struct Unhashed<'a> {
    assessment: AssessmentId,
    seq: u64,
    at: Timestamp,
    prev: Sha256,
    event: &'a EventBody,
}

impl EventRecord {
    /// Builds a record and computes its hash.
    pub fn new(assessment: AssessmentId, seq: u64, at: Timestamp, prev: Sha256, event: EventBody) -> Self {
        let hash = Self::compute_hash(assessment, seq, at, prev, &event);
        EventRecord { assessment, seq, at, prev, event, hash }
    }

    fn compute_hash(assessment: AssessmentId, seq: u64, at: Timestamp, prev: Sha256, event: &EventBody) -> Sha256 {
        let canon = serde_json_canonicalizer::to_vec(&Unhashed { assessment, seq, at, prev, event })
            .expect("event records contain only strings, integers and objects");
        Sha256::of(&canon)
    }

    /// The hash this record should carry, recomputed from its contents.
    pub fn recomputed_hash(&self) -> Sha256 {
        Self::compute_hash(self.assessment, self.seq, self.at, self.prev, &self.event)
    }

    /// The canonical one-line JSON form used in `events.jsonl` and in the store.
    pub fn to_json_line(&self) -> String {
        serde_json_canonicalizer::to_string(self).expect("event records serialise")
    }
}

/// The first broken link in a chain, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("the event log is empty; every assessment starts with a `created` event")]
    Empty,
    #[error("event {seq} belongs to assessment {found}, not {expected}")]
    WrongAssessment { seq: u64, expected: AssessmentId, found: AssessmentId },
    #[error("event {seq} was edited: its contents no longer match its hash")]
    Tampered { seq: u64 },
    #[error("event at position {position} has sequence number {found}, expected {expected}: an event was removed or the events were reordered")]
    OutOfSequence { position: usize, expected: u64, found: u64 },
    #[error("event {seq} does not link to event {}: an event was removed, inserted or reordered", seq - 1)]
    BrokenLink { seq: u64 },
    #[error("the chain ends at {found} but {expected} was recorded as its head: events were removed from the end")]
    HeadMismatch { expected: Sha256, found: Sha256 },
}

/// Checks a whole chain and returns the hash of its last record (the head).
///
/// With `expected_head`, also checks that nothing was cut from the end, which the links
/// alone cannot show.
pub fn verify_chain(records: &[EventRecord], expected_head: Option<Sha256>) -> Result<Sha256, ChainBreak> {
    let first = records.first().ok_or(ChainBreak::Empty)?;
    let mut prev = Sha256::ZERO;
    for (position, r) in records.iter().enumerate() {
        if r.assessment != first.assessment {
            return Err(ChainBreak::WrongAssessment { seq: r.seq, expected: first.assessment, found: r.assessment });
        }
        if r.recomputed_hash() != r.hash {
            return Err(ChainBreak::Tampered { seq: r.seq });
        }
        let expected = position as u64 + 1;
        if r.seq != expected {
            return Err(ChainBreak::OutOfSequence { position: position + 1, expected, found: r.seq });
        }
        if r.prev != prev {
            return Err(ChainBreak::BrokenLink { seq: r.seq });
        }
        prev = r.hash;
    }
    match expected_head {
        Some(expected) if expected != prev => Err(ChainBreak::HeadMismatch { expected, found: prev }),
        _ => Ok(prev),
    }
}

impl fmt::Display for EventRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {} {}", self.seq, self.at, self.event.kind())
    }
}
