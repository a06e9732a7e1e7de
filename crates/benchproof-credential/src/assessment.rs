//! Mapping a verified evidence bundle's `assessment.json` onto a [`BadgeInput`], shared by the
//! station (`benchproof credential issue`) and the department server, so both issue the same
//! credential for the same bundle.
//!
//! Invariants: pure (the credential id, salt, issue time and status entry are passed in); the
//! bundle zip is the first evidence item, then every step's evidence in document order; evidence
//! ids are `<base>/evidence/<assessment>/<sha256 hex>` and the rubric is aligned to
//! `<base>/rubrics/<id>/<version>`, both served by the department server.

use benchproof_bundle::document::AssessmentDocument;
use benchproof_domain::Rubric;
use benchproof_evidence::XsdDateTime;
use uuid::Uuid;

use crate::badge::{
    AchievementType, BadgeInput, Disclosure, EvidenceItem, IdentityType, StatusRef, StepResult, Student,
};
use crate::issuer::Issuer;

/// What the caller decides about a credential beyond the bundle's own content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueContext {
    /// The new credential's id.
    pub credential_id: Uuid,
    /// The issuing department.
    pub issuer: Issuer,
    /// Absolute base of evidence and rubric URLs, e.g. `https://bench.example.edu`.
    pub base_url: String,
    /// `Competency` or `MicroCredential`.
    pub achievement_type: AchievementType,
    /// `validFrom`.
    pub valid_from: XsdDateTime,
    /// The salt of the hashed student identifier (see [`crate::badge::new_salt`]).
    pub salt: String,
    /// The revocation entry, if the issuer runs a status list.
    pub status: Option<StatusRef>,
}

/// The evidence URL of the item with digest `sha256_hex` in assessment `assessment`.
pub fn evidence_url(base_url: &str, assessment: &str, sha256_hex: &str) -> String {
    format!("{}/evidence/{assessment}/{sha256_hex}", base_url.trim_end_matches('/'))
}

/// The URL where the department publishes rubric `id` at `version`.
pub fn rubric_url(base_url: &str, id: &str, version: &str) -> String {
    format!("{}/rubrics/{id}/{version}", base_url.trim_end_matches('/'))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The badge input of a verified bundle: `document` is its `assessment.json`, `rubric` its parsed
/// `rubric.toml`, `zip_sha256` the SHA-256 of the whole zip.
pub fn badge_input(
    document: &AssessmentDocument,
    rubric: Rubric,
    zip_sha256: [u8; 32],
    context: IssueContext,
) -> BadgeInput {
    // `assessment.json` names the assessment `urn:uuid:<id>`; URLs use the bare id.
    let id = document.id.trim_start_matches("urn:uuid:");
    let base = &context.base_url;
    let mut evidence = vec![EvidenceItem {
        url: evidence_url(base, id, &hex(&zip_sha256)),
        name: "Evidence bundle".into(),
        narrative: format!(
            "The sealed, signed BagIt evidence bundle of assessment {id}: every verdict, the event log and all media."
        ),
        sha256: zip_sha256,
    }];
    for step in &document.steps {
        for e in &step.evidence {
            evidence.push(EvidenceItem {
                url: evidence_url(base, id, &e.sha256.to_string()),
                name: format!("{}: {}", step.title, e.path.trim_start_matches("data/")),
                narrative: format!("{} evidence of step \"{}\", captured {}.", e.media_type, step.title, e.captured_at),
                sha256: e.sha256.0,
            });
        }
    }
    BadgeInput {
        credential_id: context.credential_id,
        issuer: context.issuer,
        valid_from: context.valid_from,
        valid_until: None,
        student: Student {
            identifier: document.student.clone(),
            identity_type: IdentityType::StudentId,
            disclosure: Disclosure::Hashed { salt: context.salt },
        },
        rubric_url: rubric_url(base, &rubric.id, &rubric.version),
        rubric,
        achievement_type: context.achievement_type,
        outcome: document.outcome.result,
        steps: document
            .steps
            .iter()
            .map(|s| StepResult { step: s.id.clone(), verdict: s.verdict, level: s.level.clone() })
            .collect(),
        evidence,
        status: context.status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_joined_without_double_slashes() {
        assert_eq!(evidence_url("https://b.example/", "a1", "ff"), "https://b.example/evidence/a1/ff");
        assert_eq!(rubric_url("https://b.example", "skill", "1.0"), "https://b.example/rubrics/skill/1.0");
    }
}
