//! The W3C Data Integrity EdDSA `eddsa-rdfc-2022` test vectors, reproduced byte for byte.

use benchproof_credential::proof::{self, hash_data, KeyResolver, ProofOptions, ResolveError};
use benchproof_credential::rdfc::{canonicalize, TermPolicy};
use benchproof_evidence::{DidKey, PublicKey, SigningKey, XsdDateTime};
use serde_json::Value;

use crate::common::{vector, with_examples};

fn json(name: &str) -> Value {
    serde_json::from_str(&vector(name)).unwrap()
}

fn key() -> SigningKey {
    let pair = json("keyPair.json");
    SigningKey::from_secret_key_multibase(pair["privateKeyMultibase"].as_str().unwrap()).unwrap()
}

struct DidKeys;
impl KeyResolver for DidKeys {
    fn resolve(&self, method: &str, _purpose: &str) -> Result<PublicKey, ResolveError> {
        DidKey::parse_verification_method(method)
            .map(|d| *d.public_key())
            .map_err(|_| ResolveError::Untrusted(method.into()))
    }
}

#[test]
fn canonical_document_and_proof_config_match() {
    let contexts = with_examples();
    let canon_doc = canonicalize(&json("unsigned.json"), &contexts, TermPolicy::Safe).unwrap();
    assert_eq!(canon_doc, vector("eddsa-rdfc-2022/canonDocDataInt.txt"));
    let canon_proof =
        canonicalize(&json("eddsa-rdfc-2022/proofConfigDataInt.json"), &contexts, TermPolicy::Safe).unwrap();
    assert_eq!(canon_proof, vector("eddsa-rdfc-2022/proofCanonDataInt.txt"));
    let hash = hash_data(&canon_proof, &canon_doc);
    assert_eq!(to_hex(&hash[32..]), vector("eddsa-rdfc-2022/docHashDataInt.txt").trim());
    assert_eq!(to_hex(&hash[..32]), vector("eddsa-rdfc-2022/proofHashDataInt.txt").trim());
    assert_eq!(to_hex(&hash), vector("eddsa-rdfc-2022/combinedHashDataInt.txt").trim());
    assert_eq!(to_hex(&key().sign(&hash)), vector("eddsa-rdfc-2022/sigHexDataInt.txt").trim());
}

#[test]
fn signing_reproduces_the_signed_vector_and_it_verifies() {
    let contexts = with_examples();
    let config = json("eddsa-rdfc-2022/proofConfigDataInt.json");
    let options = ProofOptions {
        verification_method: config["verificationMethod"].as_str().unwrap().into(),
        proof_purpose: "assertionMethod".into(),
        created: XsdDateTime::parse(config["created"].as_str().unwrap()).unwrap(),
    };
    let signed = proof::sign(&json("unsigned.json"), &key(), &options, &contexts).unwrap();
    let expected = json("eddsa-rdfc-2022/signedDataInt.json");
    assert_eq!(signed["proof"]["proofValue"], expected["proof"]["proofValue"]);
    assert_eq!(signed["proof"]["proofValue"].as_str().unwrap(), vector("eddsa-rdfc-2022/sigBTC58DataInt.txt").trim());
    let verified = proof::verify(&expected, &DidKeys, &contexts).unwrap();
    assert_eq!(verified.verification_method, options.verification_method);
    assert_eq!(verified.public_key, key().public_key());
}

#[test]
fn the_vector_with_a_changed_field_is_refused() {
    let contexts = with_examples();
    let mut tampered = json("eddsa-rdfc-2022/signedDataInt.json");
    tampered["credentialSubject"]["alumniOf"] = "The School of Forgeries".into();
    assert_eq!(proof::verify(&tampered, &DidKeys, &contexts), Err(proof::VerifyError::BadSignature));
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
