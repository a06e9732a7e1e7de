//! Building the unsigned `OpenBadgeCredential` for a passed assessment, from plain inputs (so the
//! server and the CLI can both call it), and signing it.
//!
//! Invariants: the document is a pure function of [`BadgeInput`] (no clock, no randomness: the
//! credential id and salt are passed in); only a `passed` outcome is ever issued; every step of
//! the rubric gets a `resultDescription` and a `result`, in rubric order; the `@context` is
//! exactly VC 2.0 then Open Badges 3.0.3.

use benchproof_domain::assessment::Verdict;
use benchproof_domain::rubric::{Rubric, Step, StepId};
use benchproof_domain::scoring::Outcome;
use benchproof_evidence::{SigningKey, XsdDateTime};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::contexts::{ContextSet, OB_V3P0_3_0_3, VC_V2};
use crate::digest::digest_multibase;
use crate::issuer::Issuer;
use crate::proof::{self, ProofError, ProofOptions};

/// Which kind of achievement the rubric certifies (`achievement.achievementType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AchievementType {
    /// `Competency` (the default).
    #[default]
    Competency,
    /// `MicroCredential`.
    MicroCredential,
}

impl AchievementType {
    /// The OB 3.0 vocabulary value.
    pub fn as_str(self) -> &'static str {
        match self {
            AchievementType::Competency => "Competency",
            AchievementType::MicroCredential => "MicroCredential",
        }
    }
}

/// The kind of identifier a student is known by (`IdentityObject.identityType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdentityType {
    /// `studentId`: the institution's student number (the default).
    #[default]
    StudentId,
    /// `identifier`: any other identifier.
    Identifier,
    /// `emailAddress`.
    EmailAddress,
}

impl IdentityType {
    /// The OB 3.0 vocabulary value.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityType::StudentId => "studentId",
            IdentityType::Identifier => "identifier",
            IdentityType::EmailAddress => "emailAddress",
        }
    }
}

/// How the student's identifier appears in the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disclosure {
    /// `hashed: true`, `identityHash` = `sha256$` + hex(SHA-256(identifier ‖ salt)) (the default
    /// and recommended form: the holder proves it by revealing identifier and salt).
    Hashed {
        /// The salt, random per credential (see [`new_salt`]).
        salt: String,
    },
    /// `hashed: false`, the identifier in clear.
    Plain,
}

/// The student the credential is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    /// The identifier (e.g. the student number as recorded in the bundle).
    pub identifier: String,
    /// What kind of identifier it is.
    pub identity_type: IdentityType,
    /// Hashed (default) or plain.
    pub disclosure: Disclosure,
}

/// A fresh 16-byte hex salt for [`Disclosure::Hashed`].
pub fn new_salt(rng: &dyn ring::rand::SecureRandom) -> Result<String, ring::error::Unspecified> {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The verdict and level the proctor gave one rubric step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepResult {
    /// The rubric step.
    pub step: StepId,
    /// Pass, fail or not applicable; `None` if never ticked.
    pub verdict: Option<Verdict>,
    /// The performance level name, for steps that have levels.
    pub level: Option<String>,
}

/// One evidence item: the bundle, or one snippet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceItem {
    /// Where an authorised reviewer can see it (the review URL): the evidence `id`.
    pub url: String,
    /// A short name, e.g. `Evidence bundle` or `Step 3 snippet (video)`.
    pub name: String,
    /// What it shows, in a sentence.
    pub narrative: String,
    /// The SHA-256 digest of its bytes (written as `digestMultibase`).
    pub sha256: [u8; 32],
}

/// The Bitstring Status List entry of a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRef {
    /// The status list credential's URL.
    pub list_url: String,
    /// This credential's bit.
    pub index: usize,
}

/// Everything a credential is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct BadgeInput {
    /// The credential id (written `urn:uuid:…`).
    pub credential_id: Uuid,
    /// The issuing department.
    pub issuer: Issuer,
    /// `validFrom`.
    pub valid_from: XsdDateTime,
    /// `validUntil`, if the badge expires.
    pub valid_until: Option<XsdDateTime>,
    /// The student.
    pub student: Student,
    /// The rubric the assessment used.
    pub rubric: Rubric,
    /// Where the department publishes that rubric (absolute http(s) URL without fragment).
    pub rubric_url: String,
    /// Competency or micro-credential.
    pub achievement_type: AchievementType,
    /// The assessment's outcome: only `Passed` is issued.
    pub outcome: Outcome,
    /// Verdict and level per step (steps missing here are "not assessed").
    pub steps: Vec<StepResult>,
    /// The bundle first, then the snippets.
    pub evidence: Vec<EvidenceItem>,
    /// The revocation entry, if the department runs a status list.
    pub status: Option<StatusRef>,
}

/// Why a credential was not built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    /// The outcome is not `passed`.
    #[error("the assessment's outcome is {0}, not passed: a credential is only issued for a passed assessment")]
    NotPassed(&'static str),
    /// A step result names a step the rubric does not have.
    #[error("step {0:?} is not in the rubric {1}")]
    UnknownStep(String, String),
    /// A level that the step does not define.
    #[error("level {level:?} is not defined for step {step:?}")]
    UnknownLevel {
        /// The step.
        step: String,
        /// The level name given.
        level: String,
    },
    /// A URL that is not absolute http(s) (or has a fragment where none is allowed).
    #[error("{what} {url:?} is not an absolute http(s) URL{extra}")]
    BadUrl {
        /// Which input.
        what: &'static str,
        /// The value.
        url: String,
        /// More detail.
        extra: &'static str,
    },
    /// `validUntil` is not after `validFrom`.
    #[error("validUntil must be later than validFrom")]
    ValidityOrder,
    /// No evidence was given (the bundle at least is required).
    #[error("no evidence items: at least the evidence bundle must be listed")]
    NoEvidence,
    /// Signing failed.
    #[error(transparent)]
    Proof(#[from] ProofError),
}

fn check_url(what: &'static str, url: &str, fragment_allowed: bool) -> Result<(), IssueError> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace));
    if !ok {
        return Err(IssueError::BadUrl { what, url: url.into(), extra: "" });
    }
    if !fragment_allowed && url.contains('#') {
        return Err(IssueError::BadUrl { what, url: url.into(), extra: " without a #fragment" });
    }
    Ok(())
}

/// Percent-encodes everything but unreserved characters, for ids built from names.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The `identityHash` of `identifier` with `salt`: `sha256$` + hex(SHA-256(identifier ‖ salt)).
pub fn identity_hash(identifier: &str, salt: &str) -> String {
    format!("sha256${}", sha256_hex(format!("{identifier}{salt}").as_bytes()))
}

fn identity_object(student: &Student) -> Value {
    match &student.disclosure {
        Disclosure::Hashed { salt } => json!({
            "type": "IdentityObject",
            "hashed": true,
            "identityHash": identity_hash(&student.identifier, salt),
            "identityType": student.identity_type.as_str(),
            "salt": salt,
        }),
        Disclosure::Plain => json!({
            "type": "IdentityObject",
            "hashed": false,
            "identityHash": student.identifier,
            "identityType": student.identity_type.as_str(),
        }),
    }
}

fn criteria_narrative(rubric: &Rubric) -> String {
    let mut text = format!(
        "{}\n\nAssessed at the bench under observation by a proctor, step by step:\n",
        rubric.description.trim()
    );
    for (n, step) in rubric.steps.iter().enumerate() {
        let critical = if step.critical { " (critical)" } else { "" };
        text.push_str(&format!("\n{}. {}{}: {}", n + 1, step.title, critical, step.look_for.trim()));
    }
    text.push_str("\n\nTo pass, every critical step must pass");
    if let Some(share) = rubric.pass_rule.min_share {
        text.push_str(&format!(", and at least {:.0}% of the other steps", share * 100.0));
    }
    if let Some(points) = rubric.pass_rule.min_points {
        text.push_str(&format!(", with at least {points} points"));
    }
    text.push('.');
    text
}

fn result_description_id(rubric_url: &str, step: &Step) -> String {
    format!("{rubric_url}#step-{}", slug(step.id.as_str()))
}

fn level_id(rubric_url: &str, step: &Step, level: &str) -> String {
    format!("{rubric_url}#step-{}-level-{}", slug(step.id.as_str()), slug(level))
}

fn result_description(rubric_url: &str, step: &Step) -> Value {
    let mut rd = json!({
        "id": result_description_id(rubric_url, step),
        "type": ["ResultDescription"],
        "name": step.title,
        "resultType": if step.levels.is_empty() { "Status" } else { "RubricCriterionLevel" },
        "requiredLevel": Value::Null,
    });
    let map = rd.as_object_mut().expect("an object");
    map.remove("requiredLevel");
    if step.levels.is_empty() {
        map.insert("allowedValue".into(), json!(["pass", "fail", "not-applicable"]));
    } else {
        let levels: Vec<Value> = step
            .levels
            .iter()
            .map(|level| {
                json!({
                    "id": level_id(rubric_url, step, &level.name),
                    "type": ["RubricCriterionLevel"],
                    "name": level.name,
                    "description": level.description,
                    "points": level.points.to_string(),
                })
            })
            .collect();
        map.insert("rubricCriterionLevel".into(), Value::Array(levels));
    }
    rd
}

fn result(rubric_url: &str, step: &Step, given: Option<&StepResult>) -> Value {
    let mut r = Map::new();
    r.insert("type".into(), json!(["Result"]));
    r.insert("resultDescription".into(), result_description_id(rubric_url, step).into());
    let verdict = given.and_then(|g| g.verdict);
    r.insert("value".into(), verdict.map_or("not-assessed", Verdict::as_str).into());
    match verdict {
        Some(Verdict::Pass) => r.insert("status".into(), "Completed".into()),
        Some(Verdict::Fail) => r.insert("status".into(), "Failed".into()),
        _ => None,
    };
    if let Some(level) = given.and_then(|g| g.level.as_deref()) {
        r.insert("achievedLevel".into(), level_id(rubric_url, step, level).into());
    }
    Value::Object(r)
}

/// The unsigned `OpenBadgeCredential`.
pub fn build(input: &BadgeInput) -> Result<Value, IssueError> {
    if input.outcome != Outcome::Passed {
        return Err(IssueError::NotPassed(input.outcome.as_str()));
    }
    check_url("the rubric URL", &input.rubric_url, false)?;
    check_url("the issuer URL", &input.issuer.url, true)?;
    for item in &input.evidence {
        check_url("the evidence URL", &item.url, true)?;
    }
    if input.evidence.is_empty() {
        return Err(IssueError::NoEvidence);
    }
    if let Some(until) = &input.valid_until {
        if until.unix_seconds() <= input.valid_from.unix_seconds() {
            return Err(IssueError::ValidityOrder);
        }
    }
    if let Some(status) = &input.status {
        check_url("the status list URL", &status.list_url, false)?;
    }
    let rubric = &input.rubric;
    for given in &input.steps {
        let step = rubric
            .step(&given.step)
            .ok_or_else(|| IssueError::UnknownStep(given.step.as_str().into(), rubric.id.clone()))?;
        if let Some(level) = &given.level {
            if step.level(level).is_none() {
                return Err(IssueError::UnknownLevel { step: step.id.as_str().into(), level: level.clone() });
            }
        }
    }
    let url = &input.rubric_url;
    let achievement = json!({
        "id": format!("{url}#achievement"),
        "type": ["Achievement"],
        "name": rubric.title,
        "description": rubric.description.trim(),
        "achievementType": input.achievement_type.as_str(),
        "humanCode": rubric.id,
        "version": rubric.version,
        "criteria": { "id": url, "narrative": criteria_narrative(rubric) },
        "alignment": [{
            "type": ["Alignment"],
            "targetName": format!("{} (rubric {} version {})", rubric.title, rubric.id, rubric.version),
            "targetUrl": url,
            "targetDescription": format!("The published rubric; its SHA-256 is {}.", rubric.sha256.to_hex()),
            "targetCode": format!("{}@{}", rubric.id, rubric.version),
        }],
        "resultDescription": rubric.steps.iter().map(|s| result_description(url, s)).collect::<Vec<_>>(),
    });
    let results: Vec<Value> =
        rubric.steps.iter().map(|s| result(url, s, input.steps.iter().find(|g| g.step == s.id))).collect();
    let evidence: Vec<Value> = input
        .evidence
        .iter()
        .map(|e| {
            json!({
                "id": e.url,
                "type": ["Evidence"],
                "name": e.name,
                "narrative": e.narrative,
                "digestMultibase": digest_multibase(&e.sha256),
            })
        })
        .collect();
    let mut credential = json!({
        "@context": [VC_V2, OB_V3P0_3_0_3],
        "id": format!("urn:uuid:{}", input.credential_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": input.issuer.did.did(),
            "type": ["Profile"],
            "name": input.issuer.name,
            "url": input.issuer.url,
        },
        "validFrom": input.valid_from.as_str(),
        "name": rubric.title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [identity_object(&input.student)],
            "achievement": achievement,
            "result": results,
        },
        "evidence": evidence,
    });
    let map = credential.as_object_mut().expect("an object");
    if let Some(until) = &input.valid_until {
        map.insert("validUntil".into(), until.as_str().into());
    }
    if let Some(status) = &input.status {
        map.insert("credentialStatus".into(), crate::status::entry(&status.list_url, status.index));
    }
    Ok(credential)
}

/// Builds and signs the credential with the department key (proof `created` = `validFrom`).
pub fn issue(input: &BadgeInput, key: &SigningKey) -> Result<Value, IssueError> {
    let credential = build(input)?;
    let options = ProofOptions::assertion(input.issuer.did.verification_method(), input.valid_from.clone());
    Ok(proof::sign(&credential, key, &options, ContextSet::standard())?)
}
