//! The station's copy of its micro-event schedule and its check-ins (migration `0006_schedule`).
//! The document itself is opaque here (`benchproof-sync::schedule` reads it).
//!
//! Invariants: a stored copy is replaced only by one with the same or a higher revision from
//! the same server, so an answer that arrives late never rolls the schedule back; a booking is
//! checked in at most once; a check-in row is never deleted, and leaves the outbox only when the
//! server recorded it (`reported_at`) or refused it for good (`refused`).

use benchproof_domain::{AssessmentId, Timestamp};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::{Store, StoreError};

/// The stored schedule document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredSchedule {
    pub server: String,
    pub revision: i64,
    pub document: String,
    pub fetched_at: Timestamp,
}

/// One check-in made at this station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckInRow {
    pub booking: String,
    pub assessment: AssessmentId,
    pub student: String,
    pub checked_in_at: Timestamp,
    /// When the server recorded it; `None` while it waits in the outbox.
    pub reported_at: Option<Timestamp>,
    /// Why the server refused it for good, if it did.
    pub refused: Option<String>,
}

fn ts(what: &str, text: String) -> Result<Timestamp, StoreError> {
    text.parse().map_err(|e| StoreError::decode(what, e))
}

impl Store {
    /// Keeps `document` unless a copy with a higher revision from the same server is stored.
    /// Returns whether it was stored.
    pub fn save_schedule(
        &self,
        server: &str,
        revision: i64,
        document: &str,
        fetched_at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "INSERT INTO schedule_copy (id, server, revision, document, fetched_at) VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET server = excluded.server, revision = excluded.revision,
                 document = excluded.document, fetched_at = excluded.fetched_at
             WHERE schedule_copy.server <> excluded.server OR schedule_copy.revision <= excluded.revision",
            params![server, revision, document, fetched_at.to_string()],
        )?;
        Ok(n == 1)
    }

    /// The stored schedule, if one was ever downloaded.
    pub fn schedule(&self) -> Result<Option<StoredSchedule>, StoreError> {
        let row = self
            .conn
            .query_row("SELECT server, revision, document, fetched_at FROM schedule_copy WHERE id = 1", [], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .optional()?;
        row.map(|(server, revision, document, at)| {
            Ok(StoredSchedule { server, revision, document, fetched_at: ts("schedule fetch time", at)? })
        })
        .transpose()
    }

    /// Records that `booking` was checked in and started `assessment`. Refused
    /// ([`StoreError::AlreadyCheckedIn`]) if the booking was checked in before.
    pub fn record_check_in(
        &self,
        booking: &str,
        assessment: AssessmentId,
        student: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "INSERT INTO schedule_check_ins (booking_id, assessment_id, student, checked_in_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (booking_id) DO NOTHING",
            params![booking, assessment.to_string(), student, at.to_string()],
        )?;
        if n == 0 {
            let earlier = self.check_in(booking)?.map(|c| c.assessment.to_string()).unwrap_or_default();
            return Err(StoreError::AlreadyCheckedIn { booking: booking.to_owned(), assessment: earlier });
        }
        Ok(())
    }

    /// The check-in of `booking`, if it was checked in here.
    pub fn check_in(&self, booking: &str) -> Result<Option<CheckInRow>, StoreError> {
        Ok(self.check_ins()?.into_iter().find(|c| c.booking == booking))
    }

    /// Every check-in made here, oldest first.
    pub fn check_ins(&self) -> Result<Vec<CheckInRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT booking_id, assessment_id, student, checked_in_at, reported_at, refused
             FROM schedule_check_ins ORDER BY checked_in_at, booking_id",
        )?;
        let raw = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter()
            .map(|(booking, assessment, student, at, reported, refused)| {
                Ok(CheckInRow {
                    assessment: assessment.parse().map_err(|e| StoreError::decode("check-in assessment", e))?,
                    booking,
                    student,
                    checked_in_at: ts("check-in time", at)?,
                    reported_at: reported.map(|r| ts("check-in report time", r)).transpose()?,
                    refused,
                })
            })
            .collect()
    }

    /// Check-ins the server has neither recorded nor refused yet.
    pub fn unreported_check_ins(&self) -> Result<Vec<CheckInRow>, StoreError> {
        Ok(self.check_ins()?.into_iter().filter(|c| c.reported_at.is_none() && c.refused.is_none()).collect())
    }

    /// The server recorded the check-in of `booking`.
    pub fn mark_check_in_reported(&self, booking: &str, at: Timestamp) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE schedule_check_ins SET reported_at = ?2 WHERE booking_id = ?1 AND reported_at IS NULL",
            params![booking, at.to_string()],
        )?;
        Ok(())
    }

    /// The server refused the check-in of `booking` for good (`reason` says why).
    pub fn mark_check_in_refused(&self, booking: &str, reason: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE schedule_check_ins SET refused = ?2 WHERE booking_id = ?1 AND reported_at IS NULL",
            params![booking, reason],
        )?;
        Ok(())
    }
}
