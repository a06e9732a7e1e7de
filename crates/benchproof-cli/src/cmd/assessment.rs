use benchproof_station::Station;
use clap::Subcommand;

use crate::exit::CliResult;
use crate::output;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum AssessmentCommand {
    /// Every assessment on this station, newest first
    List,
    /// One assessment: steps, verdicts, evidence, outcome, verified event chain
    Show {
        /// The assessment id (or a unique prefix of it)
        id: String,
    },
}

pub fn run(ctx: &Context, cmd: AssessmentCommand) -> CliResult {
    let station = Station::open(&ctx.data_dir)?;
    match cmd {
        AssessmentCommand::List => {
            let rows = station.store().list_assessments().map_err(benchproof_station::StationError::from)?;
            if ctx.json {
                output::json(&rows);
                return Ok(());
            }
            if rows.is_empty() {
                println!("No assessments yet. Run one with `benchproof assess SCRIPT.toml` or `benchproof demo`.");
                return Ok(());
            }
            println!("{:<36}  {:<10}  {:<24}  {:<32}  {:>6}  created", "id", "state", "student", "rubric", "events");
            for a in rows {
                println!(
                    "{:<36}  {:<10}  {:<24}  {:<32}  {:>6}  {}",
                    a.id,
                    a.state,
                    a.student,
                    format!("{} {}", a.rubric_id, a.rubric_version),
                    a.events,
                    a.created_at
                );
            }
        }
        AssessmentCommand::Show { id } => {
            let id = station.resolve_assessment(&id)?;
            let report = station.report(id)?;
            if ctx.json {
                output::json(&report);
            } else {
                print!("{}", output::report_text(&report));
            }
        }
    }
    Ok(())
}
