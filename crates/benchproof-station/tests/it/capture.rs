//! Live capture on the simulated devices: a tick saves a real MP4 snippet on its step, undo is
//! recorded, and the sealed bundle (format 2, because of the undo) verifies.

use std::time::{Duration, Instant};

use benchproof_domain::{StepId, Verdict};
use benchproof_station::bundles::{verify_bundle, TrustSource};
use benchproof_station::capture::{Absorbed, CaptureSettings, DeviceMode, Rig};
use benchproof_station::{demo, rubrics, Station};

#[test]
fn a_tick_saves_a_snippet_from_the_simulated_camera_and_undo_is_sealed() {
    let dir = tempfile::tempdir().unwrap();
    demo::ensure_trust(dir.path()).unwrap();
    let rubric = rubrics::bundled().into_iter().find(|r| r.rubric.id == "through-hole-soldering").unwrap();
    let mut station = Station::open(dir.path()).unwrap();
    let rig = Rig::start(dir.path(), &CaptureSettings { mode: DeviceMode::Simulated, ..Default::default() }).unwrap();
    assert!(rig.simulated() && !rig.remarks.is_empty(), "simulated devices are said to be simulated");

    let mut s = station.create_assessment(&rubric, "S-0099").unwrap();
    s.start().unwrap();
    std::thread::sleep(Duration::from_millis(1500)); // some pre-roll
    let safety = StepId::new("prepare-workstation"); // wants video, 5 s of post-roll
    s.tick_and_capture(Some(&rig), &safety, Verdict::Pass, None, None).unwrap();

    // The tick is durable at once; the snippet follows after its post-roll.
    let deadline = Instant::now() + Duration::from_secs(120);
    let saved = loop {
        let absorbed = s.absorb(rig.wait(Duration::from_millis(500))).unwrap();
        if let Some(a) = absorbed.into_iter().find(|a| matches!(a, Absorbed::SnippetSaved { .. })) {
            break a;
        }
        assert!(Instant::now() < deadline, "no snippet arrived");
    };
    let Absorbed::SnippetSaved { step, name, bytes } = saved else { unreachable!() };
    assert_eq!(step, safety);
    assert!(name.ends_with(".mp4") && bytes > 1000, "{name}: {bytes} bytes");
    let snippet = s.assessment().snippets.last().unwrap().clone();
    assert_eq!(snippet.media_type, "video/mp4");

    // A slip of the proctor's finger, taken back.
    s.tick(&StepId::new("set-up-iron"), Verdict::Fail, Some("Developing"), None).unwrap();
    s.undo_tick().unwrap();
    assert!(s.assessment().latest_tick(&StepId::new("set-up-iron")).is_none());
    s.tick(&StepId::new("set-up-iron"), Verdict::Pass, Some("Competent"), None).unwrap();
    s.absorb(rig.stop()).unwrap();
    s.finish().unwrap();
    let id = s.id();
    let mp4 = std::fs::read(station.store().media_path(&snippet.sha256)).unwrap();
    assert_eq!(&mp4[4..8], b"ftyp", "an MP4 file in the cache");

    let sealed = station.seal(id, demo::DEMO_PROCTOR, Some(demo::DEMO_PROCTOR_PIN)).unwrap();
    let verified = verify_bundle(&sealed.path, TrustSource::Station(dir.path()), Some(&station), |_| {}).unwrap();
    assert_eq!(verified.document.format_version, 2, "a log with an undo is format version 2");
    let joint = verified.document.steps.iter().find(|e| e.id.as_str() == "set-up-iron").unwrap();
    assert_eq!(joint.verdict, Some(Verdict::Pass));
    assert_eq!(joint.ticks, 1, "the withdrawn tick does not count");
    let safety_entry = verified.document.steps.iter().find(|e| e.id.as_str() == "prepare-workstation").unwrap();
    assert!(safety_entry.evidence.iter().any(|e| e.sha256 == snippet.sha256), "the snippet is in the bundle");
}

#[test]
fn whole_session_mode_keeps_one_recording_of_the_assessment() {
    let dir = tempfile::tempdir().unwrap();
    let rubric = rubrics::bundled().into_iter().find(|r| r.rubric.id == "through-hole-soldering").unwrap();
    let mut station = Station::open(dir.path()).unwrap();
    let settings = CaptureSettings { mode: DeviceMode::Simulated, whole_session: true, ..Default::default() };
    let rig = Rig::start(dir.path(), &settings).unwrap();
    let mut s = station.create_assessment(&rubric, "S-0100").unwrap();
    s.start().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let absorbed = s.absorb(rig.stop()).unwrap();
    assert!(
        absorbed.iter().any(|a| matches!(a, Absorbed::SnippetSaved { name, .. } if name.starts_with("whole-session"))),
        "{absorbed:?}"
    );
    let recording = s.assessment().snippets.iter().find(|e| e.name.starts_with("whole-session")).unwrap();
    assert_eq!((recording.step.as_ref(), recording.media_type.as_str()), (None, "video/mp4"));
}
