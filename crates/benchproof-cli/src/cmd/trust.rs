//! `benchproof trust`: the departments this data directory's verifier trusts besides its own
//! (imported from their signed rubric packs), listed and removed.

use std::path::PathBuf;

use benchproof_station::trust::departments::{self, Source, TrustedDepartment};
use benchproof_station::trust::TrustProblem;
use benchproof_station::StationError;
use clap::Subcommand;

use crate::exit::{CliResult, Failure, INVALID};
use crate::output;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Verify another department's rubric pack, trust its key and add its rubrics
    Import {
        /// The pack (`benchproof dept export-pack` writes it)
        pack: PathBuf,
    },
    /// The trusted departments: this data directory's own, then imported ones
    List,
    /// Stop trusting an imported department (its bundles, credentials and rubrics)
    Remove {
        /// The department's did:key (`benchproof trust list` shows it)
        did: String,
    },
}

pub fn run(ctx: &Context, cmd: TrustCommand) -> CliResult {
    match cmd {
        TrustCommand::Import { pack } => {
            let imported = departments::import_file(&ctx.data_dir, &pack).map_err(|e| match e {
                // A pack that fails its checks was found wanting, like an invalid bundle.
                StationError::Trust(TrustProblem::BadPack { .. }) => Failure::new(INVALID, e),
                other => other.into(),
            })?;
            if ctx.json {
                output::json(&imported);
            } else {
                let d = &imported.department;
                let verb = if imported.replaced { "updated" } else { "now trusted" };
                println!("{verb}: {:?} {}", d.name, d.did);
                println!("  check this key with the department by another channel before relying on it");
                for r in &d.rubrics {
                    println!("  rubric {r}");
                }
                if let Some(web) = &d.did_web {
                    println!("  its credentials may also name it did:web:{web}");
                }
            }
        }
        TrustCommand::List => {
            let (list, problems) = departments::trusted(&ctx.data_dir);
            for p in &problems {
                eprintln!("warning: not trusted: {p}");
            }
            if ctx.json {
                output::json(&list);
            } else if list.is_empty() {
                println!("no department is trusted here: enrol this station, or `benchproof trust import PACK.json`");
            } else {
                for d in &list {
                    print_entry(d);
                }
            }
        }
        TrustCommand::Remove { did } => {
            let removed = departments::remove(&ctx.data_dir, &did)?;
            if ctx.json {
                output::json(&removed);
            } else {
                println!("no longer trusted: {:?} {}", removed.name, removed.did);
                println!(
                    "  its bundles and credentials are refused here from now on; its rubrics are no longer offered"
                );
            }
        }
    }
    Ok(())
}

fn print_entry(d: &TrustedDepartment) {
    println!("{}  {:?}  ({})", d.did, d.name, d.source.describe());
    if let Source::Imported(path) = &d.source {
        println!("  pack {}", path.display());
    }
    if let Some(web) = &d.did_web {
        println!("  also did:web:{web}");
    }
    for r in &d.rubrics {
        println!("  rubric {r}");
    }
}
