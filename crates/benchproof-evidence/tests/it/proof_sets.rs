//! Proof sets (independent proofs over the same document) and proof chains (`previousProof`).

use benchproof_evidence::data_integrity::{hash_data, unsecured_document, MalformedProof};
use benchproof_evidence::jcs::canonicalize;
use benchproof_evidence::{
    add_proof, create_proof, find_proof, find_proofs, secure_document, verify, verify_all, verify_proof_at, ProofCheck,
    ProofError, ProofOptions, ProofQuery, VerifyError, VerifyOptions,
};
use serde_json::{json, Value};

use crate::{key, time};

fn document() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:bench",
        "credentialSubject": {"id": "did:example:candidate", "competency": "soldering", "outcome": "pass"}
    })
}

fn options(n: u8) -> ProofOptions {
    ProofOptions::assertion(&key(n)).with_created(time("2026-03-01T09:30:00Z"))
}

/// Two keys sign the document as a proof set.
fn two_signers() -> Value {
    let once = add_proof(&document(), &key(1), &options(1)).unwrap();
    add_proof(&once, &key(2), &options(2)).unwrap()
}

fn outcomes(doc: &Value) -> Vec<Result<(), VerifyError>> {
    verify_all(doc, &VerifyOptions::default()).unwrap().into_iter().map(|c| c.outcome.map(|_| ())).collect()
}

#[test]
fn both_proofs_of_a_set_verify() {
    let doc = two_signers();
    let proofs = doc["proof"].as_array().unwrap();
    assert_eq!(proofs.len(), 2);
    let checks = verify_all(&doc, &VerifyOptions::default()).unwrap();
    assert!(checks.iter().all(ProofCheck::is_verified), "{checks:?}");
    assert_eq!(checks[0].outcome.as_ref().unwrap().signer, key(1).did_key());
    assert_eq!(checks[1].outcome.as_ref().unwrap().signer, key(2).did_key());
    assert_eq!(checks[1].verification_method.as_deref(), Some(key(2).verification_method_id().as_str()));
    // Each proof covers the document without any proof: it is the proof a lone signer makes.
    for (n, proof) in [(1, &proofs[0]), (2, &proofs[1])] {
        assert_eq!(Value::Object(create_proof(&document(), &key(n), &options(n)).unwrap()), *proof);
    }
    assert_eq!(verify(&doc, &VerifyOptions::default()), Err(VerifyError::NotASingleProof { count: 2 }));
    assert_eq!(verify_proof_at(&doc, 1, &VerifyOptions::default()).unwrap().signer, key(2).did_key());
    assert_eq!(
        verify_proof_at(&doc, 2, &VerifyOptions::default()),
        Err(VerifyError::NoSuchProof { index: 2, count: 2 })
    );
}

#[test]
fn signers_can_add_proofs_in_any_order() {
    let a = two_signers();
    let b = add_proof(&add_proof(&document(), &key(2), &options(2)).unwrap(), &key(1), &options(1)).unwrap();
    let mut reversed = a["proof"].as_array().unwrap().clone();
    reversed.reverse();
    assert_eq!(b["proof"], Value::Array(reversed));
    // A single proof object (from secure_document) is extended into a set.
    let single = secure_document(&document(), &key(1), &options(1)).unwrap();
    assert!(single["proof"].is_object());
    assert_eq!(add_proof(&single, &key(2), &options(2)).unwrap(), a);
}

#[test]
fn removing_a_proof_value_is_detected_per_proof() {
    let mut doc = two_signers();
    doc["proof"][1].as_object_mut().unwrap().remove("proofValue");
    assert_eq!(outcomes(&doc), vec![Ok(()), Err(MalformedProof::Missing("proofValue").into())]);
}

#[test]
fn swapping_proof_values_is_detected_per_proof() {
    let mut doc = two_signers();
    let first = doc["proof"][0]["proofValue"].clone();
    doc["proof"][0]["proofValue"] = doc["proof"][1]["proofValue"].clone();
    doc["proof"][1]["proofValue"] = first;
    assert_eq!(outcomes(&doc), vec![Err(VerifyError::InvalidSignature), Err(VerifyError::InvalidSignature)]);
}

#[test]
fn replacing_one_proof_value_is_detected_per_proof() {
    let mut doc = two_signers();
    // A valid signature by key 2, but over another document.
    let other = add_proof(&json!({"something": "else"}), &key(2), &options(2)).unwrap();
    doc["proof"][1]["proofValue"] = other["proof"][0]["proofValue"].clone();
    assert_eq!(outcomes(&doc), vec![Ok(()), Err(VerifyError::InvalidSignature)]);
    // Re-signing key 1's proof options with key 2 does not pass as key 1.
    let mut doc = two_signers();
    let forged = create_proof(&document(), &key(2), &options(2)).unwrap();
    doc["proof"][0]["proofValue"] = forged["proofValue"].clone();
    assert_eq!(outcomes(&doc), vec![Err(VerifyError::InvalidSignature), Ok(())]);
}

#[test]
fn changing_the_document_breaks_every_proof() {
    let mut doc = two_signers();
    doc["credentialSubject"]["outcome"] = json!("fail");
    assert_eq!(outcomes(&doc), vec![Err(VerifyError::InvalidSignature), Err(VerifyError::InvalidSignature)]);
}

#[test]
fn finding_proofs_by_method_purpose_and_id() {
    let once = add_proof(&document(), &key(1), &options(1).with_id("urn:uuid:p1")).unwrap();
    let auth = ProofOptions::new(key(2).verification_method_id(), "authentication").with_id("urn:uuid:p2");
    let doc = add_proof(&once, &key(2), &auth).unwrap();
    let vm2 = key(2).verification_method_id();
    let by_vm = ProofQuery { verification_method: Some(&vm2), ..Default::default() };
    assert_eq!(find_proof(&doc, &by_vm).map(|(i, _)| i), Some(1));
    let by_purpose = ProofQuery { proof_purpose: Some("assertionMethod"), ..Default::default() };
    let (i, proof) = find_proof(&doc, &by_purpose).unwrap();
    assert_eq!((i, proof["id"].as_str()), (0, Some("urn:uuid:p1")));
    let none = ProofQuery { verification_method: Some(&vm2), proof_purpose: Some("assertionMethod"), id: None };
    assert!(find_proof(&doc, &none).is_none());
    assert_eq!(find_proofs(&doc, &ProofQuery::default()).len(), 2);
    assert_eq!(find_proofs(&document(), &ProofQuery::default()).len(), 0);
    let by_id = ProofQuery { id: Some("urn:uuid:p2"), ..Default::default() };
    let (i, _) = find_proof(&doc, &by_id).unwrap();
    assert_eq!(verify_proof_at(&doc, i, &VerifyOptions::default()).unwrap().proof_purpose, "authentication");
    // Verifying with an expected purpose selects per proof.
    let expect_assertion =
        VerifyOptions { expected_proof_purpose: Some("assertionMethod".into()), ..Default::default() };
    let checks = verify_all(&doc, &expect_assertion).unwrap();
    assert!(checks[0].is_verified());
    assert!(matches!(checks[1].outcome, Err(VerifyError::ProofPurposeMismatch { .. })));
}

#[test]
fn creation_errors() {
    let single = secure_document(&document(), &key(1), &options(1)).unwrap();
    assert_eq!(create_proof(&single, &key(2), &options(2)), Err(ProofError::DocumentHasProof));
    assert_eq!(create_proof(&json!("text"), &key(1), &options(1)), Err(ProofError::DocumentNotObject));
    assert_eq!(add_proof(&json!({"proof": 3}), &key(1), &options(1)), Err(ProofError::MalformedProofSet));
    assert!(matches!(create_proof(&document(), &key(1), &options(2)), Err(ProofError::KeyMismatch { .. })));
    let no_tz = options(1).with_created(benchproof_evidence::XsdDateTime::parse("2026-03-01T09:30:00").unwrap());
    assert_eq!(
        create_proof(&document(), &key(1), &no_tz),
        Err(ProofError::TimezoneRequired { field: "created", value: "2026-03-01T09:30:00".into() })
    );
    let with_id = add_proof(&document(), &key(1), &options(1).with_id("urn:uuid:p1")).unwrap();
    assert_eq!(
        add_proof(&with_id, &key(2), &options(2).with_id("urn:uuid:p1")),
        Err(ProofError::DuplicateProofId { id: "urn:uuid:p1".into() })
    );
    assert_eq!(
        add_proof(&with_id, &key(2), &options(2).with_previous_proof("urn:uuid:nope")),
        Err(ProofError::PreviousProofNotFound { id: "urn:uuid:nope".into() })
    );
}

#[test]
fn expiry_domain_and_challenge() {
    let opts = options(1)
        .with_expires(time("2026-03-02T00:00:00Z"))
        .with_domain(vec!["bench.example".to_owned(), "lab.example".to_owned()])
        .with_challenge("c-123")
        .with_nonce("n-1");
    let doc = add_proof(&document(), &key(1), &opts).unwrap();
    let ok = VerifyOptions {
        domain: Some("lab.example".into()),
        challenge: Some("c-123".into()),
        now: Some(time("2026-03-01T23:00:00-01:00")),
        ..Default::default()
    };
    verify(&doc, &ok).unwrap();
    let late = VerifyOptions { now: Some(time("2026-03-02T00:00:01Z")), ..Default::default() };
    assert_eq!(
        verify(&doc, &late),
        Err(VerifyError::Expired { expires: "2026-03-02T00:00:00Z".into(), now: "2026-03-02T00:00:01Z".into() })
    );
    let wrong_domain = VerifyOptions { domain: Some("evil.example".into()), ..Default::default() };
    assert!(matches!(verify(&doc, &wrong_domain), Err(VerifyError::DomainMismatch { .. })));
    let wrong_challenge = VerifyOptions { challenge: Some("c-124".into()), ..Default::default() };
    assert_eq!(
        verify(&doc, &wrong_challenge),
        Err(VerifyError::ChallengeMismatch { expected: "c-124".into(), found: Some("c-123".into()) })
    );
}

/// A chain: p1, p2 independent; p3 endorses both; p4 endorses p3.
fn chain() -> Value {
    let d = add_proof(&document(), &key(1), &options(1).with_id("urn:uuid:p1")).unwrap();
    let d = add_proof(&d, &key(2), &options(2).with_id("urn:uuid:p2")).unwrap();
    let d = add_proof(
        &d,
        &key(3),
        &options(3)
            .with_id("urn:uuid:p3")
            .with_previous_proof(vec!["urn:uuid:p1".to_owned(), "urn:uuid:p2".to_owned()]),
    )
    .unwrap();
    add_proof(&d, &key(4), &options(4).with_previous_proof("urn:uuid:p3")).unwrap()
}

#[test]
fn proof_chain_verifies() {
    let doc = chain();
    let checks = verify_all(&doc, &VerifyOptions::default()).unwrap();
    assert!(checks.iter().all(ProofCheck::is_verified), "{checks:?}");
    assert_eq!(checks[3].outcome.as_ref().unwrap().previous_proof, vec!["urn:uuid:p3".to_owned()]);
    // p3 signed the document with `proof` = [p1, p2] (the W3C chain construction).
    let p3 = doc["proof"][2].as_object().unwrap();
    let mut config = p3.clone();
    config.remove("proofValue");
    let mut signed = unsecured_document(&doc);
    signed["proof"] = json!([doc["proof"][0], doc["proof"][1]]);
    let hash = hash_data(&canonicalize(&Value::Object(config)).unwrap(), &canonicalize(&signed).unwrap());
    let sig = benchproof_evidence::multibase::decode_base58btc(p3["proofValue"].as_str().unwrap()).unwrap();
    key(3).public_key().verify(&hash, &sig).unwrap();
}

#[test]
fn chain_breaks_are_reported() {
    // A changed link invalidates it and everything after it.
    let mut doc = chain();
    doc["proof"][1]["created"] = json!("2026-03-01T09:31:00Z");
    assert_eq!(
        outcomes(&doc),
        vec![
            Ok(()),
            Err(VerifyError::InvalidSignature),
            Err(VerifyError::InvalidSignature), // p3 signed over the original p2
            // p3 itself is unchanged, so p4's own signature holds, but its chain does not.
            Err(VerifyError::PreviousProofInvalid { id: "urn:uuid:p3".into() }),
        ]
    );
    // A link removed: the proofs that name it cannot be verified.
    let mut doc = chain();
    doc["proof"].as_array_mut().unwrap().remove(0);
    assert_eq!(
        outcomes(&doc),
        vec![
            Ok(()),
            Err(VerifyError::PreviousProofNotFound { id: "urn:uuid:p1".into() }),
            Err(VerifyError::PreviousProofInvalid { id: "urn:uuid:p3".into() }),
        ]
    );
    // Swapped proof values: p1 fails, and p3 (which covered the original p1) fails on its own.
    let mut doc = chain();
    doc["proof"][0]["proofValue"] = doc["proof"][1]["proofValue"].clone();
    let results = outcomes(&doc);
    assert_eq!(results[..3], [Err(VerifyError::InvalidSignature), Ok(()), Err(VerifyError::InvalidSignature)]);
}

#[test]
fn a_failing_link_fails_the_proofs_that_depend_on_it() {
    // p1 is an authentication proof; a verifier expecting assertionMethod refuses it, and with it
    // p3 and p4, whose own signatures are fine.
    let auth = ProofOptions::new(key(1).verification_method_id(), "authentication").with_id("urn:uuid:p1");
    let d = add_proof(&document(), &key(1), &auth).unwrap();
    let d = add_proof(&d, &key(2), &options(2).with_id("urn:uuid:p2")).unwrap();
    let d = add_proof(&d, &key(3), &options(3).with_id("urn:uuid:p3").with_previous_proof("urn:uuid:p1")).unwrap();
    let doc = add_proof(&d, &key(4), &options(4).with_previous_proof("urn:uuid:p3")).unwrap();
    assert!(verify_all(&doc, &VerifyOptions::default()).unwrap().iter().all(ProofCheck::is_verified));
    let expect = VerifyOptions { expected_proof_purpose: Some("assertionMethod".into()), ..Default::default() };
    let results: Vec<_> = verify_all(&doc, &expect).unwrap().into_iter().map(|c| c.outcome.map(|_| ())).collect();
    assert_eq!(
        results,
        vec![
            Err(VerifyError::ProofPurposeMismatch {
                expected: "assertionMethod".into(),
                found: "authentication".into()
            }),
            Ok(()),
            Err(VerifyError::PreviousProofInvalid { id: "urn:uuid:p1".into() }),
            Err(VerifyError::PreviousProofInvalid { id: "urn:uuid:p3".into() }),
        ]
    );
    assert_eq!(verify_proof_at(&doc, 3, &expect), Err(VerifyError::PreviousProofInvalid { id: "urn:uuid:p3".into() }));
}
