use benchproof_station::script::Progress;
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
    let bar = output::progress_bar(0, "demo");
    let id = demo::run(&ctx.data_dir, &mut |p| match p {
        Progress::Planned { actions } => bar.set_length(actions),
        Progress::Done { action } => {
            bar.set_message(action);
            bar.inc(1);
        }
    });
    bar.finish_and_clear();
    let id = id?;
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
