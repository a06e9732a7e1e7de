//! Micro-events at the station: the schedule copy the sync worker downloaded (so the bench works
//! offline), listed with what happened here, and checking a booked student in — which starts the
//! assessment for that student and rubric ([`Station::start_assessment`], the same path as any
//! start) and queues the check-in for the server (reported on the next sync pass).
//!
//! Invariants: a booking is checked in at most once on a station (the store refuses a second);
//! only a `booked` or `no-show` booking of an open slot can be checked in, and only when this
//! station has the slot's rubric at the slot's exact version, so the assessment runs against the
//! rubric the student was booked for.

use benchproof_domain::{AssessmentId, Timestamp};
use benchproof_store::CheckInRow;
use benchproof_sync::schedule::{self, Booking, Slot};
use chrono::TimeZone as _;
use serde::Serialize;

use crate::rubrics::{self, RubricSource};
use crate::{Station, StationError};

/// Which slots to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Slots overlapping today (the station's local day).
    Today,
    /// Every slot in the stored copy.
    All,
}

/// The schedule as the station shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleView {
    pub server: String,
    pub revision: i64,
    pub fetched_at: Timestamp,
    /// By start time.
    pub slots: Vec<SlotView>,
}

/// One slot with its bookings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotView {
    pub slot: Slot,
    /// The rubric's title when this station has the slot's rubric at its version; `None` when it
    /// does not (check-in is then refused with what to publish).
    pub rubric_title: Option<String>,
    pub bookings: Vec<BookingView>,
}

/// One booking, and its check-in here if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingView {
    pub booking: Booking,
    pub check_in: Option<CheckInRow>,
    /// Whether [`Station::check_in`] would accept it now.
    pub can_check_in: bool,
}

/// A booking resolved for check-in.
#[derive(Debug, Clone)]
pub struct CheckInTarget {
    pub booking: String,
    pub student: String,
    pub rubric: RubricSource,
}

fn day_bounds(now: Timestamp) -> (i64, i64) {
    let local = chrono::Local.timestamp_millis_opt(now.unix_millis()).single().unwrap_or_else(chrono::Local::now);
    let midnight = local.date_naive().and_hms_opt(0, 0, 0).expect("midnight exists");
    let start = chrono::Local
        .from_local_datetime(&midnight)
        .earliest()
        .map_or(now.unix_millis() - 43_200_000, |t| t.timestamp_millis());
    (start, start + 86_400_000)
}

impl Station {
    fn stored_schedule(&self) -> Result<Option<(benchproof_store::StoredSchedule, schedule::Schedule)>, StationError> {
        let Some(stored) = self.store().schedule()? else { return Ok(None) };
        let doc = schedule::parse(&stored.document).map_err(|e| StationError::Schedule(e.to_string()))?;
        Ok(Some((stored, doc)))
    }

    /// The stored schedule in `window`; `None` when none was ever downloaded.
    pub fn schedule(&self, window: Window) -> Result<Option<ScheduleView>, StationError> {
        let Some((stored, doc)) = self.stored_schedule()? else { return Ok(None) };
        let (from, to) = day_bounds(self.clock().now());
        let catalogue = rubrics::catalogue(self.data_dir()).0;
        let check_ins = self.store().check_ins()?;
        let slots = doc
            .slots
            .into_iter()
            .filter(|s| window == Window::All || (s.starts_ms < to && s.ends_ms > from))
            .map(|slot| {
                let rubric_title = catalogue
                    .iter()
                    .find(|r| r.rubric.id == slot.rubric_id && r.rubric.version == slot.rubric_version)
                    .map(|r| r.rubric.title.clone());
                let bookings = slot
                    .bookings
                    .iter()
                    .map(|b| {
                        let check_in = check_ins.iter().find(|c| c.booking == b.id).cloned();
                        let can_check_in = check_in.is_none()
                            && !slot.cancelled
                            && rubric_title.is_some()
                            && matches!(b.status.as_str(), "booked" | "no-show");
                        BookingView { booking: b.clone(), check_in, can_check_in }
                    })
                    .collect();
                SlotView { slot, rubric_title, bookings }
            })
            .collect();
        Ok(Some(ScheduleView {
            server: stored.server,
            revision: stored.revision,
            fetched_at: stored.fetched_at,
            slots,
        }))
    }

    /// Resolves `booking` for check-in, refusing what [`BookingView::can_check_in`] refuses, each
    /// with what to do.
    pub fn check_in_target(&self, booking: &str) -> Result<CheckInTarget, StationError> {
        let Some((_, doc)) = self.stored_schedule()? else { return Err(StationError::NoSchedule) };
        let booking = booking.trim();
        let (slot, b) = doc
            .slots
            .iter()
            .find_map(|s| s.bookings.iter().find(|b| b.id == booking).map(|b| (s, b)))
            .ok_or_else(|| StationError::UnknownBooking(booking.to_owned()))?;
        if let Some(earlier) = self.store().check_in(booking)? {
            return Err(StationError::Store(benchproof_store::StoreError::AlreadyCheckedIn {
                booking: booking.to_owned(),
                assessment: earlier.assessment.to_string(),
            }));
        }
        if slot.cancelled {
            return Err(StationError::BookingClosed {
                booking: booking.to_owned(),
                status: "in a cancelled slot".into(),
            });
        }
        if !matches!(b.status.as_str(), "booked" | "no-show") {
            return Err(StationError::BookingClosed { booking: booking.to_owned(), status: b.status.clone() });
        }
        let rubric = rubrics::find(self.data_dir(), &slot.rubric_id)
            .ok()
            .filter(|r| r.rubric.version == slot.rubric_version)
            .ok_or_else(|| StationError::RubricVersionMissing {
                id: slot.rubric_id.clone(),
                version: slot.rubric_version.clone(),
            })?;
        Ok(CheckInTarget { booking: booking.to_owned(), student: b.student.clone(), rubric })
    }

    /// Records the check-in of `target` as having started `assessment`, for the next sync pass.
    pub fn record_check_in(&self, target: &CheckInTarget, assessment: AssessmentId) -> Result<(), StationError> {
        self.store().record_check_in(&target.booking, assessment, &target.student, self.clock().now())?;
        Ok(())
    }

    /// Checks `booking` in: starts its assessment (consent as `consent_note` records it) and
    /// queues the check-in. Returns the assessment started.
    pub fn check_in(
        &mut self,
        booking: &str,
        consent_note: &str,
    ) -> Result<(CheckInTarget, AssessmentId), StationError> {
        let target = self.check_in_target(booking)?;
        let id = self.start_assessment(&target.rubric, &target.student, consent_note)?;
        self.record_check_in(&target, id)?;
        Ok((target, id))
    }
}
