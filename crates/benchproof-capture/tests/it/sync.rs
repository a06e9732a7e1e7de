//! Audio/video synchronisation, judged by an independent decoder: a white flash and a beep start
//! at the same station-clock instants; Debian's ffmpeg decodes the snippet and every flash must
//! have its beep within 40 ms. Media times are synthetic (unpaced), so machine load cannot matter.

use std::path::Path;

use std::time::Duration;

use benchproof_capture::sim::{PatternSettings, Schedule};
use benchproof_capture::ClockTime;

use crate::support::{every_second, feed, feed_with, outcomes, recorder, request, run};

/// Presentation times (s) of frames whose mean luma says "white flash".
fn flash_times(path: &Path) -> Vec<f64> {
    let p = path.to_str().unwrap();
    let times = String::from_utf8(run(
        "ffprobe",
        &["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0", p],
    ))
    .unwrap();
    let times: Vec<f64> =
        times.lines().filter(|l| !l.is_empty()).map(|l| l.trim_end_matches(',').parse().unwrap()).collect();
    let (w, h) = (32, 18);
    let gray = run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            p,
            "-map",
            "0:v:0",
            "-fps_mode",
            "passthrough",
            "-vf",
            &format!("scale={w}:{h},format=gray"),
            "-f",
            "rawvideo",
            "-",
        ],
    );
    assert_eq!(gray.len(), times.len() * w * h, "one decoded picture per frame");
    gray.chunks_exact(w * h)
        .zip(&times)
        .filter(|(px, _)| px.iter().map(|&v| u32::from(v)).sum::<u32>() / (w * h) as u32 > 200)
        .map(|(_, &t)| t)
        .collect::<Vec<_>>()
        .into_iter()
        // A flash is one frame; keep the first of any run.
        .fold(Vec::new(), |mut acc: Vec<f64>, t| {
            if acc.last().is_none_or(|&l| t - l > 0.2) {
                acc.push(t);
            }
            acc
        })
}

/// Times (s) where a loud beep begins after at least 50 ms of quiet.
fn beep_onsets(path: &Path) -> Vec<f64> {
    let raw = run(
        "ffmpeg",
        &["-v", "error", "-i", path.to_str().unwrap(), "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "f32le", "-"],
    );
    let samples: Vec<f32> = raw.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    let loud = |s: f32| s.abs() > 0.3; // beeps peak at 0.85, the background tone at 0.05
    let mut onsets = Vec::new();
    let mut quiet_run = 0usize;
    for (i, &s) in samples.iter().enumerate() {
        if loud(s) {
            if quiet_run >= 2400 {
                onsets.push(i as f64 / 48_000.0);
            }
            quiet_run = 0;
        } else {
            quiet_run += 1;
        }
    }
    onsets
}

#[test]
#[allow(clippy::print_stderr)] // the measured offsets, for docs/performance.md
fn every_flash_has_its_beep_within_40_ms() {
    let dir = tempfile::tempdir().unwrap();
    let (rec, tx) = recorder(dir.path(), false);
    // Tick at 5.0 s, 3 s before and 3 s after; flashes and beeps at 0.5, 1.5, … s.
    feed(&rec, &tx, 10, Some(every_second()), vec![(ClockTime(5_400_000), request(5000, 3000, 3000, "sync"))]);
    let got = outcomes(&rec, 1);
    let file = got[0].result.as_ref().expect("snippet written");
    let flashes = flash_times(&file.path);
    let beeps = beep_onsets(&file.path);
    // The cut starts at the 2.0 s keyframe and ends at 8.0 s: instants 2.5 … 7.5 s, at 0.5 … 5.5 s.
    assert_eq!(flashes.len(), 6, "flashes {flashes:?}");
    assert_eq!(beeps.len(), 6, "beeps {beeps:?} (flashes {flashes:?})");
    let offsets: Vec<String> = flashes.iter().zip(&beeps).map(|(f, b)| format!("{:+.1}", (b - f) * 1000.0)).collect();
    eprintln!("beep − flash, ms: {}", offsets.join(" "));
    for (f, b) in flashes.iter().zip(&beeps) {
        assert!((f - b).abs() <= 0.040, "flash at {f:.4} s, beep at {b:.4} s: off by {:.1} ms", (f - b) * 1000.0);
        assert!((f - (f.floor() + 0.5)).abs() < 0.001, "flash at {f} s is where the schedule put it");
    }
}

#[test]
#[allow(clippy::print_stderr)] // the measured offsets, for docs/performance.md
fn no_drift_over_a_ten_minute_whole_session() {
    let dir = tempfile::tempdir().unwrap();
    let (rec, tx) = recorder(dir.path(), true);
    // Ten minutes at a tiny picture size (so a debug build is quick); a flash and a beep each minute.
    let schedule = Schedule { first: ClockTime(500_000), period: Duration::from_secs(60) };
    let picture = PatternSettings { width: 64, height: 36, fps: 30, flashes: Some(schedule) };
    feed_with(&rec, &tx, 600, picture, Some(schedule), vec![]);
    drop(tx);
    let (_, got) = rec.stop();
    let session = got.iter().find(|o| o.tag == "session").expect("the session outcome");
    let file = session.result.as_ref().expect("session written");
    let (flashes, beeps) = (flash_times(&file.path), beep_onsets(&file.path));
    assert_eq!((flashes.len(), beeps.len()), (10, 10), "flashes {flashes:?} beeps {beeps:?}");
    let offsets: Vec<f64> = flashes.iter().zip(&beeps).map(|(f, b)| (b - f) * 1000.0).collect();
    eprintln!("beep − flash over 10 minutes, ms: {offsets:.1?}");
    assert!(offsets.iter().all(|o| o.abs() <= 40.0), "{offsets:?}");
    assert!((offsets[9] - offsets[0]).abs() < 5.0, "drift over ten minutes: {offsets:?}");
}
