use std::path::PathBuf;

use benchproof_station::rubrics;
use benchproof_station::trust::packs::{self, PackOptions};
use benchproof_station::trust::{DepartmentKey, StationFiles};
use benchproof_station::Clock as _;
use benchproof_station::{StationError, SystemClock};
use clap::Subcommand;

use crate::cmd::keys::{dept_dir, passphrase, required, DEPT_ENV};
use crate::exit::CliResult;
use crate::output;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum DeptCommand {
    /// Create a department: its key (sealed with a passphrase) and public identity
    Init {
        /// The department's name, e.g. "Department of Electrical Engineering"
        #[arg(long)]
        name: String,
        /// Folder for the department's key and records [default: DATA_DIR/department]
        #[arg(long, value_name = "DIR")]
        dept_dir: Option<PathBuf>,
        /// File whose first line is the department passphrase [or $BENCHPROOF_DEPT_PASSPHRASE]
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
    /// Revoke an enrolment (by enrolment id or did:key) and re-sign the revocation list
    Revoke {
        /// The enrolment id (urn:uuid:…) or the enrolled did:key
        who: String,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long, value_name = "DIR")]
        dept_dir: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
    /// Write a signed rubric pack: the department's public key, name and rubrics, for another
    /// department to import with `benchproof trust import`
    ExportPack {
        /// Where to write the pack (JSON)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// A rubric to include, by id or .toml path (repeatable) [default: every rubric in
        /// `benchproof rubric list`]
        #[arg(long, value_name = "ID_OR_FILE")]
        rubric: Vec<String>,
        /// The department's web address
        #[arg(long)]
        url: Option<String>,
        /// The domain the department server issues credentials under (`serve --did-web`)
        #[arg(long, value_name = "DOMAIN")]
        did_web: Option<String>,
        #[arg(long, value_name = "DIR")]
        dept_dir: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
}

pub fn run(ctx: &Context, cmd: DeptCommand) -> CliResult {
    match cmd {
        DeptCommand::Init { name, dept_dir: dir, passphrase_file } => {
            let dir = dept_dir(dir, &ctx.data_dir);
            let pass = required(passphrase(passphrase_file.as_deref(), DEPT_ENV)?, "--passphrase-file", DEPT_ENV)?;
            let dept = DepartmentKey::init(&dir, &name, &pass)?;
            if ctx.json {
                output::json(&dept.info);
            } else {
                println!("department {:?} created in {}", dept.info.name, dir.display());
                println!("its key: {}", dept.info.did);
                println!("give department.json to stations and verifiers: it is their trust root");
            }
        }
        DeptCommand::Revoke { who, reason, dept_dir: dir, passphrase_file } => {
            let dir = dept_dir(dir, &ctx.data_dir);
            let pass = passphrase(passphrase_file.as_deref(), DEPT_ENV)?;
            let dept = DepartmentKey::open(&dir, pass.as_deref())?;
            let list = dept.revoke(&who, reason.as_deref(), SystemClock.now())?;
            // A station in this data directory that trusts this department learns it at once.
            let files = StationFiles::in_dir(&ctx.data_dir);
            if files.department()?.is_some_and(|d| d.did == dept.info.did) {
                files.install_revocations(&list)?;
            }
            if ctx.json {
                output::json(&list);
            } else {
                println!("revoked {who}; the signed list is {}", dir.join("revocations.json").display());
            }
        }
        DeptCommand::ExportPack { out, rubric, url, did_web, dept_dir: dir, passphrase_file } => {
            let dir = dept_dir(dir, &ctx.data_dir);
            let pass = passphrase(passphrase_file.as_deref(), DEPT_ENV)?;
            let dept = DepartmentKey::open(&dir, pass.as_deref())?;
            let chosen = if rubric.is_empty() {
                let (all, problems) = rubrics::catalogue(&ctx.data_dir);
                // (A damaged imported pack is another department's problem, not this export's.)
                if let Some(p) = problems.into_iter().find(|p| !matches!(p, StationError::Trust(_))) {
                    // A signed pack must not silently leave out a rubric the department uses.
                    return Err(anyhow::anyhow!("{p}; fix it, or name the rubrics to export with --rubric").into());
                }
                // Another department's rubrics are theirs to export.
                all.into_iter().filter(|r| !matches!(r.origin, rubrics::Origin::Imported(_))).collect()
            } else {
                rubric.iter().map(|r| rubrics::find(&ctx.data_dir, r)).collect::<Result<Vec<_>, _>>()?
            };
            let options = PackOptions { url, did_web };
            let pack = packs::export(&dept, &chosen, &options, SystemClock.now())?;
            let text = serde_json::to_string_pretty(&pack).expect("packs serialise");
            std::fs::write(&out, format!("{text}\n"))
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            if ctx.json {
                output::json(&serde_json::json!({
                    "pack": out,
                    "did": dept.info.did,
                    "name": dept.info.name,
                    "rubrics": chosen.iter().map(|r| format!("{} {}", r.rubric.id, r.rubric.version)).collect::<Vec<_>>(),
                }));
            } else {
                println!("rubric pack of {:?} written to {}", dept.info.name, out.display());
                for r in &chosen {
                    println!("  {} {}  {}", r.rubric.id, r.rubric.version, r.rubric.title);
                }
                println!("its key: {}", dept.info.did);
                println!("tell the other department this key by another channel (phone, letter), so they can check the pack is yours");
            }
        }
    }
    Ok(())
}
