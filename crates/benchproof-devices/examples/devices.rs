//! Lists cameras and microphones, then records a few seconds from a microphone to a WAV file —
//! the manual checklist in TESTING.md uses it.
//!
//! ```text
//! cargo run -p benchproof-devices --example devices -- [--seconds N] [--mic ID] [--camera ID] [OUT.wav]
//! ```
//!
//! With `--camera ID` it also captures from that camera for the same time and reports frames,
//! format and any loss. Unplug and replug a device while it records to see `lost`/`restored`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use benchproof_capture::{Source, SourceEvent, SourceSink, StationClock};
use benchproof_devices::{list_devices, CameraSource, FormatRequest, MicChoice, MicOptions, MicSource, MIC_RATE};

struct Args {
    seconds: u64,
    mic: MicChoice,
    camera: Option<String>,
    out: String,
}

fn parse() -> Result<Args, String> {
    let mut args = Args { seconds: 3, mic: MicChoice::Default, camera: None, out: "benchproof-mic.wav".into() };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = it.next().ok_or("--seconds needs a number")?;
                args.seconds = value.parse().map_err(|_| format!("--seconds: `{value}` is not a whole number"))?;
            }
            "--mic" => args.mic = MicChoice::Id(it.next().ok_or("--mic needs an id from the list")?),
            "--camera" => args.camera = Some(it.next().ok_or("--camera needs an id from the list")?),
            "-h" | "--help" => {
                return Err("usage: devices [--seconds N] [--mic ID] [--camera ID] [OUT.wav]".to_string());
            }
            other if other.starts_with('-') => return Err(format!("unknown option {other} (try --help)")),
            other => args.out = other.to_string(),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let devices = list_devices();
    println!("{}", serde_json::to_string_pretty(&devices).expect("device lists serialise"));

    let clock = StationClock::new();
    let (tx, rx) = mpsc::sync_channel(4096);
    let mut handles = Vec::new();
    let mic = match MicSource::open(MicOptions { choice: args.mic, capture_rate: MIC_RATE }) {
        Ok(mic) => mic,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let mic_id = mic.info().id.clone();
    println!("recording {} s from {} ({}) to {}", args.seconds, mic.info().label, mic_id, args.out);
    match Box::new(mic).start(clock, SourceSink::new(tx.clone())) {
        Ok(handle) => handles.push(handle),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    }
    // The camera gets its own channel so that its events can be told apart from the mic's.
    let (camera_tx, camera_rx) = mpsc::sync_channel(64);
    if let Some(id) = &args.camera {
        let camera = match CameraSource::open(id, FormatRequest::default()) {
            Ok(camera) => camera,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        };
        println!("capturing {} in {}", camera.info().label, camera.format());
        match Box::new(camera).start(clock, SourceSink::new(camera_tx)) {
            Ok(handle) => handles.push(handle),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        }
    }

    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: MIC_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = match hound::WavWriter::create(&args.out, spec) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("cannot write {}: {e}", args.out);
            return ExitCode::from(1);
        }
    };
    let end = Instant::now() + Duration::from_secs(args.seconds);
    let (mut samples, mut peak, mut frames) = (0u64, 0f32, 0u64);
    while Instant::now() < end {
        while let Ok(event) = camera_rx.try_recv() {
            match event {
                SourceEvent::Video(frame) => {
                    frames += 1;
                    if frame.seq % 30 == 0 {
                        println!("camera frame {} at {} µs: {} bytes", frame.seq, frame.at.0, frame.data.len());
                    }
                }
                SourceEvent::Lost { reason } => println!("camera lost: {reason}"),
                SourceEvent::Restored => println!("camera restored"),
                SourceEvent::Audio(_) => {}
            }
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(SourceEvent::Audio(buffer)) => {
                for s in &buffer.samples {
                    peak = peak.max(s.abs());
                    let _ = wav.write_sample((s.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16);
                }
                samples += buffer.samples.len() as u64;
            }
            Ok(SourceEvent::Lost { reason }) => println!("microphone lost: {reason}"),
            Ok(SourceEvent::Restored) => println!("microphone restored"),
            Ok(SourceEvent::Video(_)) | Err(_) => {}
        }
    }
    drop(handles);
    if let Err(e) = wav.finalize() {
        eprintln!("cannot finish {}: {e}", args.out);
        return ExitCode::from(1);
    }
    println!(
        "wrote {}: {:.2} s at {MIC_RATE} Hz, peak level {:.3}{}",
        args.out,
        samples as f64 / f64::from(MIC_RATE),
        peak,
        if args.camera.is_some() { format!("; {frames} camera frames") } else { String::new() }
    );
    ExitCode::SUCCESS
}
