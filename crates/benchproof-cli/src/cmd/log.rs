use benchproof_station::{Station, StationError};
use benchproof_store::StoreError;
use clap::Subcommand;
use serde::Serialize;

use crate::exit::{CliResult, Failure, INVALID};
use crate::output;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Check an assessment's hash-chained event log, link by link, against its recorded head
    Verify {
        /// The assessment id (or a unique prefix of it)
        id: String,
    },
}

#[derive(Serialize)]
struct Verdict {
    assessment: String,
    valid: bool,
    events: Option<u64>,
    head: Option<String>,
    problem: Option<String>,
}

pub fn run(ctx: &Context, cmd: LogCommand) -> CliResult {
    let LogCommand::Verify { id } = cmd;
    let station = Station::open(&ctx.data_dir)?;
    let id = station.resolve_assessment(&id)?;
    let result = station.store().verify_chain(id);
    let events = station.store().summary(id).ok().map(|s| s.events);
    let verdict = match &result {
        Ok(head) => {
            Verdict { assessment: id.to_string(), valid: true, events, head: Some(head.to_hex()), problem: None }
        }
        Err(StoreError::Chain { source, .. }) => {
            Verdict { assessment: id.to_string(), valid: false, events, head: None, problem: Some(source.to_string()) }
        }
        Err(_) => return Err(StationError::from(result.expect_err("matched Err")).into()),
    };
    if ctx.json {
        output::json(&verdict);
    } else if verdict.valid {
        println!(
            "event chain of {id} verified: {} events, head {}",
            events.unwrap_or(0),
            verdict.head.as_deref().unwrap_or("")
        );
    } else {
        println!("event chain of {id} is BROKEN: {}", verdict.problem.as_deref().unwrap_or(""));
    }
    if verdict.valid {
        Ok(())
    } else {
        Err(Failure::quiet(INVALID))
    }
}
