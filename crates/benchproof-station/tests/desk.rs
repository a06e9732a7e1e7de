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
