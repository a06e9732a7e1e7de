//! The micro-event schedule at the station, offline: today's slots from the stored copy, check-in
//! starting the assessment (through the station and through the desk), and the refusals.

use benchproof_domain::LifecycleState;
use benchproof_station::demo::{DEMO_PROCTOR, DEMO_PROCTOR_PIN};
use benchproof_station::desk::Desk;
use benchproof_station::schedule::Window;
use benchproof_station::{Station, StationError};
use benchproof_store::Store;

const B_OPEN: &str = "0193f6a0-0000-7000-8000-00000000b001";
const B_SECOND: &str = "0193f6a0-0000-7000-8000-00000000b002";
const B_MOVED: &str = "0193f6a0-0000-7000-8000-00000000b003";
const B_CANCELLED: &str = "0193f6a0-0000-7000-8000-00000000b004";
const B_OLD_RUBRIC: &str = "0193f6a0-0000-7000-8000-00000000b005";

/// A schedule document around `now_ms`: today's open slot (three bookings), a cancelled one, one
/// for a rubric version this station lacks, and one next month.
fn document(now_ms: i64) -> String {
    let booking = |id: &str, student: &str, status: &str| serde_json::json!({"id": id, "student": student, "status": status, "moved_from": null, "moved_to": null, "assessment": null});
    let slot = |id: &str, start: i64, version: &str, cancelled: bool, bookings: Vec<serde_json::Value>| {
        serde_json::json!({"id": id, "rubric_id": "probe-compensation", "rubric_version": version, "starts_ms": start,
            "ends_ms": start + 1_800_000, "starts": "", "capacity": 4, "fee_reference": "PAY-1", "cancelled": cancelled, "bookings": bookings})
    };
    serde_json::json!({
        "format": "benchproof-schedule", "version": 1, "revision": 7, "station": "did:key:z6Mk", "generated_ms": now_ms,
        "slots": [
            slot("slot-today", now_ms - 60_000, "1.0.0", false, vec![
                booking(B_OPEN, "S-2026-0001", "booked"),
                booking(B_SECOND, "S-2026-0002", "no-show"),
                booking(B_MOVED, "S-2026-0003", "moved"),
            ]),
            slot("slot-cancelled", now_ms - 30_000, "1.0.0", true, vec![booking(B_CANCELLED, "S-2026-0004", "cancelled")]),
            slot("slot-old", now_ms, "0.9.0", false, vec![booking(B_OLD_RUBRIC, "S-2026-0005", "booked")]),
            slot("slot-later", now_ms + 30 * 86_400_000, "1.0.0", false, vec![]),
        ]
    })
    .to_string()
}

fn store_schedule(dir: &std::path::Path) {
    let now = chrono::Utc::now().timestamp_millis();
    let store = Store::open(dir).unwrap();
    store
        .save_schedule("http://dept.test", 7, &document(now), benchproof_domain::Timestamp::from_unix_millis(now))
        .unwrap();
}

fn code<T: std::fmt::Debug>(r: Result<T, StationError>) -> &'static str {
    r.expect_err("should be refused").code()
}

#[test]
fn station_lists_today_and_checks_in_from_its_copy() {
    let dir = tempfile::tempdir().unwrap();
    let mut station = Station::open(dir.path()).unwrap();
    assert_eq!(station.schedule(Window::Today).unwrap(), None);
    assert_eq!(code(station.check_in(B_OPEN, "consent")), "no_schedule");
    drop(station);
    store_schedule(dir.path());
    let mut station = Station::open(dir.path()).unwrap();

    let today = station.schedule(Window::Today).unwrap().unwrap();
    let ids: Vec<&str> = today.slots.iter().map(|s| s.slot.id.as_str()).collect();
    assert_eq!(ids, ["slot-today", "slot-cancelled", "slot-old"], "next month's slot is not today");
    assert_eq!(station.schedule(Window::All).unwrap().unwrap().slots.len(), 4);
    assert_eq!(today.revision, 7);
    let first = &today.slots[0];
    assert!(first.rubric_title.as_deref().unwrap().contains("probe"), "{first:?}");
    let can: Vec<bool> = first.bookings.iter().map(|b| b.can_check_in).collect();
    assert_eq!(can, [true, true, false], "a moved booking cannot be checked in");
    assert!(today.slots[2].rubric_title.is_none() && !today.slots[2].bookings[0].can_check_in);

    let (target, id) = station.check_in(B_OPEN, "S-2026-0001 agreed to be recorded.").unwrap();
    assert_eq!(target.student, "S-2026-0001");
    let a = station.load(id).unwrap();
    assert_eq!(
        (a.student.as_str(), a.rubric.id.as_str(), a.state),
        ("S-2026-0001", "probe-compensation", LifecycleState::Running)
    );
    let recorded = station.store().check_in(B_OPEN).unwrap().unwrap();
    assert_eq!((recorded.assessment, recorded.reported_at), (id, None), "queued for the next sync");
    assert_eq!(code(station.check_in(B_OPEN, "again")), "already_checked_in");
    let listed = station.schedule(Window::Today).unwrap().unwrap();
    assert_eq!(listed.slots[0].bookings[0].check_in.as_ref().map(|c| c.assessment), Some(id));
    assert!(!listed.slots[0].bookings[0].can_check_in);

    assert_eq!(code(station.check_in(B_MOVED, "x")), "booking_closed");
    assert_eq!(code(station.check_in(B_CANCELLED, "x")), "booking_closed");
    assert_eq!(code(station.check_in(B_OLD_RUBRIC, "x")), "rubric_missing");
    assert_eq!(code(station.check_in("no-such-booking", "x")), "unknown_booking");
    assert_eq!(station.store().check_ins().unwrap().len(), 1, "refusals record nothing");
    assert_eq!(station.store().list_assessments().unwrap().len(), 1, "and start nothing");
}

#[test]
fn desk_check_in_needs_a_proctor_and_consent_then_starts_the_assessment() {
    let dir = tempfile::tempdir().unwrap();
    store_schedule(dir.path());
    let desk = Desk::open(dir.path()).unwrap();
    desk.start_demo().unwrap();
    assert_eq!(desk.check_in(B_SECOND, true).unwrap_err().code(), "not_signed_in");
    desk.sign_in(DEMO_PROCTOR, DEMO_PROCTOR_PIN).unwrap();
    assert_eq!(desk.check_in(B_SECOND, false).unwrap_err().code(), "consent_required");
    let detail = desk.check_in(B_SECOND, true).unwrap();
    assert_eq!(detail.assessment.student, "S-2026-0002", "a no-show who came after all");
    assert_eq!(detail.assessment.state, LifecycleState::Running);
    assert!(detail.notes.iter().any(|n| n.text.contains("consent taken by Demo Proctor")));
    let view = desk.schedule(Window::Today).unwrap().unwrap();
    assert_eq!(view.slots[0].bookings[1].check_in.as_ref().map(|c| c.assessment), Some(detail.assessment.id));
}
