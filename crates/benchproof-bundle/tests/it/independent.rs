//! The `eddsa-jcs-2022` proofs of the committed golden bundles, checked by an implementation that
//! shares no code with this workspace: `tests/independent/verify-eddsa-jcs.mjs` (Node.js), which
//! verifies every proof both with its own reading of the W3C algorithm (RFC 8785 `canonicalize`,
//! node:crypto) and with Digital Bazaar's `@digitalbazaar/eddsa-jcs-2022-cryptosuite`.
//! Needs `node` and `tests/independent/node_modules`, which `scripts/setup` installs: without them
//! these tests fail, they never skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::golden;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The files of a committed golden bundle, by path inside the bag (`data/assessment.json`, …).
fn bundle_file(bundle: &str, path: &str) -> Vec<u8> {
    let zip = std::fs::read(repo_root().join("fixtures/bundles").join(bundle))
        .unwrap_or_else(|e| panic!("fixtures/bundles/{bundle}: {e}"));
    let (_, files) = golden::unzip(&zip);
    files.into_iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("{bundle} has no {path}")).1
}

/// Runs the independent verifier on `files`: (exit code, stdout followed by stderr).
fn verify(files: &[PathBuf]) -> (i32, String) {
    let root = repo_root();
    let dir = root.join("tests/independent");
    let setup = "run scripts/setup to install the independent eddsa-jcs-2022 verifier";
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("`node --version` failed ({}): {setup}", out.status),
        Err(e) => panic!("Node.js (`node`) is not available ({e}): {setup}"),
    }
    assert!(dir.join("node_modules").is_dir(), "{} is missing: {setup}", dir.join("node_modules").display());
    let out = Command::new("node")
        .current_dir(&root)
        .arg("tests/independent/verify-eddsa-jcs.mjs")
        .args(files)
        .output()
        .expect("running node tests/independent/verify-eddsa-jcs.mjs");
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or_else(|| panic!("verifier killed: {}\n{output}", out.status)), output)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn verified_lines(stdout: &str) -> usize {
    stdout.lines().filter(|l| l.starts_with("verified ")).count()
}

#[test]
fn golden_bundle_proofs_verify_independently() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        write(dir.path(), "assessment.json", &bundle_file("valid.zip", "data/assessment.json")),
        write(dir.path(), "station.json", &bundle_file("valid.zip", "data/enrolments/station.json")),
        write(dir.path(), "proctor.json", &bundle_file("valid.zip", "data/enrolments/proctor.json")),
    ];
    let (code, stdout) = verify(&files);
    assert_eq!(code, 0, "the independent verifier rejected valid.zip's proofs:\n{stdout}");
    // The assessment's proof set (station, proctor) and one department proof per enrolment.
    assert_eq!(verified_lines(&stdout), 4, "{stdout}");
    assert!(stdout.contains("4 proofs verified, 0 failed"), "{stdout}");
    for line in stdout.lines().filter(|l| l.starts_with("verified ")) {
        assert!(line.contains("[w3c: ok; digitalbazaar: ok]"), "{line}");
    }
}

#[test]
fn w3c_vector_verifies_independently() {
    let vector = repo_root().join("fixtures/vectors/eddsa-jcs-2022/signedJCS.json");
    let (code, stdout) = verify(&[vector]);
    assert_eq!(code, 0, "the independent verifier rejected the W3C vector:\n{stdout}");
    assert_eq!(verified_lines(&stdout), 1, "{stdout}");
    assert!(stdout.contains("1 proofs verified, 0 failed"), "{stdout}");
}

#[test]
fn tampered_assessments_are_rejected_independently() {
    let dir = tempfile::tempdir().unwrap();

    // Another student: both proofs of the set must fail.
    let mut assessment: Value = serde_json::from_slice(&bundle_file("valid.zip", "data/assessment.json")).unwrap();
    assert_eq!(assessment["student"], "S-2026-0042");
    assessment["student"] = Value::from("S-2026-0043");
    let student = write(dir.path(), "student-changed.json", &serde_json::to_vec_pretty(&assessment).unwrap());
    let (code, stdout) = verify(&[student]);
    assert_eq!(code, 1, "a changed student was accepted:\n{stdout}");
    assert!(stdout.contains("0 proofs verified, 2 failed"), "{stdout}");

    // The committed proof-value-replaced bundle's assessment.
    let replaced = write(
        dir.path(),
        "proof-value-replaced.json",
        &bundle_file("proof-value-replaced.zip", "data/assessment.json"),
    );
    let (code, stdout) = verify(&[replaced]);
    assert_eq!(code, 1, "a replaced proofValue was accepted:\n{stdout}");
    assert!(stdout.contains("FAILED "), "{stdout}");
    assert!(!stdout.contains(" 0 failed"), "{stdout}");
}
