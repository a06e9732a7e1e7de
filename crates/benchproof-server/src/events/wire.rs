//! The schedule a station downloads (`docs/sync-protocol.md`, "Micro-event schedule"): format
//! `benchproof-schedule` version 1. New fields may be added; existing ones never change meaning.

use serde::Serialize;

use crate::clock::rfc3339;
use crate::meta::{EventSnapshot, SlotRow};

/// The document's `format`.
pub const FORMAT: &str = "benchproof-schedule";
/// The document's `version`.
pub const VERSION: u32 = 1;
/// Slots that ended longer ago than this are left out.
pub const KEEP_PAST_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub format: &'static str,
    pub version: u32,
    /// The schedule's revision: it only grows; a station keeps the copy with the highest.
    pub revision: i64,
    pub station: String,
    pub generated_ms: i64,
    pub slots: Vec<Slot>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Slot {
    pub id: String,
    pub rubric_id: String,
    pub rubric_version: String,
    pub starts_ms: i64,
    pub ends_ms: i64,
    /// RFC 3339 UTC of `starts_ms`, for people reading the JSON.
    pub starts: String,
    pub capacity: i64,
    pub fee_reference: Option<String>,
    pub cancelled: bool,
    pub bookings: Vec<Booking>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Booking {
    pub id: String,
    pub student: String,
    /// `booked`, `checked-in`, `no-show`, `moved` or `cancelled`.
    pub status: String,
    pub moved_from: Option<String>,
    pub moved_to: Option<String>,
    pub assessment: Option<String>,
}

/// `station`'s schedule: its slots that end after `now_ms - KEEP_PAST_MS`, by start time.
pub fn for_station(snap: &EventSnapshot, station: &str, now_ms: i64) -> Schedule {
    let slots = snap
        .slots
        .iter()
        .filter(|s| s.station == station && s.ends_ms >= now_ms - KEEP_PAST_MS)
        .map(|s| slot(snap, s))
        .collect();
    Schedule {
        format: FORMAT,
        version: VERSION,
        revision: snap.revision,
        station: station.to_owned(),
        generated_ms: now_ms,
        slots,
    }
}

fn slot(snap: &EventSnapshot, s: &SlotRow) -> Slot {
    Slot {
        id: s.id.clone(),
        rubric_id: s.rubric_id.clone(),
        rubric_version: s.rubric_version.clone(),
        starts_ms: s.starts_ms,
        ends_ms: s.ends_ms,
        starts: rfc3339(s.starts_ms),
        capacity: s.capacity,
        fee_reference: s.fee_reference.clone(),
        cancelled: s.cancelled_ms.is_some(),
        bookings: snap
            .bookings
            .iter()
            .filter(|b| b.slot == s.id)
            .map(|b| Booking {
                id: b.id.clone(),
                student: b.student.clone(),
                status: b.status.clone(),
                moved_from: b.moved_from.clone(),
                moved_to: b.moved_to.clone(),
                assessment: b.assessment.clone(),
            })
            .collect(),
    }
}
