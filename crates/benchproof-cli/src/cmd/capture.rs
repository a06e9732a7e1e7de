//! `benchproof capture test`: records one snippet from the chosen (or simulated) devices, the
//! quickest way to check a bench's camera and microphone.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use benchproof_station::capture::{CaptureSettings, DeviceMode, Rig, RigEvent};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::exit::CliResult;
use crate::output;
use crate::Context;

/// Which devices to capture from (shared by `capture test` and `assess --capture live`).
#[derive(Debug, Args)]
pub struct DeviceArgs {
    /// `auto`: real devices, simulated ones standing in for what is missing; `simulated`: the
    /// test pattern and tone only; `real`: real devices only, a missing one is an error
    #[arg(long, value_enum, default_value_t = DevicesArg::Auto)]
    devices: DevicesArg,
    /// A camera id from `benchproof devices` (repeat for several cameras) [default: the first]
    #[arg(long = "camera", value_name = "ID")]
    cameras: Vec<String>,
    /// A microphone id from `benchproof devices` [default: the system's default input]
    #[arg(long, value_name = "ID")]
    microphone: Option<String>,
    /// Also record each camera's whole session into one MP4
    #[arg(long)]
    whole_session: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DevicesArg {
    Auto,
    Simulated,
    Real,
}

impl DeviceArgs {
    pub fn settings(&self) -> CaptureSettings {
        let mode = match self.devices {
            DevicesArg::Auto => DeviceMode::Auto,
            DevicesArg::Simulated => DeviceMode::Simulated,
            DevicesArg::Real => DeviceMode::Real,
        };
        CaptureSettings {
            mode,
            cameras: self.cameras.clone(),
            microphone: self.microphone.clone(),
            whole_session: self.whole_session,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CaptureCommand {
    /// Record N seconds from the devices into an MP4 snippet and describe it
    Test(TestArgs),
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// How many seconds to record
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=600))]
    seconds: u64,
    /// Where to write the snippet
    #[arg(long, default_value = "capture-test.mp4")]
    out: PathBuf,
    #[command(flatten)]
    devices: DeviceArgs,
}

#[derive(Serialize)]
struct TestReport {
    file: PathBuf,
    bytes: u64,
    sha256: String,
    duration_s: f64,
    devices: Vec<String>,
    simulated: bool,
    remarks: Vec<String>,
    device_events: Vec<String>,
}

pub fn run(ctx: &Context, command: CaptureCommand) -> CliResult {
    let CaptureCommand::Test(args) = command;
    let rig = Rig::start(&ctx.data_dir, &args.devices.settings())?;
    if !ctx.json {
        for remark in &rig.remarks {
            eprintln!("note: {remark}");
        }
        eprintln!("recording {} s …", args.seconds);
    }
    std::thread::sleep(Duration::from_secs(args.seconds));
    rig.request_snippet(Duration::from_secs(args.seconds), Duration::ZERO, "capture-test");
    let devices: Vec<String> = rig.devices().iter().map(|d| format!("{} ({})", d.label, d.id)).collect();
    let simulated = rig.simulated();
    let remarks = rig.remarks.clone();
    let mut device_events = Vec::new();
    let mut snippet = None;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while snippet.is_none() && std::time::Instant::now() < deadline {
        for event in rig.wait(Duration::from_millis(200)) {
            match event {
                RigEvent::Snippet(outcome) => snippet = Some(outcome.result),
                RigEvent::Device(notice) => device_events.push(format!("{notice:?}")),
            }
        }
    }
    drop(rig);
    let file = snippet
        .ok_or_else(|| anyhow!("the recorder did not finish the snippet within 60 s"))?
        .map_err(|e| anyhow!("the snippet could not be made: {e}"))?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::copy(&file.path, &args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    let _ = std::fs::remove_file(&file.path);
    let report = TestReport {
        file: args.out,
        bytes: file.bytes,
        sha256: file.sha256,
        duration_s: file.duration.as_secs_f64(),
        devices,
        simulated,
        remarks,
        device_events,
    };
    if ctx.json {
        output::json(&report);
    } else {
        println!(
            "{} — {:.2} s, {} bytes, sha256 {}",
            report.file.display(),
            report.duration_s,
            report.bytes,
            report.sha256
        );
        for d in &report.devices {
            println!("  from {d}");
        }
        for e in &report.device_events {
            println!("  device event: {e}");
        }
        if report.simulated {
            println!("  (simulated devices stood in: the test pattern and tone are not a real camera or microphone)");
        }
    }
    Ok(())
}
