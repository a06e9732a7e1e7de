//! The recorder end to end: snippets around ticks, overlapping requests, whole-session mode,
//! crash recovery from spill files, and IO errors reported per snippet.

use std::time::Duration;

use benchproof_capture::sim::{Pacing, Simulated, ToneSettings};
use benchproof_capture::{
    recover, ClockTime, InputStatus, RecorderError, RecorderSettings, SnippetError, SnippetRecorder, SnippetRequest,
    Source, SourceEvent, SourceSink, StationClock,
};
use sha2::{Digest, Sha256};

use crate::support::{feed, outcomes, pattern, probe, recorder, request};

fn sha256_hex(path: &std::path::Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_tick_gives_a_playable_snippet_from_the_keyframe_before_the_pre_roll() {
    let dir = tempfile::tempdir().unwrap();
    let (rec, tx) = recorder(dir.path(), false);
    // Tick at 5.0 s with 2 s before and 1 s after; the request arrives at 5.5 s, so the pre-roll
    // supplies the start. Keyframes come every second from 0, so the cut starts at 3.0 s.
    let tickets = feed(&rec, &tx, 8, None, vec![(ClockTime(5_500_000), request(5000, 2000, 1000, "step-1"))]);
    let got = outcomes(&rec, 1);
    assert_eq!(got[0].ticket, tickets[0]);
    assert_eq!(got[0].tag, "step-1");
    let file = got[0].result.as_ref().expect("snippet written");
    assert_eq!(file.sha256, sha256_hex(&file.path));
    assert_eq!(file.bytes, std::fs::metadata(&file.path).unwrap().len());
    assert!((3000..=3100).contains(&file.duration.as_millis()), "{:?}", file.duration);
    let streams = probe(&file.path);
    assert!(streams.iter().any(|s| s.0 == "video" && s.1 == "h264" && (s.2 - 3.03).abs() < 0.1), "{streams:?}");
    assert!(streams.iter().any(|s| s.0 == "audio" && s.1 == "opus" && (s.2 - 3.03).abs() < 0.1), "{streams:?}");
    let (report, rest) = rec.stop();
    assert!(rest.is_empty());
    assert_eq!(report.encode_failures, 0, "{report:?}");
    assert_eq!(report.frames_encoded, 240);
    assert!(std::fs::read_dir(dir.path().join("spill")).unwrap().next().is_none(), "spill files are removed");
}

#[test]
fn overlapping_and_future_requests_each_get_their_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let (rec, tx) = recorder(dir.path(), false);
    let early = rec.request_snippet(request(2000, 1000, 1000, "before any media"));
    let tickets = feed(
        &rec,
        &tx,
        7,
        None,
        vec![
            (ClockTime(3_000_000), request(3000, 1500, 2000, "a")),
            (ClockTime(3_200_000), request(3200, 500, 500, "b")),
        ],
    );
    let mut got = outcomes(&rec, 3);
    got.sort_by_key(|o| o.ticket);
    assert_eq!(got.iter().map(|o| o.ticket).collect::<Vec<_>>(), vec![early, tickets[0], tickets[1]]);
    let durations: Vec<u128> = got.iter().map(|o| o.result.as_ref().unwrap().duration.as_millis()).collect();
    // early: keyframe 1.0 → 3.0; a: keyframe 1.0 → 5.0; b: keyframe 2.0 → 3.7.
    assert!((2000..2100).contains(&durations[0]), "{durations:?}");
    assert!((4000..4100).contains(&durations[1]), "{durations:?}");
    assert!((1700..1800).contains(&durations[2]), "{durations:?}");
}

#[test]
fn whole_session_mode_writes_everything_at_stop() {
    let dir = tempfile::tempdir().unwrap();
    let (rec, tx) = recorder(dir.path(), true);
    feed(&rec, &tx, 4, None, vec![]);
    drop(tx);
    let (_, got) = rec.stop();
    let session = got.iter().find(|o| o.tag == "session").expect("the session outcome");
    let file = session.result.as_ref().unwrap();
    assert!((3980..=4050).contains(&file.duration.as_millis()), "{:?}", file.duration);
    assert_eq!(probe(&file.path).len(), 2);
}

#[test]
fn a_crash_leaves_a_spill_file_that_recover_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let (rec, tx) = recorder(dir.path(), false);
    // The snippet wants 3.0–8.0 s; media stops at 6.5 s, as if the station died there.
    feed(&rec, &tx, 6, None, vec![(ClockTime(4_000_000), request(5000, 2000, 3000, "step-crash"))]);
    std::thread::sleep(Duration::from_millis(300)); // let the worker drain its queue (not a timing assertion)
    let crashed = dir.path().join("crashed");
    std::fs::create_dir(&crashed).unwrap();
    for entry in std::fs::read_dir(dir.path().join("spill")).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(&[2, 0xff, 0xff, 0, 0, 7]); // a record torn by the crash
        std::fs::write(crashed.join(path.file_name().unwrap()), bytes).unwrap();
    }
    drop(rec); // the original process is gone; what it would have finished does not matter here
    let got = recover(&crashed).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].tag, "step-crash");
    let file = got[0].result.as_ref().expect("recovered");
    assert!(file.duration >= Duration::from_millis(2000), "{:?}", file.duration);
    assert_eq!(file.sha256, sha256_hex(&file.path));
    assert_eq!(probe(&file.path).len(), 2);
    assert!(recover(&crashed).unwrap().is_empty(), "a finished spill file is removed");
}

#[test]
fn an_unwritable_output_is_an_error_for_that_snippet_only() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"x").unwrap();
    let err = SnippetRecorder::start(RecorderSettings::new(dir.path().join("spill"), blocker.join("snippets")), vec![])
        .unwrap_err();
    assert!(matches!(err, RecorderError::Dir { .. }), "{err}");

    let (rec, tx) = recorder(dir.path(), false);
    let snippets = dir.path().join("snippets");
    std::fs::remove_dir(&snippets).unwrap();
    std::fs::write(&snippets, b"not a directory").unwrap();
    feed(&rec, &tx, 3, None, vec![(ClockTime(1_000_000), request(1000, 500, 500, "fails"))]);
    let got = outcomes(&rec, 1);
    match &got[0].result {
        Err(SnippetError::Io { path, .. }) => assert!(path.starts_with(&snippets), "{path:?}"),
        other => panic!("expected an IO error, got {other:?}"),
    }
    assert!(got[0].result.as_ref().unwrap_err().to_string().contains("free disk space or choose another folder"));
    // The failed snippet's spill file is kept for recover(); the recorder carries on.
    std::fs::remove_file(&snippets).unwrap();
    std::fs::create_dir(&snippets).unwrap();
    let later = rec.request_snippet(request(2500, 500, 0, "works"));
    drop(tx);
    let (_, rest) = rec.stop();
    let ok = rest.iter().find(|o| o.ticket == later).expect("outcome of the later request");
    assert!(ok.result.is_ok(), "{:?}", ok.result);
    let left = recover(&dir.path().join("spill")).unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].result.is_ok(), "{:?}", left[0].result);
}

#[test]
fn device_loss_is_passed_on_and_capture_continues() {
    let dir = tempfile::tempdir().unwrap();
    let (rec, tx) = recorder(dir.path(), false);
    tx.send(SourceEvent::Lost { reason: "unplugged".into() }).unwrap();
    tx.send(SourceEvent::Restored).unwrap();
    let status = |rec: &SnippetRecorder| rec.input_status().recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(status(&rec), InputStatus::Lost { input: 0, reason: "unplugged".into() });
    assert_eq!(status(&rec), InputStatus::Restored { input: 0 });
    feed(&rec, &tx, 3, None, vec![(ClockTime(2_000_000), request(2000, 1000, 200, "after"))]);
    assert!(outcomes(&rec, 1)[0].result.is_ok());
}

#[test]
fn a_real_time_simulated_source_records_through_the_source_trait() {
    let dir = tempfile::tempdir().unwrap();
    let clock = StationClock::new();
    let (tx, rx) = std::sync::mpsc::sync_channel(32);
    let rec = SnippetRecorder::start(RecorderSettings::new(dir.path().join("spill"), dir.path().join("out")), vec![rx])
        .unwrap();
    let source = Simulated::camera_and_microphone(pattern(None), ToneSettings::default(), None, Pacing::RealTime)
        .with_limit(Duration::from_millis(2500));
    assert!(source.info().simulated);
    let handle = Box::new(source).start(clock, SourceSink::new(tx)).unwrap();
    let at = clock.now().checked_add(Duration::from_millis(1500)).unwrap();
    let ticket = rec.request_snippet(SnippetRequest {
        at,
        pre: Duration::from_secs(1),
        post: Duration::from_millis(500),
        tag: "live".into(),
    });
    let got = outcomes(&rec, 1);
    assert_eq!(got[0].ticket, ticket);
    let file = got[0].result.as_ref().expect("snippet written");
    // The source drops what the recorder cannot take in time, so only a lower bound holds.
    assert!(file.duration >= Duration::from_millis(500), "{:?}", file.duration);
    handle.stop();
}
