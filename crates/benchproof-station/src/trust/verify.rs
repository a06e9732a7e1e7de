//! Verifying against a trust list: which trusted department vouches for a bundle or a credential.
//!
//! A bundle names its department only inside what the verifier checks, so each trusted
//! department is tried in turn with the full verifier, the one whose name the bag's
//! `Source-Organization` gives first. A refusal at any check other than enrolment is the same for
//! every department and is returned at once; only enrolment refusals move on to the next
//! department. A bundle no department vouches for is refused as "not a trusted department".
//! Accepted bundles normally cost one verification; refused ones at most one per department.

use std::path::Path;

use benchproof_bagit::{open_bag_path, Limits, Progress};
use benchproof_bundle::{verify_path, Check, Refusal, Registry, Trust, Verified, VerifyError};
use benchproof_credential::issuer::IssuerDid;
use benchproof_credential::{TrustedIssuers, VerifiedCredential};
use benchproof_domain::Timestamp;

use super::departments::{Source, TrustedDepartment};
use crate::StationError;

/// What to do to trust a department that is not trusted yet.
pub const HOW_TO_TRUST: &str =
    "to trust it, import its rubric pack with `benchproof trust import PACK.json`, or pass --trust DID_OR_FILE";

/// Verifies `path` against each candidate until one department vouches for it.
pub fn bundle(
    path: &Path,
    mut candidates: Vec<TrustedDepartment>,
    registry: Option<&dyn Registry>,
    progress: impl Fn(Progress) + Sync,
) -> Result<(Verified, TrustedDepartment), VerifyError> {
    if candidates.is_empty() {
        return Err(VerifyError::NoTrustRoot);
    }
    // An unverified hint, used only to choose the order: the verifier decides.
    let claimed = open_bag_path(path, Limits::default()).ok().and_then(|bag| {
        bag.bag_info().into_iter().find(|(label, _)| label.eq_ignore_ascii_case("Source-Organization")).map(|(_, v)| v)
    });
    candidates.sort_by_key(|d| Some(&d.name) != claimed.as_ref());
    let mut named_refusal = None;
    for department in &candidates {
        let trust = Trust { department: department.did.clone(), revocations: department.revocations.clone() };
        match verify_path(path, Some(&trust), registry, Limits::default(), &progress) {
            Ok(verified) => return Ok((verified, department.clone())),
            Err(VerifyError::Refused(r)) if r.check == Check::Enrolment => {
                // The department the bundle names: its own refusal (say, a revoked proctor) is
                // the one to report.
                if named_refusal.is_none() && Some(&department.name) == claimed.as_ref() {
                    named_refusal = Some(r);
                }
            }
            Err(other) => return Err(other),
        }
    }
    let trusted: Vec<&str> = candidates.iter().map(|d| d.name.as_str()).collect();
    Err(VerifyError::Refused(named_refusal.unwrap_or_else(|| Refusal {
        check: Check::Enrolment,
        reason: format!(
            "the bundle's enrolments{} are not signed by a trusted department (trusted here: {}); {HOW_TO_TRUST}",
            claimed.map(|c| format!(" (department {c:?})")).unwrap_or_default(),
            trusted.join(", ")
        ),
    })))
}

/// The issuers a credential verifier trusts: each department's did:key and, when its pack names
/// one, its did:web DID with the same key.
pub fn issuers(departments: &[TrustedDepartment]) -> TrustedIssuers {
    let mut trusted = TrustedIssuers::new();
    for d in departments {
        trusted = trusted.with_did_key(&d.did);
        if let Some(web) = d.did_web.as_deref().and_then(|domain| IssuerDid::web(domain, *d.did.public_key()).ok()) {
            trusted = trusted.with_did_document(&web.did_document()).expect("built documents list their key");
        }
    }
    trusted
}

fn issuer_dids(d: &TrustedDepartment) -> Vec<String> {
    let mut dids = vec![d.did.did()];
    if let Some(web) = d.did_web.as_deref().and_then(|domain| IssuerDid::web(domain, *d.did.public_key()).ok()) {
        dids.push(web.did());
    }
    dids
}

/// Verifies a credential against every trusted department and names the one that issued it.
pub fn credential(
    text: &str,
    departments: &[TrustedDepartment],
    now: Timestamp,
    bundle: Option<&Path>,
) -> Result<(VerifiedCredential, TrustedDepartment), StationError> {
    if departments.is_empty() {
        return Err(StationError::Credential(format!("no department is trusted here; {HOW_TO_TRUST}")));
    }
    let verified = crate::credentials::verify_credential_with(text, &issuers(departments), now, bundle)?;
    let department = departments
        .iter()
        .find(|d| issuer_dids(d).contains(&verified.issuer))
        .cloned()
        .expect("the verifier accepts only issuers of the trusted list");
    Ok((verified, department))
}

impl Source {
    /// A few words for people: "own department", "imported".
    pub fn describe(&self) -> &'static str {
        match self {
            Source::Own => "this station's own department",
            Source::Imported(_) => "imported department",
            Source::Given => "department given with --trust",
        }
    }
}

#[cfg(test)]
mod tests {
    use benchproof_credential::badge::{self, AchievementType, BadgeInput, Disclosure, IdentityType, Student};
    use benchproof_credential::badge::{EvidenceItem, StepResult};
    use benchproof_credential::Issuer;
    use benchproof_domain::assessment::Verdict;
    use benchproof_domain::scoring::Outcome;
    use benchproof_evidence::{SigningKey, XsdDateTime};

    use super::*;

    const DOMAIN: &str = "bench.eng.example.edu";

    fn rubric() -> benchproof_domain::Rubric {
        benchproof_domain::rubric::parse("test-skill", include_str!("../../../../fixtures/rubrics/test-skill.toml"))
            .unwrap()
    }

    /// A credential issued as `did:web:DOMAIN` with `key`.
    fn did_web_credential(key: &SigningKey) -> String {
        let rubric = rubric();
        let input = BadgeInput {
            credential_id: uuid::Uuid::now_v7(),
            issuer: Issuer {
                did: IssuerDid::web(DOMAIN, key.public_key()).unwrap(),
                name: "School of Engineering".into(),
                url: "https://eng.example.edu/".into(),
            },
            valid_from: XsdDateTime::parse_stamp("2026-11-01T09:00:00Z").unwrap(),
            valid_until: None,
            student: Student {
                identifier: "s1".into(),
                identity_type: IdentityType::StudentId,
                disclosure: Disclosure::Hashed { salt: "00112233".into() },
            },
            rubric_url: format!("https://{DOMAIN}/rubrics/test-skill/1"),
            steps: rubric
                .steps
                .iter()
                .map(|s| StepResult {
                    step: s.id.clone(),
                    verdict: Some(Verdict::Pass),
                    level: s.levels.last().map(|l| l.name.clone()),
                })
                .collect(),
            rubric,
            achievement_type: AchievementType::Competency,
            outcome: Outcome::Passed,
            evidence: vec![EvidenceItem {
                url: format!("https://{DOMAIN}/evidence/x"),
                name: "Evidence bundle".into(),
                narrative: "The sealed bundle.".into(),
                sha256: [7; 32],
            }],
            status: None,
        };
        badge::issue(&input, key).unwrap().to_string()
    }

    fn department(key: &SigningKey, did_web: Option<&str>) -> TrustedDepartment {
        TrustedDepartment { did_web: did_web.map(str::to_owned), ..TrustedDepartment::given(key.did_key(), None) }
    }

    #[test]
    fn a_did_web_credential_is_accepted_only_when_the_pack_names_that_domain_for_that_key() {
        let key = SigningKey::from_seed_bytes(&[3; 32]).unwrap();
        let now: Timestamp = "2026-11-29T12:00:00Z".parse().unwrap();
        let vc = did_web_credential(&key);

        let trusted = [department(&key, Some(DOMAIN))];
        let (ok, by) = credential(&vc, &trusted, now, None).unwrap();
        assert_eq!(ok.issuer, format!("did:web:{DOMAIN}"));
        assert_eq!(by.did, key.did_key());

        // The same key without the domain in its pack: did:web is not trusted.
        let err = credential(&vc, &[department(&key, None)], now, None).unwrap_err().to_string();
        assert!(err.contains("not a trusted department") && err.contains("trust import"), "{err}");

        // Another key claiming the trusted domain is not the department.
        let forger = SigningKey::from_seed_bytes(&[4; 32]).unwrap();
        assert!(credential(&did_web_credential(&forger), &trusted, now, None).is_err());
    }
}
