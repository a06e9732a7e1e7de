//! The trust chain: a department key signs **enrolment records** that bind a station's or a
//! proctor's `did:key` to a role, a name and a validity period, and a **revocation list** that
//! withdraws enrolments. A bundle is trusted when its signers' enrolments verify against a
//! department key the verifier trusts, cover the assessment's time and are not revoked.
//!
//! Both documents are plain JSON secured with an `eddsa-jcs-2022` Data Integrity proof whose
//! verification method must be the department's own did:key. Their fields are frozen
//! (`formatVersion: 1`); a change makes a new version.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::data_integrity::{secure_document, verify, ProofError, ProofOptions, VerifyError, VerifyOptions};
use crate::{DidKey, SigningKey, XsdDateTime};

pub const ENROLMENT_TYPE: &str = "BenchproofEnrolment";
pub const REVOCATION_LIST_TYPE: &str = "BenchproofRevocationList";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Station,
    Proctor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Station => "station",
            Role::Proctor => "proctor",
        }
    }
}

/// An enrolment record, as signed by its department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Enrolment {
    #[serde(rename = "type")]
    pub kind: String,
    pub format_version: u32,
    /// `urn:uuid:…`, named by revocations.
    pub id: String,
    pub department: Department,
    pub subject: DidKey,
    pub role: Role,
    pub name: String,
    pub valid_from: XsdDateTime,
    pub valid_until: XsdDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub did: DidKey,
    pub name: String,
}

/// Why an enrolment or revocation list is not to be trusted.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("not a {expected} document: {detail}")]
    Malformed { expected: &'static str, detail: String },
    #[error("signed by {found}, not by the trusted department key {expected}")]
    WrongDepartment { expected: DidKey, found: String },
    #[error("its signature does not verify: {0}")]
    Signature(#[from] VerifyError),
    #[error("unsupported format version {0}; upgrade benchproof")]
    UnsupportedVersion(u32),
    #[error("valid from {from} until {until}, which does not cover {at}")]
    NotValidAt { from: String, until: String, at: String },
    #[error("revoked at {at}{}", reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Revoked { at: String, reason: Option<String> },
}

fn signed_by(doc: &Value, department: &DidKey) -> Result<(), TrustError> {
    let proof =
        verify(doc, &VerifyOptions { expected_proof_purpose: Some("assertionMethod".into()), ..Default::default() })?;
    if &proof.signer != department {
        return Err(TrustError::WrongDepartment { expected: department.clone(), found: proof.signer.to_string() });
    }
    Ok(())
}

fn without_proof(doc: &Value) -> Value {
    let mut v = doc.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("proof");
    }
    v
}

impl Enrolment {
    /// Signs the record with the department key (which must be the record's department).
    pub fn issue(&self, department_key: &SigningKey, created: XsdDateTime) -> Result<Value, ProofError> {
        let doc = serde_json::to_value(self).expect("enrolments serialise");
        secure_document(&doc, department_key, &ProofOptions::assertion(department_key).with_created(created))
    }

    /// Parses a signed record and checks it was signed by `department`.
    pub fn verify(doc: &Value, department: &DidKey) -> Result<Enrolment, TrustError> {
        let record: Enrolment = serde_json::from_value(without_proof(doc))
            .map_err(|e| TrustError::Malformed { expected: ENROLMENT_TYPE, detail: e.to_string() })?;
        if record.kind != ENROLMENT_TYPE {
            return Err(TrustError::Malformed {
                expected: ENROLMENT_TYPE,
                detail: format!("type is {:?}", record.kind),
            });
        }
        if record.format_version != 1 {
            return Err(TrustError::UnsupportedVersion(record.format_version));
        }
        if &record.department.did != department {
            return Err(TrustError::WrongDepartment {
                expected: department.clone(),
                found: record.department.did.to_string(),
            });
        }
        signed_by(doc, department)?;
        Ok(record)
    }

    /// Checks the validity period covers `[start, end]` and that no revocation applies.
    pub fn check_covers(
        &self,
        start: &XsdDateTime,
        end: &XsdDateTime,
        revocations: Option<&RevocationList>,
    ) -> Result<(), TrustError> {
        if start < &self.valid_from || end > &self.valid_until {
            let at = if start == end { start.to_string() } else { format!("{start} to {end}") };
            return Err(TrustError::NotValidAt {
                from: self.valid_from.to_string(),
                until: self.valid_until.to_string(),
                at,
            });
        }
        if let Some(r) = revocations.and_then(|l| l.revocation_of(&self.id, &self.subject)) {
            // A revocation withdraws trust in everything signed from its time on; earlier work
            // stays valid (the key was good then).
            if &r.revoked_at <= end {
                return Err(TrustError::Revoked { at: r.revoked_at.to_string(), reason: r.reason.clone() });
            }
        }
        Ok(())
    }
}

/// A department's list of withdrawn enrolments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevocationList {
    #[serde(rename = "type")]
    pub kind: String,
    pub format_version: u32,
    pub department: DidKey,
    pub issued: XsdDateTime,
    pub revoked: Vec<Revocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Revocation {
    /// The enrolment's `id`.
    pub enrolment: String,
    pub subject: DidKey,
    pub revoked_at: XsdDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RevocationList {
    pub fn new(department: DidKey, issued: XsdDateTime) -> RevocationList {
        RevocationList { kind: REVOCATION_LIST_TYPE.into(), format_version: 1, department, issued, revoked: Vec::new() }
    }

    pub fn issue(&self, department_key: &SigningKey, created: XsdDateTime) -> Result<Value, ProofError> {
        let doc = serde_json::to_value(self).expect("revocation lists serialise");
        secure_document(&doc, department_key, &ProofOptions::assertion(department_key).with_created(created))
    }

    pub fn verify(doc: &Value, department: &DidKey) -> Result<RevocationList, TrustError> {
        let list: RevocationList = serde_json::from_value(without_proof(doc))
            .map_err(|e| TrustError::Malformed { expected: REVOCATION_LIST_TYPE, detail: e.to_string() })?;
        if list.kind != REVOCATION_LIST_TYPE {
            let detail = format!("type is {:?}", list.kind);
            return Err(TrustError::Malformed { expected: REVOCATION_LIST_TYPE, detail });
        }
        if list.format_version != 1 {
            return Err(TrustError::UnsupportedVersion(list.format_version));
        }
        if &list.department != department {
            return Err(TrustError::WrongDepartment {
                expected: department.clone(),
                found: list.department.to_string(),
            });
        }
        signed_by(doc, department)?;
        Ok(list)
    }

    /// The revocation of an enrolment, matched by its id or by the key it enrolled.
    pub fn revocation_of(&self, enrolment: &str, subject: &DidKey) -> Option<&Revocation> {
        self.revoked.iter().find(|r| r.enrolment == enrolment || &r.subject == subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> XsdDateTime {
        XsdDateTime::parse_stamp(s).unwrap()
    }

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_seed_bytes(&[seed; 32]).unwrap()
    }

    fn enrolment(dept: &SigningKey, subject: &SigningKey) -> Enrolment {
        Enrolment {
            kind: ENROLMENT_TYPE.into(),
            format_version: 1,
            id: "urn:uuid:01936f1e-7c3a-7b2e-9c4d-5e6f7a8b9c0d".into(),
            department: Department { did: dept.did_key(), name: "Dept. of Electrical Engineering".into() },
            subject: subject.did_key(),
            role: Role::Station,
            name: "Bench 3".into(),
            valid_from: t("2026-01-01T00:00:00Z"),
            valid_until: t("2027-01-01T00:00:00Z"),
        }
    }

    #[test]
    fn issue_verify_and_cover() {
        let (dept, station) = (key(1), key(2));
        let e = enrolment(&dept, &station);
        let doc = e.issue(&dept, t("2026-01-01T00:00:00Z")).unwrap();
        let back = Enrolment::verify(&doc, &dept.did_key()).unwrap();
        assert_eq!(back, e);
        back.check_covers(&t("2026-05-01T09:00:00Z"), &t("2026-05-01T10:00:00Z"), None).unwrap();
        assert!(matches!(
            back.check_covers(&t("2027-05-01T09:00:00Z"), &t("2027-05-01T09:00:00Z"), None),
            Err(TrustError::NotValidAt { .. })
        ));
    }

    #[test]
    fn another_department_or_an_edit_is_refused() {
        let (dept, station, other) = (key(1), key(2), key(3));
        let doc = enrolment(&dept, &station).issue(&dept, t("2026-01-01T00:00:00Z")).unwrap();
        assert!(matches!(Enrolment::verify(&doc, &other.did_key()), Err(TrustError::WrongDepartment { .. })));
        let mut edited = doc.clone();
        edited["role"] = "proctor".into();
        assert!(matches!(Enrolment::verify(&edited, &dept.did_key()), Err(TrustError::Signature(_))));
        // Signed by another key while claiming the trusted department.
        let forged = enrolment(&dept, &station).issue(&other, t("2026-01-01T00:00:00Z")).unwrap();
        assert!(matches!(Enrolment::verify(&forged, &dept.did_key()), Err(TrustError::WrongDepartment { .. })));
    }

    #[test]
    fn revocation_applies_from_its_time_on() {
        let (dept, station) = (key(1), key(2));
        let e = enrolment(&dept, &station);
        let mut list = RevocationList::new(dept.did_key(), t("2026-06-01T00:00:00Z"));
        list.revoked.push(Revocation {
            enrolment: e.id.clone(),
            subject: station.did_key(),
            revoked_at: t("2026-06-01T00:00:00Z"),
            reason: Some("station stolen".into()),
        });
        let doc = list.issue(&dept, t("2026-06-01T00:00:00Z")).unwrap();
        let list = RevocationList::verify(&doc, &dept.did_key()).unwrap();
        let before = (t("2026-05-01T09:00:00Z"), t("2026-05-01T10:00:00Z"));
        e.check_covers(&before.0, &before.1, Some(&list)).unwrap();
        let after = (t("2026-07-01T09:00:00Z"), t("2026-07-01T10:00:00Z"));
        let err = e.check_covers(&after.0, &after.1, Some(&list)).unwrap_err();
        assert!(err.to_string().contains("station stolen"), "{err}");
    }
}
