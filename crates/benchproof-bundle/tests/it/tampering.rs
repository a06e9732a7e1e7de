use std::path::{Path, PathBuf};

use benchproof_bagit::Limits;
use benchproof_bundle::{verify_path, Registry, Trust, VerifyError};
use benchproof_domain::{AssessmentId, Sha256};

use crate::golden::{self, keys};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bundles")
}

fn trust() -> Trust {
    Trust { department: keys().department.did_key(), revocations: None }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A registry that has already accepted the valid golden bundle.
struct Seen(AssessmentId, Sha256);

impl Registry for Seen {
    fn digest_of(&self, a: &AssessmentId) -> Option<Sha256> {
        (*a == self.0).then_some(self.1)
    }
}

#[test]
fn the_golden_bundle_verifies_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = golden::valid();
    assert_eq!(bytes, golden::valid(), "sealing the same inputs gives the same bytes");
    let path = write(dir.path(), "valid.zip", &bytes);
    let v = verify_path(&path, Some(&trust()), None, Limits::default(), |_| {}).unwrap();
    assert_eq!(v.document.student, "S-2026-0042");
    assert_eq!(v.document.outcome.points, 3);
    assert_eq!(v.document.steps[1].ticks, 2);
    assert_eq!(v.document.steps[1].evidence.len(), 2);
    // Without a trust root, nothing is trusted.
    assert!(matches!(verify_path(&path, None, None, Limits::default(), |_| {}), Err(VerifyError::NoTrustRoot)));
    // A revocation dated before the assessment withdraws the station's signature.
    let revoked = Trust { revocations: Some(golden::revocations(&keys())), ..trust() };
    match verify_path(&path, Some(&revoked), None, Limits::default(), |_| {}) {
        Err(VerifyError::Refused(r)) => assert!(r.reason.contains("station reported stolen"), "{}", r.reason),
        other => panic!("a revoked station was accepted: {other:?}"),
    }
}

#[test]
fn every_tampering_class_is_refused_with_its_own_reason() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "valid.zip", &golden::valid());
    let valid = verify_path(&good, Some(&trust()), None, Limits::default(), |_| {}).unwrap();
    let registry = Seen(valid.assessment, valid.digest);
    let mut reasons = std::collections::HashSet::new();
    for (name, bytes, check, words) in golden::tampered() {
        let path = write(dir.path(), name, &bytes);
        match verify_path(&path, Some(&trust()), Some(&registry), Limits::default(), |_| {}) {
            Err(VerifyError::Refused(r)) => {
                let got = serde_json::to_value(r.check).unwrap();
                assert_eq!(got, check, "{name}: refused by the wrong check: {}", r.reason);
                assert!(r.reason.contains(words), "{name}: reason {:?} lacks {words:?}", r.reason);
                assert!(reasons.insert(r.reason.clone()), "{name}: reason not distinct: {}", r.reason);
            }
            other => panic!("{name} was not refused: {other:?}"),
        }
    }
    assert_eq!(reasons.len(), 14);
}

#[test]
fn committed_golden_fixtures_are_pinned() {
    // Regenerate with: cargo run -p benchproof-bundle --example make-golden-bundles
    let mut all = vec![("valid.zip", golden::valid())];
    all.extend(golden::tampered().into_iter().map(|(n, b, _, _)| (n, b)));
    for (name, bytes) in all {
        let committed = std::fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("fixtures/bundles/{name}: {e}"));
        assert!(committed == bytes, "fixtures/bundles/{name} differs from what this code seals: the bundle format changed (add a new format version), or regenerate after an intended change");
    }
}
