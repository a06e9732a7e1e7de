use benchproof_station::bundles::{verify_bundle, TrustSource};
use benchproof_station::demo::{self, DemoTrust};
use benchproof_station::Station;
use clap::Args;
use serde::Serialize;

use crate::exit::CliResult;
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct DemoArgs {}

#[derive(Serialize)]
struct DemoReport<'a> {
    assessment: &'a benchproof_station::report::AssessmentReport,
    sealed: Option<&'a benchproof_station::bundles::SealedInfo>,
    verified: Option<&'a benchproof_bundle::Verified>,
}

pub fn run(ctx: &Context, _args: DemoArgs) -> CliResult {
    if !ctx.json {
        println!("benchproof demo — SIMULATED DEVICES (no camera, microphone or instrument is used)");
        println!("data directory: {}\n", ctx.data_dir.display());
    }
    let id = output::with_progress("demo", |progress| demo::run(&ctx.data_dir, progress))?;
    let mut station = Station::open(&ctx.data_dir)?;
    let report = station.report(id)?;
    if !ctx.json {
        print!("{}", output::report_text(&report));
    }

    let (sealed, verified) = match demo::ensure_trust(&ctx.data_dir)? {
        DemoTrust::RealDepartment { department } => {
            if !ctx.json {
                println!("\nThis station is enrolled with {department:?}; the demo does not sign with real keys.");
                println!("Run the demo with a fresh --data-dir to see sealing and verification.");
            }
            (None, None)
        }
        DemoTrust::Ready { department } => {
            let sealed = station.seal(id, demo::DEMO_PROCTOR, Some(demo::DEMO_PROCTOR_PIN))?;
            let verified = verify_bundle(&sealed.path, TrustSource::Station(&ctx.data_dir), Some(&station), |_| {})
                .map_err(|e| crate::exit::Failure::new(crate::exit::INVALID, e))?;
            if !ctx.json {
                println!(
                    "\nSealed and signed (demo keys of {department:?}; demo proctor PIN {:?}):",
                    demo::DEMO_PROCTOR_PIN
                );
                println!("  bundle  {} ({} bytes)", sealed.path.display(), sealed.bytes);
                println!("  digest  {}", sealed.digest);
                println!("Verified: zip safety, BagIt manifests, event chain, evidence digests, station and proctor");
                println!("  proofs, enrolments, document vs event log — VALID");
            }
            (Some(sealed), Some(verified))
        }
    };
    if ctx.json {
        output::json(&DemoReport { assessment: &report, sealed: sealed.as_ref(), verified: verified.as_ref() });
    } else {
        let path = sealed.as_ref().map(|s| s.path.display().to_string()).unwrap_or_default();
        println!("\nNext: `benchproof assessment show {id}`, `benchproof inspect {path}`, `benchproof verify {path}`");
    }
    Ok(())
}
