//! Ed25519 keys: [`SigningKey`] (a *ring* key pair plus its PKCS#8 v2 document), [`PublicKey`],
//! [`SecretSeed`], and signature verification ([`verify`]).
//!
//! Keys are never written anywhere by this module: [`SigningKey::pkcs8_der`] hands the document to
//! the caller, which stores it (encrypted) as it sees fit.

use std::fmt;

use ring::rand::SecureRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};

use crate::did_key::{self, DidKey, DidKeyError};

/// Length of an Ed25519 public key, a seed (secret key) and a signature, in bytes.
pub const PUBLIC_KEY_LEN: usize = 32;
pub const SEED_LEN: usize = 32;
pub const SIGNATURE_LEN: usize = 64;

/// An Ed25519 public key (32 bytes). Shown as its Multikey form (`z6Mk…`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey([u8; PUBLIC_KEY_LEN]);

impl PublicKey {
    pub const fn from_bytes(bytes: [u8; PUBLIC_KEY_LEN]) -> Self {
        Self(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        let bytes: [u8; PUBLIC_KEY_LEN] =
            bytes.try_into().map_err(|_| KeyError::WrongLength { what: "public key", found: bytes.len() })?;
        Ok(Self(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.0
    }

    /// The Multikey `publicKeyMultibase`: `z` + base58btc(0xed 0x01 ‖ key).
    pub fn to_multibase(&self) -> String {
        did_key::encode_public_key_multibase(self)
    }

    pub fn from_multibase(multibase: &str) -> Result<Self, DidKeyError> {
        did_key::decode_public_key_multibase(multibase)
    }

    pub fn did_key(&self) -> DidKey {
        DidKey::from_public_key(*self)
    }

    /// Verifies an Ed25519 signature by this key. Same as [`verify`].
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        verify(self, message, signature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_multibase())
    }
}

/// A 32-byte Ed25519 private key seed. Its `Debug` does not show the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretSeed([u8; SEED_LEN]);

impl SecretSeed {
    pub const fn from_bytes(bytes: [u8; SEED_LEN]) -> Self {
        Self(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        let bytes: [u8; SEED_LEN] =
            bytes.try_into().map_err(|_| KeyError::WrongLength { what: "seed", found: bytes.len() })?;
        Ok(Self(bytes))
    }

    pub fn expose(&self) -> &[u8; SEED_LEN] {
        &self.0
    }

    /// The Multikey `secretKeyMultibase`: `z` + base58btc(0x80 0x26 ‖ seed).
    pub fn to_multibase(&self) -> String {
        did_key::encode_secret_key_multibase(self)
    }

    pub fn from_multibase(multibase: &str) -> Result<Self, DidKeyError> {
        did_key::decode_secret_key_multibase(multibase)
    }
}

impl fmt::Debug for SecretSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretSeed(<redacted>)")
    }
}

/// Why a key could not be made or loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the system random number generator failed")]
    Rng,
    #[error("not an Ed25519 PKCS#8 v2 document: {0}")]
    InvalidPkcs8(String),
    #[error("invalid Ed25519 seed: {0}")]
    InvalidSeed(String),
    #[error("wrong {what} length: {found} bytes, expected 32")]
    WrongLength { what: &'static str, found: usize },
    #[error("invalid secret key multibase: {0}")]
    SecretKeyMultibase(#[from] DidKeyError),
}

/// An Ed25519 signature did not verify (wrong key, wrong message, corrupted or malformed signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Ed25519 signature does not verify")]
pub struct SignatureError;

/// The DER of an Ed25519 PKCS#8 v2 `OneAsymmetricKey` (RFC 5958, RFC 8410) up to the seed, and
/// between the seed and the public key. It is the template *ring* itself uses for
/// [`Ed25519KeyPair::generate_pkcs8`], so documents made here and by *ring* are byte-identical.
const PKCS8_V2_BEFORE_SEED: [u8; 16] =
    [0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
const PKCS8_V2_BEFORE_PUBLIC_KEY: [u8; 3] = [0x81, 0x21, 0x00];

fn pkcs8_v2_document(seed: &[u8; SEED_LEN], public_key: &[u8]) -> Vec<u8> {
    let mut der = Vec::with_capacity(PKCS8_V2_BEFORE_SEED.len() + SEED_LEN + 3 + PUBLIC_KEY_LEN);
    der.extend_from_slice(&PKCS8_V2_BEFORE_SEED);
    der.extend_from_slice(seed);
    der.extend_from_slice(&PKCS8_V2_BEFORE_PUBLIC_KEY);
    der.extend_from_slice(public_key);
    der
}

/// An Ed25519 signing key: a *ring* [`Ed25519KeyPair`] and the PKCS#8 v2 document it came from
/// (or that was built for it), so the key can be exported. `Debug` shows only the public key.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    pkcs8: Vec<u8>,
}

impl SigningKey {
    /// A fresh key from `rng` (pass a `ring::rand::SystemRandom`).
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, KeyError> {
        let document = Ed25519KeyPair::generate_pkcs8(rng).map_err(|_| KeyError::Rng)?;
        Self::from_pkcs8(document.as_ref())
    }

    /// Loads an unencrypted Ed25519 PKCS#8 **v2** document (with the public key, which is checked
    /// against the private key). v1 documents (OpenSSL's) are refused.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        let pair = Ed25519KeyPair::from_pkcs8(der).map_err(|e| KeyError::InvalidPkcs8(e.to_string()))?;
        Ok(Self { pair, pkcs8: der.to_vec() })
    }

    /// The key whose 32-byte private seed is `seed` (RFC 8032 private key).
    pub fn from_seed(seed: &SecretSeed) -> Result<Self, KeyError> {
        let pair =
            Ed25519KeyPair::from_seed_unchecked(seed.expose()).map_err(|e| KeyError::InvalidSeed(e.to_string()))?;
        let pkcs8 = pkcs8_v2_document(seed.expose(), pair.public_key().as_ref());
        Ok(Self { pair, pkcs8 })
    }

    /// [`SigningKey::from_seed`] from a slice, which must be 32 bytes long.
    pub fn from_seed_bytes(seed: &[u8]) -> Result<Self, KeyError> {
        Self::from_seed(&SecretSeed::from_slice(seed)?)
    }

    /// The key from a Multikey `secretKeyMultibase` (`z` + base58btc(0x80 0x26 ‖ seed)).
    pub fn from_secret_key_multibase(multibase: &str) -> Result<Self, KeyError> {
        Self::from_seed(&SecretSeed::from_multibase(multibase)?)
    }

    /// The PKCS#8 v2 document of this key (secret: store it encrypted).
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    pub fn public_key(&self) -> PublicKey {
        let bytes: [u8; PUBLIC_KEY_LEN] =
            self.pair.public_key().as_ref().try_into().expect("an Ed25519 public key is 32 bytes");
        PublicKey(bytes)
    }

    /// `did:key:z6Mk…` of the public key.
    pub fn did_key(&self) -> DidKey {
        self.public_key().did_key()
    }

    /// `did:key:z6Mk…#z6Mk…`: the `verificationMethod` of proofs made with this key.
    pub fn verification_method_id(&self) -> String {
        self.did_key().verification_method_id()
    }

    /// The Ed25519 signature of `message` (deterministic, RFC 8032).
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.pair.sign(message).as_ref().try_into().expect("an Ed25519 signature is 64 bytes")
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("public_key", &self.public_key()).finish_non_exhaustive()
    }
}

/// Verifies the Ed25519 `signature` of `message` by `public_key`.
pub fn verify(public_key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
    UnparsedPublicKey::new(&ED25519, public_key.as_bytes()).verify(message, signature).map_err(|_| SignatureError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    #[test]
    fn generated_key_round_trips_through_pkcs8_and_its_seed() {
        let key = SigningKey::generate(&SystemRandom::new()).unwrap();
        let der = key.pkcs8_der().to_vec();
        assert_eq!(der.len(), 83);
        let reloaded = SigningKey::from_pkcs8(&der).unwrap();
        assert_eq!(reloaded.public_key(), key.public_key());

        // The document built from the seed is byte-identical to ring's own.
        assert_eq!(&der[..16], &PKCS8_V2_BEFORE_SEED);
        let from_seed = SigningKey::from_seed_bytes(&der[16..48]).unwrap();
        assert_eq!(from_seed.pkcs8_der(), &der[..]);
        assert_eq!(from_seed.public_key(), key.public_key());
    }

    #[test]
    fn sign_and_verify() {
        let key = SigningKey::from_seed(&SecretSeed::from_bytes([7; 32])).unwrap();
        let sig = key.sign(b"evidence");
        assert_eq!(sig, key.sign(b"evidence"), "Ed25519 is deterministic");
        verify(&key.public_key(), b"evidence", &sig).unwrap();
        assert_eq!(verify(&key.public_key(), b"evidencf", &sig), Err(SignatureError));
        assert_eq!(verify(&key.public_key(), b"evidence", &sig[..63]), Err(SignatureError));
        let other = SigningKey::from_seed(&SecretSeed::from_bytes([8; 32])).unwrap();
        assert_eq!(other.public_key().verify(b"evidence", &sig), Err(SignatureError));
    }

    #[test]
    fn rfc8032_test_1() {
        // RFC 8032 section 7.1, TEST 1 (empty message).
        let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let key = SigningKey::from_seed_bytes(&seed).unwrap();
        assert_eq!(
            key.public_key().as_bytes().to_vec(),
            hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        );
        assert_eq!(
            key.sign(b"").to_vec(),
            hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        );
    }

    #[test]
    fn bad_inputs_are_refused() {
        assert_eq!(
            SigningKey::from_seed_bytes(&[0; 31]).unwrap_err(),
            KeyError::WrongLength { what: "seed", found: 31 }
        );
        assert!(matches!(SigningKey::from_pkcs8(b"not der"), Err(KeyError::InvalidPkcs8(_))));
        // A v2 document whose public key does not belong to the seed.
        let mut der = SigningKey::from_seed(&SecretSeed::from_bytes([1; 32])).unwrap().pkcs8_der().to_vec();
        let last = der.len() - 1;
        der[last] ^= 1;
        assert!(matches!(SigningKey::from_pkcs8(&der), Err(KeyError::InvalidPkcs8(_))));
        assert_eq!(PublicKey::from_slice(&[0; 33]), Err(KeyError::WrongLength { what: "public key", found: 33 }));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let seed = SecretSeed::from_bytes([0x42; 32]);
        assert_eq!(format!("{seed:?}"), "SecretSeed(<redacted>)");
        let key = SigningKey::from_seed(&seed).unwrap();
        let shown = format!("{key:?}");
        assert!(shown.starts_with("SigningKey { public_key: PublicKey(z6Mk"), "{shown}");
        assert!(!shown.contains("42, 42"));
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }
}
