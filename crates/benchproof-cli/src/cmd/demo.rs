use benchproof_station::bundles::{verify_bundle, TrustSource};
use benchproof_station::demo::{self, DemoTrust};
use std::time::Duration;

use anyhow::anyhow;
use benchproof_bundle::Trust;
use benchproof_server::ServerConfig;
use benchproof_station::bundles::SealedInfo;
use benchproof_station::sync::SyncSettings;
use benchproof_station::trust::DepartmentKey;
use benchproof_station::Station;
use benchproof_tlog::Receipt;
use clap::Args;
use serde::Serialize;

use crate::exit::{CliResult, Failure, DATA_DIR, INVALID};
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct DemoArgs {}

#[derive(Serialize)]
struct DemoReport<'a> {
    assessment: &'a benchproof_station::report::AssessmentReport,
    sealed: Option<&'a benchproof_station::bundles::SealedInfo>,
    verified: Option<&'a benchproof_bundle::Verified>,
    delivered: Option<&'a Delivered>,
    credential: Option<&'a std::path::Path>,
}

/// The demo's bundle, delivered to an embedded department server on loopback.
#[derive(Serialize)]
struct Delivered {
    server: String,
    receipt: std::path::PathBuf,
    leaf_index: u64,
    tree_size: u64,
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
    let delivered = match &sealed {
        Some(sealed) => Some(deliver(ctx, &station, sealed)?),
        None => None,
    };
    if let (Some(d), false) = (&delivered, ctx.json) {
        println!("\nSynced to the demo department server at {} (tus upload, verified on receipt):", d.server);
        println!("  receipt {}", d.receipt.display());
        println!(
            "  leaf {} of the transparency log at size {}; receipt verified offline — VALID",
            d.leaf_index, d.tree_size
        );
    }
    let credential = match (&sealed, report.score.outcome) {
        (Some(sealed), benchproof_domain::scoring::Outcome::Passed) => Some(issue_credential(ctx, sealed)?),
        _ => None,
    };
    if let (Some(path), false) = (&credential, ctx.json) {
        println!("\nIssued an Open Badges 3.0 credential (eddsa-rdfc-2022, demo department key) and verified it,");
        println!("  with its digest of the bundle — VALID: {}", path.display());
    }
    if ctx.json {
        output::json(&DemoReport {
            assessment: &report,
            sealed: sealed.as_ref(),
            verified: verified.as_ref(),
            delivered: delivered.as_ref(),
            credential: credential.as_deref(),
        });
    } else {
        let path = sealed.as_ref().map(|s| s.path.display().to_string()).unwrap_or_default();
        println!("\nNext: `benchproof assessment show {id}`, `benchproof inspect {path}`, `benchproof verify {path}`");
    }
    Ok(())
}

/// Starts the demo department's server on a loopback port, syncs the sealed bundle to it, and
/// verifies the receipt that comes back, as `benchproof receipt verify` would.
fn deliver(ctx: &Context, station: &Station, sealed: &SealedInfo) -> Result<Delivered, Failure> {
    let dept = DepartmentKey::open(&ctx.data_dir.join("demo-department"), Some(demo::DEMO_DEPARTMENT_PASSPHRASE))?;
    let department = dept.info.did.clone();
    let trust = Trust { department: department.clone(), revocations: dept.revocations()? };
    let addr = "127.0.0.1:0".parse().expect("a socket address");
    let config = ServerConfig::embedded(ctx.data_dir.join("demo-server"), addr, dept.into_signing_key(), trust);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let ready = tx.clone();
        if let Err(e) = benchproof_server::run(config, move |addr| {
            let _ = ready.send(Ok(addr));
        }) {
            let _ = tx.send(Err(e.to_string()));
        }
    });
    let addr = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Ok(addr)) => addr,
        Ok(Err(e)) => return Err(Failure::new(DATA_DIR, anyhow!("the demo server did not start: {e}"))),
        Err(_) => return Err(Failure::new(DATA_DIR, anyhow!("the demo server did not start within 60 s"))),
    };
    let server = format!("http://{addr}");
    let settings = SyncSettings { server: server.clone(), bandwidth_limit: None };
    let report = station.sync_once(&settings, &mut |_, _, _| {})?;
    if !report.delivered.contains(&sealed.assessment) {
        let why = report.failed.iter().chain(&report.gave_up).map(|(_, e)| e.clone()).chain(report.alerts.clone());
        return Err(Failure::new(
            INVALID,
            anyhow!("the bundle was not delivered: {}", why.collect::<Vec<_>>().join("; ")),
        ));
    }
    let item = station.store().sync_item(sealed.assessment).map_err(benchproof_station::StationError::from)?;
    let text = item.receipt.ok_or_else(|| anyhow!("delivered without a receipt"))?;
    let path = sealed.path.with_extension("receipt.json");
    std::fs::write(&path, &text).map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
    let receipt: Receipt = serde_json::from_str(&text).map_err(|e| anyhow!("the receipt does not parse: {e}"))?;
    let bytes = std::fs::read(&sealed.path).map_err(|e| anyhow!("cannot read {}: {e}", sealed.path.display()))?;
    let verified = receipt
        .verify(&benchproof_tlog::sha256(&bytes), &department)
        .map_err(|e| Failure::new(INVALID, anyhow!("the receipt does not verify: {e}")))?;
    Ok(Delivered { server, receipt: path, leaf_index: verified.leaf_index, tree_size: verified.checkpoint.size })
}

/// Issues the demo assessment's credential with the demo department key and verifies it.
fn issue_credential(ctx: &Context, sealed: &SealedInfo) -> Result<std::path::PathBuf, Failure> {
    use benchproof_station::credentials::{issue_for_bundle, verify_credential, IssueOptions};
    use benchproof_station::Clock as _;
    let dept = DepartmentKey::open(&ctx.data_dir.join("demo-department"), Some(demo::DEMO_DEPARTMENT_PASSPHRASE))?;
    let now = benchproof_station::SystemClock.now();
    let options = IssueOptions {
        department_url: "https://example.invalid/demo-department".into(),
        base_url: "https://example.invalid/benchproof".into(),
        achievement_type: benchproof_credential::badge::AchievementType::Competency,
        now,
    };
    let credential = issue_for_bundle(&sealed.path, &dept, &options)?;
    let path = sealed.path.with_extension("credential.json");
    let text = serde_json::to_string_pretty(&credential).expect("credentials serialise");
    std::fs::write(&path, &text).map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
    verify_credential(&text, &dept.info.did, now, Some(&sealed.path)).map_err(|e| Failure::new(INVALID, e))?;
    Ok(path)
}
