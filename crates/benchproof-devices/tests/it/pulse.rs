//! The microphone path through `cpal` and ALSA against a real, private PulseAudio daemon.
//!
//! ALSA reads its configuration (HOME/.asoundrc) once per process, so every capture runs in a
//! child process: this test binary re-run with `--ignored --exact pulse::child_entry` and the
//! daemon's environment. The child reports what it sees as `BP …` lines on stdout; the parent
//! drives the daemon (suspends the source mid-stream) and checks the lines.

mod daemon;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use benchproof_capture::{Source, SourceEvent, SourceSink, StationClock};
use benchproof_devices::{list_devices, MicOptions, MicSource, MIC_RATE};
use daemon::{PulseDaemon, TONE_HZ};

/// Only a guard against hanging: a healthy run takes a few seconds.
const DEADLINE: Duration = Duration::from_secs(60);

#[test]
fn microphone_delivers_48khz_mono_with_the_right_tone_and_recovers_from_a_stall() {
    let daemon = PulseDaemon::start(48_000);
    capture_through_a_stall(&daemon, 48_000);
}

#[test]
fn a_44_1khz_microphone_is_resampled_to_48khz() {
    let daemon = PulseDaemon::start(44_100);
    capture_through_a_stall(&daemon, 44_100);
}

#[test]
fn a_machine_without_a_sound_card_has_no_microphone() {
    let home = tempfile::tempdir().unwrap();
    // A card that does not exist: what ALSA's default is on a machine with no sound hardware.
    std::fs::write(home.path().join(".asoundrc"), "pcm.!default { type hw card 9 }\nctl.!default { type hw card 9 }\n")
        .unwrap();
    let env = vec![("HOME".to_string(), home.path().display().to_string())];
    let mut child = Probe::spawn("open", 0, &env);
    let line = child.expect("open-", &mut Vec::new());
    let message = line.strip_prefix("open-error ").unwrap_or_else(|| panic!("expected an error, got {line}"));
    assert!(message.starts_with("no microphone: "), "{message}");
    assert!(message.contains("plug one in"), "{message}");
    let list = child.expect("list ", &mut Vec::new());
    let json: serde_json::Value = serde_json::from_str(list.strip_prefix("list ").unwrap()).unwrap();
    assert!(json["cameras"].is_array() && json["microphones"].is_array(), "{json}");
    child.finish();
}

#[test]
fn the_private_daemon_lists_as_the_default_microphone() {
    let daemon = PulseDaemon::start(48_000);
    let mut child = Probe::spawn("open", 0, &daemon.client_env());
    let line = child.expect("open-", &mut Vec::new());
    assert!(line.starts_with("open-ok microphone:"), "{line}");
    let list = child.expect("list ", &mut Vec::new());
    let json: serde_json::Value = serde_json::from_str(list.strip_prefix("list ").unwrap()).unwrap();
    let microphones = json["microphones"].as_array().unwrap();
    assert!(microphones.iter().any(|m| m["default"] == true), "{json}");
    child.finish();
}

fn capture_through_a_stall(daemon: &PulseDaemon, capture_rate: u32) {
    let mut child = Probe::spawn("capture", capture_rate, &daemon.client_env());
    let mut seen = Vec::new();

    let tone = child.expect("tone ", &mut seen);
    check_tone(&tone);
    check_audio_lines(&seen);
    assert!(!seen.iter().any(|l| l.starts_with("lost")), "lost before the stall: {seen:?}");

    daemon.suspend(true);
    let lost = child.expect("lost ", &mut seen);
    assert!(lost.contains("stalled"), "{lost}");
    // Hold the outage across a few reopen attempts: none of them may claim the device is back.
    std::thread::sleep(Duration::from_secs(2));
    let during = child.drain(&mut seen);
    assert!(!during.iter().any(|l| l.starts_with("restored")), "restored while still suspended: {during:?}");
    daemon.suspend(false);
    child.expect("restored", &mut seen);
    let after = child.expect("tone ", &mut seen);
    check_tone(&after);
    let losses = seen.iter().filter(|l| l.starts_with("lost")).count();
    assert_eq!(losses, 1, "one outage is one Lost: {seen:?}");
    child.finish();
}

/// `tone <hz>`: measured by the child on one second of delivered audio.
fn check_tone(line: &str) {
    let hz: f64 = line.strip_prefix("tone ").unwrap().parse().unwrap();
    assert!((hz - TONE_HZ).abs() < 0.5, "tone measured at {hz} Hz, expected {TONE_HZ} Hz");
}

/// `audio <at µs> <rate> <samples>`: 48 kHz, and each buffer starts where the previous ended.
fn check_audio_lines(lines: &[String]) {
    let buffers: Vec<(u64, u32, u64)> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("audio "))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0].parse().unwrap(), f[1].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect();
    assert!(buffers.len() > 5, "too few buffers: {lines:?}");
    let mut total = 0u64;
    for (i, &(at, rate, n)) in buffers.iter().enumerate() {
        assert_eq!(rate, MIC_RATE);
        if i > 0 {
            // Times come from the sample count since the stream's anchor, not from arrival.
            let expected = buffers[0].0 + total * 1_000_000 / u64::from(MIC_RATE);
            assert_eq!(at, expected, "buffer {i} is stamped off its sample count");
        }
        total += n;
    }
}

/// The child process side of these tests, run by the tests above with a private environment.
#[test]
#[ignore = "run by the pulse tests in a child process; not on its own"]
fn child_entry() {
    let mode = std::env::var("BP_CHILD").expect("child_entry is only run by the pulse tests");
    let rate: u32 = std::env::var("BP_RATE").ok().and_then(|r| r.parse().ok()).unwrap_or(MIC_RATE);
    let options = MicOptions { capture_rate: rate, ..MicOptions::default() };
    match mode.as_str() {
        "open" => {
            match MicSource::open(options) {
                Ok(source) => say(&format!("open-ok {}", source.info().id)),
                Err(e) => say(&format!("open-error {e}")),
            }
            say(&format!("list {}", serde_json::to_string(&list_devices()).unwrap()));
        }
        "capture" => child_capture(options),
        other => panic!("unknown child mode {other}"),
    }
}

fn child_capture(options: MicOptions) {
    let source = MicSource::open(options).unwrap_or_else(|e| panic!("{e}"));
    let (tx, rx) = mpsc::sync_channel(1024);
    let handle = Box::new(source).start(StationClock::new(), SourceSink::new(tx)).unwrap_or_else(|e| panic!("{e}"));
    let mut tones = 0;
    // Measure once at the start, then once more only after the outage is over.
    let mut measuring = true;
    let mut window = Vec::new();
    let started = Instant::now();
    while tones < 2 && started.elapsed() < DEADLINE {
        let Ok(event) = rx.recv_timeout(Duration::from_millis(200)) else { continue };
        match event {
            SourceEvent::Audio(buffer) => {
                say(&format!("audio {} {} {}", buffer.at.0, buffer.sample_rate, buffer.samples.len()));
                if measuring {
                    window.extend_from_slice(&buffer.samples);
                }
                // Skip the first 0.1 s of a stream (the resampler's start-up edge), measure 1 s.
                if window.len() >= 52_800 {
                    say(&format!("tone {:.3}", frequency(&window[4_800..], buffer.sample_rate)));
                    tones += 1;
                    measuring = false;
                    window.clear();
                }
            }
            SourceEvent::Lost { reason } => say(&format!("lost {reason}")),
            SourceEvent::Restored => {
                say("restored");
                measuring = true;
                window.clear();
            }
            SourceEvent::Video(_) => panic!("a microphone sent video"),
        }
    }
    handle.stop();
}

/// Frequency from rising zero crossings, interpolated between samples.
fn frequency(samples: &[f32], rate: u32) -> f64 {
    let mut crossings = Vec::new();
    for i in 1..samples.len() {
        let (a, b) = (f64::from(samples[i - 1]), f64::from(samples[i]));
        if a < 0.0 && b >= 0.0 {
            crossings.push((i - 1) as f64 + a / (a - b));
        }
    }
    if crossings.len() < 2 {
        return 0.0;
    }
    let span = crossings[crossings.len() - 1] - crossings[0];
    (crossings.len() - 1) as f64 * f64::from(rate) / span
}

#[allow(clippy::print_stdout)]
fn say(line: &str) {
    println!("BP {line}");
}

/// A child run of this test binary, its `BP` lines arriving on a channel.
struct Probe {
    process: std::process::Child,
    lines: Receiver<String>,
}

impl Probe {
    fn spawn(mode: &str, rate: u32, env: &[(String, String)]) -> Probe {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args(["pulse::child_entry", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env("BP_CHILD", mode)
            .env("BP_RATE", rate.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut process = command.spawn().expect("spawn the child");
        let stdout = process.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // The test harness may print `test … ` on the same line before the first report.
                if let Some(start) = line.find("BP ") {
                    if tx.send(line[start + 3..].to_string()).is_err() {
                        return;
                    }
                }
            }
        });
        Probe { process, lines }
    }

    /// Waits for the next line starting with `prefix`, appending every line to `seen`.
    fn expect(&mut self, prefix: &str, seen: &mut Vec<String>) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.checked_duration_since(Instant::now()).unwrap_or_default();
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(_) => {
                    let _ = self.process.kill();
                    let tail: Vec<_> = seen.iter().rev().take(10).collect();
                    panic!("the child never said `{prefix}…`; last lines: {tail:?}");
                }
            }
        }
    }

    /// Every line that has arrived so far, also appended to `seen`.
    fn drain(&mut self, seen: &mut Vec<String>) -> Vec<String> {
        let lines: Vec<String> = self.lines.try_iter().collect();
        seen.extend(lines.iter().cloned());
        lines
    }

    fn finish(mut self) {
        let status = self.process.wait().unwrap();
        assert!(status.success(), "the child failed: {status}");
    }
}
