//! Property tests: proofs over random JSON documents with random keys verify, and any single-byte
//! change of the signature or any change of a string value in the document breaks them.

use benchproof_evidence::multibase::{decode_base58btc, encode_base58btc};
use benchproof_evidence::{add_proof, secure_document, verify, verify_all, ProofOptions, SigningKey, VerifyError};
use benchproof_evidence::{SecretSeed, VerifyOptions};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

use crate::time;

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<u64>().prop_map(|n| Value::Number(n.into())),
        any::<f64>().prop_filter_map("finite", Number::from_f64).prop_map(Value::Number),
        "\\PC{0,12}".prop_map(Value::String),
        // Control characters, quotes, backslashes and characters outside the BMP.
        prop::collection::vec(
            prop_oneof![Just('\u{0}'), Just('\n'), Just('"'), Just('\\'), Just('😀'), Just('\u{fb33}'), any::<char>()],
            0..6
        )
        .prop_map(|cs| Value::String(cs.into_iter().collect())),
    ]
}

fn key_name() -> impl Strategy<Value = String> {
    // Anything but the members Data Integrity gives a meaning to.
    "\\PC{0,8}".prop_filter("reserved member", |k| k != "proof" && k != "@context")
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key_name(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A random document object; it always has at least one string value.
fn document() -> impl Strategy<Value = Value> {
    (prop::collection::btree_map(key_name(), json_value(), 0..8), "\\PC{0,12}").prop_map(|(m, s)| {
        let mut obj: Map<String, Value> = m.into_iter().collect();
        obj.insert("subject".into(), Value::String(s));
        Value::Object(obj)
    })
}

fn signing_key() -> impl Strategy<Value = SigningKey> {
    any::<[u8; 32]>().prop_map(|seed| SigningKey::from_seed(&SecretSeed::from_bytes(seed)).unwrap())
}

/// JSON pointers of every string value in `v`.
fn string_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
    match v {
        Value::String(_) => out.push(at),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(m) => {
            for (k, item) in m {
                string_pointers(item, format!("{at}/{}", escape(k)), out);
            }
        }
        _ => {}
    }
}

fn sign(doc: &Value, key: &SigningKey) -> Value {
    let options = ProofOptions::assertion(key).with_created(time("2026-03-01T09:30:00Z"));
    secure_document(doc, key, &options).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn signed_documents_verify(doc in document(), key in signing_key()) {
        let signed = sign(&doc, &key);
        let verified = verify(&signed, &VerifyOptions::default()).unwrap();
        prop_assert_eq!(verified.signer, key.did_key());
        // Serialising and parsing back (member order, whitespace) changes nothing.
        let reparsed: Value = serde_json::from_str(&serde_json::to_string_pretty(&signed).unwrap()).unwrap();
        prop_assert!(verify(&reparsed, &VerifyOptions::default()).is_ok());
    }

    #[test]
    fn any_signature_byte_change_breaks_verification(
        doc in document(),
        key in signing_key(),
        index in 0usize..64,
        flip in 1u8..=255,
    ) {
        let mut signed = sign(&doc, &key);
        let mut signature = decode_base58btc(signed["proof"]["proofValue"].as_str().unwrap()).unwrap();
        signature[index] ^= flip;
        signed["proof"]["proofValue"] = Value::String(encode_base58btc(&signature));
        prop_assert_eq!(verify(&signed, &VerifyOptions::default()), Err(VerifyError::InvalidSignature));
    }

    #[test]
    fn any_string_change_breaks_verification(
        doc in document(),
        key in signing_key(),
        pick in any::<prop::sample::Index>(),
        suffix in "\\PC{1,3}",
    ) {
        let mut signed = sign(&doc, &key);
        let mut pointers = Vec::new();
        string_pointers(&doc, String::new(), &mut pointers);
        let pointer = pick.get(&pointers);
        let target = signed.pointer_mut(pointer).unwrap();
        let changed = format!("{}{suffix}", target.as_str().unwrap());
        *target = Value::String(changed);
        prop_assert_eq!(verify(&signed, &VerifyOptions::default()), Err(VerifyError::InvalidSignature));
    }

    #[test]
    fn proof_sets_of_random_keys_verify(doc in document(), keys in prop::collection::vec(signing_key(), 1..4)) {
        let mut signed = doc.clone();
        for key in &keys {
            let options = ProofOptions::assertion(key).with_created(time("2026-03-01T09:30:00Z"));
            signed = add_proof(&signed, key, &options).unwrap();
        }
        let checks = verify_all(&signed, &VerifyOptions::default()).unwrap();
        prop_assert_eq!(checks.len(), keys.len());
        for (check, key) in checks.iter().zip(&keys) {
            prop_assert_eq!(&check.outcome.as_ref().unwrap().signer, &key.did_key());
        }
    }
}
