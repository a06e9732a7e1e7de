//! Capture pipeline benchmark: simulated 1280×720 camera (unpaced) → I420 → H.264 (+ Opus from
//! the simulated tone) → pre-roll → snippet cut to MP4, on one core, against Debian's `ffmpeg`
//! encoding the same frames with libx264 `ultrafast`, `-threads 1`, pinned to the same core, in the
//! same run. Also: pre-roll bytes per camera-minute, tick → snippet-on-disk latency, and the cost
//! of YUYV and MJPEG conversion per frame.
//!
//! `cargo bench -p benchproof-capture --bench pipeline` (BENCH_FRAMES=n to change the 1800 frames).
#![allow(clippy::print_stdout)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{clock_ticks_per_second, load_average, process_cpu, thread_cpu};

use benchproof_capture::encode::{AudioEncoder, VideoEncoder, VideoSettings};
use benchproof_capture::sim::{PatternGenerator, PatternSettings, ToneGenerator, ToneSettings};
use benchproof_capture::snippet::{self, Cut, Window};
use benchproof_capture::{
    convert, ClockTime, PixelFormat, Preroll, PrerollLimits, RecorderSettings, SnippetRecorder, SnippetRequest,
    SourceEvent, VideoFrame,
};

const FPS: f64 = 30.0;

fn main() {
    let frames: u64 = std::env::var("BENCH_FRAMES").ok().and_then(|v| v.parse().ok()).unwrap_or(1800);
    let pinned =
        core_affinity::get_core_ids().and_then(|ids| ids.first().copied()).is_some_and(core_affinity::set_for_current);
    println!("capture pipeline, 1280×720 @ {FPS} fps, {frames} frames; pinned to core 0: {pinned} (the ffmpeg peer inherits it)");
    println!("load average at start: {}", load_average());
    let dir = tempfile::tempdir().expect("temp dir");

    let tck = clock_ticks_per_second();
    let ours = run_ours(frames, dir.path(), tck);
    let peer = run_peer(frames, dir.path(), tck);
    let fps = |d: Duration| frames as f64 / d.as_secs_f64();
    println!();
    println!("| pipeline | fps (wall) | × real time | fps per CPU-second | × real time on a core of its own |");
    println!("|---|---:|---:|---:|---:|");
    let (ours_wall, ours_cpu) = (fps(ours.elapsed), fps(ours.cpu));
    println!(
        "| benchproof: sim → I420 → openh264 + Opus → pre-roll (+ cut) | {ours_wall:.0} | {:.1}× | {ours_cpu:.0} | {:.1}× |",
        ours_wall / FPS,
        ours_cpu / FPS
    );
    match peer {
        Some(peer) => {
            let (wall, cpu) = (fps(peer.wall), fps(peer.cpu));
            println!(
                "| peer: ffmpeg libx264 ultrafast -threads 1 (same frames via pipe) | {wall:.0} | {:.1}× | {cpu:.0} | {:.1}× |",
                wall / FPS,
                cpu / FPS
            );
            println!("\nbenchproof / peer: {:.2} by wall time, {:.2} by CPU time", ours_wall / wall, ours_cpu / cpu);
        }
        None => println!("| peer: ffmpeg not found (run scripts/setup) | – | – | – | – |"),
    }
    println!(
        "of which I420 conversion + openh264: {:.0} % (≈ {:.0} fps per CPU-second for the video encoder alone)",
        ours.video_share * 100.0,
        ours_cpu / ours.video_share
    );
    let minutes = frames as f64 / FPS / 60.0;
    println!(
        "pre-roll: {:.1} MB per camera-minute (video {:.1} + audio {:.2} MB/min); peak held {:.1} MB with a 60 s limit",
        (ours.video_bytes + ours.audio_bytes) as f64 / minutes / 1e6,
        ours.video_bytes as f64 / minutes / 1e6,
        ours.audio_bytes as f64 / minutes / 1e6,
        ours.peak_preroll as f64 / 1e6
    );
    println!(
        "cut + mux of a {:.1} s snippet from the pre-roll: {:.1} ms",
        ours.cut_len.as_secs_f64(),
        ours.cut_time.as_secs_f64() * 1000.0
    );
    let tick = tick_to_snippet(dir.path());
    println!(
        "tick → playable snippet on disk (8 s pre-roll, no post-roll, via SnippetRecorder): {:.1} ms",
        tick.as_secs_f64() * 1000.0
    );
    conversions();
    println!("load average at end: {}", load_average());
}

struct Ours {
    elapsed: Duration,
    /// CPU time of the thread that drew, converted, encoded and cut (the only thread).
    cpu: Duration,
    video_bytes: usize,
    audio_bytes: usize,
    peak_preroll: usize,
    cut_time: Duration,
    cut_len: Duration,
    /// Share of the wall time spent in `VideoEncoder::encode` (I420 conversion + `openh264`).
    video_share: f64,
}

fn pattern() -> PatternSettings {
    PatternSettings { width: 1280, height: 720, fps: FPS as u32, flashes: None }
}

fn run_ours(frames: u64, dir: &std::path::Path, tck: f64) -> Ours {
    let mut video = PatternGenerator::new(pattern(), ClockTime::ZERO);
    let mut tone = ToneGenerator::new(ToneSettings { buffer: 1600, ..ToneSettings::default() }, ClockTime::ZERO);
    let mut venc = VideoEncoder::new(VideoSettings::default()).expect("H.264 encoder");
    let mut aenc = AudioEncoder::new(32_000).expect("Opus encoder");
    let mut preroll = Preroll::new(PrerollLimits { max_duration: Duration::from_secs(60), max_bytes: 256 << 20 });
    let (mut video_bytes, mut audio_bytes, mut peak) = (0, 0, 0);
    let mut packets = Vec::new();
    let mut in_video_encoder = Duration::ZERO;
    let (start, cpu_start) = (Instant::now(), thread_cpu(tck));
    for _ in 0..frames {
        let frame = video.next_frame();
        while tone.next_at() <= frame.at {
            aenc.encode(&tone.next_buffer(), &mut packets).expect("audio encodes");
        }
        let encoding = Instant::now();
        packets.extend(venc.encode(&frame).expect("video encodes"));
        in_video_encoder += encoding.elapsed();
        for p in packets.drain(..) {
            match p.track {
                benchproof_capture::Track::Video => video_bytes += p.data.len(),
                benchproof_capture::Track::Audio => audio_bytes += p.data.len(),
            }
            preroll.push(p);
        }
        peak = peak.max(preroll.bytes());
    }
    let end = video.next_at();
    let cut_start = Instant::now();
    let window = Window { at: end, pre: Duration::from_secs(10), post: Duration::ZERO };
    let cut = Cut::from_packets(preroll.packets(), window);
    let file = snippet::write_mp4_file(&cut, 1280, 720, &dir.join("bench.mp4")).expect("snippet written");
    let cut_time = cut_start.elapsed();
    let (elapsed, cpu) = (start.elapsed(), thread_cpu(tck).saturating_sub(cpu_start));
    let video_share = in_video_encoder.as_secs_f64() / elapsed.as_secs_f64();
    Ours { elapsed, cpu, video_bytes, audio_bytes, peak_preroll: peak, cut_time, cut_len: file.duration, video_share }
}

struct Peer {
    wall: Duration,
    /// CPU time of the ffmpeg process only: drawing the frames happens in this process.
    cpu: Duration,
}

/// The same frames, generated here and piped to ffmpeg; None when ffmpeg is missing.
fn run_peer(frames: u64, dir: &std::path::Path, tck: f64) -> Option<Peer> {
    let out = dir.join("peer.mp4");
    let args = [
        "-v",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-s",
        "1280x720",
        "-r",
        "30",
        "-i",
        "-",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-threads",
        "1",
        "-g",
        "30",
        "-b:v",
        "2500k",
        "-f",
        "mp4",
    ];
    let (start, before) = (Instant::now(), process_cpu(tck).children);
    let mut child = Command::new("ffmpeg").args(args).arg(&out).stdin(Stdio::piped()).spawn().ok()?;
    let mut stdin = child.stdin.take()?;
    let mut video = PatternGenerator::new(pattern(), ClockTime::ZERO);
    for _ in 0..frames {
        stdin.write_all(&video.next_frame().data).ok()?;
    }
    drop(stdin);
    let ok = child.wait().ok()?.success();
    let wall = start.elapsed();
    ok.then(|| Peer { wall, cpu: process_cpu(tck).children.saturating_sub(before) })
}

/// Feeds 12 s of unpaced media into a real recorder; ticks at 10 s (8 s before, none after).
fn tick_to_snippet(dir: &std::path::Path) -> Duration {
    let settings = RecorderSettings::new(dir.join("spill"), dir.join("snippets"));
    let (tx, rx) = mpsc::sync_channel(8);
    let recorder = SnippetRecorder::start(settings, vec![rx]).expect("recorder");
    let mut video = PatternGenerator::new(pattern(), ClockTime::ZERO);
    let mut tone = ToneGenerator::new(ToneSettings::default(), ClockTime::ZERO);
    let mut ticked = None;
    while video.next_at() < ClockTime(12_000_000) {
        if ticked.is_none() && video.next_at() >= ClockTime(10_000_000) {
            // Unpaced feeding leaves a backlog in the recorder's queue; a live camera does not.
            // Let it drain so the figure is post-roll end → MP4 on disk, not queueing.
            std::thread::sleep(Duration::from_millis(1500));
            let request = SnippetRequest {
                at: video.next_at(),
                pre: Duration::from_secs(8),
                post: Duration::ZERO,
                tag: "bench".into(),
            };
            recorder.request_snippet(request);
            ticked = Some(Instant::now());
        }
        let event = if video.next_at() <= tone.next_at() {
            SourceEvent::Video(video.next_frame())
        } else {
            SourceEvent::Audio(tone.next_buffer())
        };
        tx.send(event).expect("recorder takes media");
        if let Ok(outcome) = recorder.outcomes().try_recv() {
            outcome.result.expect("snippet written");
            return ticked.map_or(Duration::ZERO, |t| t.elapsed());
        }
    }
    drop(tx);
    let outcome = recorder.outcomes().recv().expect("an outcome");
    outcome.result.expect("snippet written");
    ticked.map_or(Duration::ZERO, |t| t.elapsed())
}

/// Per-frame cost of the camera formats' conversion to I420 (720p).
fn conversions() {
    let frame = PatternGenerator::new(pattern(), ClockTime::ZERO).next_frame();
    let (w, h) = (1280usize, 720usize);
    let mut yuyv = Vec::with_capacity(w * h * 2);
    for row in 0..h {
        for x in (0..w).step_by(2) {
            let c = (row / 2) * (w / 2) + x / 2;
            yuyv.extend_from_slice(&[
                frame.data[row * w + x],
                frame.data[w * h + c],
                frame.data[row * w + x + 1],
                frame.data[w * h + w * h / 4 + c],
            ]);
        }
    }
    let jpeg = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
            "-s",
            "1280x720",
            "-i",
            "-",
            "-frames:v",
            "1",
            "-f",
            "mjpeg",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()
        .and_then(|mut c| {
            c.stdin.take()?.write_all(&frame.data).ok()?;
            c.wait_with_output().ok().map(|o| o.stdout)
        })
        .filter(|j| !j.is_empty());
    let mut out = Vec::new();
    let time = |format: PixelFormat, data: Vec<u8>, out: &mut Vec<u8>| {
        let f = VideoFrame { at: ClockTime::ZERO, seq: 0, width: 1280, height: 720, format, data };
        let n = 30;
        let start = Instant::now();
        for _ in 0..n {
            convert::to_i420(&f, out).expect("converts");
        }
        start.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
    };
    println!("YUYV → I420: {:.2} ms/frame", time(PixelFormat::Yuyv, yuyv, &mut out));
    match jpeg {
        Some(j) => println!("MJPEG → I420 (zune-jpeg): {:.2} ms/frame", time(PixelFormat::Mjpeg, j, &mut out)),
        None => println!("MJPEG → I420: skipped (no ffmpeg to make a JPEG)"),
    }
}
