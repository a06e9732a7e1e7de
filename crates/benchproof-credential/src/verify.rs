//! Verifying an `OpenBadgeCredential`: structure (the 1EdTech validator's structural rules),
//! the `eddsa-rdfc-2022` proof, the issuer's trust, the validity period, the revocation bit and,
//! when the caller has them, the evidence digests.
//!
//! Invariant: checks run in a fixed order — structure, proof, issuer, dates, status, evidence —
//! and the first failure is returned as one specific [`CredentialError`]; nothing is fetched (the
//! caller supplies status lists through a [`StatusResolver`]).

use benchproof_evidence::XsdDateTime;
use serde_json::Value;

use crate::contexts::{ContextSet, OB_V3P0_3_0_3, VC_V2};
use crate::digest::parse_digest_multibase;
use crate::issuer::TrustedIssuers;
use crate::proof::{self, VerifiedProof, VerifyError, CRYPTOSUITE};
use crate::status::{StatusError, StatusList, PURPOSE_REVOCATION};

/// Supplies status list credentials by URL (from a cache, a server, a file…).
pub trait StatusResolver {
    /// The status list credential published at `url`, or `None` if it cannot be had.
    fn status_list(&self, url: &str) -> Option<Value>;
}

impl<F: Fn(&str) -> Option<Value>> StatusResolver for F {
    fn status_list(&self, url: &str) -> Option<Value> {
        self(url)
    }
}

/// An evidence file the verifier holds, to compare with the credential's `digestMultibase`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    /// The evidence `id` it should match, or `None` to match any evidence item by digest (e.g.
    /// the bundle zip, whose review URL the verifier may not know).
    pub id: Option<String>,
    /// A name for messages (e.g. the file name).
    pub label: String,
    /// SHA-256 of the file's bytes.
    pub sha256: [u8; 32],
}

/// What to check a credential against.
pub struct VerifyPolicy<'a> {
    /// Issuers whose keys are trusted.
    pub trusted: &'a TrustedIssuers,
    /// The time to check `validFrom`/`validUntil` against.
    pub now: XsdDateTime,
    /// Where status lists come from; `None` skips the revocation check (reported as
    /// [`RevocationCheck::NotChecked`]).
    pub status: Option<&'a dyn StatusResolver>,
    /// Evidence files to check against the credential's digests.
    pub evidence: Vec<EvidenceFile>,
    /// The contexts to use (normally [`ContextSet::standard`]).
    pub contexts: &'a ContextSet,
}

impl std::fmt::Debug for VerifyPolicy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyPolicy")
            .field("trusted", &self.trusted)
            .field("now", &self.now)
            .field("status", &self.status.is_some())
            .field("evidence", &self.evidence)
            .finish()
    }
}

impl<'a> VerifyPolicy<'a> {
    /// A policy with the standard contexts, no status check and no evidence files.
    pub fn new(trusted: &'a TrustedIssuers, now: XsdDateTime) -> Self {
        VerifyPolicy { trusted, now, status: None, evidence: Vec::new(), contexts: ContextSet::standard() }
    }
}

/// Whether the revocation bit was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationCheck {
    /// The credential has no `credentialStatus`.
    NoStatus,
    /// Checked: not revoked.
    NotRevoked,
    /// No resolver was given.
    NotChecked,
}

/// A credential that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCredential {
    /// The credential `id`.
    pub id: String,
    /// The issuer DID.
    pub issuer: String,
    /// The issuer's name, if given.
    pub issuer_name: Option<String>,
    /// The achievement's name.
    pub achievement: String,
    /// `validFrom`.
    pub valid_from: XsdDateTime,
    /// `validUntil`, if any.
    pub valid_until: Option<XsdDateTime>,
    /// The proof that verified.
    pub proof: VerifiedProof,
    /// The revocation check.
    pub revocation: RevocationCheck,
    /// How many evidence files matched.
    pub evidence_checked: usize,
}

/// Why a credential was refused. Each variant is one reason, worded for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// Not JSON.
    #[error("the credential is not JSON: {0}")]
    NotJson(String),
    /// A structural rule of the Open Badges 3.0 / VC 2.0 data model is broken.
    #[error("the credential is not a valid Open Badges 3.0 credential: {0}")]
    Structure(String),
    /// The proof did not verify (a changed field, another key, an unknown context…).
    #[error("the credential's proof does not verify: {0}")]
    Proof(#[from] VerifyError),
    /// The proof's key does not belong to the credential's issuer.
    #[error("the proof was made by {method}, which is not a key of the issuer {issuer}")]
    KeyNotIssuers {
        /// The proof's verification method.
        method: String,
        /// The credential's issuer.
        issuer: String,
    },
    /// The issuer is not trusted.
    #[error("the issuer {0} is not trusted; add its DID (or DID document) to the trusted issuers")]
    UntrustedIssuer(String),
    /// `validFrom` is in the future.
    #[error("the credential is not valid before {0}")]
    NotYetValid(String),
    /// `validUntil` has passed.
    #[error("the credential expired at {0}")]
    Expired(String),
    /// The revocation bit is set.
    #[error("the credential has been revoked by its issuer (status list {list}, index {index})")]
    Revoked {
        /// The status list URL.
        list: String,
        /// The bit.
        index: usize,
    },
    /// The status list could not be had or is not valid.
    #[error("the revocation status could not be checked: {0}")]
    StatusUnavailable(String),
    /// An evidence file's digest differs from the credential's.
    #[error(
        "evidence {label} does not match the credential: its SHA-256 differs from the signed digestMultibase{target}"
    )]
    EvidenceMismatch {
        /// The file's label.
        label: String,
        /// Which evidence item, if known.
        target: String,
    },
}

fn structure(msg: impl Into<String>) -> CredentialError {
    CredentialError::Structure(msg.into())
}

fn types(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn date(credential: &Value, name: &str) -> Result<Option<XsdDateTime>, CredentialError> {
    match credential.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => XsdDateTime::parse(s)
            .map(Some)
            .map_err(|_| structure(format!("{name} {s:?} is not an XML Schema dateTime"))),
        Some(_) => Err(structure(format!("{name} is not a string"))),
    }
}

/// The structural rules of the 1EdTech Open Badges 3.0 validator that apply to a credential
/// before its proof: context order, types, required fields, cryptosuite allow-list.
pub fn check_structure(credential: &Value) -> Result<(), CredentialError> {
    let object = credential.as_object().ok_or_else(|| structure("it is not a JSON object"))?;
    let contexts: Vec<&str> = match object.get("@context") {
        Some(Value::Array(items)) => items.iter().map(|v| v.as_str().unwrap_or("")).collect(),
        _ => return Err(structure("@context must be a list starting with the VC 2.0 context")),
    };
    if contexts.first() != Some(&VC_V2) {
        return Err(structure(format!("the first @context must be {VC_V2}")));
    }
    if !contexts.iter().any(|c| c.starts_with("https://purl.imsglobal.org/spec/ob/v3p0/context")) {
        return Err(structure(format!("@context must include the Open Badges 3.0 context ({OB_V3P0_3_0_3})")));
    }
    let ty = types(object.get("type"));
    if !ty.contains(&"VerifiableCredential") {
        return Err(structure("type must include VerifiableCredential"));
    }
    if !ty.contains(&"OpenBadgeCredential") && !ty.contains(&"AchievementCredential") {
        return Err(structure("type must include OpenBadgeCredential (or AchievementCredential)"));
    }
    match object.get("id") {
        None => {}
        Some(Value::String(id)) if id.contains(':') => {}
        Some(_) => return Err(structure("id must be a URI")),
    }
    let issuer_id = match object.get("issuer") {
        Some(Value::Object(profile)) => {
            if !types(profile.get("type")).contains(&"Profile") {
                return Err(structure("issuer.type must include Profile"));
            }
            profile.get("id").and_then(Value::as_str)
        }
        _ => return Err(structure("issuer must be a Profile object with an id")),
    };
    if !issuer_id.is_some_and(|id| id.contains(':')) {
        return Err(structure("issuer.id must be a URI (the issuer's DID)"));
    }
    if object.get("name").and_then(Value::as_str).is_none() {
        return Err(structure("name is required"));
    }
    if date(credential, "validFrom")?.is_none() {
        return Err(structure("validFrom is required"));
    }
    date(credential, "validUntil")?;
    let subject = object
        .get("credentialSubject")
        .and_then(Value::as_object)
        .ok_or_else(|| structure("credentialSubject must be an object"))?;
    if !types(subject.get("type")).contains(&"AchievementSubject") {
        return Err(structure("credentialSubject.type must include AchievementSubject"));
    }
    if subject.get("id").is_none() && subject.get("identifier").is_none() {
        return Err(structure("credentialSubject needs an id or an identifier"));
    }
    let achievement = subject
        .get("achievement")
        .and_then(Value::as_object)
        .ok_or_else(|| structure("credentialSubject.achievement is required"))?;
    if !types(achievement.get("type")).contains(&"Achievement") {
        return Err(structure("achievement.type must include Achievement"));
    }
    for field in ["id", "name", "description"] {
        if achievement.get(field).and_then(Value::as_str).is_none() {
            return Err(structure(format!("achievement.{field} is required")));
        }
    }
    if !achievement.get("criteria").is_some_and(Value::is_object) {
        return Err(structure("achievement.criteria is required"));
    }
    for item in object.get("evidence").and_then(Value::as_array).into_iter().flatten() {
        if !types(item.get("type")).contains(&"Evidence") {
            return Err(structure("every evidence item's type must include Evidence"));
        }
    }
    let proofs: Vec<&Value> = match object.get("proof") {
        None => return Err(structure("proof is required")),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
    };
    for p in proofs {
        let suite = p.get("cryptosuite").and_then(Value::as_str).unwrap_or("(none)");
        if suite != CRYPTOSUITE {
            return Err(CredentialError::Proof(VerifyError::Cryptosuite(suite.to_owned())));
        }
    }
    Ok(())
}

/// Verifies a credential given as JSON text.
pub fn verify_credential_json(text: &str, policy: &VerifyPolicy<'_>) -> Result<VerifiedCredential, CredentialError> {
    let value: Value = serde_json::from_str(text).map_err(|e| CredentialError::NotJson(e.to_string()))?;
    verify_credential(&value, policy)
}

/// Verifies a credential: structure, proof, issuer, dates, revocation, evidence — in that order.
pub fn verify_credential(credential: &Value, policy: &VerifyPolicy<'_>) -> Result<VerifiedCredential, CredentialError> {
    check_structure(credential)?;
    let issuer = credential["issuer"]["id"].as_str().expect("checked by check_structure").to_owned();
    let proof = verified_proof_of_issuer(credential, &issuer, policy)?;
    let valid_from = date(credential, "validFrom")?.expect("checked by check_structure");
    let valid_until = date(credential, "validUntil")?;
    if policy.now.unix_seconds() < valid_from.unix_seconds() {
        return Err(CredentialError::NotYetValid(valid_from.as_str().into()));
    }
    if let Some(until) = &valid_until {
        if policy.now.unix_seconds() >= until.unix_seconds() {
            return Err(CredentialError::Expired(until.as_str().into()));
        }
    }
    let revocation = check_status(credential, &issuer, policy)?;
    let evidence_checked = check_evidence(credential, &policy.evidence)?;
    Ok(VerifiedCredential {
        id: credential.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        issuer,
        issuer_name: credential["issuer"]["name"].as_str().map(str::to_owned),
        achievement: credential["credentialSubject"]["achievement"]["name"].as_str().unwrap_or_default().to_owned(),
        valid_from,
        valid_until,
        proof,
        revocation,
        evidence_checked,
    })
}

/// Verifies the proof and that its key is the issuer's and the issuer is trusted.
fn verified_proof_of_issuer(
    document: &Value,
    issuer: &str,
    policy: &VerifyPolicy<'_>,
) -> Result<VerifiedProof, CredentialError> {
    let method = document
        .get("proof")
        .and_then(|p| p.get("verificationMethod").or_else(|| p.get(0).and_then(|p| p.get("verificationMethod"))))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if TrustedIssuers::controller_of(method) != issuer {
        return Err(CredentialError::KeyNotIssuers { method: method.into(), issuer: issuer.into() });
    }
    if !policy.trusted.trusts(issuer) {
        return Err(CredentialError::UntrustedIssuer(issuer.into()));
    }
    Ok(proof::verify(document, policy.trusted, policy.contexts)?)
}

fn check_status(
    credential: &Value,
    issuer: &str,
    policy: &VerifyPolicy<'_>,
) -> Result<RevocationCheck, CredentialError> {
    let Some(status) = credential.get("credentialStatus") else { return Ok(RevocationCheck::NoStatus) };
    let unavailable = |m: String| CredentialError::StatusUnavailable(m);
    if status.get("type").and_then(Value::as_str) != Some("BitstringStatusListEntry") {
        return Err(structure("credentialStatus.type must be BitstringStatusListEntry"));
    }
    if status.get("statusPurpose").and_then(Value::as_str) != Some(PURPOSE_REVOCATION) {
        return Err(structure("credentialStatus.statusPurpose must be revocation"));
    }
    let list_url = status
        .get("statusListCredential")
        .and_then(Value::as_str)
        .ok_or_else(|| structure("credentialStatus.statusListCredential is required"))?;
    let index: usize = status
        .get("statusListIndex")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| structure("credentialStatus.statusListIndex must be a decimal string"))?;
    let Some(resolver) = policy.status else { return Ok(RevocationCheck::NotChecked) };
    let list = resolver
        .status_list(list_url)
        .ok_or_else(|| unavailable(format!("the status list {list_url} could not be obtained")))?;
    let list_issuer = match list.get("issuer") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(p)) => p.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        _ => String::new(),
    };
    if list_issuer != issuer {
        return Err(unavailable(format!(
            "the status list {list_url} was issued by {list_issuer:?}, not by the credential's issuer"
        )));
    }
    if !types(list.get("type")).contains(&"BitstringStatusListCredential") {
        return Err(unavailable(format!("{list_url} is not a BitstringStatusListCredential")));
    }
    verified_proof_of_issuer(&list, issuer, policy)
        .map_err(|e| unavailable(format!("the status list's proof: {e}")))?;
    let subject = &list["credentialSubject"];
    if subject.get("statusPurpose").and_then(Value::as_str) != Some(PURPOSE_REVOCATION) {
        return Err(unavailable(format!("the status list {list_url} is not a revocation list")));
    }
    let encoded = subject.get("encodedList").and_then(Value::as_str).unwrap_or_default();
    let bits = StatusList::decode(encoded).map_err(|e: StatusError| unavailable(e.to_string()))?;
    if bits.get(index).map_err(|e| unavailable(e.to_string()))? {
        return Err(CredentialError::Revoked { list: list_url.into(), index });
    }
    Ok(RevocationCheck::NotRevoked)
}

fn check_evidence(credential: &Value, files: &[EvidenceFile]) -> Result<usize, CredentialError> {
    let items: Vec<(&str, Option<[u8; 32]>)> = credential
        .get("evidence")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e.get("id").and_then(Value::as_str).unwrap_or_default(),
                e.get("digestMultibase").and_then(Value::as_str).and_then(parse_digest_multibase),
            )
        })
        .collect();
    for file in files {
        let ok = match &file.id {
            Some(id) => items.iter().any(|(i, d)| i == id && *d == Some(file.sha256)),
            None => items.iter().any(|(_, d)| *d == Some(file.sha256)),
        };
        if !ok {
            let target = file.id.as_ref().map(|id| format!(" of {id}")).unwrap_or_default();
            return Err(CredentialError::EvidenceMismatch { label: file.label.clone(), target });
        }
    }
    Ok(files.len())
}
