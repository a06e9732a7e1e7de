//! Receipts: the protocol's JSON shape, offline verification and each refusal.

use benchproof_evidence::XsdDateTime;
use benchproof_tlog::{
    encode_proof, inclusion_proof, leaf_hash, sha256, to_hex, Checkpoint, Hash, Receipt, ReceiptError, RECEIPT_TYPE,
};
use serde_json::json;

use crate::key;

/// A log of `n` bundles and the receipt of bundle `i`.
fn receipt_for(n: usize, i: usize) -> (Receipt, Hash) {
    let log_key = key(9);
    let bundles: Vec<Hash> = (0..n).map(|b| sha256(format!("bundle {b}").as_bytes())).collect();
    let leaves: Vec<Hash> = bundles.iter().map(|d| leaf_hash(d)).collect();
    let cp = Checkpoint {
        origin: "benchproof.example.edu/log".into(),
        size: n as u64,
        root: benchproof_tlog::root(&leaves),
    };
    let receipt = Receipt {
        kind: RECEIPT_TYPE.into(),
        format_version: 1,
        bundle_sha256: to_hex(&bundles[i]),
        assessment: "0193f6a0-0000-7000-8000-000000000001".into(),
        leaf_index: i as u64,
        checkpoint: cp.sign(&log_key, &cp.origin).unwrap(),
        inclusion_proof: encode_proof(&inclusion_proof(&leaves, i as u64).unwrap()),
        log_key: log_key.did_key(),
        received_at: XsdDateTime::parse_stamp("2026-11-29T10:00:00Z").unwrap(),
    };
    (receipt, bundles[i])
}

#[test]
fn json_is_the_protocol_shape() {
    let (receipt, _) = receipt_for(3, 1);
    let value = serde_json::to_value(&receipt).unwrap();
    let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "assessment",
            "bundleSha256",
            "checkpoint",
            "formatVersion",
            "inclusionProof",
            "leafIndex",
            "logKey",
            "receivedAt",
            "type"
        ]
    );
    assert_eq!(value["type"], json!("BenchproofReceipt"));
    assert_eq!(value["receivedAt"], json!("2026-11-29T10:00:00Z"));
    let back: Receipt = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(back, receipt);
    let mut extra = value;
    extra["surprise"] = json!(1);
    assert!(serde_json::from_value::<Receipt>(extra).is_err());
}

#[test]
fn every_receipt_of_a_log_verifies() {
    for n in [1, 2, 5, 8, 13] {
        for i in 0..n {
            let (receipt, digest) = receipt_for(n, i);
            let verified = receipt.verify(&digest, &key(9).did_key()).unwrap();
            assert_eq!((verified.leaf_index, verified.checkpoint.size), (i as u64, n as u64));
            assert_eq!(verified.key_name, "benchproof.example.edu/log");
        }
    }
}

#[test]
fn each_forgery_is_refused_with_its_reason() {
    let (good, digest) = receipt_for(6, 2);
    let trusted = key(9).did_key();

    let other_bundle = sha256(b"another bundle");
    assert!(matches!(good.verify(&other_bundle, &trusted), Err(ReceiptError::WrongBundle { .. })));
    assert!(matches!(good.verify(&digest, &key(8).did_key()), Err(ReceiptError::UntrustedLogKey { .. })));

    let mut r = good.clone();
    r.leaf_index = 3;
    assert!(matches!(r.verify(&digest, &trusted), Err(ReceiptError::NotIncluded(_))));

    let mut r = good.clone();
    r.inclusion_proof[0] = encode_proof(&[[0u8; 32]])[0].clone();
    assert!(matches!(r.verify(&digest, &trusted), Err(ReceiptError::NotIncluded(_))));

    let mut r = good.clone();
    r.inclusion_proof[0] = "not base64".into();
    assert!(matches!(r.verify(&digest, &trusted), Err(ReceiptError::BadProofElement { index: 0 })));

    // A checkpoint signed by another key while claiming the trusted logKey.
    let mut r = good.clone();
    let body = format!("{}\n", good.checkpoint.rsplit_once("\n\n").unwrap().0);
    let cp = Checkpoint::parse_body(&body).unwrap();
    r.checkpoint = cp.sign(&key(7), &cp.origin).unwrap();
    assert!(matches!(r.verify(&digest, &trusted), Err(ReceiptError::Checkpoint(_))));

    let mut r = good.clone();
    r.bundle_sha256 = r.bundle_sha256.to_uppercase();
    assert!(matches!(r.verify(&digest, &trusted), Err(ReceiptError::BadDigest(_))));

    let mut r = good;
    r.format_version = 2;
    assert!(matches!(r.verify(&digest, &trusted), Err(ReceiptError::UnknownFormat { .. })));
}
