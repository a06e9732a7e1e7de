//! `benchproof schedule` on a station's stored schedule copy (as the sync worker keeps it):
//! listing, check-in starting the booked student's assessment, and the refusals.

use benchproof_domain::Timestamp;
use benchproof_store::Store;

use crate::{bp, code, json, stderr, stdout};

const BOOKING: &str = "0193f6a0-0000-7000-8000-00000000c001";

fn store_schedule(dir: &std::path::Path) {
    let now = Timestamp::from_unix_millis(4_000_000_000_000);
    let doc = serde_json::json!({
        "format": "benchproof-schedule", "version": 1, "revision": 2, "station": "did:key:z6Mk", "generated_ms": 0,
        "slots": [{"id": "slot-1", "rubric_id": "through-hole-soldering", "rubric_version": "1.0.0",
            "starts_ms": 4_000_000_000_000i64, "ends_ms": 4_000_001_800_000i64, "starts": "", "capacity": 2,
            "fee_reference": "PAY-9", "cancelled": false,
            "bookings": [{"id": BOOKING, "student": "S-2026-0042", "status": "booked",
                "moved_from": null, "moved_to": null, "assessment": null}]}]
    });
    Store::open(dir).unwrap().save_schedule("http://dept.test", 2, &doc.to_string(), now).unwrap();
}

#[test]
fn schedule_lists_and_checks_in() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = bp(d, &["schedule"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("sync once while online"), "{}", stderr(&o));

    store_schedule(d);
    let o = bp(d, &["schedule", "--all"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("schedule revision 2") && text.contains("S-2026-0042") && text.contains("booked"), "{text}");
    let listed = json(&bp(d, &["--json", "schedule", "--all"]));
    assert_eq!(listed["slots"][0]["bookings"][0]["booking"]["id"], BOOKING);
    assert_eq!(listed["slots"][0]["bookings"][0]["can_check_in"], true);

    let o = bp(d, &["schedule", "check-in", BOOKING]);
    assert_eq!(code(&o), 2, "consent is required");
    assert!(stderr(&o).contains("--consent"), "{}", stderr(&o));
    let o = bp(d, &["--json", "schedule", "check-in", BOOKING, "--consent"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let checked = json(&o);
    assert_eq!(
        (checked["student"].as_str(), checked["rubric"].as_str()),
        (Some("S-2026-0042"), Some("through-hole-soldering 1.0.0"))
    );
    let id = checked["assessment"].as_str().unwrap().to_owned();
    let shown = json(&bp(d, &["--json", "assessment", "show", &id]));
    assert_eq!(shown["student"], "S-2026-0042", "{shown}");

    let again = bp(d, &["schedule", "check-in", BOOKING, "--consent"]);
    assert_eq!(code(&again), 2);
    assert!(stderr(&again).contains("already checked in"), "{}", stderr(&again));
    assert!(stdout(&bp(d, &["schedule", "--all"])).contains(&format!("checked in, assessment {id} (to report)")));
}
