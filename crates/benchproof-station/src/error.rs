use std::path::PathBuf;

use benchproof_bundle::keyfile::KeyFileError;
use benchproof_domain::assessment::{ReplayError, TransitionError};
use benchproof_domain::rubric::RubricError;
use benchproof_domain::{AssessmentId, ChainBreak};
use benchproof_store::{OpenError, StoreError};

use crate::trust::TrustProblem;

/// Everything that can go wrong at the station, grouped so front ends can react by kind.
#[derive(Debug, thiserror::Error)]
pub enum StationError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("refused: {0}")]
    Transition(#[from] TransitionError),
    #[error("{0}")]
    Rubric(#[from] RubricError),
    #[error("no rubric {0:?}: give a rubric id from `benchproof rubric list`, or a path to a .toml file")]
    UnknownRubric(String),
    #[error("no assessment matches {0:?}; `benchproof assessment list` shows them")]
    UnknownAssessment(String),
    #[error("{0:?} matches {1} assessments; give more of the id")]
    AmbiguousAssessment(String, usize),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Script { path: PathBuf, message: String },
    #[error("the event log of {id} is broken: {source}")]
    Chain { id: AssessmentId, source: ChainBreak },
    #[error("the event log of {id} cannot be replayed: {source}")]
    Replay { id: AssessmentId, source: ReplayError },
    #[error(transparent)]
    Trust(#[from] crate::trust::TrustProblem),
    #[error("assessment {id} is {state}; only a finished assessment can be sealed")]
    NotFinished { id: AssessmentId, state: benchproof_domain::LifecycleState },
    #[error("sealing failed: {0}")]
    Seal(#[from] benchproof_bundle::SealError),
    #[error("credential: {0}")]
    Credential(String),
    #[error("there is no tick to undo")]
    NothingToUndo,
    #[error("capture: {0}")]
    Capture(String),
    #[error("no schedule on this station yet: set the department server (`benchproof sync --server URL`) and sync once while online")]
    NoSchedule,
    #[error("the stored schedule cannot be read: {0}; sync again while online")]
    Schedule(String),
    #[error("no booking {0:?} in this station's schedule; `benchproof schedule` lists them (sync first if it was booked recently)")]
    UnknownBooking(String),
    #[error("booking {booking} is {status}, so it cannot be checked in; ask the department to book the student again")]
    BookingClosed { booking: String, status: String },
    #[error("this station does not have rubric {id} version {version}, which the slot is for; ask the department to publish it into this station's rubrics/ folder")]
    RubricVersionMissing { id: String, version: String },
}

impl StationError {
    /// A stable code for front ends to react to (the UI maps these, never the message text).
    pub fn code(&self) -> &'static str {
        match self {
            StationError::Open(OpenError::Corrupt { .. }) => "store_corrupt",
            StationError::Open(OpenError::TooNew { .. }) => "store_too_new",
            StationError::Open(_) => "store_unavailable",
            StationError::Store(StoreError::DiskFull { .. }) => "disk_full",
            StationError::Store(StoreError::Closed { .. }) => "assessment_closed",
            StationError::Store(StoreError::Conflict { .. }) => "conflict",
            StationError::Store(StoreError::Chain { .. }) | StationError::Chain { .. } => "chain_broken",
            StationError::Store(StoreError::AlreadyCheckedIn { .. }) => "already_checked_in",
            StationError::Store(_) => "store_error",
            StationError::Transition(TransitionError::NotAllowed { .. }) => "not_allowed",
            StationError::Transition(_) => "invalid_input",
            StationError::Rubric(_) => "rubric_invalid",
            StationError::UnknownRubric(_) => "unknown_rubric",
            StationError::UnknownAssessment(_) | StationError::AmbiguousAssessment(..) => "unknown_assessment",
            StationError::Io { .. } => "io",
            StationError::Script { .. } => "script_invalid",
            StationError::Replay { .. } => "replay_failed",
            StationError::Trust(TrustProblem::KeyFile(KeyFileError::NeedsPassphrase(_))) => "passphrase_needed",
            StationError::Trust(TrustProblem::KeyFile(KeyFileError::WrongPassphrase(_))) => "wrong_passphrase",
            StationError::Trust(TrustProblem::NotEnrolled) => "not_enrolled",
            StationError::Trust(TrustProblem::UnknownProctor(_)) => "unknown_proctor",
            StationError::Trust(_) => "keys_or_trust",
            StationError::NotFinished { .. } => "not_finished",
            StationError::Seal(_) => "seal_failed",
            StationError::Capture(_) => "capture_failed",
            StationError::NothingToUndo => "nothing_to_undo",
            StationError::Credential(_) => "credential_refused",
            StationError::NoSchedule => "no_schedule",
            StationError::Schedule(_) => "schedule_invalid",
            StationError::UnknownBooking(_) => "unknown_booking",
            StationError::BookingClosed { .. } => "booking_closed",
            StationError::RubricVersionMissing { .. } => "rubric_missing",
        }
    }
}
