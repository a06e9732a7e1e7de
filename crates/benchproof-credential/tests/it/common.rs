//! Shared helpers: fixture paths, the W3C examples context, a fixed key.

use std::path::{Path, PathBuf};

use benchproof_credential::contexts::ContextSet;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of the W3C vectors (fixtures/vectors/w3c-vc-di-eddsa).
pub fn vector(name: &str) -> String {
    let path = repo().join("fixtures/vectors/w3c-vc-di-eddsa").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The standard contexts plus the VC examples v2 context the W3C vectors use.
pub fn with_examples() -> ContextSet {
    ContextSet::standard()
        .clone()
        .with_document("https://www.w3.org/ns/credentials/examples/v2", &vector("credentials-examples-v2.jsonld"))
        .unwrap()
}

use benchproof_credential::badge::{
    AchievementType, BadgeInput, Disclosure, EvidenceItem, IdentityType, StatusRef, StepResult, Student,
};
use benchproof_credential::digest::sha256;
use benchproof_credential::issuer::Issuer;
use benchproof_domain::assessment::Verdict;
use benchproof_domain::rubric::Rubric;
use benchproof_domain::scoring::Outcome;
use benchproof_evidence::{SigningKey, XsdDateTime};

/// The shipped oscilloscope rubric (it has steps with and without levels).
pub fn rubric() -> Rubric {
    let path = repo().join("assets/rubrics/oscilloscope-setup-measurement.toml");
    benchproof_domain::rubric::parse("oscilloscope-setup-measurement.toml", &std::fs::read_to_string(path).unwrap())
        .unwrap()
}

/// The department key (a fixed seed, so runs are reproducible).
pub fn department_key() -> SigningKey {
    SigningKey::from_seed_bytes(&[42; 32]).unwrap()
}

/// A time stamp.
pub fn at(text: &str) -> XsdDateTime {
    XsdDateTime::parse_stamp(text).unwrap()
}

/// The bytes of the "bundle" evidence in [`input`].
pub const BUNDLE_BYTES: &[u8] = b"pretend this is a sealed BagIt zip";
/// The bytes of the snippet evidence in [`input`].
pub const SNIPPET_BYTES: &[u8] = b"pretend this is an MP4 snippet";
/// The status list URL used by [`input`].
pub const LIST_URL: &str = "https://physics.example.edu/credentials/status/1";

/// A passed assessment of [`rubric`] by student `s1234567`, every step passed, levels where the
/// step has them.
pub fn input(key: &SigningKey) -> BadgeInput {
    let rubric = rubric();
    let steps = rubric
        .steps
        .iter()
        .map(|s| StepResult {
            step: s.id.clone(),
            verdict: Some(Verdict::Pass),
            level: s.levels.last().map(|l| l.name.clone()),
        })
        .collect();
    BadgeInput {
        credential_id: uuid::Uuid::parse_str("0193f6a0-0000-7000-8000-000000000001").unwrap(),
        issuer: Issuer::with_did_key(key, "Physics Teaching Lab", "https://physics.example.edu/"),
        valid_from: at("2026-03-01T09:30:00Z"),
        valid_until: Some(at("2031-03-01T09:30:00Z")),
        student: Student {
            identifier: "s1234567".into(),
            identity_type: IdentityType::StudentId,
            disclosure: Disclosure::Hashed { salt: "5b1f0c3e9d2a4b6c".into() },
        },
        rubric_url: format!("https://physics.example.edu/rubrics/{}/{}", rubric.id, rubric.version),
        rubric,
        achievement_type: AchievementType::Competency,
        outcome: Outcome::Passed,
        steps,
        evidence: vec![
            EvidenceItem {
                url: "https://physics.example.edu/review/4f1c2d/bundle".into(),
                name: "Evidence bundle".into(),
                narrative: "The sealed, signed evidence bundle of the assessment.".into(),
                sha256: sha256(BUNDLE_BYTES),
            },
            EvidenceItem {
                url: "https://physics.example.edu/review/4f1c2d/snippets/1".into(),
                name: "Snippet: set the timebase (video)".into(),
                narrative: "Video around the proctor's tick of the timebase step.".into(),
                sha256: sha256(SNIPPET_BYTES),
            },
        ],
        status: Some(StatusRef { list_url: LIST_URL.into(), index: 94_567 }),
    }
}

/// Runs `node SCRIPT args…` in tests/interop/credentials with `stdin`, returning stdout.
pub fn node(script: &str, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let dir = repo().join("tests/interop/credentials");
    assert!(
        dir.join("node_modules").is_dir(),
        "tests/interop/credentials/node_modules is missing: run scripts/setup (npm ci there) first"
    );
    let mut child = std::process::Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node is installed (scripts/setup)");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "node {script} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}
