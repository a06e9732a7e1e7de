//! The shapes that cross the IPC boundary. Each derives `ts_rs::TS`; the generated TypeScript in
//! `ui/src/lib/backend/bindings/` is committed and checked for staleness (`bindings.rs`).
//!
//! Invariant: these are copies made for the UI, never domain types; conversions are field for
//! field with no decisions (the station decides). Timestamps are RFC 3339 strings, ids strings,
//! sizes and counts plain JSON numbers.

mod assessment;
mod outbox;
mod rubric;
mod schedule;
mod station;

pub use assessment::{
    AssessmentView, DeviceOutage, LifecycleState, NewAssessment, NoteView, Score, ShortOf, Snippet, StudentStepView,
    StudentView, Tick, TickRequest, Verdict,
};
pub use outbox::{HistoryItem, OutboxItem, Outcome, Progress, QueueStatus, SealedInfo, SyncState};
pub use rubric::{EvidenceKind, Level, PassRule, Rubric, RubricSummary, Step};
pub use schedule::{CheckInRequest, ScheduleBooking, ScheduleList, ScheduleSlot};
pub use station::{
    AppInfo, AudioLevelEvent, DeviceEvent, DeviceInfo, DeviceKind, FilePurpose, InstrumentTest, ProctorInfo,
    SetupRequest, StationStatus,
};
