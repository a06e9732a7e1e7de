//! Credential sign + verify throughput against Digital Bazaar's JavaScript stack
//! (`@digitalbazaar/vc` + `eddsa-rdfc-2022-cryptosuite` on Node), measured in the same run on the
//! same credential. Run: `cargo bench -p benchproof-credential --bench sign_verify`.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use benchproof_credential::badge::{
    self, AchievementType, BadgeInput, Disclosure, EvidenceItem, IdentityType, StatusRef, StepResult, Student,
};
use benchproof_credential::digest::sha256;
use benchproof_credential::issuer::{Issuer, TrustedIssuers};
use benchproof_credential::{verify_credential, VerifyPolicy};
use benchproof_domain::assessment::Verdict;
use benchproof_domain::scoring::Outcome;
use benchproof_evidence::{SigningKey, XsdDateTime};

const SECONDS: u64 = 5;

fn input(key: &SigningKey, repo: &Path) -> BadgeInput {
    let text = std::fs::read_to_string(repo.join("assets/rubrics/oscilloscope-setup-measurement.toml")).unwrap();
    let rubric = benchproof_domain::rubric::parse("oscilloscope-setup-measurement.toml", &text).unwrap();
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
        valid_from: XsdDateTime::parse_stamp("2026-03-01T09:30:00Z").unwrap(),
        valid_until: None,
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
        evidence: (0..6)
            .map(|i| EvidenceItem {
                url: format!("https://physics.example.edu/review/4f1c2d/{i}"),
                name: format!("Evidence {i}"),
                narrative: "Snippet around a tick.".into(),
                sha256: sha256(&[i as u8]),
            })
            .collect(),
        status: Some(StatusRef { list_url: "https://physics.example.edu/status/1".into(), index: 94_567 }),
    }
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let key = SigningKey::from_seed_bytes(&[9; 32]).unwrap();
    let input = input(&key, &repo);
    let trusted = TrustedIssuers::new().with_did_key(&key.did_key());
    let policy = VerifyPolicy::new(&trusted, XsdDateTime::parse_stamp("2027-01-01T00:00:00Z").unwrap());
    let once = || {
        let vc = badge::issue(&input, &key).unwrap();
        verify_credential(&vc, &policy).unwrap();
    };
    once();
    let start = Instant::now();
    let mut ops = 0u64;
    while start.elapsed() < Duration::from_secs(SECONDS) {
        once();
        ops += 1;
    }
    let ours = ops as f64 / start.elapsed().as_secs_f64();

    let dir = repo.join("tests/interop/credentials");
    let unsigned = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(unsigned.path(), badge::build(&input).unwrap().to_string()).unwrap();
    let out = Command::new("node")
        .arg("bench.mjs")
        .arg(unsigned.path())
        .arg(SECONDS.to_string())
        .current_dir(&dir)
        .output()
        .expect("node is installed and tests/interop/credentials has node_modules (scripts/setup)");
    assert!(out.status.success(), "node bench.mjs failed: {}", String::from_utf8_lossy(&out.stderr));
    let js: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let theirs = js["ops"].as_f64().unwrap() / js["seconds"].as_f64().unwrap();

    println!(
        "credential sign + verify (eddsa-rdfc-2022, Open Badge with {} steps), {SECONDS} s each",
        input.rubric.steps.len()
    );
    println!("{:<44} {:>10}", "implementation", "ops/s");
    println!("{:<44} {:>10.1}", "benchproof-credential (Rust)", ours);
    println!("{:<44} {:>10.1}", "@digitalbazaar/vc 7 + eddsa-rdfc-2022 (Node)", theirs);
    println!("ratio: {:.1}x (goal >= 10x)", ours / theirs);
}
