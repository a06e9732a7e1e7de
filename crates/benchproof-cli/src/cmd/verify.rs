use std::path::{Path, PathBuf};

use benchproof_bundle::{Check, Verified, VerifyError};
use benchproof_evidence::DidKey;
use benchproof_station::bundles::{verify_bundle_vouched, TrustSource};
use benchproof_station::trust::departments::TrustedDepartment;
use benchproof_station::trust::DepartmentInfo;
use benchproof_station::Station;
use clap::Args;
use serde::Serialize;

use crate::exit::{CliResult, Failure, INVALID, USAGE};
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle (.zip)
    bundle: PathBuf,
    /// The department to trust: its did:key, or a department.json file [default: the trust list
    /// of this data directory: its own department and those imported with `benchproof trust`]
    #[arg(long, value_name = "DID_OR_FILE")]
    trust: Option<String>,
}

#[derive(Serialize)]
struct Report<'a> {
    valid: bool,
    bundle: &'a Path,
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_check: Option<Check>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<&'a Verified>,
    /// The trusted department the bundle's enrolments chain to.
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<&'a TrustedDepartment>,
}

pub fn trust_from(arg: &str) -> anyhow::Result<DidKey> {
    if arg.starts_with("did:") {
        return arg.parse().map_err(|e| anyhow::anyhow!("--trust {arg}: {e}"));
    }
    let text = std::fs::read_to_string(arg).map_err(|e| anyhow::anyhow!("--trust {arg}: {e}"))?;
    let info: DepartmentInfo =
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("--trust {arg}: not a department.json: {e}"))?;
    Ok(info.did)
}

pub fn run(ctx: &Context, args: VerifyArgs) -> CliResult {
    // A data directory that exists is used as the registry of bundles already seen.
    let station =
        if ctx.data_dir.join(benchproof_store::DB_FILE).exists() { Some(Station::open(&ctx.data_dir)?) } else { None };
    let source = match &args.trust {
        Some(t) => TrustSource::Department(trust_from(t)?),
        None => TrustSource::Station(&ctx.data_dir),
    };
    let total = std::fs::metadata(&args.bundle).map(|m| m.len()).unwrap_or(0);
    let bar = output::byte_bar(total, "verify");
    let result = verify_bundle_vouched(&args.bundle, source, station.as_ref(), |p| {
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_done);
    });
    bar.finish_and_clear();
    match result {
        Ok((v, department)) => {
            if ctx.json {
                output::json(&Report {
                    valid: true,
                    bundle: &args.bundle,
                    failed_check: None,
                    reason: None,
                    verified: Some(&v),
                    department: Some(&department),
                });
            } else {
                let d = &v.document;
                println!("VALID  {}", args.bundle.display());
                println!(
                    "  assessment {}  student {}  rubric {} {}",
                    v.assessment, d.student, d.rubric.id, d.rubric.version
                );
                println!(
                    "  outcome    {} ({} of {} points)",
                    d.outcome.result.as_str(),
                    d.outcome.points,
                    d.outcome.max_points
                );
                println!("  station    {:?} {}", v.station_name, d.station.did);
                println!("  proctor    {:?} {}", v.proctor_name, d.proctor.did);
                println!("  department {:?} {} ({})", department.name, department.did, department.source.describe());
                println!(
                    "  bundle     {} payload files, {} bytes, digest {}",
                    v.payload_files, v.payload_bytes, v.digest
                );
                println!("  checked    zip safety, BagIt manifests, event chain, evidence digests, both proofs, enrolments, document vs event log, replay");
            }
            Ok(())
        }
        Err(VerifyError::Refused(r)) => {
            if ctx.json {
                output::json(&Report {
                    valid: false,
                    bundle: &args.bundle,
                    failed_check: Some(r.check),
                    reason: Some(r.reason.clone()),
                    verified: None,
                    department: None,
                });
            } else {
                println!("INVALID  {}", args.bundle.display());
                println!("  {}", r.reason);
            }
            Err(Failure::quiet(INVALID))
        }
        Err(e) => Err(Failure::new(USAGE, e)),
    }
}
