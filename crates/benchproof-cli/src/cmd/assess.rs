use std::path::PathBuf;

use benchproof_station::capture::Rig;
use benchproof_station::script::{self, MediaSource, Script, ScriptCapture};
use benchproof_station::Station;
use clap::{Args, ValueEnum};

use crate::cmd::capture::DeviceArgs;

use crate::exit::CliResult;
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The assessment script (TOML): student, rubric, timed ticks with verdicts, notes and media
    script: PathBuf,
    /// Where the snippets of ticks that want video or audio come from: `rendered` draws the
    /// simulated camera and microphone for each tick's window at once; `live` plays the script in
    /// real time on the devices (real ones, else simulated); `none` saves only the script's files
    #[arg(long, value_enum, default_value_t = CaptureArg::Rendered)]
    capture: CaptureArg,
    #[command(flatten)]
    devices: DeviceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CaptureArg {
    Rendered,
    Live,
    None,
}

pub fn run(ctx: &Context, args: AssessArgs) -> CliResult {
    let script = Script::load(&args.script)?;
    let dir = args.script.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    let capture = match args.capture {
        CaptureArg::Rendered => ScriptCapture::Rendered,
        CaptureArg::None => ScriptCapture::None,
        CaptureArg::Live => {
            let rig = Rig::start(&ctx.data_dir, &args.devices.settings())?;
            for remark in &rig.remarks {
                eprintln!("note: {remark}");
            }
            ScriptCapture::Live(Box::new(rig))
        }
    };
    let id = output::with_progress("assess", |progress| {
        script::run(&ctx.data_dir, &args.script, &script, MediaSource::Dir(&dir), capture, progress)
    })?;
    let report = Station::open(&ctx.data_dir)?.report(id)?;
    if ctx.json {
        output::json(&report);
    } else {
        print!("{}", output::report_text(&report));
    }
    Ok(())
}
