//! Micro-events against every backend: slots for known stations and rubrics only, capacity,
//! re-booking with history, no-shows, each station's own schedule, idempotent check-ins.

use benchproof_evidence::enrolment::Role;
use benchproof_evidence::SigningKey;

use crate::assessments::{admin, get_with, post_form, text};
use crate::client::{Res, Station};
use crate::golden;
use crate::harness::{enrol, signed_as, Env, Kind};

fn json_accept(cookie: &[(String, String)]) -> Vec<(String, String)> {
    let mut h = cookie.to_vec();
    h.push(("accept".into(), "application/json".into()));
    h
}

fn slot_form(station: &str, rubric: &str, capacity: u32) -> String {
    format!(
        "station={}&rubric={rubric}&starts=2030-01-10T09:00:00Z&ends=2030-01-10T09:30&capacity={capacity}&fee_reference=PAY-{capacity}",
        station.replace(':', "%3A")
    )
}

/// Posts a form as an API client; returns the answer.
async fn api(env: &Env, cookie: &[(String, String)], path: &str, form: &str) -> Res {
    post_form(env, path, &json_accept(cookie), form).await
}

fn created_id(r: &Res, key: &str) -> String {
    assert_eq!(r.status, 201, "{}", text(r));
    let body = r.json();
    body[key].as_array().unwrap().last().unwrap()["id"].as_str().unwrap().to_owned()
}

async fn schedule(env: &Env, station: &Station) -> serde_json::Value {
    let r = signed_as(station, env, "GET", "/api/v1/schedule", &[], &[], b"").await;
    assert_eq!(r.status, 200, "{}", text(&r));
    r.json()
}

pub async fn slots_bookings_and_check_ins(kind: Kind) {
    let env = Env::start(kind).await;
    let cookie = admin(&env).await;
    let me = golden::keys().station.did_key().to_string();
    let rubric = "through-hole-soldering@1.0.0";

    // The station has not contacted the server yet: unknown.
    let r = api(&env, &cookie, "/admin/events/slots", &slot_form(&me, rubric, 1)).await;
    assert_eq!((r.status, r.problem().as_str()), (422, "unknown-station"), "{}", text(&r));
    let first = schedule(&env, &env.station).await;
    assert_eq!((first["format"].as_str(), first["version"].as_u64()), (Some("benchproof-schedule"), Some(1)));
    assert!(first["slots"].as_array().unwrap().is_empty());

    let r = api(&env, &cookie, "/admin/events/slots", &slot_form(&me, "no-such-rubric@1.0.0", 1)).await;
    assert_eq!((r.status, r.problem().as_str()), (422, "unknown-rubric"));
    let r = api(&env, &cookie, "/admin/events/slots", &slot_form(&me, "through-hole-soldering@9.9.9", 1)).await;
    assert_eq!((r.status, r.problem().as_str()), (422, "unknown-rubric"), "the version must match too");
    let r = api(&env, &cookie, "/admin/events/slots", &slot_form(&me, rubric, 0)).await;
    assert_eq!((r.status, r.problem().as_str()), (400, "bad-capacity"));
    assert_eq!(
        post_form(&env, "/admin/events/slots", &[], &slot_form(&me, rubric, 1)).await.status,
        303,
        "needs a login"
    );

    let a = created_id(&api(&env, &cookie, "/admin/events/slots", &slot_form(&me, rubric, 1)).await, "slots");
    let b = created_id(&api(&env, &cookie, "/admin/events/slots", &slot_form(&me, rubric, 2)).await, "slots");

    // Capacity: the second student in a one-place slot is refused with a clear problem.
    let s1 = created_id(
        &api(&env, &cookie, &format!("/admin/events/slots/{a}/bookings"), "student=S-2026-0001").await,
        "bookings",
    );
    let full = api(&env, &cookie, &format!("/admin/events/slots/{a}/bookings"), "student=S-2026-0002").await;
    assert_eq!((full.status, full.problem().as_str()), (409, "slot-full"));
    assert!(full.json()["detail"].as_str().unwrap().contains("1 students"), "{}", text(&full));
    // A browser gets the same refusal as a page.
    let page = post_form(&env, &format!("/admin/events/slots/{a}/bookings"), &cookie, "student=S-2026-0002").await;
    assert_eq!(page.status, 409);
    assert!(text(&page).contains("already holds its 1 students"));

    // Re-booking moves the student and keeps the old booking, linked both ways.
    let moved = api(&env, &cookie, &format!("/admin/events/bookings/{s1}/move"), &format!("slot={b}")).await;
    let s1b = created_id(&moved, "bookings");
    let meta = env.server.as_ref().unwrap().state().meta.clone();
    let snap = meta.event_snapshot().await.unwrap();
    let old = snap.bookings.iter().find(|x| x.id == s1).unwrap();
    let new = snap.bookings.iter().find(|x| x.id == s1b).unwrap();
    assert_eq!(
        (old.status.as_str(), old.moved_to.as_deref(), old.slot.as_str()),
        ("moved", Some(s1b.as_str()), a.as_str())
    );
    assert_eq!(
        (new.status.as_str(), new.moved_from.as_deref(), new.slot.as_str()),
        ("booked", Some(s1.as_str()), b.as_str())
    );
    let again = api(&env, &cookie, &format!("/admin/events/bookings/{s1}/move"), &format!("slot={b}")).await;
    assert_eq!((again.status, again.problem().as_str()), (409, "booking-closed"), "a moved booking stays moved");

    // The freed place is bookable; a no-show is recorded.
    let s2 = created_id(
        &api(&env, &cookie, &format!("/admin/events/slots/{a}/bookings"), "student=S-2026-0002").await,
        "bookings",
    );
    assert_eq!(api(&env, &cookie, &format!("/admin/events/bookings/{s2}/no-show"), "").await.status, 201);
    let snap = meta.event_snapshot().await.unwrap();
    assert_eq!(snap.bookings.iter().find(|x| x.id == s2).unwrap().status, "no-show");

    // A second station sees only its own slot; the first sees only its two.
    let other_key = SigningKey::from_seed_bytes(&[42; 32]).unwrap();
    let other = Station { enrolment: enrol(&golden::keys().department, &other_key, Role::Station, 2), key: other_key };
    schedule(&env, &other).await;
    let theirs = other.key.did_key().to_string();
    let c = created_id(&api(&env, &cookie, "/admin/events/slots", &slot_form(&theirs, rubric, 3)).await, "slots");
    let mine = schedule(&env, &env.station).await;
    let ids: Vec<&str> = mine["slots"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [a.as_str(), b.as_str()]);
    assert_eq!(mine["station"], me);
    let students: Vec<&str> =
        mine["slots"][1]["bookings"].as_array().unwrap().iter().map(|x| x["student"].as_str().unwrap()).collect();
    assert_eq!(students, ["S-2026-0001"]);
    let theirs_seen = schedule(&env, &other).await;
    let ids: Vec<&str> = theirs_seen["slots"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [c.as_str()]);
    assert!(mine["revision"].as_i64().unwrap() > first["revision"].as_i64().unwrap());

    // A check-in reported twice is recorded once; another station cannot check in my booking.
    let assessment = golden::uuid7(77).to_string();
    let path = format!("/api/v1/schedule/bookings/{s1b}/check-in?assessment={assessment}&at=1893488400000");
    let r1 = signed_as(&env.station, &env, "PUT", &path, &[], &[], b"").await;
    let r2 = signed_as(&env.station, &env, "PUT", &path, &[], &[], b"").await;
    assert_eq!((r1.status, r2.status), (200, 200), "{}", text(&r2));
    assert_eq!((r1.json()["recorded"].as_bool(), r2.json()["recorded"].as_bool()), (Some(true), Some(false)));
    let history = meta.event_history().await.unwrap();
    assert_eq!(history.iter().filter(|h| h.action == "checked-in").count(), 1);
    assert_eq!(history.iter().map(|h| h.seq).collect::<Vec<_>>(), (0..history.len() as i64).collect::<Vec<_>>());
    let stolen = signed_as(&other, &env, "PUT", &path, &[], &[], b"").await;
    assert_eq!((stolen.status, stolen.problem().as_str()), (404, "unknown-booking"));
    let conflict = signed_as(
        &env.station,
        &env,
        "PUT",
        &format!("/api/v1/schedule/bookings/{s1b}/check-in?assessment={}&at=1", golden::uuid7(78)),
        &[],
        &[],
        b"",
    )
    .await;
    assert_eq!((conflict.status, conflict.problem().as_str()), (409, "check-in-conflict"));
    let unsigned = get_with(&env, "/api/v1/schedule", &[]).await;
    assert_eq!(unsigned.status, 401);
    let checked = schedule(&env, &env.station).await;
    assert_eq!(checked["slots"][1]["bookings"][0]["status"], "checked-in");
    assert_eq!(checked["slots"][1]["bookings"][0]["assessment"], assessment);

    // Cancelling a slot cancels its open bookings; the page shows it all.
    assert_eq!(api(&env, &cookie, &format!("/admin/events/slots/{a}/cancel"), "").await.status, 201);
    let r = api(&env, &cookie, &format!("/admin/events/slots/{a}/bookings"), "student=S-2026-0003").await;
    assert_eq!((r.status, r.problem().as_str()), (409, "slot-cancelled"));
    let html = text(&get_with(&env, "/admin/events", &cookie).await);
    for shown in [
        "S-2026-0001",
        "S-2026-0002",
        "moved from",
        "moved to",
        "cancelled",
        "PAY-2",
        "checked in",
        "bench 2",
        "through-hole-soldering",
    ] {
        assert!(html.contains(shown), "the admin page lacks {shown:?}");
    }
    let json = get_with(&env, "/admin/events.json", &cookie).await.json();
    assert_eq!(json["slots"].as_array().unwrap().len(), 3);
}

/// Declares one `#[tokio::test]` per micro-event case for a backend.
macro_rules! event_tests {
    ($backend:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn slots_bookings_and_check_ins() {
            let Some(kind) = $backend().await else { return };
            super::slots_bookings_and_check_ins(kind).await;
        }
    };
}

mod embedded {
    async fn embedded() -> Option<crate::harness::Kind> {
        Some(crate::harness::Kind::Embedded)
    }
    event_tests!(embedded);
}

mod pg {
    async fn pg() -> Option<crate::harness::Kind> {
        Some(crate::harness::Kind::Postgres(crate::postgres::database().await.expect("PostgreSQL for the tests")))
    }
    event_tests!(pg);
}

mod scale {
    async fn scale() -> Option<crate::harness::Kind> {
        Some(crate::harness::Kind::Scale(crate::postgres::database().await.expect("PostgreSQL for the tests")))
    }
    event_tests!(scale);
}
