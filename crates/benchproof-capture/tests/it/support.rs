//! Shared helpers: feeding simulated media into a recorder with synthetic times, and running the
//! external tools the tests check against.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use benchproof_capture::sim::{PatternGenerator, PatternSettings, Schedule, ToneGenerator, ToneSettings};
use benchproof_capture::{
    ClockTime, RecorderSettings, SnippetOutcome, SnippetRecorder, SnippetRequest, SnippetTicket, SourceEvent,
};

/// Test media: small frames so debug builds stay quick.
pub fn pattern(flashes: Option<Schedule>) -> PatternSettings {
    PatternSettings { width: 320, height: 180, fps: 30, flashes }
}

/// Flash and beep every second, from 0.5 s.
pub fn every_second() -> Schedule {
    Schedule { first: ClockTime(500_000), period: Duration::from_secs(1) }
}

/// Feeds `seconds` of pattern + tone (in time order, as a camera and a microphone would) into
/// `tx`, and issues each request once the media has reached its trigger time.
pub fn feed(
    recorder: &SnippetRecorder,
    tx: &mpsc::SyncSender<SourceEvent>,
    seconds: u64,
    schedule: Option<Schedule>,
    requests: Vec<(ClockTime, SnippetRequest)>,
) -> Vec<SnippetTicket> {
    feed_with(recorder, tx, seconds, pattern(schedule), schedule, requests)
}

/// [`feed`] with a chosen picture size.
pub fn feed_with(
    recorder: &SnippetRecorder,
    tx: &mpsc::SyncSender<SourceEvent>,
    seconds: u64,
    picture: PatternSettings,
    schedule: Option<Schedule>,
    mut requests: Vec<(ClockTime, SnippetRequest)>,
) -> Vec<SnippetTicket> {
    let mut video = PatternGenerator::new(picture, ClockTime::ZERO);
    let tone = ToneSettings { beeps: schedule.unwrap_or(every_second()), ..ToneSettings::default() };
    // The microphone's clock is not aligned with the camera's: its buffers start 7 ms later.
    let mut audio = ToneGenerator::new(tone, ClockTime(7_000));
    let end = ClockTime(seconds * 1_000_000);
    let mut tickets = Vec::new();
    loop {
        let at = video.next_at().min(audio.next_at());
        if at >= end {
            return tickets;
        }
        while let Some(i) = requests.iter().position(|(trigger, _)| *trigger <= at) {
            tickets.push(recorder.request_snippet(requests.remove(i).1));
        }
        let event = if video.next_at() <= audio.next_at() {
            SourceEvent::Video(video.next_frame())
        } else {
            SourceEvent::Audio(audio.next_buffer())
        };
        tx.send(event).expect("the recorder takes media");
    }
}

/// A recorder fed by a channel the test writes to.
pub fn recorder(dir: &Path, whole_session: bool) -> (SnippetRecorder, mpsc::SyncSender<SourceEvent>) {
    let mut settings = RecorderSettings::new(dir.join("spill"), dir.join("snippets"));
    settings.whole_session = whole_session;
    let (tx, rx) = mpsc::sync_channel(8);
    (SnippetRecorder::start(settings, vec![rx]).expect("recorder starts"), tx)
}

/// Waits for `n` outcomes (the recorder finishes snippets in the background).
pub fn outcomes(recorder: &SnippetRecorder, n: usize) -> Vec<SnippetOutcome> {
    (0..n).map(|_| recorder.outcomes().recv_timeout(Duration::from_secs(120)).expect("a snippet outcome")).collect()
}

pub fn request(at_ms: u64, pre_ms: u64, post_ms: u64, tag: &str) -> SnippetRequest {
    SnippetRequest {
        at: ClockTime(at_ms * 1000),
        pre: Duration::from_millis(pre_ms),
        post: Duration::from_millis(post_ms),
        tag: tag.into(),
    }
}

/// Runs a tool the test suite needs; a missing tool fails with what to install.
pub fn run(program: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}); run scripts/setup (it installs Debian's ffmpeg)"));
    assert!(out.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Stream facts from ffprobe: (codec_type, codec_name, duration in seconds).
pub fn probe(path: &Path) -> Vec<(String, String, f64)> {
    let out = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,codec_name,duration",
            "-of",
            "csv=p=0",
            path.to_str().unwrap(),
        ],
    );
    String::from_utf8(out)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].to_string(), f[0].to_string(), f[2].parse().unwrap_or(f64::NAN))
        })
        .collect()
}
