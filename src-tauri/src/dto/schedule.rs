//! Today's micro-event slots as the Start screen shows them.

use benchproof_domain::Timestamp;
use benchproof_station::schedule;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The stored schedule: today's slots at this station.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScheduleList {
    #[ts(type = "number")]
    pub revision: i64,
    pub server: String,
    /// When the copy was downloaded (RFC 3339).
    pub fetched_at: String,
    pub slots: Vec<ScheduleSlot>,
}

/// One slot and its bookings.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScheduleSlot {
    pub id: String,
    pub rubric_id: String,
    pub rubric_version: String,
    /// `null` when this station lacks the rubric at that version (no check-in possible).
    pub rubric_title: Option<String>,
    pub starts: String,
    pub ends: String,
    #[ts(type = "number")]
    pub capacity: i64,
    pub fee_reference: Option<String>,
    pub cancelled: bool,
    pub bookings: Vec<ScheduleBooking>,
}

/// One booking.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScheduleBooking {
    pub id: String,
    pub student: String,
    /// As the department recorded it: `booked`, `checked-in`, `no-show`, `moved`, `cancelled`.
    pub status: String,
    /// The assessment started when the student was checked in here.
    pub assessment: Option<String>,
    /// Whether the department has recorded that check-in.
    pub reported: bool,
    /// Why the department refused the check-in, if it did.
    pub refused: Option<String>,
    pub can_check_in: bool,
}

/// Checking a booked student in.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct CheckInRequest {
    pub booking: String,
    pub consent: bool,
}

fn time(ms: i64) -> String {
    Timestamp::from_unix_millis(ms).to_string()
}

impl From<schedule::ScheduleView> for ScheduleList {
    fn from(v: schedule::ScheduleView) -> Self {
        ScheduleList {
            revision: v.revision,
            server: v.server,
            fetched_at: v.fetched_at.to_string(),
            slots: v
                .slots
                .into_iter()
                .map(|s| ScheduleSlot {
                    id: s.slot.id,
                    rubric_id: s.slot.rubric_id,
                    rubric_version: s.slot.rubric_version,
                    rubric_title: s.rubric_title,
                    starts: time(s.slot.starts_ms),
                    ends: time(s.slot.ends_ms),
                    capacity: s.slot.capacity,
                    fee_reference: s.slot.fee_reference,
                    cancelled: s.slot.cancelled,
                    bookings: s
                        .bookings
                        .into_iter()
                        .map(|b| ScheduleBooking {
                            id: b.booking.id,
                            student: b.booking.student,
                            status: b.booking.status,
                            assessment: b.check_in.as_ref().map(|c| c.assessment.to_string()),
                            reported: b.check_in.as_ref().is_some_and(|c| c.reported_at.is_some()),
                            refused: b.check_in.and_then(|c| c.refused),
                            can_check_in: b.can_check_in,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
