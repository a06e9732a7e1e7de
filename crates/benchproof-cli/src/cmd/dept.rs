use std::path::PathBuf;

use benchproof_station::trust::{DepartmentKey, StationFiles};
use benchproof_station::Clock as _;
use benchproof_station::SystemClock;
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
    }
    Ok(())
}
