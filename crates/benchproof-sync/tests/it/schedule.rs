//! The micro-event schedule between the project's station side and the real department server:
//! the schedule is downloaded into the store, a check-in made offline is reported on the next
//! pass exactly once, a refused one is kept with the reason, and the copy survives going offline.

use benchproof_bundle::Trust;
use benchproof_domain::AssessmentId;
use benchproof_server::events::rules::{self, Act, NewSlot};
use benchproof_server::{RunningServer, ServerConfig};
use benchproof_store::Store;
use benchproof_sync::schedule::{parse, ScheduleError};
use benchproof_sync::{SyncConfig, SyncWorker};

use crate::sealed;

struct Server {
    rt: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(keys: &sealed::Keys) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let trust = Trust { department: keys.department.did_key(), revocations: None };
        let key = benchproof_evidence::SigningKey::from_seed_bytes(&[1; 32]).expect("seed");
        let config =
            ServerConfig::embedded(dir.path().join("server"), "127.0.0.1:0".parse().expect("addr"), key, trust);
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let server = rt.block_on(benchproof_server::serve(config)).expect("the server starts");
        Server { rt, server: Some(server), _dir: dir }
    }

    fn url(&self) -> String {
        format!("http://{}", self.server.as_ref().expect("running").addr())
    }

    /// Applies one rule as an admin would; returns the id it created.
    fn admin(
        &self,
        rule: impl Fn(
            &benchproof_server::meta::EventSnapshot,
            Act<'_>,
        ) -> Result<benchproof_server::meta::EventChange, rules::Refusal>,
    ) -> String {
        let state = self.server.as_ref().expect("running").state().clone();
        let id = uuid::Uuid::now_v7().to_string();
        let act = Act { actor: "admin", now_ms: 1, new_id: &id };
        self.rt
            .block_on(benchproof_server::events::commit(&state, |snap| rule(snap, act).map(Some)))
            .expect("the change is accepted");
        id
    }

    fn booking_status(&self, id: &str) -> (String, Option<String>) {
        let meta = self.server.as_ref().expect("running").state().meta.clone();
        let snap = self.rt.block_on(meta.event_snapshot()).expect("snapshot");
        let b = snap.bookings.into_iter().find(|b| b.id == id).expect("the booking");
        (b.status, b.assessment)
    }

    fn stop(&mut self) {
        let s = self.server.take().expect("running");
        self.rt.block_on(s.stop());
    }
}

#[test]
fn schedule_download_and_check_in_outbox() {
    let keys = sealed::keys();
    let mut server = Server::start(&keys);
    let me = keys.station.did_key().to_string();
    let slot = |station: String| NewSlot {
        station,
        rubric_id: "through-hole-soldering".into(),
        rubric_version: "1.0.0".into(),
        starts_ms: 4_000_000_000_000,
        ends_ms: 4_000_001_800_000,
        capacity: 2,
        fee_reference: Some("PAY-7".into()),
    };
    let mine = server.admin(|s, a| rules::create_slot(s, slot(me.clone()), a));
    server.admin(|s, a| rules::create_slot(s, slot("did:key:z6MkOtherStation".into()), a));
    let b1 = server.admin(|s, a| rules::book(s, &mine, "S-2026-0001", a));
    let b2 = server.admin(|s, a| rules::book(s, &mine, "S-2026-0002", a));

    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let worker =
        SyncWorker::new(SyncConfig::new(server.url(), keys.department.did_key()), sealed::station_identity(&keys), 1);
    let first = worker.sync_schedule(&store, sealed::now()).expect("the schedule downloads");
    assert_eq!((first.slots, first.revision), (1, Some(4)), "only this station's slot");
    let copy = parse(&store.schedule().unwrap().expect("stored").document).unwrap();
    assert_eq!(copy.slots[0].id, mine);
    assert_eq!(copy.slots[0].fee_reference.as_deref(), Some("PAY-7"));
    assert_eq!(copy.slots[0].bookings.len(), 2);

    // Checked in offline; reported on the next pass, once.
    let a1 = AssessmentId::from_uuid(uuid::Uuid::now_v7()).unwrap();
    store.record_check_in(&b1, a1, "S-2026-0001", sealed::now()).unwrap();
    let second = worker.sync_schedule(&store, sealed::now()).expect("the check-in is reported");
    assert_eq!(second.reported, std::slice::from_ref(&b1));
    assert_eq!(second.revision, Some(5), "the schedule now shows the check-in");
    assert_eq!(server.booking_status(&b1), ("checked-in".to_owned(), Some(a1.to_string())));
    assert!(worker.sync_schedule(&store, sealed::now()).unwrap().reported.is_empty(), "nothing is sent twice");

    // A booking moved away on the server meanwhile: its check-in is refused and kept with why.
    let other = server.admin(|s, a| rules::create_slot(s, slot(me.clone()), a));
    server.admin(|s, a| rules::rebook(s, &b2, &other, a));
    let a2 = AssessmentId::from_uuid(uuid::Uuid::now_v7()).unwrap();
    store.record_check_in(&b2, a2, "S-2026-0002", sealed::now()).unwrap();
    let third = worker.sync_schedule(&store, sealed::now()).unwrap();
    assert_eq!(third.refused.len(), 1);
    assert!(third.refused[0].1.starts_with("booking-closed"), "{third:?}");
    assert!(store.check_in(&b2).unwrap().unwrap().refused.is_some());

    // Offline: the exchange fails and the stored copy stays.
    let kept = store.schedule().unwrap().unwrap().revision;
    server.stop();
    let err = worker.sync_schedule(&store, sealed::now()).unwrap_err();
    assert!(matches!(err, ScheduleError::Transport(_)), "{err}");
    assert_eq!(store.schedule().unwrap().unwrap().revision, kept);
}
