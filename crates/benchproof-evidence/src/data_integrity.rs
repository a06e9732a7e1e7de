//! W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (Data Integrity EdDSA
//! Cryptosuites v1.0, section 3.3), single proofs and proof sets/chains (VC Data Integrity 1.0,
//! "Add Proof Set/Chain" and "Verify Proof Sets and Chains").
//!
//! Creating a proof (3.3.1):
//! 1. `proof` = the proof options ([`ProofOptions::to_json`]: `type` `DataIntegrityProof`,
//!    `cryptosuite` `eddsa-jcs-2022`, `verificationMethod`, `proofPurpose`, and the optional
//!    `id`, `created`, `expires`, `domain`, `challenge`, `nonce`, `previousProof`), plus the
//!    document's `@context` when the document has one;
//! 2. hashData = SHA-256(JCS(proof)) ‖ SHA-256(JCS(document without `proof`)) ([`hash_data`]);
//! 3. `proof.proofValue` = `z` + base58btc(Ed25519-sign(hashData)).
//!
//! Verifying a proof (3.3.2): take `proofValue` out of the proof; if the proof has an `@context`,
//! the document's `@context` must start with the same values in the same order, and the document
//! is then hashed with the proof's `@context` in place of its own; recompute hashData; check the
//! signature with the key named by `verificationMethod`, which must be a `did:key` verification
//! method (`did:key:z6Mk…#z6Mk…`): nothing else can be resolved offline.
//!
//! Proof sets: every proof of a set is computed over the document **without any proof**, so
//! proofs can be added in any order and each verifies on its own. Proof chains: a proof whose
//! options name `previousProof` (the `id` of earlier proofs) is computed over the document with
//! `proof` set to the array of the proofs it names (in the order they have in the set), and is
//! valid only if those are valid too.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::datetime::XsdDateTime;
use crate::did_key::{DidKey, DID_KEY_PREFIX};
use crate::jcs;
use crate::keys::{self, SigningKey, SIGNATURE_LEN};
use crate::multibase;

mod error;

pub use error::{MalformedProof, ProofError, ResolveError, VerifyError};

/// A JSON object: documents and proofs.
pub type JsonObject = Map<String, Value>;

/// The proof `type` of every Data Integrity proof.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The one cryptosuite implemented here.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// The verification relationships a `did:key` DID document gives its Ed25519 key, hence the
/// proof purposes a `did:key` verification method can serve.
pub const DID_KEY_PROOF_PURPOSES: [&str; 4] =
    ["assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation"];

/// A string or a list of strings, as `domain` and `previousProof` may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let items: &[String] = match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        };
        items.iter().map(String::as_str)
    }

    pub fn contains(&self, s: &str) -> bool {
        self.iter().any(|x| x == s)
    }

    pub fn to_json(&self) -> Value {
        match self {
            OneOrMany::One(s) => Value::String(s.clone()),
            OneOrMany::Many(v) => Value::Array(v.iter().cloned().map(Value::String).collect()),
        }
    }

    fn from_json(value: &Value) -> Option<Self> {
        match value {
            Value::String(s) => Some(OneOrMany::One(s.clone())),
            Value::Array(items) => {
                items.iter().map(|v| v.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>().map(OneOrMany::Many)
            }
            _ => None,
        }
    }
}

impl From<&str> for OneOrMany {
    fn from(s: &str) -> Self {
        OneOrMany::One(s.to_owned())
    }
}

impl From<String> for OneOrMany {
    fn from(s: String) -> Self {
        OneOrMany::One(s)
    }
}

impl From<Vec<String>> for OneOrMany {
    fn from(v: Vec<String>) -> Self {
        OneOrMany::Many(v)
    }
}

/// The proof options of a new proof. `type` and `cryptosuite` are implied. Times are passed in
/// (this crate reads no clock) and must carry a timezone (`xsd:dateTimeStamp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    pub id: Option<String>,
    pub verification_method: String,
    pub proof_purpose: String,
    pub created: Option<XsdDateTime>,
    pub expires: Option<XsdDateTime>,
    pub domain: Option<OneOrMany>,
    pub challenge: Option<String>,
    pub nonce: Option<String>,
    pub previous_proof: Option<OneOrMany>,
}

impl ProofOptions {
    pub fn new(verification_method: impl Into<String>, proof_purpose: impl Into<String>) -> Self {
        Self {
            id: None,
            verification_method: verification_method.into(),
            proof_purpose: proof_purpose.into(),
            created: None,
            expires: None,
            domain: None,
            challenge: None,
            nonce: None,
            previous_proof: None,
        }
    }

    /// Options for an `assertionMethod` proof by `key`, named by its did:key verification method.
    pub fn assertion(key: &SigningKey) -> Self {
        Self::new(key.verification_method_id(), "assertionMethod")
    }

    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    pub fn with_created(mut self, created: XsdDateTime) -> Self {
        self.created = Some(created);
        self
    }
    pub fn with_expires(mut self, expires: XsdDateTime) -> Self {
        self.expires = Some(expires);
        self
    }
    pub fn with_domain(mut self, domain: impl Into<OneOrMany>) -> Self {
        self.domain = Some(domain.into());
        self
    }
    pub fn with_challenge(mut self, challenge: impl Into<String>) -> Self {
        self.challenge = Some(challenge.into());
        self
    }
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }
    pub fn with_previous_proof(mut self, previous_proof: impl Into<OneOrMany>) -> Self {
        self.previous_proof = Some(previous_proof.into());
        self
    }

    /// The options as the JSON members of a proof (before `@context` and `proofValue`).
    pub fn to_json(&self) -> JsonObject {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_owned(), v);
        };
        if let Some(id) = &self.id {
            put("id", Value::String(id.clone()));
        }
        put("type", Value::String(PROOF_TYPE.to_owned()));
        put("cryptosuite", Value::String(CRYPTOSUITE.to_owned()));
        if let Some(created) = &self.created {
            put("created", Value::String(created.as_str().to_owned()));
        }
        if let Some(expires) = &self.expires {
            put("expires", Value::String(expires.as_str().to_owned()));
        }
        put("verificationMethod", Value::String(self.verification_method.clone()));
        put("proofPurpose", Value::String(self.proof_purpose.clone()));
        if let Some(domain) = &self.domain {
            put("domain", domain.to_json());
        }
        if let Some(challenge) = &self.challenge {
            put("challenge", Value::String(challenge.clone()));
        }
        if let Some(nonce) = &self.nonce {
            put("nonce", Value::String(nonce.clone()));
        }
        if let Some(previous) = &self.previous_proof {
            put("previousProof", previous.to_json());
        }
        m
    }
}

/// What a verifier expects of a proof, beyond a valid signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// `proofPurpose` must equal this (e.g. `assertionMethod`).
    pub expected_proof_purpose: Option<String>,
    /// The proof's `domain` (a string or an array) must be or contain this.
    pub domain: Option<String>,
    /// The proof's `challenge` must equal this.
    pub challenge: Option<String>,
    /// The verification time: a proof whose `expires` is before it is refused. Without it,
    /// `expires` is only checked for syntax.
    pub now: Option<XsdDateTime>,
}

/// A proof that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// Position in the document's proof set (0 for a single proof object).
    pub index: usize,
    pub signer: DidKey,
    pub verification_method: String,
    pub proof_purpose: String,
    pub id: Option<String>,
    pub created: Option<String>,
    pub previous_proof: Vec<String>,
}

/// The verification result of one proof of a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofCheck {
    pub index: usize,
    pub id: Option<String>,
    pub verification_method: Option<String>,
    pub proof_purpose: Option<String>,
    pub outcome: Result<VerifiedProof, VerifyError>,
}

impl ProofCheck {
    pub fn is_verified(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// Selects proofs of a set; `None` fields match anything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProofQuery<'a> {
    pub verification_method: Option<&'a str>,
    pub proof_purpose: Option<&'a str>,
    pub id: Option<&'a str>,
}

/// SHA-256(canonical proof configuration) ‖ SHA-256(canonical document): the 64 signed bytes
/// (3.3.4 Hashing; the proof configuration's hash comes first).
pub fn hash_data(canonical_proof_config: &[u8], canonical_document: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(ring::digest::digest(&ring::digest::SHA256, canonical_proof_config).as_ref());
    out[32..].copy_from_slice(ring::digest::digest(&ring::digest::SHA256, canonical_document).as_ref());
    out
}

/// A copy of `secured` without its `proof` member (the verified document of a verification).
pub fn unsecured_document(secured: &Value) -> Value {
    let mut doc = secured.clone();
    if let Some(obj) = doc.as_object_mut() {
        obj.remove("proof");
    }
    doc
}

/// 3.3.1 Create Proof: the proof (with `proofValue`) of `unsecured_document`, which must be a
/// JSON object without a `proof` member.
pub fn create_proof(
    unsecured_document: &Value,
    key: &SigningKey,
    options: &ProofOptions,
) -> Result<JsonObject, ProofError> {
    let doc = unsecured_document.as_object().ok_or(ProofError::DocumentNotObject)?;
    if doc.contains_key("proof") {
        return Err(ProofError::DocumentHasProof);
    }
    create_proof_over(doc, key, options)
}

/// Add Proof: `unsecured_document` with `proof` set to a new proof object.
pub fn secure_document(
    unsecured_document: &Value,
    key: &SigningKey,
    options: &ProofOptions,
) -> Result<Value, ProofError> {
    let proof = create_proof(unsecured_document, key, options)?;
    let mut out = unsecured_document.as_object().cloned().ok_or(ProofError::DocumentNotObject)?;
    out.insert("proof".to_owned(), Value::Object(proof));
    Ok(Value::Object(out))
}

/// Add Proof Set/Chain: `document` (secured or not) with a new proof appended to its proof set.
/// The output's `proof` is always an array. Without `previousProof` the new proof covers the
/// document without any proof (a proof set); with it, the document with `proof` set to the
/// proofs it names (a proof chain).
pub fn add_proof(document: &Value, key: &SigningKey, options: &ProofOptions) -> Result<Value, ProofError> {
    let doc = document.as_object().ok_or(ProofError::DocumentNotObject)?;
    let mut all_proofs = match doc.get("proof") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(p @ Value::Object(_)) => vec![p.clone()],
        Some(_) => return Err(ProofError::MalformedProofSet),
    };
    if let Some(id) = &options.id {
        if all_proofs.iter().any(|p| proof_id(p) == Some(id)) {
            return Err(ProofError::DuplicateProofId { id: id.clone() });
        }
    }
    let mut unsecured = doc.clone();
    unsecured.remove("proof");
    if let Some(previous) = &options.previous_proof {
        if let Some(missing) = previous.iter().find(|id| !all_proofs.iter().any(|p| proof_id(p) == Some(id))) {
            return Err(ProofError::PreviousProofNotFound { id: missing.to_owned() });
        }
        unsecured.insert("proof".to_owned(), Value::Array(matching_proofs(&all_proofs, previous)));
    }
    let proof = create_proof_over(&unsecured, key, options)?;
    all_proofs.push(Value::Object(proof));
    let mut out = doc.clone();
    out.insert("proof".to_owned(), Value::Array(all_proofs));
    Ok(Value::Object(out))
}

fn create_proof_over(doc: &JsonObject, key: &SigningKey, options: &ProofOptions) -> Result<JsonObject, ProofError> {
    for (field, time) in [("created", &options.created), ("expires", &options.expires)] {
        if let Some(t) = time.as_ref().filter(|t| !t.has_timezone()) {
            return Err(ProofError::TimezoneRequired { field, value: t.as_str().to_owned() });
        }
    }
    if options.verification_method.starts_with(DID_KEY_PREFIX) {
        let own = key.verification_method_id();
        if options.verification_method != own {
            return Err(ProofError::KeyMismatch {
                verification_method: options.verification_method.clone(),
                key_verification_method: own,
            });
        }
    }
    let mut proof = options.to_json();
    if let Some(context) = doc.get("@context") {
        proof.insert("@context".to_owned(), context.clone());
    }
    let hash = hash_data(&jcs::canonicalize(&Value::Object(proof.clone()))?, &jcs::canonicalize_object(doc)?);
    let signature = key.sign(&hash);
    proof.insert("proofValue".to_owned(), Value::String(multibase::encode_base58btc(&signature)));
    Ok(proof)
}

fn proof_id(proof: &Value) -> Option<&str> {
    proof.get("id").and_then(Value::as_str)
}

/// The proofs of `all` whose `id` is named by `previous`, in the set's order.
fn matching_proofs<'a>(all: impl IntoIterator<Item = &'a Value>, previous: &OneOrMany) -> Vec<Value> {
    all.into_iter().filter(|p| proof_id(p).is_some_and(|id| previous.contains(id))).cloned().collect()
}

/// The document's proofs, as a list (a single proof object is a list of one).
pub fn proofs(secured: &Value) -> Result<Vec<&Value>, VerifyError> {
    let doc = secured.as_object().ok_or(VerifyError::DocumentNotObject)?;
    let list: Vec<&Value> = match doc.get("proof") {
        None => return Err(VerifyError::NoProof),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(p @ Value::Object(_)) => vec![p],
        Some(_) => return Err(MalformedProof::NotObjectOrArray.into()),
    };
    if list.is_empty() {
        return Err(VerifyError::NoProof);
    }
    Ok(list)
}

/// The proofs (index, proof object) matching `query`, in the set's order. A document without
/// proofs, or with malformed ones, simply has fewer matches.
pub fn find_proofs<'d>(secured: &'d Value, query: &ProofQuery<'_>) -> Vec<(usize, &'d JsonObject)> {
    let Ok(list) = proofs(secured) else {
        return Vec::new();
    };
    let field_is =
        |p: &JsonObject, k: &str, want: Option<&str>| want.is_none_or(|w| p.get(k).and_then(Value::as_str) == Some(w));
    list.into_iter()
        .enumerate()
        .filter_map(|(i, p)| p.as_object().map(|p| (i, p)))
        .filter(|(_, p)| {
            field_is(p, "verificationMethod", query.verification_method)
                && field_is(p, "proofPurpose", query.proof_purpose)
                && field_is(p, "id", query.id)
        })
        .collect()
}

/// The first proof matching `query`.
pub fn find_proof<'d>(secured: &'d Value, query: &ProofQuery<'_>) -> Option<(usize, &'d JsonObject)> {
    find_proofs(secured, query).into_iter().next()
}

/// Verifies a document that carries exactly one proof (an object, or an array of one).
pub fn verify(secured: &Value, options: &VerifyOptions) -> Result<VerifiedProof, VerifyError> {
    let count = proofs(secured)?.len();
    if count != 1 {
        return Err(VerifyError::NotASingleProof { count });
    }
    verify_proof_at(secured, 0, options)
}

/// Verifies the proof at `index` of the document's proof set, and, if it is part of a chain,
/// the proofs it depends on.
pub fn verify_proof_at(secured: &Value, index: usize, options: &VerifyOptions) -> Result<VerifiedProof, VerifyError> {
    let mut set = ProofSet::new(secured, options)?;
    if index >= set.all.len() {
        return Err(VerifyError::NoSuchProof { index, count: set.all.len() });
    }
    set.chained(index)
}

/// Verifies every proof of the document's proof set (Verify Proof Sets and Chains): one
/// [`ProofCheck`] per proof, in order. The outer error is for documents with no proof set at all.
pub fn verify_all(secured: &Value, options: &VerifyOptions) -> Result<Vec<ProofCheck>, VerifyError> {
    let mut set = ProofSet::new(secured, options)?;
    Ok((0..set.all.len())
        .map(|index| {
            let p = set.all[index].as_object();
            let field = |k: &str| p.and_then(|p| p.get(k)).and_then(Value::as_str).map(str::to_owned);
            ProofCheck {
                index,
                id: field("id"),
                verification_method: field("verificationMethod"),
                proof_purpose: field("proofPurpose"),
                outcome: set.chained(index),
            }
        })
        .collect())
}

/// A document's proof set being verified, with each proof's own result computed once.
struct ProofSet<'d> {
    /// The document without `proof`.
    base: JsonObject,
    all: Vec<&'d Value>,
    options: &'d VerifyOptions,
    own: Vec<Option<Result<VerifiedProof, VerifyError>>>,
    chained: Vec<Option<Result<VerifiedProof, VerifyError>>>,
}

impl<'d> ProofSet<'d> {
    fn new(secured: &'d Value, options: &'d VerifyOptions) -> Result<Self, VerifyError> {
        let all = proofs(secured)?;
        let mut base = secured.as_object().cloned().ok_or(VerifyError::DocumentNotObject)?;
        base.remove("proof");
        let n = all.len();
        Ok(Self { base, all, options, own: vec![None; n], chained: vec![None; n] })
    }

    fn own(&mut self, index: usize) -> Result<VerifiedProof, VerifyError> {
        if let Some(done) = &self.own[index] {
            return done.clone();
        }
        let result = verify_one(&self.base, &self.all, index, self.options);
        self.own[index] = Some(result.clone());
        result
    }

    /// The proof's own result, then (for a chain) that of every proof it depends on.
    fn chained(&mut self, index: usize) -> Result<VerifiedProof, VerifyError> {
        let mut on_path = HashSet::new();
        self.chained_inner(index, &mut on_path)
    }

    fn chained_inner(&mut self, index: usize, on_path: &mut HashSet<usize>) -> Result<VerifiedProof, VerifyError> {
        if let Some(done) = &self.chained[index] {
            return done.clone();
        }
        let own = self.own(index)?;
        on_path.insert(index);
        let mut result = Ok(own.clone());
        'ids: for id in &own.previous_proof {
            let targets: Vec<usize> = (0..self.all.len()).filter(|&j| proof_id(self.all[j]) == Some(id)).collect();
            for j in targets {
                if on_path.contains(&j) {
                    result = Err(VerifyError::ProofChainCycle { id: id.clone() });
                    break 'ids;
                }
                if let Err(e) = self.chained_inner(j, on_path) {
                    result = Err(match e {
                        cycle @ VerifyError::ProofChainCycle { .. } => cycle,
                        _ => VerifyError::PreviousProofInvalid { id: id.clone() },
                    });
                    break 'ids;
                }
            }
        }
        on_path.remove(&index);
        // A cycle result depends on the path taken; only cache path-independent results.
        if !matches!(result, Err(VerifyError::ProofChainCycle { .. })) {
            self.chained[index] = Some(result.clone());
        }
        result
    }
}

fn required_str<'p>(proof: &'p JsonObject, field: &'static str) -> Result<&'p str, MalformedProof> {
    match proof.get(field) {
        None | Some(Value::Null) => Err(MalformedProof::Missing(field)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(MalformedProof::NotAString(field)),
    }
}

fn optional_time(proof: &JsonObject, field: &'static str) -> Result<Option<XsdDateTime>, MalformedProof> {
    match proof.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => {
            XsdDateTime::parse(s).map(Some).map_err(|error| MalformedProof::InvalidDateTime { field, error })
        }
        Some(_) => Err(MalformedProof::NotAString(field)),
    }
}

/// Whether `document_context` starts with the values of `proof_context`, in order (a single
/// value counts as a list of one).
fn context_is_prefix(proof_context: &Value, document_context: Option<&Value>) -> bool {
    let Some(document_context) = document_context else {
        return false;
    };
    let as_list = |v: &Value| -> Vec<Value> {
        match v {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        }
    };
    let (p, d) = (as_list(proof_context), as_list(document_context));
    p.len() <= d.len() && p.iter().zip(&d).all(|(a, b)| a == b)
}

fn resolve_did_key(verification_method: &str) -> Result<DidKey, VerifyError> {
    let unresolvable = |reason| VerifyError::KeyNotResolvable { id: verification_method.to_owned(), reason };
    if !verification_method.starts_with(DID_KEY_PREFIX) {
        return Err(unresolvable(ResolveError::UnsupportedMethod));
    }
    DidKey::parse_verification_method(verification_method).map_err(|e| unresolvable(ResolveError::DidKey(e)))
}

/// 3.3.2 Verify Proof for the proof at `index`, over `base` (the document without `proof`).
fn verify_one(
    base: &JsonObject,
    all: &[&Value],
    index: usize,
    options: &VerifyOptions,
) -> Result<VerifiedProof, VerifyError> {
    let proof = all[index].as_object().ok_or(MalformedProof::NotAnObject)?;

    // Data Integrity "Verify Proof": type, verificationMethod and proofPurpose are required.
    let proof_type = required_str(proof, "type")?;
    let verification_method = required_str(proof, "verificationMethod")?;
    let proof_purpose = required_str(proof, "proofPurpose")?;
    if proof_type != PROOF_TYPE {
        return Err(VerifyError::WrongProofType { found: proof_type.to_owned() });
    }
    let cryptosuite = required_str(proof, "cryptosuite")?;
    if cryptosuite != CRYPTOSUITE {
        return Err(VerifyError::UnsupportedCryptosuite { found: cryptosuite.to_owned() });
    }
    let proof_value = required_str(proof, "proofValue")?;
    if let Some(expected) = &options.expected_proof_purpose {
        if proof_purpose != expected {
            return Err(VerifyError::ProofPurposeMismatch {
                expected: expected.clone(),
                found: proof_purpose.to_owned(),
            });
        }
    }
    let created = optional_time(proof, "created")?;
    let expires = optional_time(proof, "expires")?;
    let proof_bytes = multibase::decode_base58btc(proof_value).map_err(MalformedProof::ProofValueEncoding)?;
    if proof_bytes.len() != SIGNATURE_LEN {
        return Err(MalformedProof::ProofValueLength { found: proof_bytes.len() }.into());
    }

    // proofOptions = the proof without proofValue; unsecuredDocument = the document without proof,
    // or, in a chain, with the proofs that previousProof names.
    let mut proof_options = proof.clone();
    proof_options.remove("proofValue");
    let mut unsecured = base.clone();
    let previous_proof = match proof.get("previousProof") {
        None => Vec::new(),
        Some(v) => {
            let previous = OneOrMany::from_json(v).ok_or(MalformedProof::PreviousProof)?;
            if let Some(missing) = previous.iter().find(|id| !all.iter().any(|p| proof_id(p) == Some(id))) {
                return Err(VerifyError::PreviousProofNotFound { id: missing.to_owned() });
            }
            unsecured.insert("proof".to_owned(), Value::Array(matching_proofs(all.iter().copied(), &previous)));
            previous.iter().map(str::to_owned).collect()
        }
    };

    if let Some(proof_context) = proof_options.get("@context") {
        if !context_is_prefix(proof_context, base.get("@context")) {
            return Err(VerifyError::ContextMismatch);
        }
        unsecured.insert("@context".to_owned(), proof_context.clone());
    }

    let signer = resolve_did_key(verification_method)?;
    if !DID_KEY_PROOF_PURPOSES.contains(&proof_purpose) {
        return Err(VerifyError::InvalidProofPurposeForVerificationMethod { purpose: proof_purpose.to_owned() });
    }

    let hash = hash_data(&jcs::canonicalize_object(&proof_options)?, &jcs::canonicalize_object(&unsecured)?);
    keys::verify(signer.public_key(), &hash, &proof_bytes).map_err(|_| VerifyError::InvalidSignature)?;

    if let Some(expected) = &options.domain {
        let found = proof.get("domain");
        if !found.and_then(OneOrMany::from_json).is_some_and(|d| d.contains(expected)) {
            return Err(VerifyError::DomainMismatch { expected: expected.clone(), found: found.cloned() });
        }
    }
    if let Some(expected) = &options.challenge {
        let found = proof.get("challenge").and_then(Value::as_str);
        if found != Some(expected.as_str()) {
            return Err(VerifyError::ChallengeMismatch { expected: expected.clone(), found: found.map(str::to_owned) });
        }
    }
    if let (Some(now), Some(expires)) = (&options.now, &expires) {
        if now > expires {
            return Err(VerifyError::Expired { expires: expires.as_str().to_owned(), now: now.as_str().to_owned() });
        }
    }

    Ok(VerifiedProof {
        index,
        signer,
        verification_method: verification_method.to_owned(),
        proof_purpose: proof_purpose.to_owned(),
        id: proof.get("id").and_then(Value::as_str).map(str::to_owned),
        created: created.map(|c| c.as_str().to_owned()),
        previous_proof,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stub(index: usize, previous: &[&str]) -> Result<VerifiedProof, VerifyError> {
        let key = SigningKey::from_seed(&crate::SecretSeed::from_bytes([1; 32])).unwrap();
        Ok(VerifiedProof {
            index,
            signer: key.did_key(),
            verification_method: key.verification_method_id(),
            proof_purpose: "assertionMethod".into(),
            id: None,
            created: None,
            previous_proof: previous.iter().map(|s| s.to_string()).collect(),
        })
    }

    /// A cycle cannot be signed (each proof would cover the other's signature), so the chain walk
    /// is tested with each proof's own result given.
    #[test]
    fn chain_walk_detects_cycles_and_invalid_links() {
        let doc = json!({"proof": [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}, {"id": "e"}]});
        let options = VerifyOptions::default();
        let mut set = ProofSet::new(&doc, &options).unwrap();
        set.own = vec![
            Some(stub(0, &["b"])),
            Some(stub(1, &["a"])),
            Some(stub(2, &["a"])),
            Some(Err(VerifyError::InvalidSignature)),
            Some(stub(4, &["d"])),
        ];
        assert_eq!(set.chained(0), Err(VerifyError::ProofChainCycle { id: "a".into() }));
        assert_eq!(set.chained(1), Err(VerifyError::ProofChainCycle { id: "b".into() }));
        assert_eq!(set.chained(2), Err(VerifyError::ProofChainCycle { id: "a".into() }));
        assert_eq!(set.chained(3), Err(VerifyError::InvalidSignature));
        assert_eq!(set.chained(4), Err(VerifyError::PreviousProofInvalid { id: "d".into() }));

        let mut set = ProofSet::new(&doc, &options).unwrap();
        set.own = vec![Some(stub(0, &["a"])), None, None, None, None];
        assert_eq!(set.chained(0), Err(VerifyError::ProofChainCycle { id: "a".into() }));
    }

    #[test]
    fn context_prefix_rule() {
        let v2 = json!("https://www.w3.org/ns/credentials/v2");
        let ex = json!("https://www.w3.org/ns/credentials/examples/v2");
        assert!(context_is_prefix(&json!([v2, ex]), Some(&json!([v2, ex]))));
        assert!(context_is_prefix(&json!([v2]), Some(&json!([v2, ex]))));
        assert!(context_is_prefix(&v2, Some(&json!([v2, ex]))));
        assert!(context_is_prefix(&json!([v2]), Some(&v2)));
        assert!(context_is_prefix(&json!([{"@vocab": "urn:x#"}]), Some(&json!([{"@vocab": "urn:x#"}, v2]))));
        assert!(!context_is_prefix(&json!([v2, ex]), Some(&json!([v2]))));
        assert!(!context_is_prefix(&json!([ex, v2]), Some(&json!([v2, ex]))));
        assert!(!context_is_prefix(&json!([v2]), None));
    }

    #[test]
    fn options_to_json() {
        let o = ProofOptions::new("did:example:1#k", "assertionMethod")
            .with_id("urn:p")
            .with_created(XsdDateTime::parse_stamp("2026-01-01T00:00:00Z").unwrap())
            .with_expires(XsdDateTime::parse_stamp("2027-01-01T00:00:00Z").unwrap())
            .with_domain("bench.example")
            .with_challenge("c")
            .with_nonce("n")
            .with_previous_proof(vec!["urn:a".to_owned()]);
        assert_eq!(
            Value::Object(o.to_json()),
            json!({
                "id": "urn:p", "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
                "created": "2026-01-01T00:00:00Z", "expires": "2027-01-01T00:00:00Z",
                "verificationMethod": "did:example:1#k", "proofPurpose": "assertionMethod",
                "domain": "bench.example", "challenge": "c", "nonce": "n", "previousProof": ["urn:a"]
            })
        );
    }
}
