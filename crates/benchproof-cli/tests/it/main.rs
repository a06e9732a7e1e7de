//! The real `benchproof` binary on fixture rubrics and scripts, in temporary data directories.

mod assessments;
mod bad_input;
mod bundles;
mod rubrics;
mod schedule;
mod server;
mod trust;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn fixture(rel: &str) -> PathBuf {
    repo().join("fixtures").join(rel)
}

/// Runs `benchproof --data-dir DIR ARGS…` with no BENCHPROOF_HOME leaking in.
pub fn bp(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_benchproof"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("BENCHPROOF_HOME")
        .output()
        .expect("the benchproof binary runs")
}

/// `benchproof` with the department and proctor passphrases in the environment, as an operator's
/// script would pass them.
pub fn bpp(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_benchproof"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("BENCHPROOF_HOME")
        .env("BENCHPROOF_DEPT_PASSPHRASE", "department passphrase")
        .env("BENCHPROOF_PROCTOR_PASSPHRASE", "proctor pin 4711")
        .output()
        .expect("the benchproof binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}
