//! Metadata of micro-events: assessment slots, the students booked into them, and the history of
//! every change (schema version 3).
//!
//! The backends only read everything ([`EventMeta::event_snapshot`]) and commit a change the pure
//! rules in [`crate::events::rules`] computed from it ([`EventMeta::commit_event_change`]). A
//! change carries the revision it was computed at and commits only if the revision is still that
//! (a compare-and-set, serialised by a transaction), so two admins or a station and an admin
//! acting at once can never overbook a slot: the loser recomputes from a fresh snapshot.
//!
//! Invariants every backend keeps: the revision is the number of history rows; history rows are
//! only appended, each in the same transaction as the rows it describes; slot and booking rows are
//! upserted whole and never deleted.

use serde::Serialize;

use super::BoxFut;

/// One assessment slot at one station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotRow {
    /// UUIDv7.
    pub id: String,
    /// The station's `did:key`.
    pub station: String,
    pub rubric_id: String,
    pub rubric_version: String,
    pub starts_ms: i64,
    pub ends_ms: i64,
    /// How many students may hold a booking at once (1–500).
    pub capacity: i64,
    /// A reference into an external payment system, as the admin typed it; never interpreted.
    pub fee_reference: Option<String>,
    pub created_ms: i64,
    pub created_by: String,
    pub cancelled_ms: Option<i64>,
    pub cancelled_by: Option<String>,
}

/// One student's booking of a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingRow {
    /// UUIDv7.
    pub id: String,
    pub slot: String,
    /// The student identifier as the station records it.
    pub student: String,
    /// `booked`, `checked-in`, `no-show`, `moved` (re-booked into `moved_to`) or `cancelled`
    /// (its slot was cancelled).
    pub status: String,
    pub created_ms: i64,
    pub created_by: String,
    /// The booking this one replaced when the student was re-booked.
    pub moved_from: Option<String>,
    /// The booking that replaced this one.
    pub moved_to: Option<String>,
    /// The last status change.
    pub changed_ms: Option<i64>,
    pub changed_by: Option<String>,
    /// When the station checked the student in (its clock), and the assessment it started.
    pub checked_in_ms: Option<i64>,
    pub assessment: Option<String>,
}

/// One change to the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventHistoryRow {
    /// Dense from 0; `seq + 1` is the revision after this change.
    pub seq: i64,
    pub at_ms: i64,
    /// The admin, or the station's did for a check-in.
    pub actor: String,
    /// `slot-created`, `slot-cancelled`, `booked`, `moved`, `no-show`, `checked-in`.
    pub action: String,
    pub slot: String,
    pub booking: Option<String>,
    pub detail: String,
}

/// Everything, as of one revision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventSnapshot {
    pub revision: i64,
    /// By start time.
    pub slots: Vec<SlotRow>,
    /// By creation time.
    pub bookings: Vec<BookingRow>,
}

/// Rows to upsert and the history row that describes them (its `seq` is the revision the change
/// was computed at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventChange {
    pub slots: Vec<SlotRow>,
    pub bookings: Vec<BookingRow>,
    pub history: EventHistoryRow,
}

/// Micro-event metadata (part of [`super::MetaStore`]).
pub trait EventMeta {
    fn event_snapshot(&self) -> BoxFut<'_, EventSnapshot>;
    /// Commits `change` if the revision is still `change.history.seq`; `false` (nothing written)
    /// if another change came first.
    fn commit_event_change(&self, change: EventChange) -> BoxFut<'_, bool>;
    /// The history, oldest first.
    fn event_history(&self) -> BoxFut<'_, Vec<EventHistoryRow>>;
}

/// Column lists and upserts shared by both backends (written with `$n`; SQLite takes `?n`).
pub(crate) mod sql {
    pub const SLOT_COLS: &str = "id, station, rubric_id, rubric_version, starts_ms, ends_ms, capacity, fee_reference, created_ms, created_by, cancelled_ms, cancelled_by";
    pub const BOOKING_COLS: &str = "id, slot, student, status, created_ms, created_by, moved_from, moved_to, changed_ms, changed_by, checked_in_ms, assessment";
    pub const HISTORY_COLS: &str = "seq, at_ms, actor, action, slot, booking, detail";
    pub const UPSERT_SLOT: &str = "INSERT INTO event_slots (id, station, rubric_id, rubric_version, starts_ms, ends_ms, capacity, fee_reference, created_ms, created_by, cancelled_ms, cancelled_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO UPDATE SET capacity = excluded.capacity, fee_reference = excluded.fee_reference, cancelled_ms = excluded.cancelled_ms, cancelled_by = excluded.cancelled_by";
    pub const UPSERT_BOOKING: &str = "INSERT INTO event_bookings (id, slot, student, status, created_ms, created_by, moved_from, moved_to, changed_ms, changed_by, checked_in_ms, assessment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO UPDATE SET status = excluded.status, moved_to = excluded.moved_to, changed_ms = excluded.changed_ms, changed_by = excluded.changed_by, checked_in_ms = excluded.checked_in_ms, assessment = excluded.assessment";
    pub const INSERT_HISTORY: &str =
        "INSERT INTO event_history (seq, at_ms, actor, action, slot, booking, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    pub const REVISION: &str = "SELECT COUNT(*) FROM event_history";
}
