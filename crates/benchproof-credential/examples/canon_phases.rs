//! Where the time of one credential canonicalisation goes (a profile in numbers, for
//! docs/performance.md §5): the fast path and its expansion share, the general path and its
//! expansion share, the proof configuration, and a whole issue. Run: `cargo run --release -p benchproof-credential --example canon_phases`.
#![allow(clippy::print_stdout)]
use benchproof_credential::badge::{
    self, AchievementType, BadgeInput, Disclosure, EvidenceItem, IdentityType, StatusRef, StepResult, Student,
};
use benchproof_credential::contexts::ContextSet;
use benchproof_credential::digest::sha256;
use benchproof_credential::issuer::Issuer;
use benchproof_credential::rdfc::{
    canonicalize, canonicalize_fast, canonicalize_general, fast_expansion_only, TermPolicy,
};
use benchproof_domain::assessment::Verdict;
use benchproof_domain::scoring::Outcome;
use benchproof_evidence::{SigningKey, XsdDateTime};
use futures_executor::block_on;
use json_ld::{syntax::Parse, Expand};
use std::path::Path;
use std::time::Instant;
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

fn time(name: &str, n: u32, mut f: impl FnMut()) {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    println!("{name:<52} {:>9.3} ms", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let key = SigningKey::from_seed_bytes(&[9; 32]).unwrap();
    let input = input(&key, &repo);
    let doc = badge::build(&input).unwrap();
    let cs = ContextSet::standard();
    let safe = TermPolicy::Safe;
    let canon = canonicalize(&doc, cs, safe).unwrap();
    assert_eq!(canonicalize_fast(&doc, cs, safe), Some(Ok(canon.clone())), "the fast path answers");
    println!("quads: {}", canon.lines().count());
    // Warm both paths (compiled contexts, processed active context) before timing.
    canonicalize_general(&doc, cs, safe).unwrap();
    time("canonicalize(document), fast path", 500, || {
        canonicalize(&doc, cs, safe).unwrap();
    });
    time("  of which expansion + quads (fast path)", 500, || {
        fast_expansion_only(&doc, cs, safe).unwrap();
    });
    time("canonicalize(document), general path", 20, || {
        canonicalize_general(&doc, cs, safe).unwrap();
    });
    let ctx = doc["@context"].clone();
    let mut body = doc.as_object().unwrap().clone();
    body.remove("@context");
    let (json, _) = json_ld::syntax::Value::parse_str(&serde_json::Value::Object(body).to_string()).unwrap();
    time("  of which json-ld expansion (cached context)", 20, || {
        let a = cs.active_context(&ctx).unwrap();
        block_on(json.expand_full(&mut (), a, None, cs, json_ld::expansion::Options::default(), ())).unwrap();
    });
    let cfg = serde_json::json!({"@context": ctx, "type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","created":"2026-03-01T09:30:00Z","verificationMethod":"did:key:z6Mk#z6Mk","proofPurpose":"assertionMethod"});
    time("canonicalize(proof configuration), fast path", 500, || {
        canonicalize(&cfg, cs, safe).unwrap();
    });
    time("badge::issue (build + 2 canonicalisations + sign)", 200, || {
        badge::issue(&input, &key).unwrap();
    });
}
