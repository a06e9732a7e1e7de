//! Integration tests of the evidence crate: the W3C eddsa-jcs-2022 vector byte for byte, RFC 8785
//! tables, proof sets and chains, did:key cases, and property tests.

mod did_keys;
mod proof_sets;
mod props;
mod rfc8785;
mod w3c_vector;

use benchproof_evidence::{SecretSeed, SigningKey, XsdDateTime};

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A deterministic test key.
pub fn key(n: u8) -> SigningKey {
    SigningKey::from_seed(&SecretSeed::from_bytes([n; 32])).expect("seed")
}

pub fn time(s: &str) -> XsdDateTime {
    XsdDateTime::parse_stamp(s).expect("test time")
}
