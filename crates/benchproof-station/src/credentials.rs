//! The department's side of credentials: an Open Badges 3.0 credential for a verified bundle of
//! a passed assessment, signed with the department key (`eddsa-rdfc-2022`), and its checks. The
//! credential itself is `benchproof-credential`; this module maps a verified bundle onto it.

use std::path::Path;

use benchproof_bagit::Limits;
use benchproof_bundle::{read_rubric, verify_path, Trust, Verified};
use benchproof_credential::assessment::IssueContext;
use benchproof_credential::badge::{self, AchievementType, BadgeInput};
use benchproof_credential::{Issuer, TrustedIssuers, VerifyPolicy};
use benchproof_domain::{rubric, Sha256, Timestamp};
use benchproof_evidence::DidKey;
use serde_json::Value;

use crate::trust::DepartmentKey;
use crate::StationError;
use benchproof_bundle::seal::xsd;

/// What the department says about itself and where reviewers find the evidence.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// The department's public web address (the issuer profile's `url`).
    pub department_url: String,
    /// Base of the evidence review URLs and of the published rubric, e.g.
    /// `https://bench.example.edu`; evidence ids are `<base>/evidence/<assessment>/<sha256>`.
    pub base_url: String,
    /// `Competency` (default) or `MicroCredential`.
    pub achievement_type: AchievementType,
    /// When the credential is issued.
    pub now: Timestamp,
}

/// Verifies `bundle` against the department's own key and revocations, then issues the
/// credential of its assessment. Refused unless the bundle verifies and the outcome is passed.
pub fn issue_for_bundle(bundle: &Path, dept: &DepartmentKey, options: &IssueOptions) -> Result<Value, StationError> {
    let trust = Trust { department: dept.info.did.clone(), revocations: dept.revocations()? };
    let verified = verify_path(bundle, Some(&trust), None, Limits::default(), |_| {})
        .map_err(|e| StationError::Credential(format!("the bundle does not verify, so no credential: {e}")))?;
    let text = read_rubric(bundle, Limits::default()).map_err(|e| StationError::Credential(e.to_string()))?;
    let rubric = rubric::parse("rubric.toml", &text)?;
    let zip = std::fs::read(bundle).map_err(|source| StationError::Io { path: bundle.to_owned(), source })?;
    let input = badge_input(&verified, rubric, &Sha256::of(&zip), dept, options)?;
    badge::issue(&input, dept.signing_key()).map_err(|e| StationError::Credential(e.to_string()))
}

fn badge_input(
    v: &Verified,
    rubric: benchproof_domain::Rubric,
    zip_sha256: &Sha256,
    dept: &DepartmentKey,
    o: &IssueOptions,
) -> Result<BadgeInput, StationError> {
    let salt = badge::new_salt(&ring::rand::SystemRandom::new())
        .map_err(|_| StationError::Credential("the system has no random number generator".into()))?;
    let context = IssueContext {
        credential_id: uuid::Uuid::now_v7(),
        issuer: Issuer::with_did_key(dept.signing_key(), dept.info.name.clone(), o.department_url.clone()),
        base_url: o.base_url.clone(),
        achievement_type: o.achievement_type,
        valid_from: xsd(o.now),
        salt,
        status: None,
    };
    Ok(benchproof_credential::assessment::badge_input(&v.document, rubric, zip_sha256.0, context))
}

/// Checks a credential against a trusted department key, at `now`, and (when given) the bundle
/// whose digest it names.
pub fn verify_credential(
    credential: &str,
    department: &DidKey,
    now: Timestamp,
    bundle: Option<&Path>,
) -> Result<benchproof_credential::VerifiedCredential, StationError> {
    verify_credential_with(credential, &TrustedIssuers::new().with_did_key(department), now, bundle)
}

/// Like [`verify_credential`], trusting every issuer in `trusted` (see `trust::verify`). An
/// issuer outside the list is refused as not a trusted department.
pub fn verify_credential_with(
    credential: &str,
    trusted: &TrustedIssuers,
    now: Timestamp,
    bundle: Option<&Path>,
) -> Result<benchproof_credential::VerifiedCredential, StationError> {
    let mut policy = VerifyPolicy::new(trusted, xsd(now));
    if let Some(path) = bundle {
        let bytes = std::fs::read(path).map_err(|source| StationError::Io { path: path.to_owned(), source })?;
        policy.evidence.push(benchproof_credential::verify::EvidenceFile {
            id: None,
            label: path.display().to_string(),
            sha256: Sha256::of(&bytes).0,
        });
    }
    benchproof_credential::verify_credential_json(credential, &policy).map_err(|e| match e {
        benchproof_credential::CredentialError::UntrustedIssuer(issuer) => StationError::Credential(format!(
            "the issuer {issuer} is not a trusted department here; {}",
            crate::trust::verify::HOW_TO_TRUST
        )),
        other => StationError::Credential(other.to_string()),
    })
}
