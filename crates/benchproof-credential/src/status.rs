//! W3C Bitstring Status List v1.0: the revocation list a department publishes as a signed
//! `BitstringStatusListCredential`, and the `BitstringStatusListEntry` each credential carries.
//!
//! Invariants: a list is at least [`MIN_BITS`] (131,072) bits, the spec's minimum for group
//! privacy; bit 0 is the most significant bit of the first byte; `encodedList` is `u` +
//! base64url-no-pad(GZIP(bits)); decoding refuses anything that inflates past [`MAX_BITS`].

use std::collections::BTreeSet;
use std::io::{Read, Write};

use base64::Engine;
use benchproof_evidence::{SigningKey, XsdDateTime};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{json, Value};

use crate::contexts::{ContextSet, VC_V2};
use crate::issuer::Issuer;
use crate::proof::{self, ProofError, ProofOptions};

/// The minimum (and default) list length in bits: 16 KiB.
pub const MIN_BITS: usize = 131_072;
/// The largest list accepted when decoding: 16 MiB of bits.
pub const MAX_BITS: usize = 8 * 16 * 1024 * 1024;
/// The only status purpose benchproof uses.
pub const PURPOSE_REVOCATION: &str = "revocation";

/// A bitstring of credential statuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

/// Why a status list operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    /// An index past the end of the list.
    #[error("status index {index} is outside the list of {len} entries")]
    OutOfRange {
        /// The index.
        index: usize,
        /// The list length in bits.
        len: usize,
    },
    /// Every index is allocated.
    #[error("the status list is full ({0} entries): start a new list")]
    Full(usize),
    /// `encodedList` is not `u` + base64url of GZIP data, or inflates too far.
    #[error("the status list's encodedList is not valid: {0}")]
    BadEncoding(&'static str),
    /// The random source failed.
    #[error("the system random source failed")]
    Random,
}

impl Default for StatusList {
    fn default() -> Self {
        StatusList::new(MIN_BITS)
    }
}

impl StatusList {
    /// A list of `bits` entries (rounded up to whole bytes, at least [`MIN_BITS`]), all 0.
    pub fn new(bits: usize) -> Self {
        StatusList { bytes: vec![0; bits.max(MIN_BITS).div_ceil(8)] }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Always false: a list has at least [`MIN_BITS`] entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bit at `index` (true = revoked).
    pub fn get(&self, index: usize) -> Result<bool, StatusError> {
        let byte = self.bytes.get(index / 8).ok_or(StatusError::OutOfRange { index, len: self.len() })?;
        Ok(byte & (0x80 >> (index % 8)) != 0)
    }

    /// Sets the bit at `index`.
    pub fn set(&mut self, index: usize, revoked: bool) -> Result<(), StatusError> {
        let len = self.len();
        let byte = self.bytes.get_mut(index / 8).ok_or(StatusError::OutOfRange { index, len })?;
        let mask = 0x80 >> (index % 8);
        if revoked {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        Ok(())
    }

    /// A random index not in `allocated` (random, so that an index says nothing about issue
    /// order or cohort, as the spec recommends).
    pub fn allocate(
        &self,
        allocated: &BTreeSet<usize>,
        rng: &dyn ring::rand::SecureRandom,
    ) -> Result<usize, StatusError> {
        let len = self.len();
        if allocated.range(..len).count() >= len {
            return Err(StatusError::Full(len));
        }
        loop {
            let mut raw = [0u8; 8];
            rng.fill(&mut raw).map_err(|_| StatusError::Random)?;
            let index = (u64::from_le_bytes(raw) % len as u64) as usize;
            if !allocated.contains(&index) {
                return Ok(index);
            }
        }
    }

    /// `encodedList`: `u` + base64url-no-pad(GZIP(bits)).
    pub fn encode(&self) -> String {
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&self.bytes).expect("writing to a Vec cannot fail");
        let compressed = gz.finish().expect("writing to a Vec cannot fail");
        format!("u{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed))
    }

    /// Parses an `encodedList`.
    pub fn decode(encoded: &str) -> Result<Self, StatusError> {
        let b64 = encoded
            .strip_prefix('u')
            .ok_or(StatusError::BadEncoding("it does not start with the multibase prefix u"))?;
        let compressed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|_| StatusError::BadEncoding("it is not base64url without padding"))?;
        let mut bytes = Vec::new();
        GzDecoder::new(&compressed[..])
            .take((MAX_BITS / 8 + 1) as u64)
            .read_to_end(&mut bytes)
            .map_err(|_| StatusError::BadEncoding("it is not GZIP data"))?;
        if bytes.len() > MAX_BITS / 8 {
            return Err(StatusError::BadEncoding("it inflates past 16 MiB of bits"));
        }
        if bytes.len() * 8 < MIN_BITS {
            return Err(StatusError::BadEncoding("it is shorter than the 131,072-bit minimum"));
        }
        Ok(StatusList { bytes })
    }
}

/// The `credentialStatus` entry for bit `index` of the list at `list_url`.
pub fn entry(list_url: &str, index: usize) -> Value {
    json!({
        "id": format!("{list_url}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE_REVOCATION,
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}

/// The unsigned status list credential for `list` published at `list_url`.
pub fn list_credential(list_url: &str, issuer: &Issuer, valid_from: &XsdDateTime, list: &StatusList) -> Value {
    json!({
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did.did(),
        "validFrom": valid_from.as_str(),
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE_REVOCATION,
            "encodedList": list.encode(),
        },
    })
}

/// The signed status list credential (proof `created` = `valid_from`; re-sign after each change).
pub fn issue_list_credential(
    list_url: &str,
    issuer: &Issuer,
    valid_from: &XsdDateTime,
    list: &StatusList,
    key: &SigningKey,
) -> Result<Value, ProofError> {
    let unsigned = list_credential(list_url, issuer, valid_from, list);
    let options = ProofOptions::assertion(issuer.did.verification_method(), valid_from.clone());
    proof::sign(&unsigned, key, &options, ContextSet::standard())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_through_the_encoding() {
        let mut list = StatusList::default();
        assert_eq!(list.len(), MIN_BITS);
        list.set(0, true).unwrap();
        list.set(94_567, true).unwrap();
        let decoded = StatusList::decode(&list.encode()).unwrap();
        assert_eq!(decoded, list);
        assert!(decoded.get(0).unwrap());
        assert!(decoded.get(94_567).unwrap());
        assert!(!decoded.get(94_566).unwrap());
        assert_eq!(decoded.bytes[0], 0x80, "bit 0 is the most significant bit");
        assert_eq!(list.get(MIN_BITS), Err(StatusError::OutOfRange { index: MIN_BITS, len: MIN_BITS }));
    }

    #[test]
    fn bad_encodings_are_refused() {
        assert!(matches!(StatusList::decode("zabc"), Err(StatusError::BadEncoding(_))));
        assert!(matches!(StatusList::decode("u!!!"), Err(StatusError::BadEncoding(_))));
        let short = {
            let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&[0; 10]).unwrap();
            format!("u{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(gz.finish().unwrap()))
        };
        assert!(matches!(StatusList::decode(&short), Err(StatusError::BadEncoding(_))));
    }

    #[test]
    fn allocation_avoids_taken_indexes() {
        let list = StatusList::default();
        let rng = ring::rand::SystemRandom::new();
        let taken: BTreeSet<usize> = (0..MIN_BITS - 1).collect();
        assert_eq!(list.allocate(&taken, &rng), Ok(MIN_BITS - 1));
        let all: BTreeSet<usize> = (0..MIN_BITS).collect();
        assert_eq!(list.allocate(&all, &rng), Err(StatusError::Full(MIN_BITS)));
    }
}
