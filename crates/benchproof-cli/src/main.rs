//! `benchproof`: the station and department tools without a display. One module per subcommand
//! under `cmd/`; all of them call `benchproof-station`, never the store or domain directly for
//! anything but reading.

// A command-line program's job is to print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cmd;
mod exit;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::Failure;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  checked and found wanting: an invalid bundle, rubric or event chain
  2  usage or input error: bad arguments, an unreadable or malformed file, an action the
     assessment's state refuses
  3  the data directory cannot be used: damaged, from a newer version, or the disk is full";

#[derive(Debug, Parser)]
#[command(name = "benchproof", version, about = "Evidence of practical lab skills, captured at the bench.", after_help = EXIT_CODES)]
pub struct Cli {
    /// Station data directory [default: $BENCHPROOF_HOME, else the OS's per-user data folder]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List, show and validate rubrics
    #[command(subcommand)]
    Rubric(cmd::rubric::RubricCommand),
    /// Run a scripted assessment (a TOML script of timed ticks, notes and evidence files)
    Assess(cmd::assess::AssessArgs),
    /// List and show the assessments on this station
    #[command(subcommand)]
    Assessment(cmd::assessment::AssessmentCommand),
    /// Check assessment event logs
    #[command(subcommand)]
    Log(cmd::log::LogCommand),
    /// Create a department, revoke an enrolment, or export a signed rubric pack
    #[command(subcommand)]
    Dept(cmd::dept::DeptCommand),
    /// Enrol this station or a proctor under the department key
    #[command(subcommand)]
    Enrol(cmd::enrol::EnrolCommand),
    /// Seal a finished assessment into a signed evidence bundle (BagIt zip) in the outbox
    Seal(cmd::seal::SealArgs),
    /// Verify a bundle: exit 0 valid, 1 invalid (with the reason), 2 usage or I/O error
    Verify(cmd::verify::VerifyArgs),
    /// Describe a bundle (student, rubric, steps, media, signers) without judging it
    Inspect(cmd::inspect::InspectArgs),
    /// Run the headless end-to-end demo on simulated devices
    Demo(cmd::demo::DemoArgs),
    /// List cameras (with formats) and microphones, and what stands in for missing ones
    Devices(cmd::devices::DevicesArgs),
    /// Run the department server: resumable uploads, verify on receipt, transparency log
    Serve(cmd::serve::ServeArgs),
    /// Set (or replace) a department server admin's password for the admin pages
    AdminPassword(cmd::serve::AdminPasswordArgs),
    /// Send sealed bundles to the department server and keep their receipts
    Sync(cmd::sync::SyncArgs),
    /// Micro-event slots downloaded from the department, and checking booked students in
    Schedule(cmd::schedule::ScheduleArgs),
    /// Issue (department) or verify an Open Badges 3.0 credential
    #[command(subcommand)]
    Credential(cmd::credential::CredentialCommand),
    /// Check a department server's receipt for a bundle, offline
    #[command(subcommand)]
    Receipt(cmd::receipt::ReceiptCommand),
    /// Fetch an instrument's screen and state over LXI/SCPI, list profiles, or simulate a scope
    #[command(subcommand)]
    Instrument(cmd::instrument::InstrumentCommand),
    /// Check the capture devices by recording a snippet
    #[command(subcommand)]
    Capture(cmd::capture::CaptureCommand),
    /// Trust another department: import its signed rubric pack, list or remove trusted departments
    #[command(subcommand)]
    Trust(cmd::trust::TrustCommand),
}

/// What every subcommand gets: where the data is and how to print.
#[derive(Debug)]
pub struct Context {
    pub data_dir: PathBuf,
    pub json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(data_dir) = cli.data_dir.clone().or_else(benchproof_station::default_data_dir) else {
        eprintln!("error: no data directory: pass --data-dir DIR or set BENCHPROOF_HOME");
        return ExitCode::from(2);
    };
    let ctx = Context { data_dir, json: cli.json };
    let result = match cli.command {
        Command::Rubric(c) => cmd::rubric::run(&ctx, c),
        Command::Assess(a) => cmd::assess::run(&ctx, a),
        Command::Assessment(c) => cmd::assessment::run(&ctx, c),
        Command::Log(c) => cmd::log::run(&ctx, c),
        Command::Dept(c) => cmd::dept::run(&ctx, c),
        Command::Enrol(c) => cmd::enrol::run(&ctx, c),
        Command::Seal(a) => cmd::seal::run(&ctx, a),
        Command::Verify(a) => cmd::verify::run(&ctx, a),
        Command::Inspect(a) => cmd::inspect::run(&ctx, a),
        Command::Demo(a) => cmd::demo::run(&ctx, a),
        Command::Devices(a) => cmd::devices::run(&ctx, a),
        Command::Capture(c) => cmd::capture::run(&ctx, c),
        Command::Serve(a) => cmd::serve::run(&ctx, a),
        Command::AdminPassword(a) => cmd::serve::admin_password(&ctx, a),
        Command::Sync(a) => cmd::sync::run(&ctx, a),
        Command::Schedule(a) => cmd::schedule::run(&ctx, a),
        Command::Instrument(c) => cmd::instrument::run(&ctx, c),
        Command::Receipt(c) => cmd::receipt::run(&ctx, c),
        Command::Credential(c) => cmd::credential::run(&ctx, c),
        Command::Trust(c) => cmd::trust::run(&ctx, c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { code, error }) => {
            if !error.to_string().is_empty() {
                eprintln!("error: {error:#}");
            }
            ExitCode::from(code)
        }
    }
}
