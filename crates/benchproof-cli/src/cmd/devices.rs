//! `benchproof devices`: every camera (with its formats) and microphone on this machine, and
//! what the station would use in their place.

use benchproof_devices::{list_devices, DeviceList};
use clap::Args;
use serde::Serialize;

use crate::exit::CliResult;
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct DevicesArgs {}

#[derive(Serialize)]
struct Report {
    #[serde(flatten)]
    devices: DeviceList,
    /// What `--devices auto` falls back to, in words.
    fallbacks: Vec<&'static str>,
}

pub fn run(ctx: &Context, _args: DevicesArgs) -> CliResult {
    let devices = list_devices();
    let mut fallbacks = Vec::new();
    if devices.cameras.is_empty() {
        fallbacks.push("no camera: the simulated test pattern stands in (clearly labelled)");
    }
    if devices.microphones.is_empty() {
        fallbacks.push("no microphone: the simulated tone stands in (clearly labelled)");
    }
    let report = Report { devices, fallbacks };
    if ctx.json {
        output::json(&report);
        return Ok(());
    }
    println!("Cameras:");
    if report.devices.cameras.is_empty() {
        println!("  (none)");
    }
    for c in &report.devices.cameras {
        println!("  {}  {}", c.id, c.label);
        for f in &c.formats {
            println!("      {f}");
        }
    }
    println!("Microphones:");
    if report.devices.microphones.is_empty() {
        println!("  (none)");
    }
    for m in &report.devices.microphones {
        println!("  {}  {}{}", m.id, m.label, if m.default { "  (default)" } else { "" });
    }
    for f in &report.fallbacks {
        println!("note: {f}");
    }
    Ok(())
}
