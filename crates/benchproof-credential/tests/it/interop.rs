//! Cross-checks with Digital Bazaar's JavaScript stack (@digitalbazaar/vc + data-integrity +
//! eddsa-rdfc-2022-cryptosuite, contexts loaded offline): our credentials verify there and a
//! tampered copy does not; a credential that stack issues verifies here.

use benchproof_credential::badge;
use benchproof_credential::issuer::TrustedIssuers;
use benchproof_credential::proof::VerifyError;
use benchproof_credential::{verify_credential, CredentialError, VerifyPolicy};
use benchproof_evidence::SigningKey;
use serde_json::Value;

use crate::common::{at, department_key, input, node};

fn js_verify(credentials: &[&Value]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<String> = credentials
        .iter()
        .enumerate()
        .map(|(i, vc)| {
            let path = dir.path().join(format!("vc{i}.json"));
            std::fs::write(&path, vc.to_string()).unwrap();
            path.to_string_lossy().into_owned()
        })
        .collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    node("verify.mjs", &args, "").lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn our_credentials_verify_with_digital_bazaar_and_tampered_copies_do_not() {
    let key = department_key();
    let vc = badge::issue(&input(&key), &key).unwrap();
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["result"][0]["value"] = "fail".into();
    let mut i = input(&key);
    i.valid_until = None;
    i.status = None;
    let minimal = badge::issue(&i, &key).unwrap();
    let results = js_verify(&[&vc, &tampered, &minimal]);
    assert_eq!(results[0]["verified"], true, "{}", results[0]);
    assert_eq!(results[1]["verified"], false, "{}", results[1]);
    assert_eq!(results[2]["verified"], true, "{}", results[2]);
}

#[test]
fn credentials_issued_by_digital_bazaar_verify_here() {
    let seed = [0x5a_u8; 32];
    let js_key = SigningKey::from_seed_bytes(&seed).unwrap();
    let mut unsigned = badge::build(&input(&js_key)).unwrap();
    unsigned.as_object_mut().unwrap().remove("credentialStatus");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unsigned.json");
    std::fs::write(&file, unsigned.to_string()).unwrap();
    let seed_hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
    let signed: Value = serde_json::from_str(&node("issue.mjs", &[&seed_hex, file.to_str().unwrap()], "")).unwrap();
    assert_eq!(signed["issuer"]["id"], js_key.did_key().did(), "the JS key is the same Ed25519 key");
    let trusted = TrustedIssuers::new().with_did_key(&js_key.did_key());
    let policy = VerifyPolicy::new(&trusted, at("2027-01-01T00:00:00Z"));
    let ok = verify_credential(&signed, &policy).unwrap();
    assert_eq!(ok.proof.public_key, js_key.public_key());
    let mut tampered = signed.clone();
    tampered["name"] = "Something else".into();
    assert_eq!(verify_credential(&tampered, &policy), Err(CredentialError::Proof(VerifyError::BadSignature)));
}
