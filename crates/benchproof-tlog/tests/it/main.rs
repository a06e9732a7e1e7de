//! Integration tests of the transparency log: published RFC 6962 and signed-note vectors,
//! exhaustive proofs against a naive reference, checkpoints and receipts.

mod checkpoints;
mod proofs;
mod receipts;
mod reference;
mod vectors;

use benchproof_evidence::{SecretSeed, SigningKey};

/// Decodes lowercase hex (test data only).
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

/// A deterministic test key.
pub fn key(n: u8) -> SigningKey {
    SigningKey::from_seed(&SecretSeed::from_bytes([n; 32])).expect("seed")
}
