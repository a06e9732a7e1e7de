//! `did:key` identifiers and Multikey values for Ed25519.
//!
//! - Public key (Multikey `publicKeyMultibase`): `z` + base58btc(`0xed 0x01` ‖ 32-byte key); for
//!   Ed25519 it always starts `z6Mk`.
//! - DID: `did:key:` + that multibase value ([`DidKey`]).
//! - Verification method id: `did:key:z6Mk…#z6Mk…`, the fragment repeating the multibase value
//!   ([`DidKey::verification_method_id`], [`DidKey::parse_verification_method`]).
//! - Secret key (Multikey `secretKeyMultibase`): `z` + base58btc(`0x80 0x26` ‖ 32-byte seed).
//!
//! The two-byte headers are the unsigned-varint encodings of the multicodec codes `ed25519-pub`
//! (0xed) and `ed25519-priv` (0x1300).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::keys::{PublicKey, SecretSeed, PUBLIC_KEY_LEN, SEED_LEN};
use crate::multibase::{self, MultibaseError};

/// Multicodec header of an Ed25519 public key (`ed25519-pub`, varint of 0xed).
pub const ED25519_PUB_HEADER: [u8; 2] = [0xed, 0x01];
/// Multicodec header of an Ed25519 private key seed (`ed25519-priv`, varint of 0x1300).
pub const ED25519_PRIV_HEADER: [u8; 2] = [0x80, 0x26];
/// What every `did:key` starts with.
pub const DID_KEY_PREFIX: &str = "did:key:";

/// Why a string is not an Ed25519 `did:key`, verification method id or Multikey value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DidKeyError {
    #[error("not a did:key (expected a string starting with \"did:key:\"): {found:?}")]
    WrongPrefix { found: String },
    #[error("bad multibase value: {0}")]
    Multibase(#[from] MultibaseError),
    #[error("wrong multicodec header {}: expected {} ({expected_name})", hex(found), hex(expected))]
    WrongMulticodec { expected: [u8; 2], expected_name: &'static str, found: Vec<u8> },
    #[error("wrong key length: {found} bytes after the multicodec header, expected {expected}")]
    WrongLength { expected: usize, found: usize },
    #[error("a verification method id needs a fragment: \"did:key:z…#z…\"")]
    MissingFragment,
    #[error("the fragment {fragment:?} of a did:key verification method must repeat the key {key:?}")]
    FragmentMismatch { key: String, fragment: String },
    #[error("a DID was expected, but this has a fragment (a verification method id?): {found:?}")]
    UnexpectedFragment { found: String },
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::from("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Cuts user input quoted in an error to a readable length.
fn excerpt(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

fn encode_with_header(header: [u8; 2], key: &[u8; 32]) -> String {
    let mut bytes = [0u8; 34];
    bytes[..2].copy_from_slice(&header);
    bytes[2..].copy_from_slice(key);
    multibase::encode_base58btc(&bytes)
}

fn decode_with_header(
    multibase: &str,
    header: [u8; 2],
    header_name: &'static str,
    key_len: usize,
) -> Result<Vec<u8>, DidKeyError> {
    let bytes = multibase::decode_base58btc(multibase)?;
    if bytes.len() < 2 || bytes[..2] != header {
        return Err(DidKeyError::WrongMulticodec {
            expected: header,
            expected_name: header_name,
            found: bytes[..bytes.len().min(2)].to_vec(),
        });
    }
    let key = &bytes[2..];
    if key.len() != key_len {
        return Err(DidKeyError::WrongLength { expected: key_len, found: key.len() });
    }
    Ok(key.to_vec())
}

/// `z` + base58btc(0xed 0x01 ‖ key).
pub fn encode_public_key_multibase(key: &PublicKey) -> String {
    encode_with_header(ED25519_PUB_HEADER, key.as_bytes())
}

/// Parses a Multikey Ed25519 `publicKeyMultibase`.
pub fn decode_public_key_multibase(multibase: &str) -> Result<PublicKey, DidKeyError> {
    let key = decode_with_header(multibase, ED25519_PUB_HEADER, "ed25519-pub", PUBLIC_KEY_LEN)?;
    Ok(PublicKey::from_slice(&key).expect("length checked"))
}

/// `z` + base58btc(0x80 0x26 ‖ seed).
pub fn encode_secret_key_multibase(seed: &SecretSeed) -> String {
    encode_with_header(ED25519_PRIV_HEADER, seed.expose())
}

/// Parses a Multikey Ed25519 `secretKeyMultibase`.
pub fn decode_secret_key_multibase(multibase: &str) -> Result<SecretSeed, DidKeyError> {
    let seed = decode_with_header(multibase, ED25519_PRIV_HEADER, "ed25519-priv", SEED_LEN)?;
    Ok(SecretSeed::from_slice(&seed).expect("length checked"))
}

/// An Ed25519 `did:key`. Displays, parses ([`FromStr`]) and serialises as `did:key:z6Mk…`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DidKey {
    key: PublicKey,
    multibase: String,
}

impl DidKey {
    pub fn from_public_key(key: PublicKey) -> Self {
        Self { multibase: encode_public_key_multibase(&key), key }
    }

    /// Parses `did:key:z6Mk…` (no fragment).
    pub fn parse(did: &str) -> Result<Self, DidKeyError> {
        let Some(multibase) = did.strip_prefix(DID_KEY_PREFIX) else {
            return Err(DidKeyError::WrongPrefix { found: excerpt(did) });
        };
        if multibase.contains('#') {
            return Err(DidKeyError::UnexpectedFragment { found: excerpt(did) });
        }
        let key = decode_public_key_multibase(multibase)?;
        Ok(Self { key, multibase: multibase.to_owned() })
    }

    /// Parses a verification method id `did:key:z6Mk…#z6Mk…`, whose fragment must repeat the
    /// key's multibase value (as the did:key method defines its one verification method).
    pub fn parse_verification_method(id: &str) -> Result<Self, DidKeyError> {
        if !id.starts_with(DID_KEY_PREFIX) {
            return Err(DidKeyError::WrongPrefix { found: excerpt(id) });
        }
        let Some((did, fragment)) = id.split_once('#') else {
            return Err(DidKeyError::MissingFragment);
        };
        let did_key = Self::parse(did)?;
        if fragment != did_key.multibase {
            return Err(DidKeyError::FragmentMismatch { key: did_key.multibase, fragment: excerpt(fragment) });
        }
        Ok(did_key)
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The Multikey `publicKeyMultibase` (`z6Mk…`), also the DID's method-specific id.
    pub fn public_key_multibase(&self) -> &str {
        &self.multibase
    }

    /// `did:key:z6Mk…`.
    pub fn did(&self) -> String {
        format!("{DID_KEY_PREFIX}{}", self.multibase)
    }

    /// `did:key:z6Mk…#z6Mk…`.
    pub fn verification_method_id(&self) -> String {
        format!("{DID_KEY_PREFIX}{0}#{0}", self.multibase)
    }
}

impl fmt::Display for DidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{DID_KEY_PREFIX}{}", self.multibase)
    }
}

impl fmt::Debug for DidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DidKey({self})")
    }
}

impl FromStr for DidKey {
    type Err = DidKeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for DidKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DidKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // W3C vc-di-eddsa test vector key pair.
    const PUB: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    const SECRET: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";

    #[test]
    fn public_key_multibase_round_trip() {
        let key = decode_public_key_multibase(PUB).unwrap();
        assert_eq!(key.as_bytes()[..4], [0xb0, 0x0d, 0x8d, 0x93]);
        assert_eq!(encode_public_key_multibase(&key), PUB);
    }

    #[test]
    fn did_and_verification_method() {
        let did = DidKey::parse(&format!("did:key:{PUB}")).unwrap();
        assert_eq!(did.to_string(), format!("did:key:{PUB}"));
        assert_eq!(did.verification_method_id(), format!("did:key:{PUB}#{PUB}"));
        assert_eq!(DidKey::parse_verification_method(&did.verification_method_id()).unwrap(), did);
        let json = serde_json::to_string(&did).unwrap();
        assert_eq!(json, format!("\"did:key:{PUB}\""));
        assert_eq!(serde_json::from_str::<DidKey>(&json).unwrap(), did);
    }

    #[test]
    fn errors_name_what_is_wrong() {
        assert!(matches!(DidKey::parse("did:web:example.com"), Err(DidKeyError::WrongPrefix { .. })));
        assert!(matches!(DidKey::parse(PUB), Err(DidKeyError::WrongPrefix { .. })));
        assert_eq!(
            DidKey::parse("did:key:f6MkrJVn"),
            Err(DidKeyError::Multibase(MultibaseError::UnsupportedBase { prefix: 'f' }))
        );
        assert!(matches!(
            DidKey::parse("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ0"),
            Err(DidKeyError::Multibase(MultibaseError::InvalidCharacter { character: '0', index: 47 }))
        ));
        // A secret key where a public key belongs.
        let err = DidKey::parse(&format!("did:key:{SECRET}")).unwrap_err();
        assert_eq!(
            err,
            DidKeyError::WrongMulticodec {
                expected: ED25519_PUB_HEADER,
                expected_name: "ed25519-pub",
                found: vec![0x80, 0x26]
            }
        );
        assert_eq!(err.to_string(), "wrong multicodec header 0x8026: expected 0xed01 (ed25519-pub)");
        // Truncated key.
        let short = multibase::encode_base58btc(&[0xed, 0x01, 1, 2, 3]);
        assert_eq!(
            DidKey::parse(&format!("did:key:{short}")),
            Err(DidKeyError::WrongLength { expected: 32, found: 3 })
        );
        assert_eq!(DidKey::parse_verification_method(&format!("did:key:{PUB}")), Err(DidKeyError::MissingFragment));
        assert!(matches!(
            DidKey::parse_verification_method(&format!("did:key:{PUB}#key-1")),
            Err(DidKeyError::FragmentMismatch { .. })
        ));
        assert!(matches!(DidKey::parse(&format!("did:key:{PUB}#{PUB}")), Err(DidKeyError::UnexpectedFragment { .. })));
    }

    #[test]
    fn secret_key_multibase_round_trip() {
        let seed = decode_secret_key_multibase(SECRET).unwrap();
        assert_eq!(seed.expose()[..4], [0xc9, 0x6e, 0xf9, 0xea]);
        assert_eq!(encode_secret_key_multibase(&seed), SECRET);
        assert!(matches!(decode_secret_key_multibase(PUB), Err(DidKeyError::WrongMulticodec { .. })));
    }
}
