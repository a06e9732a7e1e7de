//! The rules of micro-events, as pure functions of a [`EventSnapshot`]: each returns the
//! [`EventChange`] to commit, or the [`Refusal`] to answer. No IO, no clock (time and ids are
//! passed in), so every rule is unit-tested here and both backends share them.
//!
//! Invariants: a slot never holds more live bookings (`booked`, `checked-in`, `no-show`) than its
//! capacity; a re-booking never edits the old booking's history — the old row becomes `moved`
//! with a link to its replacement, which links back; a check-in already recorded for the same
//! assessment changes nothing (`Ok(None)`).

use axum::http::StatusCode;

use crate::meta::{BookingRow, EventChange, EventHistoryRow, EventSnapshot, SlotRow};
use crate::problem::Problem;

/// Largest capacity of one slot.
pub const MAX_CAPACITY: i64 = 500;
/// Longest slot: one day.
pub const MAX_SLOT_MS: i64 = 86_400_000;

/// Statuses that hold a place in the slot.
pub fn holds_place(status: &str) -> bool {
    matches!(status, "booked" | "checked-in" | "no-show")
}

/// Why a change was refused; each maps to a problem that says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    UnknownSlot(String),
    UnknownBooking(String),
    BadTimes,
    BadCapacity,
    SlotCancelled(String),
    Full { slot: String, capacity: i64 },
    AlreadyBooked { student: String, booking: String },
    NotMovable { booking: String, status: String },
    SameSlot,
    NotBooked { booking: String, status: String },
    CheckInConflict { booking: String, assessment: String },
}

impl Refusal {
    /// The answer: `404`, `400`, `409` or `422` with a specific `type`.
    pub fn problem(&self) -> Problem {
        use Refusal::*;
        let (status, kind, title, detail) = match self {
            UnknownSlot(id) => (StatusCode::NOT_FOUND, "unknown-slot", "No such slot", format!("there is no slot {id}; pick one from /admin/events")),
            UnknownBooking(id) => (StatusCode::NOT_FOUND, "unknown-booking", "No such booking", format!("there is no booking {id}; pick one from /admin/events")),
            BadTimes => (StatusCode::BAD_REQUEST, "bad-times", "The slot's times are wrong", format!("a slot must end after it starts and last at most {} hours", MAX_SLOT_MS / 3_600_000)),
            BadCapacity => (StatusCode::BAD_REQUEST, "bad-capacity", "The capacity is wrong", format!("a slot holds from 1 to {MAX_CAPACITY} students")),
            SlotCancelled(id) => (StatusCode::CONFLICT, "slot-cancelled", "The slot is cancelled", format!("slot {id} was cancelled; book the student into another slot")),
            Full { slot, capacity } => (StatusCode::CONFLICT, "slot-full", "The slot is full", format!("slot {slot} already holds its {capacity} students; book another slot, or create a new one")),
            AlreadyBooked { student, booking } => (StatusCode::CONFLICT, "already-booked", "The student is already booked", format!("{student} already holds booking {booking} in this slot")),
            NotMovable { booking, status } => (StatusCode::CONFLICT, "booking-closed", "The booking cannot be moved", format!("booking {booking} is {status}; only a booked or no-show booking can be moved")),
            SameSlot => (StatusCode::BAD_REQUEST, "same-slot", "The booking is already in that slot", "choose a different slot to move the booking to".into()),
            NotBooked { booking, status } => (StatusCode::CONFLICT, "booking-closed", "The booking is not open", format!("booking {booking} is {status}; only a booked student can be a no-show or be checked in")),
            CheckInConflict { booking, assessment } => (StatusCode::CONFLICT, "check-in-conflict", "The booking was checked in for another assessment", format!("booking {booking} is already checked in for assessment {assessment}; check the station's assessments")),
        };
        Problem::new(status, kind, title, detail)
    }
}

/// What an admin asked for when creating a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSlot {
    pub station: String,
    pub rubric_id: String,
    pub rubric_version: String,
    pub starts_ms: i64,
    pub ends_ms: i64,
    pub capacity: i64,
    pub fee_reference: Option<String>,
}

/// Who acts, when, and the id a new row gets.
#[derive(Debug, Clone, Copy)]
pub struct Act<'a> {
    pub actor: &'a str,
    pub now_ms: i64,
    pub new_id: &'a str,
}

fn change(
    snap: &EventSnapshot,
    act: Act<'_>,
    action: &str,
    slot: &str,
    booking: Option<&str>,
    detail: String,
) -> EventChange {
    EventChange {
        slots: Vec::new(),
        bookings: Vec::new(),
        history: EventHistoryRow {
            seq: snap.revision,
            at_ms: act.now_ms,
            actor: act.actor.to_owned(),
            action: action.to_owned(),
            slot: slot.to_owned(),
            booking: booking.map(str::to_owned),
            detail,
        },
    }
}

fn slot<'a>(snap: &'a EventSnapshot, id: &str) -> Result<&'a SlotRow, Refusal> {
    snap.slots.iter().find(|s| s.id == id).ok_or_else(|| Refusal::UnknownSlot(id.to_owned()))
}

fn booking<'a>(snap: &'a EventSnapshot, id: &str) -> Result<&'a BookingRow, Refusal> {
    snap.bookings.iter().find(|b| b.id == id).ok_or_else(|| Refusal::UnknownBooking(id.to_owned()))
}

/// A slot that can take one more student (open, not full, the student not already in it).
fn open_place<'a>(snap: &'a EventSnapshot, slot_id: &str, student: &str) -> Result<&'a SlotRow, Refusal> {
    let s = slot(snap, slot_id)?;
    if s.cancelled_ms.is_some() {
        return Err(Refusal::SlotCancelled(s.id.clone()));
    }
    let live: Vec<&BookingRow> = snap.bookings.iter().filter(|b| b.slot == s.id && holds_place(&b.status)).collect();
    if let Some(b) = live.iter().find(|b| b.student == student) {
        return Err(Refusal::AlreadyBooked { student: student.to_owned(), booking: b.id.clone() });
    }
    if live.len() as i64 >= s.capacity {
        return Err(Refusal::Full { slot: s.id.clone(), capacity: s.capacity });
    }
    Ok(s)
}

pub fn create_slot(snap: &EventSnapshot, new: NewSlot, act: Act<'_>) -> Result<EventChange, Refusal> {
    if new.ends_ms <= new.starts_ms || new.ends_ms - new.starts_ms > MAX_SLOT_MS {
        return Err(Refusal::BadTimes);
    }
    if !(1..=MAX_CAPACITY).contains(&new.capacity) {
        return Err(Refusal::BadCapacity);
    }
    let detail = format!("{} {} for {}, capacity {}", new.rubric_id, new.rubric_version, new.station, new.capacity);
    let mut ch = change(snap, act, "slot-created", act.new_id, None, detail);
    ch.slots.push(SlotRow {
        id: act.new_id.to_owned(),
        station: new.station,
        rubric_id: new.rubric_id,
        rubric_version: new.rubric_version,
        starts_ms: new.starts_ms,
        ends_ms: new.ends_ms,
        capacity: new.capacity,
        fee_reference: new.fee_reference,
        created_ms: act.now_ms,
        created_by: act.actor.to_owned(),
        cancelled_ms: None,
        cancelled_by: None,
    });
    Ok(ch)
}

/// Cancels a slot; its open bookings become `cancelled` (checked-in ones keep their status).
pub fn cancel_slot(snap: &EventSnapshot, slot_id: &str, act: Act<'_>) -> Result<EventChange, Refusal> {
    let s = slot(snap, slot_id)?;
    if s.cancelled_ms.is_some() {
        return Err(Refusal::SlotCancelled(s.id.clone()));
    }
    let mut ch = change(snap, act, "slot-cancelled", &s.id, None, String::new());
    ch.slots.push(SlotRow { cancelled_ms: Some(act.now_ms), cancelled_by: Some(act.actor.to_owned()), ..s.clone() });
    for b in snap.bookings.iter().filter(|b| b.slot == s.id && matches!(b.status.as_str(), "booked" | "no-show")) {
        ch.bookings.push(closed(b, "cancelled", act));
    }
    ch.history.detail = format!("{} open bookings cancelled", ch.bookings.len());
    Ok(ch)
}

fn closed(b: &BookingRow, status: &str, act: Act<'_>) -> BookingRow {
    BookingRow {
        status: status.to_owned(),
        changed_ms: Some(act.now_ms),
        changed_by: Some(act.actor.to_owned()),
        ..b.clone()
    }
}

fn new_booking(slot: &str, student: &str, moved_from: Option<&str>, act: Act<'_>) -> BookingRow {
    BookingRow {
        id: act.new_id.to_owned(),
        slot: slot.to_owned(),
        student: student.to_owned(),
        status: "booked".into(),
        created_ms: act.now_ms,
        created_by: act.actor.to_owned(),
        moved_from: moved_from.map(str::to_owned),
        moved_to: None,
        changed_ms: None,
        changed_by: None,
        checked_in_ms: None,
        assessment: None,
    }
}

pub fn book(snap: &EventSnapshot, slot_id: &str, student: &str, act: Act<'_>) -> Result<EventChange, Refusal> {
    let s = open_place(snap, slot_id, student)?;
    let mut ch = change(snap, act, "booked", &s.id, Some(act.new_id), student.to_owned());
    ch.bookings.push(new_booking(&s.id, student, None, act));
    Ok(ch)
}

/// Moves a booking to another slot: the old row becomes `moved` (pointing at the new one).
pub fn rebook(snap: &EventSnapshot, booking_id: &str, to_slot: &str, act: Act<'_>) -> Result<EventChange, Refusal> {
    let old = booking(snap, booking_id)?;
    if !matches!(old.status.as_str(), "booked" | "no-show") {
        return Err(Refusal::NotMovable { booking: old.id.clone(), status: old.status.clone() });
    }
    if old.slot == to_slot {
        return Err(Refusal::SameSlot);
    }
    let s = open_place(snap, to_slot, &old.student)?;
    let detail = format!("{} moved from slot {} (booking {})", old.student, old.slot, old.id);
    let mut ch = change(snap, act, "moved", &s.id, Some(act.new_id), detail);
    ch.bookings.push(BookingRow { moved_to: Some(act.new_id.to_owned()), ..closed(old, "moved", act) });
    ch.bookings.push(new_booking(&s.id, &old.student, Some(&old.id), act));
    Ok(ch)
}

pub fn no_show(snap: &EventSnapshot, booking_id: &str, act: Act<'_>) -> Result<EventChange, Refusal> {
    let b = booking(snap, booking_id)?;
    if b.status != "booked" {
        return Err(Refusal::NotBooked { booking: b.id.clone(), status: b.status.clone() });
    }
    let mut ch = change(snap, act, "no-show", &b.slot, Some(&b.id), b.student.clone());
    ch.bookings.push(closed(b, "no-show", act));
    Ok(ch)
}

/// A station's report that it checked `booking_id` in at `at_ms` and started `assessment`.
/// `Ok(None)`: already recorded for that assessment. A no-show the station later saw arrive is
/// checked in (the station saw the student).
pub fn check_in(
    snap: &EventSnapshot,
    booking_id: &str,
    assessment: &str,
    at_ms: i64,
    act: Act<'_>,
) -> Result<Option<EventChange>, Refusal> {
    let b = booking(snap, booking_id)?;
    match (b.status.as_str(), b.assessment.as_deref()) {
        ("checked-in", Some(a)) if a == assessment => return Ok(None),
        ("checked-in", Some(a)) => {
            return Err(Refusal::CheckInConflict { booking: b.id.clone(), assessment: a.to_owned() })
        }
        ("booked" | "no-show", _) => {}
        (status, _) => return Err(Refusal::NotBooked { booking: b.id.clone(), status: status.to_owned() }),
    }
    let detail = format!("{} checked in, assessment {assessment}", b.student);
    let mut ch = change(snap, act, "checked-in", &b.slot, Some(&b.id), detail);
    ch.bookings.push(BookingRow {
        checked_in_ms: Some(at_ms),
        assessment: Some(assessment.to_owned()),
        ..closed(b, "checked-in", act)
    });
    Ok(Some(ch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(id: &str) -> Act<'_> {
        Act { actor: "admin", now_ms: 1_000, new_id: id }
    }

    fn apply(snap: &mut EventSnapshot, ch: EventChange) {
        assert_eq!(ch.history.seq, snap.revision);
        for s in ch.slots {
            snap.slots.retain(|x| x.id != s.id);
            snap.slots.push(s);
        }
        for b in ch.bookings {
            snap.bookings.retain(|x| x.id != b.id);
            snap.bookings.push(b);
        }
        snap.revision += 1;
    }

    fn slot_of(cap: i64) -> NewSlot {
        NewSlot {
            station: "did:key:z6Mk".into(),
            rubric_id: "r".into(),
            rubric_version: "1".into(),
            starts_ms: 10,
            ends_ms: 20,
            capacity: cap,
            fee_reference: None,
        }
    }

    #[test]
    fn capacity_rebooking_no_show_and_check_in() {
        let mut s = EventSnapshot::default();
        assert_eq!(create_slot(&s, NewSlot { ends_ms: 10, ..slot_of(1) }, act("x")), Err(Refusal::BadTimes));
        assert_eq!(create_slot(&s, slot_of(0), act("x")), Err(Refusal::BadCapacity));
        let ch = create_slot(&s, slot_of(1), act("a")).unwrap();
        apply(&mut s, ch);
        let ch = create_slot(&s, slot_of(2), act("b")).unwrap();
        apply(&mut s, ch);
        let ch = book(&s, "a", "S1", act("b1")).unwrap();
        apply(&mut s, ch);
        assert!(matches!(book(&s, "a", "S2", act("b2")), Err(Refusal::Full { capacity: 1, .. })));
        assert!(matches!(book(&s, "zz", "S2", act("b2")), Err(Refusal::UnknownSlot(_))));
        let ch = rebook(&s, "b1", "b", act("b3")).unwrap();
        apply(&mut s, ch);
        let old = s.bookings.iter().find(|b| b.id == "b1").unwrap();
        assert_eq!((old.status.as_str(), old.moved_to.as_deref()), ("moved", Some("b3")));
        assert_eq!(s.bookings.iter().find(|b| b.id == "b3").unwrap().moved_from.as_deref(), Some("b1"));
        let ch = book(&s, "a", "S2", act("b4")).unwrap();
        apply(&mut s, ch); // the place was freed
        assert!(matches!(book(&s, "b", "S1", act("b5")), Err(Refusal::AlreadyBooked { .. })));
        let ch = no_show(&s, "b4", act("-")).unwrap();
        apply(&mut s, ch);
        assert!(matches!(no_show(&s, "b4", act("-")), Err(Refusal::NotBooked { .. })));
        let ch = check_in(&s, "b3", "A1", 900, act("-")).unwrap().unwrap();
        apply(&mut s, ch);
        assert_eq!(check_in(&s, "b3", "A1", 900, act("-")), Ok(None), "reported twice, recorded once");
        assert!(matches!(check_in(&s, "b3", "A2", 900, act("-")), Err(Refusal::CheckInConflict { .. })));
        assert!(matches!(check_in(&s, "b1", "A3", 900, act("-")), Err(Refusal::NotBooked { .. })));
        let ch = cancel_slot(&s, "a", act("-")).unwrap();
        apply(&mut s, ch);
        assert_eq!(s.bookings.iter().find(|b| b.id == "b4").unwrap().status, "cancelled");
        assert!(matches!(book(&s, "a", "S9", act("b9")), Err(Refusal::SlotCancelled(_))));
        assert_eq!(Refusal::Full { slot: "a".into(), capacity: 1 }.problem().status, StatusCode::CONFLICT);
    }
}
