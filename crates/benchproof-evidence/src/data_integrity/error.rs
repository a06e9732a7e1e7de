//! The ways creating or verifying a proof can fail.

use crate::datetime::DateTimeError;
use crate::did_key::DidKeyError;
use crate::jcs::JcsError;
use crate::multibase::MultibaseError;
use serde_json::Value;

/// Why a proof could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the document is not a JSON object")]
    DocumentNotObject,
    #[error("the document already has a proof: use add_proof to add one to its proof set")]
    DocumentHasProof,
    #[error("the document's existing \"proof\" member is neither a proof object nor an array of them")]
    MalformedProofSet,
    #[error("{field} must be an xsd:dateTimeStamp with a timezone, got {value:?}")]
    TimezoneRequired { field: &'static str, value: String },
    #[error("verification method {verification_method:?} is not the signing key's ({key_verification_method:?})")]
    KeyMismatch { verification_method: String, key_verification_method: String },
    #[error("previousProof {id:?} names no proof of the document's proof set")]
    PreviousProofNotFound { id: String },
    #[error("the proof set already has a proof with id {id:?}")]
    DuplicateProofId { id: String },
    #[error(transparent)]
    Jcs(#[from] JcsError),
}

/// What is malformed in a proof.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MalformedProof {
    #[error("the \"proof\" member is neither a proof object nor an array of them")]
    NotObjectOrArray,
    #[error("the proof is not a JSON object")]
    NotAnObject,
    #[error("the proof has no {0:?}")]
    Missing(&'static str),
    #[error("the proof's {0:?} is not a string")]
    NotAString(&'static str),
    #[error("the proof's {field:?} is not a date-time: {error}")]
    InvalidDateTime { field: &'static str, error: DateTimeError },
    #[error("the proofValue is not base58btc multibase: {0}")]
    ProofValueEncoding(MultibaseError),
    #[error("the proofValue decodes to {found} bytes, an Ed25519 signature has 64")]
    ProofValueLength { found: usize },
    #[error("previousProof is neither a string nor an array of strings")]
    PreviousProof,
}

/// Why a verification method could not be turned into a public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("only did:key verification methods can be resolved (offline, no DID documents)")]
    UnsupportedMethod,
    #[error(transparent)]
    DidKey(#[from] DidKeyError),
}

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the secured document is not a JSON object")]
    DocumentNotObject,
    #[error("the document has no proof")]
    NoProof,
    #[error("the document carries {count} proofs: use verify_all or verify_proof_at")]
    NotASingleProof { count: usize },
    #[error("there is no proof at index {index}: the document has {count}")]
    NoSuchProof { index: usize, count: usize },
    #[error("malformed proof: {0}")]
    Malformed(#[from] MalformedProof),
    #[error("wrong proof type {found:?}: expected \"DataIntegrityProof\"")]
    WrongProofType { found: String },
    #[error("unsupported cryptosuite {found:?}: only \"eddsa-jcs-2022\" is implemented")]
    UnsupportedCryptosuite { found: String },
    #[error("proof purpose {found:?} where {expected:?} was expected")]
    ProofPurposeMismatch { expected: String, found: String },
    #[error("the proof's @context is not a prefix of the document's @context")]
    ContextMismatch,
    #[error("verification method {id:?} cannot be resolved: {reason}")]
    KeyNotResolvable { id: String, reason: ResolveError },
    #[error("a did:key verification method cannot serve proof purpose {purpose:?}")]
    InvalidProofPurposeForVerificationMethod { purpose: String },
    #[error("previousProof {id:?} names no proof of the document's proof set")]
    PreviousProofNotFound { id: String },
    #[error("previous proof {id:?} in the chain does not verify")]
    PreviousProofInvalid { id: String },
    #[error("the proof chain has a cycle through {id:?}")]
    ProofChainCycle { id: String },
    #[error("the signature does not verify: the document or the proof was changed, or signed by another key")]
    InvalidSignature,
    #[error("the proof's domain {found:?} does not include the expected {expected:?}")]
    DomainMismatch { expected: String, found: Option<Value> },
    #[error("the proof's challenge {found:?} is not the expected {expected:?}")]
    ChallengeMismatch { expected: String, found: Option<String> },
    #[error("the proof expired at {expires}, before the verification time {now}")]
    Expired { expires: String, now: String },
    #[error(transparent)]
    Jcs(#[from] JcsError),
}
