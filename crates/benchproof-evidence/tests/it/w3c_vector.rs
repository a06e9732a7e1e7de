//! The W3C Data Integrity EdDSA Cryptosuites v1.0 `eddsa-jcs-2022` test vector, reproduced byte
//! for byte from the seed, and its signed document verified and tampered with.

use benchproof_evidence::data_integrity::{hash_data, MalformedProof, ResolveError};
use benchproof_evidence::did_key::{decode_public_key_multibase, decode_secret_key_multibase};
use benchproof_evidence::jcs::canonicalize;
use benchproof_evidence::multibase::{decode_base58btc, encode_base58btc};
use benchproof_evidence::{
    create_proof, secure_document, verify, DidKey, DidKeyError, ProofOptions, SigningKey, VerifyError, VerifyOptions,
};
use serde_json::{json, Value};

use crate::{hex, key, time};

const DIR: &str = "../../../../fixtures/vectors/eddsa-jcs-2022/";
const KEY_PAIR: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/keyPair.json");
const UNSIGNED: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/unsigned.json");
const PROOF_CONFIG: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/proofConfigJCS.json");
const CANON_DOC: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/canonDocJCS.txt");
const CANON_PROOF: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/proofCanonJCS.txt");
const DOC_HASH: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/docHashJCS.txt");
const PROOF_HASH: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/proofHashJCS.txt");
const COMBINED_HASH: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/combinedHashJCS.txt");
const SIG_HEX: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/sigHexJCS.txt");
const SIG_BTC58: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/sigBTC58JCS.txt");
const SIGNED: &str = include_str!("../../../../fixtures/vectors/eddsa-jcs-2022/signedJCS.json");

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("fixture in {DIR} is not JSON: {e}"))
}

fn key_pair() -> (String, String) {
    let kp = json(KEY_PAIR);
    (kp["publicKeyMultibase"].as_str().unwrap().to_owned(), kp["privateKeyMultibase"].as_str().unwrap().to_owned())
}

fn vector_key() -> SigningKey {
    SigningKey::from_secret_key_multibase(&key_pair().1).unwrap()
}

/// The proof options of the vector, without the `@context` that proofConfigJCS.json adds.
fn vector_options() -> ProofOptions {
    let config = json(PROOF_CONFIG);
    ProofOptions::new(config["verificationMethod"].as_str().unwrap(), config["proofPurpose"].as_str().unwrap())
        .with_created(time(config["created"].as_str().unwrap()))
}

#[test]
fn fixture_files_have_no_trailing_newline() {
    for text in [CANON_DOC, CANON_PROOF, DOC_HASH, PROOF_HASH, COMBINED_HASH, SIG_HEX, SIG_BTC58] {
        assert!(!text.ends_with('\n'));
    }
}

#[test]
fn key_pair_matches_its_multibase_forms() {
    let (public, secret) = key_pair();
    let key = vector_key();
    assert_eq!(key.public_key(), decode_public_key_multibase(&public).unwrap());
    assert_eq!(key.public_key().to_multibase(), public);
    assert_eq!(decode_secret_key_multibase(&secret).unwrap().to_multibase(), secret);
    assert_eq!(hex(key.public_key().as_bytes()), "b00d8d938e7f773d51565aad36a623f5344f7f5d1960f9cf3e8e12620ea2810f");
    assert_eq!(
        hex(decode_secret_key_multibase(&secret).unwrap().expose()),
        "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
    );
    let config = json(PROOF_CONFIG);
    assert_eq!(key.verification_method_id(), config["verificationMethod"].as_str().unwrap());
    assert_eq!(DidKey::parse(&format!("did:key:{public}")).unwrap(), key.did_key());
}

#[test]
fn canonical_document_and_its_hash() {
    let canon = canonicalize(&json(UNSIGNED)).unwrap();
    assert_eq!(String::from_utf8(canon.clone()).unwrap(), CANON_DOC);
    assert_eq!(hex(ring::digest::digest(&ring::digest::SHA256, &canon).as_ref()), DOC_HASH);
}

#[test]
fn canonical_proof_configuration_and_its_hash() {
    // The proof configuration built from the options and the document's @context...
    let mut config = vector_options().to_json();
    config.insert("@context".into(), json(UNSIGNED)["@context"].clone());
    assert_eq!(Value::Object(config.clone()), json(PROOF_CONFIG));
    // ...canonicalises to the published bytes.
    let canon = canonicalize(&Value::Object(config)).unwrap();
    assert_eq!(String::from_utf8(canon.clone()).unwrap(), CANON_PROOF);
    assert_eq!(hex(ring::digest::digest(&ring::digest::SHA256, &canon).as_ref()), PROOF_HASH);
}

#[test]
fn hash_data_is_proof_hash_then_document_hash() {
    let combined = hash_data(CANON_PROOF.as_bytes(), CANON_DOC.as_bytes());
    assert_eq!(hex(&combined), COMBINED_HASH);
    assert_eq!(COMBINED_HASH, format!("{PROOF_HASH}{DOC_HASH}"));
}

#[test]
fn signature_and_proof_value() {
    let combined = hash_data(CANON_PROOF.as_bytes(), CANON_DOC.as_bytes());
    let signature = vector_key().sign(&combined);
    assert_eq!(hex(&signature), SIG_HEX);
    assert_eq!(encode_base58btc(&signature), SIG_BTC58);
    assert_eq!(hex(&decode_base58btc(SIG_BTC58).unwrap()), SIG_HEX);
}

#[test]
fn created_proof_and_signed_document_equal_the_vector() {
    let key = vector_key();
    let proof = create_proof(&json(UNSIGNED), &key, &vector_options()).unwrap();
    assert_eq!(Value::Object(proof.clone()), json(SIGNED)["proof"]);
    assert_eq!(proof["proofValue"], SIG_BTC58);
    let signed = secure_document(&json(UNSIGNED), &key, &vector_options()).unwrap();
    assert_eq!(signed, json(SIGNED));
}

#[test]
fn vector_signed_document_verifies() {
    let verified = verify(&json(SIGNED), &VerifyOptions::default()).unwrap();
    assert_eq!(verified.signer.public_key_multibase(), key_pair().0);
    assert_eq!(verified.proof_purpose, "assertionMethod");
    assert_eq!(verified.created.as_deref(), Some("2023-02-24T23:36:38Z"));
    let expecting = VerifyOptions { expected_proof_purpose: Some("assertionMethod".into()), ..Default::default() };
    verify(&json(SIGNED), &expecting).unwrap();
}

/// The vector's signed document with `change` applied.
fn tampered(change: impl FnOnce(&mut Value)) -> Result<(), VerifyError> {
    let mut doc = json(SIGNED);
    change(&mut doc);
    verify(&doc, &VerifyOptions::default()).map(|_| ())
}

#[test]
fn tampering_with_the_document_is_detected() {
    let bad = Err(VerifyError::InvalidSignature);
    assert_eq!(tampered(|d| d["credentialSubject"]["alumniOf"] = json!("The School of Forgery")), bad);
    assert_eq!(tampered(|d| d["credentialSubject"]["id"] = json!("did:example:mallory")), bad);
    assert_eq!(tampered(|d| d["validFrom"] = json!("2022-01-01T00:00:00Z")), bad);
    assert_eq!(tampered(|d| d["extra"] = json!(true)), bad);
    assert_eq!(tampered(|d| _ = d.as_object_mut().unwrap().remove("description")), bad);
    // Whitespace and member order are not signed: a reserialised document still verifies.
    let reordered: Value = serde_json::from_str(&serde_json::to_string_pretty(&json(SIGNED)).unwrap()).unwrap();
    verify(&reordered, &VerifyOptions::default()).unwrap();
}

#[test]
fn tampering_with_the_proof_is_detected() {
    let bad = Err(VerifyError::InvalidSignature);
    assert_eq!(tampered(|d| d["proof"]["created"] = json!("2023-02-24T23:36:39Z")), bad);
    assert_eq!(tampered(|d| d["proof"]["proofPurpose"] = json!("authentication")), bad);
    assert_eq!(tampered(|d| d["proof"]["nonce"] = json!("1")), bad);
    // One character of the proofValue changed (still 64 bytes).
    assert_eq!(
        tampered(|d| {
            let pv = d["proof"]["proofValue"].as_str().unwrap();
            let i = 40;
            let c = if &pv[i..=i] == "a" { "b" } else { "a" };
            d["proof"]["proofValue"] = json!(format!("{}{c}{}", &pv[..i], &pv[i + 1..]));
        }),
        bad
    );
    // Another key named as the verification method.
    let other = key(9).verification_method_id();
    assert_eq!(tampered(|d| d["proof"]["verificationMethod"] = json!(other)), bad);
}

#[test]
fn malformed_or_unsupported_proofs_say_why() {
    assert_eq!(
        tampered(|d| d["proof"]["type"] = json!("Ed25519Signature2020")),
        Err(VerifyError::WrongProofType { found: "Ed25519Signature2020".into() })
    );
    assert_eq!(
        tampered(|d| d["proof"]["cryptosuite"] = json!("eddsa-rdfc-2022")),
        Err(VerifyError::UnsupportedCryptosuite { found: "eddsa-rdfc-2022".into() })
    );
    assert_eq!(
        tampered(|d| _ = d["proof"].as_object_mut().unwrap().remove("proofValue")),
        Err(MalformedProof::Missing("proofValue").into())
    );
    assert_eq!(
        tampered(|d| _ = d["proof"].as_object_mut().unwrap().remove("verificationMethod")),
        Err(MalformedProof::Missing("verificationMethod").into())
    );
    assert_eq!(
        tampered(|d| d["proof"]["proofPurpose"] = json!(7)),
        Err(MalformedProof::NotAString("proofPurpose").into())
    );
    assert!(matches!(
        tampered(|d| d["proof"]["created"] = json!("24 Feb 2023")),
        Err(VerifyError::Malformed(MalformedProof::InvalidDateTime { field: "created", .. }))
    ));
    assert!(matches!(
        tampered(|d| d["proof"]["proofValue"] = json!("u2HnFSSPPBzR36zdDgK8PbEHeXbR")),
        Err(VerifyError::Malformed(MalformedProof::ProofValueEncoding(_)))
    ));
    assert_eq!(
        tampered(|d| d["proof"]["proofValue"] = json!(encode_base58btc(&[1; 63]))),
        Err(MalformedProof::ProofValueLength { found: 63 }.into())
    );
    assert_eq!(tampered(|d| d["proof"] = json!("z2HnFS")), Err(MalformedProof::NotObjectOrArray.into()));
    assert_eq!(tampered(|d| _ = d.as_object_mut().unwrap().remove("proof")), Err(VerifyError::NoProof));
    assert_eq!(verify(&json!([1]), &VerifyOptions::default()), Err(VerifyError::DocumentNotObject));
}

#[test]
fn unresolvable_verification_methods() {
    assert_eq!(
        tampered(|d| d["proof"]["verificationMethod"] = json!("https://vc.example/issuers/5678#key-1")),
        Err(VerifyError::KeyNotResolvable {
            id: "https://vc.example/issuers/5678#key-1".into(),
            reason: ResolveError::UnsupportedMethod
        })
    );
    let (public, _) = key_pair();
    assert_eq!(
        tampered(|d| d["proof"]["verificationMethod"] = json!(format!("did:key:{public}#keys-1"))),
        Err(VerifyError::KeyNotResolvable {
            id: format!("did:key:{public}#keys-1"),
            reason: ResolveError::DidKey(DidKeyError::FragmentMismatch {
                key: public.clone(),
                fragment: "keys-1".into()
            })
        })
    );
    assert_eq!(
        tampered(|d| d["proof"]["proofPurpose"] = json!("keyAgreement")),
        Err(VerifyError::InvalidProofPurposeForVerificationMethod { purpose: "keyAgreement".into() })
    );
}

#[test]
fn proof_context_must_prefix_the_document_context() {
    // The document's @context changed under the proof.
    assert_eq!(
        tampered(|d| d["@context"] = json!(["https://www.w3.org/ns/credentials/v2"])),
        Err(VerifyError::ContextMismatch)
    );
    assert_eq!(
        tampered(|d| d["@context"] =
            json!(["https://www.w3.org/ns/credentials/examples/v2", "https://www.w3.org/ns/credentials/v2"])),
        Err(VerifyError::ContextMismatch)
    );
    assert_eq!(tampered(|d| _ = d.as_object_mut().unwrap().remove("@context")), Err(VerifyError::ContextMismatch));
    // A context appended after signing: the prefix still matches and the document is hashed
    // with the proof's @context, as the specification says, so the proof still verifies.
    assert_eq!(tampered(|d| d["@context"].as_array_mut().unwrap().push(json!("https://example.org/extra/v1"))), Ok(()));
    // The proof's own @context changed: the check passes, the signature does not.
    assert_eq!(
        tampered(|d| d["proof"]["@context"] = json!(["https://www.w3.org/ns/credentials/v2"])),
        Err(VerifyError::InvalidSignature)
    );
}

#[test]
fn verifier_expectations() {
    let doc = json(SIGNED);
    let purpose = VerifyOptions { expected_proof_purpose: Some("authentication".into()), ..Default::default() };
    assert_eq!(
        verify(&doc, &purpose),
        Err(VerifyError::ProofPurposeMismatch { expected: "authentication".into(), found: "assertionMethod".into() })
    );
    let domain = VerifyOptions { domain: Some("bench.example".into()), ..Default::default() };
    assert_eq!(
        verify(&doc, &domain),
        Err(VerifyError::DomainMismatch { expected: "bench.example".into(), found: None })
    );
    let challenge = VerifyOptions { challenge: Some("abc".into()), ..Default::default() };
    assert_eq!(verify(&doc, &challenge), Err(VerifyError::ChallengeMismatch { expected: "abc".into(), found: None }));
    // No `expires` in the vector: any verification time is fine.
    verify(&doc, &VerifyOptions { now: Some(time("2100-01-01T00:00:00Z")), ..Default::default() }).unwrap();
}
