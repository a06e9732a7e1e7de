//! Micro-events: short assessment slots at one station (a rubric, a time, a capacity, an optional
//! fee reference into an external payment system), the students booked into them, re-bookings
//! and no-shows — and the station's side: its schedule as versioned JSON, and the check-ins it
//! reports when it is back online.
//!
//! - [`rules`]: every change as a pure function of a snapshot (capacity, re-booking, no-show,
//!   idempotent check-in); [`commit`] retries it against a fresh snapshot if another change won.
//! - [`admin`]: the admin's routes (form posts or JSON), [`pages`]: the admin page.
//! - [`station`]: `GET /api/v1/schedule` and `PUT /api/v1/schedule/bookings/{id}/check-in`,
//!   authenticated as the tus routes are (RFC 9421 + enrolment); a station sees only its own slots.
//! - [`catalogue`]: which rubrics a slot may name (those stations have: bundled or published).
//!
//! Invariants: nothing is deleted — a cancelled slot, a moved booking and a no-show stay, with
//! who changed them and when, and every change is a history row whose count is the schedule's
//! revision; a slot is booked beyond its capacity by no interleaving of requests (the
//! revision compare-and-set in [`crate::meta::EventMeta`]).

use crate::meta::{EventChange, EventSnapshot};
use crate::problem::Problem;
use crate::state::AppState;

pub mod admin;
pub mod catalogue;
pub mod pages;
pub mod rules;
pub mod station;
pub mod wire;

/// Attempts before a change that keeps losing the compare-and-set gives up (500).
const MAX_TRIES: usize = 8;

/// Runs `rule` on a fresh snapshot and commits its change, retrying when another change came
/// first. `Ok(None)` when the rule decided there is nothing to change.
pub async fn commit(
    state: &AppState,
    rule: impl Fn(&EventSnapshot) -> Result<Option<EventChange>, rules::Refusal>,
) -> Result<Option<EventChange>, Problem> {
    for _ in 0..MAX_TRIES {
        let snap = state.meta.event_snapshot().await?;
        let Some(change) = rule(&snap).map_err(|r| r.problem())? else { return Ok(None) };
        if state.meta.commit_event_change(change.clone()).await? {
            return Ok(Some(change));
        }
    }
    Err(Problem::internal("the schedule kept changing while this change was made"))
}

/// A new UUIDv7 for a slot or booking.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
