//! Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C Data Integrity EdDSA
//! Cryptosuites v1.0, section 3.2).
//!
//! Create: proof configuration = the options (`type` `DataIntegrityProof`, `cryptosuite`
//! `eddsa-rdfc-2022`, `created`, `verificationMethod`, `proofPurpose`) with the document's
//! `@context`; hashData = SHA-256(RDFC-1.0(proof configuration)) ‖ SHA-256(RDFC-1.0(document
//! without `proof`)); `proofValue` = `z` + base58btc(Ed25519(hashData)).
//!
//! Verify: the same with the proof's options (all of the proof but `proofValue`); the key comes
//! from a [`KeyResolver`], so that trust decisions (which DIDs, which keys) stay with the caller.
//!
//! Invariant: a proof is only ever checked against a key the resolver returned for the exact
//! `verificationMethod` string in the proof.

use benchproof_evidence::{multibase, PublicKey, SigningKey, XsdDateTime};
use serde_json::{Map, Value};

use crate::contexts::ContextSet;
use crate::rdfc::{self, CanonError, TermPolicy};

/// The cryptosuite implemented here.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";
/// The proof `type`.
pub const PROOF_TYPE: &str = "DataIntegrityProof";

/// Options of a new proof. Times are passed in (this crate reads no clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    /// The `verificationMethod`: a DID URL naming the signing key.
    pub verification_method: String,
    /// The `proofPurpose`; credentials use `assertionMethod`.
    pub proof_purpose: String,
    /// The `created` date-time.
    pub created: XsdDateTime,
}

impl ProofOptions {
    /// `assertionMethod` options for `verification_method` created at `created`.
    pub fn assertion(verification_method: impl Into<String>, created: XsdDateTime) -> Self {
        ProofOptions {
            verification_method: verification_method.into(),
            proof_purpose: "assertionMethod".into(),
            created,
        }
    }

    fn to_json(&self) -> Map<String, Value> {
        let mut proof = Map::new();
        proof.insert("type".into(), PROOF_TYPE.into());
        proof.insert("cryptosuite".into(), CRYPTOSUITE.into());
        proof.insert("created".into(), self.created.as_str().into());
        proof.insert("verificationMethod".into(), self.verification_method.clone().into());
        proof.insert("proofPurpose".into(), self.proof_purpose.clone().into());
        proof
    }
}

/// Looks up the public key behind a `verificationMethod` for a proof purpose.
pub trait KeyResolver {
    /// The key, or why there is none.
    fn resolve(&self, verification_method: &str, proof_purpose: &str) -> Result<PublicKey, ResolveError>;
}

/// Why a verification method gave no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The method is not one of the trusted issuers' keys.
    #[error("verification method {0} is not a key of any trusted issuer")]
    Untrusted(String),
    /// The method exists but may not be used for this purpose.
    #[error("verification method {method} is not authorised for {purpose}")]
    WrongPurpose {
        /// The verification method.
        method: String,
        /// The proof purpose it was used for.
        purpose: String,
    },
}

/// Why a proof could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The document is not a JSON object.
    #[error("the document to sign is not a JSON object")]
    NotAnObject,
    /// The document already has a proof (this crate issues single-proof credentials).
    #[error("the document already has a proof; sign the unsigned document")]
    AlreadySigned,
    /// The document or proof configuration could not be canonicalised.
    #[error(transparent)]
    Canon(#[from] CanonError),
}

/// Why a proof did not verify. Each variant names one reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No `proof`.
    #[error("the document has no proof")]
    Missing,
    /// More than one proof (benchproof credentials carry exactly one).
    #[error("the document has {0} proofs; exactly one eddsa-rdfc-2022 proof is expected")]
    NotSingle(usize),
    /// A proof member is missing or has the wrong shape.
    #[error("the proof's {0} is missing or malformed")]
    Malformed(&'static str),
    /// A cryptosuite other than `eddsa-rdfc-2022`.
    #[error("cryptosuite {0:?} is not accepted; only eddsa-rdfc-2022 is")]
    Cryptosuite(String),
    /// The key could not be resolved or is not trusted.
    #[error(transparent)]
    Key(#[from] ResolveError),
    /// Canonicalisation failed (unknown context, undefined term, hostile document…).
    #[error(transparent)]
    Canon(#[from] CanonError),
    /// The signature does not match: the document or proof changed after signing, or another
    /// key signed it.
    #[error("the signature does not match the document: it was changed after signing or signed by another key")]
    BadSignature,
}

/// A proof that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The `verificationMethod` that signed.
    pub verification_method: String,
    /// Its public key.
    pub public_key: PublicKey,
    /// The `created` date-time, when present.
    pub created: Option<XsdDateTime>,
    /// The `proofPurpose`.
    pub proof_purpose: String,
}

/// hashData for a canonical proof configuration and canonical document.
pub fn hash_data(canonical_proof_config: &str, canonical_document: &str) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(ring::digest::digest(&ring::digest::SHA256, canonical_proof_config.as_bytes()).as_ref());
    out[32..].copy_from_slice(ring::digest::digest(&ring::digest::SHA256, canonical_document.as_bytes()).as_ref());
    out
}

/// The proof configuration that is canonicalised: `proof` without `proofValue`, with the
/// document's `@context`.
fn proof_config(proof: &Map<String, Value>, document: &Map<String, Value>) -> Value {
    let mut config = proof.clone();
    config.remove("proofValue");
    if let Some(context) = document.get("@context") {
        config.insert("@context".into(), context.clone());
    }
    Value::Object(config)
}

/// Signs `document` (which must not have a proof yet) and returns it with the new `proof`.
pub fn sign(
    document: &Value,
    key: &SigningKey,
    options: &ProofOptions,
    contexts: &ContextSet,
) -> Result<Value, ProofError> {
    let object = document.as_object().ok_or(ProofError::NotAnObject)?;
    if object.contains_key("proof") {
        return Err(ProofError::AlreadySigned);
    }
    let mut proof = options.to_json();
    let config = proof_config(&proof, object);
    let canon_config = rdfc::canonicalize(&config, contexts, TermPolicy::Safe)?;
    let canon_document = rdfc::canonicalize(document, contexts, TermPolicy::Safe)?;
    let signature = key.sign(&hash_data(&canon_config, &canon_document));
    proof.insert("proofValue".into(), multibase::encode_base58btc(&signature).into());
    let mut secured = object.clone();
    secured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(secured))
}

/// Verifies the single `eddsa-rdfc-2022` proof of `secured`.
pub fn verify(
    secured: &Value,
    resolver: &dyn KeyResolver,
    contexts: &ContextSet,
) -> Result<VerifiedProof, VerifyError> {
    let object = secured.as_object().ok_or(VerifyError::Malformed("document"))?;
    let proof = match object.get("proof") {
        None => return Err(VerifyError::Missing),
        Some(Value::Object(proof)) => proof,
        Some(Value::Array(proofs)) if proofs.len() == 1 => {
            proofs[0].as_object().ok_or(VerifyError::Malformed("proof"))?
        }
        Some(Value::Array(proofs)) => return Err(VerifyError::NotSingle(proofs.len())),
        Some(_) => return Err(VerifyError::Malformed("proof")),
    };
    let text = |name: &'static str| proof.get(name).and_then(Value::as_str).ok_or(VerifyError::Malformed(name));
    if text("type")? != PROOF_TYPE {
        return Err(VerifyError::Malformed("type"));
    }
    let cryptosuite = text("cryptosuite")?;
    if cryptosuite != CRYPTOSUITE {
        return Err(VerifyError::Cryptosuite(cryptosuite.to_owned()));
    }
    let method = text("verificationMethod")?;
    let purpose = text("proofPurpose")?;
    let created = match proof.get("created") {
        None => None,
        Some(Value::String(s)) => Some(XsdDateTime::parse(s).map_err(|_| VerifyError::Malformed("created"))?),
        Some(_) => return Err(VerifyError::Malformed("created")),
    };
    let signature =
        multibase::decode_base58btc(text("proofValue")?).map_err(|_| VerifyError::Malformed("proofValue"))?;
    if signature.len() != 64 {
        return Err(VerifyError::Malformed("proofValue"));
    }
    // A proof that carries its own @context must match the start of the document's (VC DI 1.0
    // §4.5 step 3); the document is then hashed with the proof's @context.
    let mut unsecured = object.clone();
    unsecured.remove("proof");
    if let Some(proof_context) = proof.get("@context") {
        let as_list = |v: &Value| match v {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        let wanted = as_list(proof_context);
        let actual = unsecured.get("@context").map(as_list).unwrap_or_default();
        if actual.len() < wanted.len() || actual[..wanted.len()] != wanted[..] {
            return Err(VerifyError::Malformed("@context"));
        }
        unsecured.insert("@context".into(), proof_context.clone());
    }
    let public_key = resolver.resolve(method, purpose)?;
    let config = proof_config(proof, &unsecured);
    let canon_config = rdfc::canonicalize(&config, contexts, TermPolicy::Safe)?;
    let canon_document = rdfc::canonicalize(&Value::Object(unsecured), contexts, TermPolicy::Safe)?;
    public_key.verify(&hash_data(&canon_config, &canon_document), &signature).map_err(|_| VerifyError::BadSignature)?;
    Ok(VerifiedProof { verification_method: method.to_owned(), public_key, created, proof_purpose: purpose.to_owned() })
}
