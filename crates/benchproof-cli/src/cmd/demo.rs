use benchproof_station::{demo, Station};
use clap::Args;

use crate::exit::CliResult;
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct DemoArgs {}

pub fn run(ctx: &Context, _args: DemoArgs) -> CliResult {
    if !ctx.json {
        println!("benchproof demo — SIMULATED DEVICES (no camera, microphone or instrument is used)");
        println!("data directory: {}\n", ctx.data_dir.display());
    }
    let id = output::with_progress("demo", |progress| demo::run(&ctx.data_dir, progress))?;
    let station = Station::open(&ctx.data_dir)?;
    let report = station.report(id)?;
    if ctx.json {
        output::json(&report);
        return Ok(());
    }
    print!("{}", output::report_text(&report));
    println!("\nNext: `benchproof assessment show {id}` or `benchproof log verify {id}`");
    Ok(())
}
