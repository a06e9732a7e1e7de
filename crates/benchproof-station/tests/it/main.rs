//! The station API on real data directories: resuming, the rubric catalogue, refusals.

mod capture;
mod schedule;

use std::sync::Arc;

use benchproof_domain::{LifecycleState, StepId, Timestamp, Verdict};
use benchproof_station::rubrics::{self, Origin};
use benchproof_station::{ManualClock, Station, StationError};

fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_795_927_853_000 + ms)
}

fn soldering() -> rubrics::RubricSource {
    rubrics::bundled().into_iter().find(|r| r.rubric.id == "through-hole-soldering").unwrap()
}

#[test]
fn an_interrupted_assessment_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(t(0)));
    let id = {
        let mut station = Station::open_with_clock(dir.path(), Box::new(Arc::clone(&clock))).unwrap();
        let mut s = station.create_assessment(&soldering(), "S-1").unwrap();
        s.start().unwrap();
        clock.set(t(5_000));
        s.tick(&StepId::new("prepare-workstation"), Verdict::Pass, None, Some("glasses on")).unwrap();
        s.id()
        // The station is dropped here without finishing: the app was closed mid-assessment.
    };
    let mut station = Station::open_with_clock(dir.path(), Box::new(Arc::clone(&clock))).unwrap();
    let mut s = station.open_assessment(id).unwrap();
    assert_eq!(s.assessment().state, LifecycleState::Running);
    assert_eq!(s.assessment().ticks.len(), 1);
    assert_eq!(s.assessment().ticks[0].at, t(5_000));
    clock.set(t(9_000));
    s.tick(&StepId::new("ground-esd-strap"), Verdict::Fail, None, None).unwrap();
    s.finish().unwrap();
    let report = station.report(id).unwrap();
    assert_eq!(report.state, LifecycleState::Finished);
    assert_eq!(report.chain.events, 5);
    assert_eq!(report.finished_at, Some(t(9_000)));
}

#[test]
fn refused_actions_record_nothing_and_store_no_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut station = Station::open(dir.path()).unwrap();
    let mut s = station.create_assessment(&soldering(), "S-2").unwrap();
    // Not started yet: a tick and an attachment are refused.
    let err = s.tick(&StepId::new("prepare-workstation"), Verdict::Pass, None, None).unwrap_err();
    assert_eq!(err.code(), "not_allowed");
    let err = s.attach(None, "photo.png", "image/png", &b"not stored"[..], t(0)).unwrap_err();
    assert!(matches!(err, StationError::Transition(_)), "{err}");
    assert_eq!(s.assessment().last_seq, 1);
    let stored: Vec<_> = walk(&dir.path().join("media")).into_iter().filter(|p| !p.contains("media/tmp")).collect();
    assert!(stored.is_empty(), "{stored:?}");

    s.start().unwrap();
    s.abandon("student unwell").unwrap();
    let err = s.tick(&StepId::new("prepare-workstation"), Verdict::Pass, None, None).unwrap_err();
    assert_eq!(err.code(), "not_allowed");
}

#[test]
fn published_rubrics_win_over_bundled_ones_and_bad_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let published = rubrics::published_dir(dir.path());
    std::fs::create_dir_all(&published).unwrap();
    let text = soldering().text.replacen("version = \"1.0.0\"", "version = \"1.1.0\"", 1);
    std::fs::write(published.join("through-hole-soldering.toml"), &text).unwrap();
    std::fs::write(published.join("broken.toml"), "id = = 1").unwrap();

    let (found, problems) = rubrics::catalogue(dir.path());
    assert_eq!(found.len(), 3, "one published and two bundled");
    assert_eq!(problems.len(), 1);
    assert!(problems[0].to_string().contains("broken.toml:1:"), "{}", problems[0]);
    let r = rubrics::find(dir.path(), "through-hole-soldering").unwrap();
    assert_eq!(r.rubric.version, "1.1.0");
    assert!(matches!(r.origin, Origin::File(_)));
    assert!(matches!(rubrics::find(dir.path(), "welding"), Err(StationError::UnknownRubric(_))));
}

#[test]
fn assessments_resolve_by_unique_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let mut station = Station::open(dir.path()).unwrap();
    let a = station.create_assessment(&soldering(), "S-3").unwrap().id();
    let b = station.create_assessment(&soldering(), "S-4").unwrap().id();
    assert_eq!(station.resolve_assessment(&a.to_string()).unwrap(), a);
    let common = a.to_string().chars().zip(b.to_string().chars()).take_while(|(x, y)| x == y).count();
    let unique_a = &a.to_string()[..common + 1];
    assert_eq!(station.resolve_assessment(unique_a).unwrap(), a);
    let shared = &a.to_string()[..common];
    assert!(matches!(station.resolve_assessment(shared), Err(StationError::AmbiguousAssessment(_, 2))));
    assert!(matches!(station.resolve_assessment("ffff"), Err(StationError::UnknownAssessment(_))));
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

#[test]
fn a_hashed_student_is_a_stable_pseudonym() {
    use benchproof_station::script::{self, MediaSource, Script};
    let dir = tempfile::tempdir().unwrap();
    let text = "student = \"S-2026-0042\"\nrubric = \"through-hole-soldering\"\nhash_student = true\nfinish = false\n";
    let script = Script::parse(std::path::Path::new("s.toml"), text).unwrap();
    let run = || {
        script::run(
            dir.path(),
            std::path::Path::new("s.toml"),
            &script,
            MediaSource::Dir(dir.path()),
            script::ScriptCapture::None,
            &mut |_| {},
        )
        .unwrap()
    };
    let (a, b) = (run(), run());
    let station = Station::open(dir.path()).unwrap();
    let (sa, sb) = (station.load(a).unwrap().student, station.load(b).unwrap().student);
    assert!(sa.starts_with("hmac-sha256:") && sa.len() == 12 + 64, "{sa}");
    assert_eq!(sa, sb, "the same student gets the same pseudonym on this station");
    assert!(!sa.contains("0042"));
}

#[test]
fn an_interrupted_seal_is_finished_with_the_bundle_it_wrote() {
    use benchproof_domain::Sha256;
    use benchproof_station::{bundles, demo};
    let dir = tempfile::tempdir().unwrap();
    let id = demo::run(dir.path(), &mut |_| {}).unwrap();
    demo::ensure_trust(dir.path()).unwrap();
    let mut station = Station::open(dir.path()).unwrap();
    // The state a crash leaves between writing the bundle and recording the `sealed` event.
    let path = bundles::outbox_dir(dir.path()).join(format!("benchproof-{id}.zip"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"the bundle written before the crash").unwrap();
    let digest = Sha256::of(b"its tag manifest");
    station.store().record_bundle(id, digest, t(0)).unwrap();

    let sealed = station.seal(id, demo::DEMO_PROCTOR, Some(demo::DEMO_PROCTOR_PIN)).unwrap();
    assert_eq!(sealed.digest, digest, "no second, different bundle is signed");
    assert_eq!(std::fs::read(&path).unwrap(), b"the bundle written before the crash");
    assert_eq!(station.load(id).unwrap().state, LifecycleState::Sealed);
    assert_eq!(station.store().outbox().unwrap().len(), 1);
    assert!(station.seal(id, demo::DEMO_PROCTOR, Some(demo::DEMO_PROCTOR_PIN)).is_err(), "sealing is final");
}
