//! The desk façade end to end on simulated devices in a temporary data directory: demo set-up,
//! sign-in, a whole assessment with undo, notes, snippets and sealing, then resume after the
//! desk is dropped and reopened, history links and the outbox.

use std::path::Path;
use std::time::{Duration, Instant};

use benchproof_domain::{LifecycleState, Verdict};
use benchproof_station::demo::{DEMO_PROCTOR, DEMO_PROCTOR_PIN};
use benchproof_station::desk::{AssessmentDetail, Desk, DeskError, TickInput};

const RUBRIC: &str = "probe-compensation";

fn demo_desk(dir: &Path) -> Desk {
    let desk = Desk::open(dir).expect("open desk");
    desk.start_demo().expect("demo mode");
    desk.sign_in(DEMO_PROCTOR, DEMO_PROCTOR_PIN).expect("sign in");
    desk
}

/// A passing decision for every step: the best level where the step has levels.
fn pass(detail: &AssessmentDetail, index: usize) -> TickInput {
    let step = &detail.assessment.rubric.steps[index];
    TickInput {
        step: step.id.to_string(),
        verdict: Verdict::Pass,
        level: step.levels.last().map(|l| l.name.clone()),
        note: None,
    }
}

fn code<T: std::fmt::Debug>(r: Result<T, DeskError>) -> &'static str {
    r.expect_err("should be refused").code()
}

#[test]
fn a_fresh_station_is_unconfigured_until_demo_mode() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path()).unwrap();
    let status = desk.status().unwrap();
    assert!(!status.configured && !status.demo);
    assert!(status.station_did.starts_with("did:key:z6Mk"));
    assert_eq!(code(desk.create(RUBRIC, "s1", true, None)), "not_signed_in");

    let status = desk.start_demo().unwrap();
    assert!(status.configured && status.demo, "{status:?}");
    assert!(status.department.unwrap().contains("Demo"));
    assert!(desk.devices().unwrap().iter().all(|d| d.simulated), "demo mode uses simulated devices only");
    assert!(desk.devices().unwrap().iter().any(|d| d.camera));
}

#[test]
fn sign_in_checks_the_proctor_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path()).unwrap();
    desk.start_demo().unwrap();
    assert_eq!(code(desk.sign_in(DEMO_PROCTOR, "wrong pin")), "wrong_passphrase");
    assert_eq!(code(desk.sign_in("Nobody", "x")), "unknown_proctor");
    assert_eq!(code(desk.sign_in("  ", "x")), "invalid_input");
    let p = desk.sign_in(DEMO_PROCTOR, DEMO_PROCTOR_PIN).unwrap();
    assert!(p.did.to_string().starts_with("did:key:"));
    assert_eq!(desk.status().unwrap().proctor.as_deref(), Some(DEMO_PROCTOR));
    desk.sign_out();
    assert_eq!(desk.status().unwrap().proctor, None);
}

#[test]
fn consent_and_a_matching_previous_attempt_are_required() {
    let dir = tempfile::tempdir().unwrap();
    let desk = demo_desk(dir.path());
    assert_eq!(code(desk.create(RUBRIC, "s1", false, None)), "consent_required");
    assert_eq!(code(desk.create("no-such-rubric", "s1", true, None)), "unknown_rubric");
    let first = desk.create(RUBRIC, "s1", true, None).unwrap();
    let other = first.assessment.id.to_string();
    assert_eq!(code(desk.create(RUBRIC, "s2", true, Some(&other))), "invalid_input");
    let second = desk.create(RUBRIC, "s1", true, Some(&other)).unwrap();
    assert_eq!(second.previous, Some(first.assessment.id));
    assert!(second.notes.iter().any(|n| n.text.contains("agreed to be recorded")));
}

#[test]
fn a_whole_assessment_ticks_undoes_finishes_and_seals() {
    let dir = tempfile::tempdir().unwrap();
    let desk = demo_desk(dir.path());
    let mut d = desk.create(RUBRIC, "student-42", true, None).unwrap();
    let id = d.assessment.id.to_string();
    assert_eq!(d.assessment.state, LifecycleState::Running);
    assert_eq!(desk.status().unwrap().in_progress, Some(d.assessment.id));

    let mut wrong = pass(&d, 0);
    wrong.verdict = Verdict::Fail;
    d = desk.tick(&id, &wrong).unwrap();
    assert_eq!(d.current_step, 1, "ticking moves to the next step");
    d = desk.undo_tick(&id).unwrap();
    assert!(d.assessment.ticks[0].withdrawn, "undo withdraws the tick and keeps it as history");
    assert_eq!(d.current_step, 0);
    assert_eq!(code(desk.undo_tick(&id)), "nothing_to_undo");

    for i in 0..d.assessment.rubric.steps.len() {
        d = desk.tick(&id, &pass(&d, i)).unwrap();
    }
    assert_eq!(d.score.outcome, benchproof_domain::Outcome::Passed, "{:?}", d.score);
    d = desk.note(&id, "steady hands").unwrap();
    assert!(d.notes.iter().any(|n| n.text == "steady hands"));

    let student = desk.student_view().unwrap().expect("a student view while running");
    assert!(student.recording);
    assert!(student.steps.iter().all(|s| s.ticked));
    assert_eq!(code(desk.set_current_step(&id, 999)), "invalid_input");
    desk.set_current_step(&id, 1).unwrap();
    assert_eq!(desk.student_view().unwrap().unwrap().current_step, 1);

    d = desk.finish(&id).unwrap();
    assert_eq!(d.assessment.state, LifecycleState::Finished);
    let mut stages = Vec::new();
    assert_eq!(code(desk.seal(&id, "wrong", &mut |s, _| stages.push(s.to_owned()))), "wrong_passphrase");
    let sealed = desk.seal(&id, DEMO_PROCTOR_PIN, &mut |s, f| stages.push(format!("{s} {f}"))).unwrap();
    assert!(sealed.path.exists());
    assert_eq!(stages.last().map(String::as_str), Some("sealed 1"));
    let d = desk.assessment(&id).unwrap();
    assert_eq!(d.assessment.state, LifecycleState::Sealed);
    assert_eq!(d.signed_by.as_deref(), Some(DEMO_PROCTOR));
    assert_eq!(desk.status().unwrap().in_progress, None);
    assert!(desk.student_view().unwrap().is_none());

    let queue = desk.queue().unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].item.assessment, d.assessment.id);
    assert_eq!(queue[0].student, "student-42");
    assert_eq!(desk.retry(&id).unwrap().len(), 1);

    let history = desk.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].state, LifecycleState::Sealed);
}

#[test]
fn a_ticked_video_step_gets_its_snippet_from_the_simulated_camera() {
    let dir = tempfile::tempdir().unwrap();
    let desk = demo_desk(dir.path());
    let d = desk.create(RUBRIC, "s1", true, None).unwrap();
    let id = d.assessment.id.to_string();
    let video = d
        .assessment
        .rubric
        .steps
        .iter()
        .position(|s| s.evidence.contains(&benchproof_domain::rubric::EvidenceKind::Video))
        .expect("the rubric has a step with video evidence");
    desk.tick(&id, &pass(&d, video)).unwrap();
    // Finishing stops the rig, which cuts the pending snippet short and records it.
    let d = desk.finish(&id).unwrap();
    let snippet = d.snippets.first().expect("the video step's snippet was saved before finishing");
    assert_eq!(snippet.media_type, "video/mp4");
    let (path, media_type) = desk.media(&id, &snippet.snippet.to_string()).unwrap();
    assert_eq!(media_type, "video/mp4");
    assert_eq!(std::fs::metadata(path).unwrap().len(), snippet.bytes);
    assert_eq!(code(desk.media(&id, "not-a-snippet")), "invalid_input");
}

#[test]
fn the_pump_records_a_requested_snippet_while_the_assessment_runs() {
    let dir = tempfile::tempdir().unwrap();
    let desk = demo_desk(dir.path());
    let d = desk.create(RUBRIC, "s1", true, None).unwrap();
    let id = d.assessment.id.to_string();
    desk.save_snippet(&id, None).unwrap();
    // Polls until the recorder delivers (its post-roll runs in real time on the simulated camera).
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut saved = false;
    while !saved && Instant::now() < deadline {
        saved = desk.pump().unwrap().changed();
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(saved, "the pump absorbed the snippet");
    assert_eq!(desk.assessment(&id).unwrap().snippets.len(), 1);
}

#[test]
fn reopening_the_desk_resumes_the_assessment_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let desk = demo_desk(dir.path());
        let d = desk.create(RUBRIC, "s1", true, None).unwrap();
        let id = d.assessment.id.to_string();
        desk.tick(&id, &pass(&d, 0)).unwrap();
        id
    };
    let desk = Desk::open(dir.path()).unwrap();
    let status = desk.status().unwrap();
    assert!(status.demo);
    assert_eq!(status.proctor, None, "a restart signs the proctor out");
    assert_eq!(status.in_progress.map(|i| i.to_string()), Some(id.clone()));
    let d = desk.assessment(&id).unwrap();
    assert_eq!(d.assessment.ticks.len(), 1);
    assert_eq!(d.current_step, 1, "resumes at the first step without a tick");
    assert_eq!(code(desk.tick(&id, &pass(&d, 1))), "not_signed_in");
}

#[test]
fn setup_refuses_files_that_are_not_the_departments() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path()).unwrap();
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "not json").unwrap();
    let err = desk.setup(&junk, &junk, Vec::new()).unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("department"), "{err}");
    assert_eq!(code(desk.setup(&junk, &dir.path().join("missing"), Vec::new())), "io");
}

#[test]
fn setup_installs_a_real_departments_enrolment_for_this_station() {
    use benchproof_evidence::enrolment::Role;
    use benchproof_station::trust::DepartmentKey;
    use benchproof_station::{Clock, SystemClock};
    let dir = tempfile::tempdir().unwrap();
    let dept_dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path()).unwrap();
    let station: benchproof_evidence::DidKey = desk.status().unwrap().station_did.parse().unwrap();
    let dept = DepartmentKey::init(dept_dir.path(), "Physics Teaching Lab", "physics-department-passphrase").unwrap();
    let now = SystemClock.now();
    let other = DepartmentKey::init(&dept_dir.path().join("other"), "Other", "other-department-passphrase").unwrap();
    let stranger = other.enrol(&other.info.did, Role::Station, "bench 9", now, now.plus_millis(86_400_000)).unwrap();
    let enrolment = dept.enrol(&station, Role::Station, "bench 1", now, now.plus_millis(86_400_000)).unwrap();
    let trust = dept_dir.path().join("department.json");
    let enrolment_path = dept_dir.path().join("station-enrolment.json");
    std::fs::write(&enrolment_path, serde_json::to_vec(&stranger).unwrap()).unwrap();
    assert_eq!(
        code(desk.setup(&enrolment_path, &trust, Vec::new())),
        "keys_or_trust",
        "another department's enrolment"
    );
    std::fs::write(&enrolment_path, serde_json::to_vec(&enrolment).unwrap()).unwrap();
    let status = desk.setup(&enrolment_path, &trust, Vec::new()).unwrap();
    assert!(status.configured && !status.demo, "{status:?}");
    assert_eq!(status.department.as_deref(), Some("Physics Teaching Lab"));
    assert_eq!(code(desk.start_demo()), "invalid_input", "demo mode never touches a real department's keys");
}

/// The queue screen's view of each sync state, set through a second store connection the way
/// the sync worker records them.
mod queue_states {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::path::Path;

    use benchproof_domain::rubric::parse;
    use benchproof_domain::{Assessment, AssessmentId, Sha256, Timestamp};
    use benchproof_station::desk::{Desk, QueueState, ReceiptSummary, ServerStatus};
    use benchproof_store::{Store, SyncFailure};

    const RUBRIC: &str = include_str!("../../../fixtures/rubrics/test-skill.toml");

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_795_935_053_000 + ms)
    }

    /// Queues a 1000-byte stand-in bundle for a new assessment.
    fn queued(store: &mut Store, n: i64) -> AssessmentId {
        let id = AssessmentId::from_uuid(uuid::Uuid::now_v7()).unwrap();
        let rubric = parse("test-skill.toml", RUBRIC).unwrap();
        let (_, genesis) = Assessment::create(id, rubric, &format!("student-{n}"), t(n)).unwrap();
        store.create_assessment(&genesis).unwrap();
        store.enqueue_bundle(id, Sha256::of(&n.to_le_bytes()), 1000, &format!("/outbox/{id}.zip"), t(n)).unwrap();
        id
    }

    fn state_of(desk: &Desk, id: AssessmentId) -> QueueState {
        desk.queue().unwrap().into_iter().find(|e| e.item.assessment == id).expect("queued").state
    }

    #[test]
    fn each_row_shows_its_recorded_sync_state() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(dir.path()).unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.put_rubric(&parse("test-skill.toml", RUBRIC).unwrap(), RUBRIC, t(0)).unwrap();
        let pending = queued(&mut store, 1);
        let uploading = queued(&mut store, 2);
        let failed = queued(&mut store, 3);
        let refused = queued(&mut store, 4);
        let delivered = queued(&mut store, 5);

        store.record_upload_created(uploading, "http://dept/files/u1").unwrap();
        store.record_upload_progress(uploading, 257).unwrap();
        store.record_upload_created(failed, "http://dept/files/u2").unwrap();
        store.record_upload_progress(failed, 500).unwrap();
        let failure = SyncFailure {
            error: "PATCH failed on the network",
            permanent: false,
            next_attempt_at: Some(t(60_000)),
            alert: None,
        };
        store.record_sync_failure(failed, &failure).unwrap();
        store.record_gave_up(refused, "the server refused the bundle (422 invalid-bundle)").unwrap();
        let receipt = r#"{"leafIndex": 6, "checkpoint": "dept.test/log\n7\nAAAA\n\n— dept.test/log x\n"}"#;
        store.record_delivered(delivered, receipt, t(70_000)).unwrap();

        assert_eq!(state_of(&desk, pending), QueueState::Pending);
        assert_eq!(state_of(&desk, uploading), QueueState::Uploading { percent: 25 });
        assert_eq!(
            state_of(&desk, failed),
            QueueState::Failed {
                reason: "PATCH failed on the network".into(),
                next_attempt: Some(t(60_000)),
                percent: 50
            }
        );
        assert_eq!(
            state_of(&desk, refused),
            QueueState::GaveUp { alert: "the server refused the bundle (422 invalid-bundle)".into() }
        );
        assert_eq!(
            state_of(&desk, delivered),
            QueueState::Delivered { receipt: Some(ReceiptSummary { leaf_index: 6, tree_size: 7 }) }
        );
        let entry = desk.queue().unwrap().into_iter().find(|e| e.item.assessment == delivered).unwrap();
        assert_eq!((entry.student.as_str(), entry.progress()), ("student-5", 1.0));

        // An operator's retry puts a refused bundle back; without a server nothing else happens.
        desk.retry(&refused.to_string()).unwrap();
        assert_eq!(state_of(&desk, refused), QueueState::Pending);
        assert_eq!(desk.sync_now().unwrap(), None, "no sync.toml: no pass");
        assert_eq!(
            code_of(desk.retry(&delivered.to_string()).map(|_| ())),
            None,
            "retrying a delivered bundle is harmless"
        );
        assert_eq!(
            state_of(&desk, delivered),
            QueueState::Delivered { receipt: Some(ReceiptSummary { leaf_index: 6, tree_size: 7 }) }
        );
    }

    fn code_of(r: Result<(), benchproof_station::desk::DeskError>) -> Option<&'static str> {
        r.err().map(|e| e.code())
    }

    /// Answers one `OPTIONS` as a tus 1.0.0 server would.
    fn one_tus_answer() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 204 No Content\r\nTus-Resumable: 1.0.0\r\nTus-Version: 1.0.0\r\n\
                  Tus-Extension: creation,checksum,termination,expiration\r\nTus-Checksum-Algorithm: sha1,sha256\r\n\
                  Tus-Max-Size: 2147483648\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            );
        });
        port
    }

    fn configure(dir: &Path, text: &str) {
        std::fs::write(dir.join("sync.toml"), text).unwrap();
    }

    #[test]
    fn the_server_status_comes_from_sync_toml_and_a_probe() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(dir.path()).unwrap();
        assert_eq!(desk.server_status(), ServerStatus::NotConfigured);

        let port = one_tus_answer();
        let url = format!("http://127.0.0.1:{port}");
        configure(dir.path(), &format!("server = \"{url}/\"\n"));
        assert_eq!(desk.server_status(), ServerStatus::Reachable { url });

        // Nobody listens on a port just released.
        let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{closed}");
        configure(dir.path(), &format!("server = \"{url}\"\n"));
        match desk.server_status() {
            ServerStatus::Unreachable { url: u, reason } => assert!(u == url && !reason.is_empty(), "{reason}"),
            other => panic!("expected unreachable, got {other:?}"),
        }

        configure(dir.path(), "srever = \"typo\"\n");
        match desk.server_status() {
            ServerStatus::Invalid { reason } => assert!(reason.contains("sync.toml"), "{reason}"),
            other => panic!("expected invalid, got {other:?}"),
        }
    }
}

/// The meter hears the simulated tone: a quiet 440 Hz tone (peak 0.05) with a loud beep (0.8)
/// every second, so within a few readings both a quiet and a loud window show, on the
/// microphone the device list names, and the station clock the frames are stamped on advances.
#[test]
fn the_audio_meter_reads_the_simulated_tone_and_its_beeps() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path()).unwrap();
    assert!(desk.audio_level().is_none() && desk.clock_now().is_none(), "nothing captures before set-up");
    desk.start_demo().unwrap();
    let mic = desk.devices().unwrap().into_iter().find(|d| !d.camera).expect("a microphone").id;
    let (mut loud, mut quiet) = (false, false);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(loud && quiet) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        let Some((device, level)) = desk.audio_level() else { continue };
        assert_eq!(device, mic);
        assert!(level.peak <= 1.0 && level.rms <= level.peak + 1e-6, "{level:?}");
        loud |= level.peak > 0.7;
        quiet |= level.peak < 0.1 && level.peak > 0.01;
    }
    assert!(loud && quiet, "saw a beep: {loud}, saw the quiet tone alone: {quiet}");
    let (a, b) = (desk.clock_now().unwrap(), desk.clock_now().unwrap());
    assert!(b >= a);
}
