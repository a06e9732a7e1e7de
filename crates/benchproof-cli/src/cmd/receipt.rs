//! `benchproof receipt verify`: checks a department server's receipt offline — that it names
//! this bundle, that the bundle is in the transparency log at the checkpoint's size, and that
//! the checkpoint is signed by the department key the verifier trusts.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use benchproof_station::trust::StationFiles;
use benchproof_tlog::Receipt;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::cmd::verify::trust_from;
use crate::exit::{CliResult, Failure, INVALID, USAGE};
use crate::output;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// Verify RECEIPT (JSON) against BUNDLE (.zip): exit 0 valid, 1 invalid, 2 usage or I/O error
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    receipt: PathBuf,
    bundle: PathBuf,
    /// The department to trust: its did:key, or a department.json file [default: the department
    /// this data directory's station trusts]
    #[arg(long, value_name = "DID_OR_FILE")]
    trust: Option<String>,
}

#[derive(Serialize)]
struct Report {
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    leaf_index: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tree_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
}

pub fn run(ctx: &Context, command: ReceiptCommand) -> CliResult {
    let ReceiptCommand::Verify(args) = command;
    let trusted = match &args.trust {
        Some(arg) => trust_from(arg)?,
        None => {
            StationFiles::in_dir(&ctx.data_dir)
                .department()?
                .ok_or_else(|| anyhow::anyhow!("no department is trusted here: pass --trust DID_OR_FILE"))?
                .did
        }
    };
    let text = std::fs::read_to_string(&args.receipt)
        .with_context(|| format!("cannot read the receipt {}", args.receipt.display()))?;
    let receipt: Receipt = serde_json::from_str(&text).map_err(|e| {
        Failure::new(USAGE, anyhow::anyhow!("{} is not a benchproof receipt: {e}", args.receipt.display()))
    })?;
    let digest = sha256_file(&args.bundle)?;
    let report = match receipt.verify(&digest, &trusted) {
        Ok(v) => Report {
            valid: true,
            reason: None,
            leaf_index: Some(v.leaf_index),
            tree_size: Some(v.checkpoint.size),
            origin: Some(v.checkpoint.origin.clone()),
        },
        Err(e) => Report { valid: false, reason: Some(e.to_string()), leaf_index: None, tree_size: None, origin: None },
    };
    if ctx.json {
        output::json(&report);
    } else if report.valid {
        println!(
            "VALID: {} is leaf {} of {}'s log at size {}, under a checkpoint signed by {trusted}",
            args.bundle.display(),
            report.leaf_index.unwrap_or_default(),
            report.origin.as_deref().unwrap_or_default(),
            report.tree_size.unwrap_or_default()
        );
    } else {
        println!("INVALID: {}", report.reason.as_deref().unwrap_or_default());
    }
    if report.valid {
        Ok(())
    } else {
        Err(Failure::quiet(INVALID))
    }
}

fn sha256_file(path: &Path) -> anyhow::Result<benchproof_tlog::Hash> {
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read the bundle {}", path.display()))?;
    let mut hasher = benchproof_domain::digest::Sha256Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).with_context(|| format!("cannot read the bundle {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish().0)
}
