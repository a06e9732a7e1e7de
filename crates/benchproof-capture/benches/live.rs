//! Live capture benchmark: the simulated 1280×720 camera and tone paced in real time
//! ([`Pacing::RealTime`]) through a [`SnippetRecorder`], as a station records during an
//! assessment, with a tick every 15 s. Measured:
//!
//! - CPU time of the whole process (all threads, `/proc/self/stat` utime + stime) as a share of one
//!   core over the run (goal ≤ 20 %), against Debian's `ffmpeg` encoding the same 720p30 synthetic
//!   stream in real time (`-re -f lavfi -i testsrc2 … libx264 -preset ultrafast -threads 1`),
//!   measured the same way (its cutime + cstime once waited for), in the same run;
//! - dropped frames three ways: offers the source found the channel full for
//!   ([`SourceSink::dropped`]), gaps in the frame sequence reaching the recorder, and frames the
//!   recorder encoded against frames produced;
//! - the pre-roll's peak bytes ([`RecorderReport::peak_preroll_bytes`]) per camera-minute;
//! - tick → playable snippet on disk (8 s pre-roll, no post-roll): from `request_snippet` to the
//!   outcome, every snippet then decoded by `ffprobe` to check it plays.
//!
//! `cargo bench -p benchproof-capture --bench live` (BENCH_SECONDS=n, default 60; the 10-minute
//! soak is BENCH_SECONDS=600). The peer runs for the same duration after ours; BENCH_PEER=0 skips
//! it (for the soak, where the dropped-frame count is the point).
#![allow(clippy::print_stdout)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{clock_ticks_per_second, load_average, process_cpu, sample_threads};

use benchproof_capture::sim::{Pacing, PatternSettings, Simulated, ToneSettings};
use benchproof_capture::{
    RecorderReport, RecorderSettings, SnippetRecorder, SnippetRequest, Source, SourceEvent, SourceSink, StationClock,
};

const FPS: u32 = 30;
/// The station's channel size between a source and its recorder (`benchproof-station` rig).
const CHANNEL: usize = 64;
const TICK_EVERY: Duration = Duration::from_secs(15);
const PRE: Duration = Duration::from_secs(8);

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(60).max(1);
    let tck = clock_ticks_per_second();
    println!("live capture, 1280×720 @ {FPS} fps + 48 kHz tone, real-time pacing, {seconds} s; ticks every 15 s");
    println!("load average at start: {}", load_average());
    let dir = tempfile::tempdir().expect("temp dir");

    let ours = run_ours(seconds, dir.path(), tck);
    println!("load average after benchproof: {}", load_average());
    let peer = if std::env::var("BENCH_PEER").is_ok_and(|v| v == "0") {
        Err("not run (BENCH_PEER=0)".to_string())
    } else {
        run_peer(seconds, tck)
    };
    println!("load average at end: {}", load_average());

    let ours_share = ours.cpu.as_secs_f64() / ours.wall.as_secs_f64();
    println!();
    println!("| live 720p30, {seconds} s | CPU s | wall s | share of one core |");
    println!("|---|---:|---:|---:|");
    println!(
        "| benchproof: sim camera + tone (real time) → SnippetRecorder (I420, openh264, Opus, pre-roll, ticks) | {:.2} | {:.1} | {:.1} % |",
        ours.cpu.as_secs_f64(),
        ours.wall.as_secs_f64(),
        ours_share * 100.0
    );
    match &peer {
        Ok(p) => {
            let share = p.cpu.as_secs_f64() / p.wall.as_secs_f64();
            println!(
                "| peer: ffmpeg -re lavfi testsrc2 720p30 → libx264 ultrafast -threads 1 → null | {:.2} | {:.1} | {:.1} % |",
                p.cpu.as_secs_f64(),
                p.wall.as_secs_f64(),
                share * 100.0
            );
            println!(
                "\nbenchproof / peer CPU share: {:.2} (goal for benchproof alone: ≤ 20 % of one core)",
                ours_share / share
            );
        }
        Err(why) => println!("| peer: {why} | – | – | – |"),
    }

    println!();
    println!("benchproof CPU by thread (sampled each second, so short of each thread's last second):");
    for (name, cpu) in &ours.threads {
        println!(
            "  {name:<16} {:6.2} s  {:5.1} % of one core",
            cpu.as_secs_f64(),
            cpu.as_secs_f64() / ours.wall.as_secs_f64() * 100.0
        );
    }
    let r = &ours.report;
    let expected = seconds * u64::from(FPS);
    println!();
    println!("frames produced by the source: {} (expected {expected})", ours.produced);
    println!("offers dropped at the source, video or audio (channel full): {}", ours.dropped);
    println!("gaps in frame sequence reaching the recorder: {}", ours.seq_gaps);
    println!(
        "frames encoded: {} of {} received; encode failures: {}{}",
        r.frames_encoded,
        ours.received,
        r.encode_failures,
        r.last_error.as_deref().map(|e| format!(" (last: {e})")).unwrap_or_default()
    );
    let held = Duration::from_secs(seconds).min(RecorderSettings::new("", "").preroll.max_duration);
    println!(
        "pre-roll peak: {:.2} MB over {:.0} s held → {:.1} MB per camera-minute",
        r.peak_preroll_bytes as f64 / 1e6,
        held.as_secs_f64(),
        r.peak_preroll_bytes as f64 / 1e6 * 60.0 / held.as_secs_f64()
    );
    if ours.latencies.is_empty() {
        println!("tick → snippet: no ticks (run for at least 20 s)");
    } else {
        let mut l = ours.latencies.clone();
        l.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "tick → playable snippet on disk ({} ticks, 8 s pre-roll, no post-roll): min {:.0} ms, median {:.0} ms, max {:.0} ms",
            l.len(),
            ms(l[0]),
            ms(l[l.len() / 2]),
            ms(l[l.len() - 1])
        );
    }
    let playable = ours.snippets.iter().filter(|p| playable_frames(p).is_some_and(|n| n > 0)).count();
    println!("snippets that ffprobe decodes: {playable} of {} (failed outcomes: {})", ours.snippets.len(), ours.failed);
}

struct Ours {
    cpu: Duration,
    wall: Duration,
    report: RecorderReport,
    produced: u64,
    received: u64,
    dropped: u64,
    seq_gaps: u64,
    latencies: Vec<Duration>,
    snippets: Vec<std::path::PathBuf>,
    failed: usize,
    /// CPU per thread name, from the last sample of each thread (so missing up to a second of
    /// each thread's end).
    threads: BTreeMap<String, Duration>,
}

fn run_ours(seconds: u64, dir: &std::path::Path, tck: f64) -> Ours {
    let cpu_start = process_cpu(tck).own;
    let wall_start = Instant::now();
    let clock = StationClock::new();
    let settings = RecorderSettings::new(dir.join("spill"), dir.join("snippets"));
    let (relay_tx, relay_rx) = mpsc::sync_channel(CHANNEL);
    let recorder = SnippetRecorder::start(settings, vec![relay_rx]).expect("recorder starts");

    // Between source and recorder, like the station's tee: counts frames and gaps in `seq`.
    let (tx, rx) = mpsc::sync_channel(CHANNEL);
    let relay = std::thread::spawn(move || {
        let (mut received, mut gaps, mut last) = (0u64, 0u64, None::<u64>);
        for event in rx {
            if let SourceEvent::Video(f) = &event {
                received += 1;
                gaps += last.map_or(f.seq, |l| f.seq.saturating_sub(l + 1));
                last = Some(f.seq);
            }
            if relay_tx.send(event).is_err() {
                break;
            }
        }
        (received, gaps, last.map_or(0, |l| l + 1))
    });

    let sink = SourceSink::new(tx);
    let pattern = PatternSettings { width: 1280, height: 720, fps: FPS, flashes: None };
    let limit = Duration::from_secs(seconds);
    let source =
        Simulated::camera_and_microphone(pattern, ToneSettings::default(), None, Pacing::RealTime).with_limit(limit);
    let handle = Box::new(source).start(clock, sink.clone()).expect("simulated source starts");

    let started = Instant::now();
    let mut next_tick = TICK_EVERY;
    let mut asked: HashMap<_, Instant> = HashMap::new();
    let (mut latencies, mut snippets, mut failed) = (Vec::new(), Vec::new(), 0);
    let mut threads: HashMap<u64, (String, Duration)> = HashMap::new();
    let mut next_sample = Duration::ZERO;
    let mut take = |o: benchproof_capture::SnippetOutcome, asked: &mut HashMap<_, Instant>| {
        if let Some(t) = asked.remove(&o.ticket) {
            latencies.push(t.elapsed());
        }
        match o.result {
            Ok(file) => snippets.push(file.path),
            Err(e) => {
                println!("snippet {} failed: {e}", o.ticket.0);
                failed += 1;
            }
        }
    };
    // Until the source has produced `limit` (plus a margin for its last frame to be handed over).
    while started.elapsed() < limit + Duration::from_millis(300) {
        if started.elapsed() >= next_tick && next_tick + Duration::from_secs(5) <= limit {
            let request = SnippetRequest { at: clock.now(), pre: PRE, post: Duration::ZERO, tag: "bench".into() };
            asked.insert(recorder.request_snippet(request), Instant::now());
            next_tick += TICK_EVERY;
        }
        if let Ok(outcome) = recorder.outcomes().recv_timeout(Duration::from_millis(50)) {
            take(outcome, &mut asked);
        }
        if started.elapsed() >= next_sample {
            sample_threads(tck, &mut threads);
            next_sample += Duration::from_secs(1);
        }
    }
    sample_threads(tck, &mut threads);
    handle.stop();
    let dropped = sink.dropped();
    drop(sink);
    let (received, seq_gaps, produced) = relay.join().expect("relay thread");
    let (report, rest) = recorder.stop();
    for outcome in rest {
        take(outcome, &mut asked);
    }
    let cpu = process_cpu(tck).own.saturating_sub(cpu_start);
    // Frames the source produced = the highest seq seen + 1 + drops after it (none when dropped is 0).
    let produced = produced.max(received + dropped);
    let threads = threads.into_values().fold(BTreeMap::new(), |mut m, (name, cpu)| {
        *m.entry(name).or_default() += cpu;
        m
    });
    Ours {
        cpu,
        wall: wall_start.elapsed(),
        report,
        produced,
        received,
        dropped,
        seq_gaps,
        latencies,
        snippets,
        failed,
        threads,
    }
}

struct Peer {
    cpu: Duration,
    wall: Duration,
}

/// Debian's ffmpeg encoding the same 720p30 synthetic stream in real time for `seconds`.
fn run_peer(seconds: u64, tck: f64) -> Result<Peer, String> {
    let before = process_cpu(tck).children;
    let start = Instant::now();
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t"])
        .arg(seconds.to_string())
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-threads", "1", "-f", "null", "-"])
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run ffmpeg ({e}); install it with scripts/setup"))?;
    let wall = start.elapsed();
    if !status.success() {
        return Err(format!("ffmpeg failed ({status})"));
    }
    Ok(Peer { cpu: process_cpu(tck).children.saturating_sub(before), wall })
}

/// Video frames `ffprobe` decodes from `path`; None when it cannot (or is not installed).
fn playable_frames(path: &std::path::Path) -> Option<u64> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}
