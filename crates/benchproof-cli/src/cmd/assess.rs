use std::path::PathBuf;

use benchproof_station::script::{self, MediaSource, Script};
use benchproof_station::Station;
use clap::Args;

use crate::exit::CliResult;
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The assessment script (TOML): student, rubric, timed ticks with verdicts, notes and media
    script: PathBuf,
}

pub fn run(ctx: &Context, args: AssessArgs) -> CliResult {
    let script = Script::load(&args.script)?;
    let dir = args.script.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    let id = output::with_progress("assess", |progress| {
        script::run(&ctx.data_dir, &args.script, &script, MediaSource::Dir(&dir), progress)
    })?;
    let report = Station::open(&ctx.data_dir)?.report(id)?;
    if ctx.json {
        output::json(&report);
    } else {
        print!("{}", output::report_text(&report));
    }
    Ok(())
}
