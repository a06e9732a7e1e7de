use std::path::PathBuf;

use benchproof_domain::Timestamp;
use benchproof_station::trust::{DepartmentKey, StationFiles};
use benchproof_station::{Clock as _, SystemClock};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::cmd::keys::{dept_dir, passphrase, required, DEPT_ENV, PROCTOR_ENV};
use crate::exit::CliResult;
use crate::output;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum EnrolCommand {
    /// Enrol this station (DATA_DIR): create its key if needed and install its enrolment
    Station {
        /// A name for the station, e.g. "Bench 3, room B12"
        #[arg(long)]
        name: String,
        #[command(flatten)]
        dept: DeptArgs,
    },
    /// Enrol a proctor on this station: a key sealed with their passphrase, and its enrolment
    Proctor {
        /// The proctor's name (they sign in with it)
        #[arg(long)]
        name: String,
        /// File whose first line is the proctor's passphrase or PIN [or $BENCHPROOF_PROCTOR_PASSPHRASE]
        #[arg(long, value_name = "FILE")]
        proctor_passphrase_file: Option<PathBuf>,
        #[command(flatten)]
        dept: DeptArgs,
    },
}

#[derive(Debug, Args)]
pub struct DeptArgs {
    /// The department folder [default: DATA_DIR/department]
    #[arg(long, value_name = "DIR")]
    dept_dir: Option<PathBuf>,
    /// File whose first line is the department passphrase [or $BENCHPROOF_DEPT_PASSPHRASE]
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// How long the enrolment is valid, in days
    #[arg(long, default_value_t = 365)]
    valid_days: i64,
}

#[derive(Serialize)]
struct Enrolled {
    role: &'static str,
    name: String,
    did: String,
    valid_until: Timestamp,
}

pub fn run(ctx: &Context, cmd: EnrolCommand) -> CliResult {
    let files = StationFiles::in_dir(&ctx.data_dir);
    let (dept, name) = match &cmd {
        EnrolCommand::Station { dept, name } | EnrolCommand::Proctor { dept, name, .. } => (dept, name.clone()),
    };
    let pass = passphrase(dept.passphrase_file.as_deref(), DEPT_ENV)?;
    let department = DepartmentKey::open(&dept_dir(dept.dept_dir.clone(), &ctx.data_dir), pass.as_deref())?;
    let now = SystemClock.now();
    // Valid from a day back: a station's clock may lag the department's, and an assessment in
    // progress when the enrolment arrives must still be covered.
    let from = now.plus_millis(-86_400_000);
    let until = now.plus_millis(dept.valid_days.max(1) * 86_400_000);
    let enrolled = match cmd {
        EnrolCommand::Station { .. } => {
            let key = files.station_key()?;
            let record =
                department.enrol(&key.did_key(), benchproof_evidence::enrolment::Role::Station, &name, from, until)?;
            files.install_station_enrolment(&department.info, &record)?;
            Enrolled { role: "station", name, did: key.did_key().to_string(), valid_until: until }
        }
        EnrolCommand::Proctor { proctor_passphrase_file, .. } => {
            let pin = passphrase(proctor_passphrase_file.as_deref(), PROCTOR_ENV)?;
            let pin = required(pin, "--proctor-passphrase-file", PROCTOR_ENV)?;
            let (_, did) = files.add_proctor(&department, &name, &pin, (from, until))?;
            Enrolled { role: "proctor", name, did: did.to_string(), valid_until: until }
        }
    };
    if ctx.json {
        output::json(&enrolled);
    } else {
        println!("enrolled {} {:?} as {} until {}", enrolled.role, enrolled.name, enrolled.did, enrolled.valid_until);
    }
    Ok(())
}
