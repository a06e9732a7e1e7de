use std::path::PathBuf;

use benchproof_bagit::Limits;
use benchproof_bundle::{inspect_path, VerifyError};
use clap::Args;

use crate::exit::{CliResult, Failure, INVALID, USAGE};
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The bundle (.zip)
    bundle: PathBuf,
}

pub fn run(ctx: &Context, args: InspectArgs) -> CliResult {
    let i = match inspect_path(&args.bundle, Limits::default()) {
        Ok(i) => i,
        Err(VerifyError::Refused(r)) => return Err(Failure::new(INVALID, anyhow::anyhow!("{}", r.reason))),
        Err(e) => return Err(Failure::new(USAGE, e)),
    };
    if ctx.json {
        output::json(&i);
        return Ok(());
    }
    let d = &i.document;
    println!(
        "Bundle {}  (not verified: run `benchproof verify` to check signatures and enrolments)",
        args.bundle.display()
    );
    for (label, value) in &i.bag_info {
        println!("  {label}: {value}");
    }
    println!("\n  student   {}", d.student);
    println!("  rubric    {} {} (sha256 {})", d.rubric.id, d.rubric.version, output::short(&d.rubric.sha256));
    println!("  times     created {}, started {}, finished {}", d.created_at, d.started_at, d.finished_at);
    println!("  outcome   {} ({} of {} points)", d.outcome.result.as_str(), d.outcome.points, d.outcome.max_points);
    println!("\n  Steps:");
    for s in &d.steps {
        let verdict = s.verdict.map_or("—", |v| v.as_str());
        println!(
            "  {} {:<30} {:<15} {}",
            if s.critical { "*" } else { " " },
            s.id,
            verdict,
            s.level.as_deref().unwrap_or("")
        );
        for e in &s.evidence {
            println!("      {} ({}, {} bytes)", e.path, e.media_type, e.bytes);
        }
    }
    println!("\n  Signers:");
    for (vm, created) in &i.proofs {
        println!("    {vm} at {created}");
    }
    println!("\n  {} payload files", i.payload.len());
    Ok(())
}
