//! The station's side of micro-events (`docs/sync-protocol.md`, "Micro-event schedule"): report
//! the check-ins made offline, then download this station's schedule into the store, so the
//! station keeps working from its copy when it is offline again.
//!
//! Invariants: a check-in leaves the outbox only when the server answered that it recorded it
//! (`200`, also for one it already had, so reporting twice is harmless) or refused it for good
//! (`404`/`409`, kept with the reason); any other failure stops the exchange and keeps it for
//! the next pass. A downloaded schedule is stored only if it is format `benchproof-schedule`
//! version 1 and names this station, and never replaces a copy with a higher revision.

use benchproof_domain::Timestamp;
use benchproof_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::error::TusError;
use crate::worker::SyncWorker;

/// The document format this station reads.
pub const FORMAT: &str = "benchproof-schedule";
/// The format version this station reads.
pub const VERSION: u32 = 1;

/// A station's schedule, as the server sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub format: String,
    pub version: u32,
    /// Only grows on the server; the copy with the highest is kept.
    pub revision: i64,
    /// The station's `did:key`.
    pub station: String,
    pub generated_ms: i64,
    pub slots: Vec<Slot>,
}

/// One slot at this station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub id: String,
    pub rubric_id: String,
    pub rubric_version: String,
    pub starts_ms: i64,
    pub ends_ms: i64,
    pub capacity: i64,
    #[serde(default)]
    pub fee_reference: Option<String>,
    pub cancelled: bool,
    pub bookings: Vec<Booking>,
}

/// One booking of a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub id: String,
    pub student: String,
    /// `booked`, `checked-in`, `no-show`, `moved` or `cancelled`.
    pub status: String,
    #[serde(default)]
    pub moved_from: Option<String>,
    #[serde(default)]
    pub moved_to: Option<String>,
    #[serde(default)]
    pub assessment: Option<String>,
}

/// Why a schedule document was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("the schedule exchange failed: {0}")]
    Transport(#[from] TusError),
    #[error("the server's schedule is not one this station reads ({0}); update benchproof on this station")]
    Format(String),
    #[error("the server sent the schedule of {got}, not of this station ({expected}); check the server URL")]
    WrongStation { expected: String, got: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Parses and checks a schedule document.
pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
    let s: Schedule = serde_json::from_str(text).map_err(|e| ScheduleError::Format(e.to_string()))?;
    if s.format != FORMAT || s.version != VERSION {
        return Err(ScheduleError::Format(format!("format {:?} version {}", s.format, s.version)));
    }
    Ok(s)
}

/// What one exchange did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleReport {
    /// Bookings whose check-in the server recorded in this pass.
    pub reported: Vec<String>,
    /// Check-ins the server refused for good: (booking, why).
    pub refused: Vec<(String, String)>,
    /// The revision downloaded (`None` if none was stored).
    pub revision: Option<i64>,
    /// Slots in the downloaded schedule.
    pub slots: usize,
}

/// `PUT` URL of a check-in; `None` for a booking id that is not a UUID (never sent).
pub fn check_in_url(server: &str, booking: &str, assessment: &str, at_ms: i64) -> Option<String> {
    let uuid_like = |s: &str| s.len() == 36 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    (uuid_like(booking) && uuid_like(assessment))
        .then(|| format!("{server}/api/v1/schedule/bookings/{booking}/check-in?assessment={assessment}&at={at_ms}"))
}

impl SyncWorker {
    /// Reports unreported check-ins, then downloads and stores this station's schedule.
    pub fn sync_schedule(&self, store: &Store, now: Timestamp) -> Result<ScheduleReport, ScheduleError> {
        let server = &self.config.server_url;
        let mut report = ScheduleReport::default();
        for c in store.unreported_check_ins()? {
            let assessment = c.assessment.to_string();
            let Some(url) = check_in_url(server, &c.booking, &assessment, c.checked_in_at.unix_millis()) else {
                let why = "the booking id is not a UUID".to_owned();
                store.mark_check_in_refused(&c.booking, &why)?;
                report.refused.push((c.booking, why));
                continue;
            };
            match self.client.put_empty(&url) {
                Ok(_) => {
                    store.mark_check_in_reported(&c.booking, now)?;
                    report.reported.push(c.booking);
                }
                Err(TusError::Refused { status: 404 | 409, problem, body, .. }) => {
                    let why = problem.map_or(body, |p| format!("{}: {}", p.kind, p.detail));
                    store.mark_check_in_refused(&c.booking, &why)?;
                    report.refused.push((c.booking, why));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let text = self
            .client
            .get_json(&format!("{server}/api/v1/schedule"))?
            .ok_or_else(|| ScheduleError::Format("the server has no /api/v1/schedule (404)".into()))?;
        let schedule = parse(&text)?;
        if let Some(me) = self.client.station_did() {
            if schedule.station != me {
                return Err(ScheduleError::WrongStation { expected: me, got: schedule.station });
            }
        }
        if store.save_schedule(server, schedule.revision, &text, now)? {
            report.revision = Some(schedule.revision);
        }
        report.slots = schedule.slots.len();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_version_1_and_refuses_others() {
        let doc = r#"{"format":"benchproof-schedule","version":1,"revision":3,"station":"did:key:z","generated_ms":1,
            "slots":[{"id":"s","rubric_id":"r","rubric_version":"1.0.0","starts_ms":1,"ends_ms":2,"starts":"x",
            "capacity":2,"fee_reference":null,"cancelled":false,"bookings":[{"id":"b","student":"S-1","status":"booked",
            "moved_from":null,"moved_to":null,"assessment":null,"new_field":1}]}]}"#;
        let s = parse(doc).unwrap();
        assert_eq!((s.revision, s.slots[0].bookings[0].student.as_str()), (3, "S-1"));
        assert!(matches!(parse(&doc.replace("\"version\":1", "\"version\":2")), Err(ScheduleError::Format(_))));
        assert!(parse("{}").is_err());
    }

    #[test]
    fn check_in_urls_carry_only_uuids() {
        let b = "0193f6a0-0000-7000-8000-000000000001";
        assert_eq!(
            check_in_url("http://h", b, b, 5).unwrap(),
            format!("http://h/api/v1/schedule/bookings/{b}/check-in?assessment={b}&at=5")
        );
        assert_eq!(check_in_url("http://h", "../x?y=1", b, 5), None);
    }
}
