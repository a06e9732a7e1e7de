//! Signed evidence for benchproof: Ed25519 keys named by `did:key`, RFC 8785 canonical JSON, and
//! W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite. Pure computation: no file or
//! network IO, no clock (times are passed in), no printing.
//!
//! - [`SigningKey`]: an Ed25519 key pair (*ring*), generated, loaded from PKCS#8 v2 or from a
//!   32-byte seed, exportable as PKCS#8; [`PublicKey`] and [`keys::verify`] for signatures.
//! - [`DidKey`]: `did:key:z6Mk…` and its verification method id `did:key:z6Mk…#z6Mk…`;
//!   [`did_key`] also encodes and parses Multikey public and secret keys, with typed
//!   [`DidKeyError`]s. [`multibase`] is the base58btc (`z…`) layer underneath.
//! - [`jcs::canonicalize`]: RFC 8785 JSON Canonicalization Scheme.
//! - [`data_integrity`]: create ([`create_proof`], [`secure_document`], [`add_proof`] for proof
//!   sets and chains) and verify ([`verify`], [`verify_all`], [`verify_proof_at`]) proofs, with
//!   [`ProofOptions`] and [`VerifyOptions`]; failures are [`ProofError`] and [`VerifyError`].
//! - [`enrolment`]: the trust chain — department-signed [`enrolment::Enrolment`] records and
//!   [`enrolment::RevocationList`]s.
//! - [`XsdDateTime`]: the XML Schema date-times that proofs carry in `created` and `expires`.
//!
//! ```
//! use benchproof_evidence::{add_proof, verify_all, ProofOptions, SigningKey, VerifyOptions, XsdDateTime};
//! use serde_json::json;
//!
//! let key = SigningKey::generate(&ring::rand::SystemRandom::new()).unwrap();
//! let created = XsdDateTime::parse_stamp("2026-03-01T09:30:00Z").unwrap();
//! let document = json!({"assessment": "0193f6a0-0000-7000-8000-000000000001", "outcome": "pass"});
//! let signed = add_proof(&document, &key, &ProofOptions::assertion(&key).with_created(created)).unwrap();
//! let checks = verify_all(&signed, &VerifyOptions::default()).unwrap();
//! assert!(checks.iter().all(|c| c.is_verified()));
//! assert_eq!(checks[0].outcome.as_ref().unwrap().signer, key.did_key());
//! ```

pub mod data_integrity;
pub mod datetime;
pub mod did_key;
pub mod enrolment;
pub mod jcs;
pub mod keys;
pub mod multibase;

pub use data_integrity::{
    add_proof, create_proof, find_proof, find_proofs, secure_document, verify, verify_all, verify_proof_at, OneOrMany,
    ProofCheck, ProofError, ProofOptions, ProofQuery, VerifiedProof, VerifyError, VerifyOptions,
};
pub use datetime::XsdDateTime;
pub use did_key::{DidKey, DidKeyError};
pub use keys::{PublicKey, SecretSeed, SigningKey};
