//! Verification: every check a stranger needs to trust a bundle, in a fixed order, stopping at
//! the first failure with a sentence that names it.
//!
//! 1. zip safety;
//! 2. BagIt validity;
//! 3. the event chain and its head;
//! 4. evidence digests;
//! 5. both proofs;
//! 6. enrolments under the trusted department key;
//! 7. the document equals what the event log and rubric imply (verdicts, outcome, everything);
//! 8. replay, when the verifier keeps a registry of bundles it has seen.

use std::io::Read;
use std::path::Path;

use benchproof_bagit::{open_bag_path, Bag, BagError, Limits, Progress, SharedFile};
use benchproof_domain::event::verify_chain;
use benchproof_domain::rubric;
use benchproof_domain::{Assessment, AssessmentId, EventBody, EventRecord, LifecycleState, Sha256};
use benchproof_evidence::data_integrity::{verify_all, VerifyOptions as ProofVerifyOptions};
use benchproof_evidence::enrolment::{Enrolment, RevocationList, Role};
use benchproof_evidence::DidKey;
use serde::Serialize;
use serde_json::Value;

use crate::document::{
    data_path, describe, AssessmentDocument, ASSESSMENT_PATH, DOCUMENT_TYPE, EVENTS_PATH, FORMAT_VERSION, RUBRIC_PATH,
};
use crate::seal::xsd;

/// Largest JSON or TOML payload file the verifier parses in memory.
const MAX_DOCUMENT_BYTES: u64 = 32 << 20;

/// The verifier's trust root: the department key whose enrolments it accepts.
#[derive(Debug, Clone)]
pub struct Trust {
    pub department: DidKey,
    pub revocations: Option<RevocationList>,
}

/// Bundles this verifier has accepted before, by assessment: detects a re-signed replay.
pub trait Registry {
    fn digest_of(&self, assessment: &AssessmentId) -> Option<Sha256>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    ZipSafety,
    Bagit,
    EventChain,
    Evidence,
    Proofs,
    Enrolment,
    Document,
    Replay,
}

impl Check {
    pub const ALL: [Check; 8] = [
        Check::ZipSafety,
        Check::Bagit,
        Check::EventChain,
        Check::Evidence,
        Check::Proofs,
        Check::Enrolment,
        Check::Document,
        Check::Replay,
    ];
}

/// Why a bundle is refused: the check that failed and a sentence naming the broken link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{reason}")]
pub struct Refusal {
    pub check: Check,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("no trust root: pass --trust with the department's did:key, or run in a station data directory that knows its department")]
    NoTrustRoot,
    #[error("bundle refused: {0}")]
    Refused(Refusal),
}

/// A bundle that passed every check.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub assessment: AssessmentId,
    /// SHA-256 of the bag's tag manifest: the bundle's identity.
    pub digest: Sha256,
    pub document: AssessmentDocument,
    pub station_name: String,
    pub proctor_name: String,
    pub payload_files: usize,
    pub payload_bytes: u64,
    pub checks: Vec<Check>,
}

fn refuse(check: Check, reason: impl Into<String>) -> VerifyError {
    VerifyError::Refused(Refusal { check, reason: reason.into() })
}

fn zip_or_bagit(e: &BagError) -> Check {
    match e {
        BagError::CorruptZip { .. }
        | BagError::UnsupportedZip { .. }
        | BagError::CorruptEntry { .. }
        | BagError::HeaderMismatch { .. }
        | BagError::TooManyEntries { .. }
        | BagError::TooLarge { .. }
        | BagError::CompressionRatio { .. }
        | BagError::SizeMismatch { .. }
        | BagError::UnsafeEntryName { .. }
        | BagError::NonUtf8EntryName { .. }
        | BagError::DuplicateEntry { .. }
        | BagError::CaseCollision { .. }
        | BagError::FileDirectoryConflict { .. }
        | BagError::Symlink { .. }
        | BagError::SpecialFile { .. }
        | BagError::Encrypted { .. }
        | BagError::UnsupportedCompression { .. }
        | BagError::OutsideTopDirectory { .. }
        | BagError::NotInDirectory { .. }
        | BagError::EmptyZip => Check::ZipSafety,
        _ => Check::Bagit,
    }
}

fn read_small(bag: &mut Bag<SharedFile>, file: &str) -> Result<Vec<u8>, VerifyError> {
    let what = data_path(file);
    let reader = bag.read_payload(file).map_err(|e| match e {
        BagError::UnknownPayload { .. } => refuse(Check::Bagit, format!("{what} is missing from the bundle")),
        other => refuse(zip_or_bagit(&other), other.to_string()),
    })?;
    let mut bytes = Vec::new();
    reader
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(Check::Bagit, format!("{what}: {e}")))?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(refuse(Check::Bagit, format!("{what} is larger than {MAX_DOCUMENT_BYTES} bytes")));
    }
    Ok(bytes)
}

fn read_json(bag: &mut Bag<SharedFile>, file: &str, check: Check) -> Result<Value, VerifyError> {
    let bytes = read_small(bag, file)?;
    serde_json::from_slice(&bytes).map_err(|e| refuse(check, format!("{} is not valid JSON: {e}", data_path(file))))
}

/// Verifies the bundle at `path`. `progress` sees payload hashing (the long part).
pub fn verify_path(
    path: &Path,
    trust: Option<&Trust>,
    registry: Option<&dyn Registry>,
    limits: Limits,
    progress: impl Fn(Progress) + Sync,
) -> Result<Verified, VerifyError> {
    let trust = trust.ok_or(VerifyError::NoTrustRoot)?;
    if let Err(source) = std::fs::metadata(path) {
        return Err(VerifyError::Io { path: path.display().to_string(), source });
    }

    // 1–2. Zip safety, then BagIt: every manifest line, Payload-Oxum, the tag manifest.
    let mut bag = open_bag_path(path, limits).map_err(|e| refuse(zip_or_bagit(&e), e.to_string()))?;
    let valid = bag.validate(progress).map_err(|e| refuse(zip_or_bagit(&e), e.to_string()))?;
    let digest = valid.tagmanifest_sha256.map(|d| Sha256(d.0)).ok_or_else(|| {
        refuse(Check::Bagit, "the bag has no tagmanifest-sha256.txt, so its tag files are not sealed")
    })?;
    if !valid.unlisted_tag_files.is_empty() {
        return Err(refuse(
            Check::Bagit,
            format!("tag files not covered by tagmanifest-sha256.txt: {}", valid.unlisted_tag_files.join(", ")),
        ));
    }

    // 3. The event chain, its head against the document, and the rubric text.
    let signed = read_json(&mut bag, ASSESSMENT_PATH, Check::Document)?;
    let mut unsigned = signed.clone();
    if let Some(o) = unsigned.as_object_mut() {
        o.remove("proof");
    }
    let stated: AssessmentDocument = serde_json::from_value(unsigned.clone())
        .map_err(|e| refuse(Check::Document, format!("data/assessment.json is not a benchproof assessment: {e}")))?;
    if stated.kind != DOCUMENT_TYPE || !(1..=FORMAT_VERSION).contains(&stated.format_version) {
        return Err(refuse(
            Check::Document,
            format!(
                "data/assessment.json is {} version {}; this verifier reads {DOCUMENT_TYPE} versions 1 to {FORMAT_VERSION}",
                stated.kind, stated.format_version
            ),
        ));
    }
    let events_text = String::from_utf8(read_small(&mut bag, EVENTS_PATH)?)
        .map_err(|_| refuse(Check::EventChain, "data/events.jsonl is not UTF-8 text"))?;
    let mut events: Vec<EventRecord> = Vec::new();
    for (i, line) in events_text.lines().enumerate() {
        let record = serde_json::from_str(line).map_err(|e| {
            refuse(Check::EventChain, format!("data/events.jsonl line {} is not an event record: {e}", i + 1))
        })?;
        events.push(record);
    }
    verify_chain(&events, Some(stated.events.head))
        .map_err(|e| refuse(Check::EventChain, format!("data/events.jsonl: {e}")))?;
    let id = events[0].assessment;
    if stated.id != format!("urn:uuid:{id}") {
        return Err(refuse(
            Check::EventChain,
            format!("data/assessment.json is about {} but the event log about assessment {id}", stated.id),
        ));
    }
    let rubric_text = String::from_utf8(read_small(&mut bag, RUBRIC_PATH)?)
        .map_err(|_| refuse(Check::Document, "data/rubric.toml is not UTF-8 text"))?;
    let rubric = rubric::parse("data/rubric.toml", &rubric_text)
        .map_err(|e| refuse(Check::Document, format!("data/rubric.toml is not a valid rubric: {e}")))?;
    let assessment = Assessment::replay(rubric, &events)
        .map_err(|e| refuse(Check::EventChain, format!("data/events.jsonl cannot be replayed: {e}")))?;
    if assessment.state != LifecycleState::Finished {
        return Err(refuse(
            Check::EventChain,
            format!("the event log ends with the assessment {}, not finished", assessment.state),
        ));
    }

    // 4. Evidence: every snippet the event log saved is in the bag with the recorded digest.
    for e in &events {
        if let EventBody::SnippetSaved { name, sha256, .. } = &e.event {
            let path = crate::document::media_path(e.seq, name);
            let in_data = path.strip_prefix("data/").expect("media paths start with data/");
            match valid.payload.iter().find(|p| p.path == in_data) {
                None => return Err(refuse(Check::Evidence, format!("{path}, saved by event {}, is missing from the bundle", e.seq))),
                Some(p) if p.sha256.0 != sha256.0 => {
                    return Err(refuse(
                        Check::Evidence,
                        format!("{path} does not match the digest event {} recorded when it was captured: the media was replaced after the fact", e.seq),
                    ))
                }
                Some(_) => {}
            }
        }
    }

    // What the event log and rubric imply; compared in full at step 7, and used at step 5 to name
    // the edited field when a signature fails.
    let implied = describe(&assessment, &events, &stated.station.did, &stated.proctor.did)
        .map_err(|e| refuse(Check::Document, e.to_string()))?;
    let implied_json = serde_json::to_value(&implied).expect("documents serialise");
    let difference = first_difference(&implied_json, &unsigned, String::new());
    let edited =
        difference.as_deref().map(|d| format!(" (data/assessment.json was edited at {d})")).unwrap_or_default();

    // 5. Both proofs: one by the station key, one by the proctor key, over the same document.
    let checks = verify_all(
        &signed,
        &ProofVerifyOptions { expected_proof_purpose: Some("assertionMethod".into()), ..Default::default() },
    )
    .map_err(|e| refuse(Check::Proofs, format!("data/assessment.json: {e}")))?;
    for (role, did) in [("station", &stated.station.did), ("proctor", &stated.proctor.did)] {
        let mine: Vec<_> =
            checks.iter().filter(|c| c.verification_method.as_deref() == Some(&did.verification_method_id())).collect();
        match mine.as_slice() {
            [] => {
                return Err(refuse(Check::Proofs, format!("data/assessment.json has no proof by the {role} key {did}")))
            }
            [c] => {
                if let Err(e) = &c.outcome {
                    return Err(refuse(
                        Check::Proofs,
                        format!("the {role}'s proof (proof {}) does not verify{edited}: {e}", c.index + 1),
                    ));
                }
            }
            _ => {
                return Err(refuse(
                    Check::Proofs,
                    format!("data/assessment.json has more than one proof by the {role} key"),
                ))
            }
        }
    }
    if let Some(bad) = checks.iter().find(|c| !c.is_verified()) {
        return Err(refuse(Check::Proofs, format!("proof {} of data/assessment.json does not verify", bad.index + 1)));
    }

    // 6. Enrolments: each signer enrolled by the trusted department, for its role, at the time.
    let (start, end) = (xsd(stated.created_at), xsd(stated.finished_at));
    let mut names = Vec::new();
    for (role, signer) in [(Role::Station, &stated.station), (Role::Proctor, &stated.proctor)] {
        let file = signer.enrolment.strip_prefix("data/").unwrap_or(&signer.enrolment).to_owned();
        let doc = read_json(&mut bag, &file, Check::Enrolment)?;
        let who = role.as_str();
        let e = Enrolment::verify(&doc, &trust.department).map_err(|e| {
            refuse(Check::Enrolment, format!("the {who} enrolment ({}) is not trusted: {e}", signer.enrolment))
        })?;
        if e.subject != signer.did || e.role != role {
            return Err(refuse(
                Check::Enrolment,
                format!(
                    "the {who} key {} is not enrolled: {} enrols {} as {}",
                    signer.did,
                    signer.enrolment,
                    e.subject,
                    e.role.as_str()
                ),
            ));
        }
        e.check_covers(&start, &end, trust.revocations.as_ref())
            .map_err(|err| refuse(Check::Enrolment, format!("the {who} enrolment of {:?} {err}", e.name)))?;
        names.push(e.name);
    }

    // 7. The document says exactly what the event log and the rubric imply.
    if let Some(at) = difference {
        return Err(refuse(
            Check::Document,
            format!("data/assessment.json disagrees with the event log at {at}: the document was changed, or written by other software"),
        ));
    }

    // 8. Replay: the same assessment must not arrive again as a different bundle.
    if let Some(previous) = registry.and_then(|r| r.digest_of(&id)) {
        if previous != digest {
            return Err(refuse(
                Check::Replay,
                format!("assessment {id} was already received as bundle {previous}; this is a different bundle ({digest}) claiming the same assessment"),
            ));
        }
    }

    let mut names = names.into_iter();
    Ok(Verified {
        assessment: id,
        digest,
        document: stated,
        station_name: names.next().unwrap_or_default(),
        proctor_name: names.next().unwrap_or_default(),
        payload_files: valid.payload.len(),
        payload_bytes: valid.payload_oxum.octets,
        checks: Check::ALL.to_vec(),
    })
}

/// The JSON path of the first place where `b` differs from `a`.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let here = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                match y.get(k) {
                    None => return Some(here),
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, here) {
                            return Some(d);
                        }
                    }
                }
            }
            y.keys().find(|k| !x.contains_key(*k)).map(|k| if at.is_empty() { k.clone() } else { format!("{at}.{k}") })
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(v, w, format!("{at}[{i}]")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{at} (length {} vs {})", x.len(), y.len()))
        }
        _ => (a != b).then_some(at),
    }
}

/// The exact rubric text a bundle was assessed against (`data/rubric.toml`), read with the same
/// safety limits as verification. It is trustworthy only after [`verify_path`] accepted the bundle.
pub fn read_rubric(path: &Path, limits: Limits) -> Result<String, VerifyError> {
    let mut bag = open_bag_path(path, limits).map_err(|e| refuse(zip_or_bagit(&e), e.to_string()))?;
    bag.validate(|_| {}).map_err(|e| refuse(zip_or_bagit(&e), e.to_string()))?;
    let bytes = read_small(&mut bag, RUBRIC_PATH)?;
    String::from_utf8(bytes).map_err(|_| refuse(Check::Bagit, format!("{} is not UTF-8", data_path(RUBRIC_PATH))))
}

/// What `inspect` shows: the bag's own description, without any trust decision.
#[derive(Debug, Clone, Serialize)]
pub struct Inspected {
    pub bag_info: Vec<(String, String)>,
    pub payload: Vec<(String, u64)>,
    pub document: AssessmentDocument,
    /// `(verification method, created)` of each proof, unverified.
    pub proofs: Vec<(String, String)>,
}

/// Opens a bundle safely and reads its description. This checks the zip and the BagIt
/// manifests, but not signatures or enrolments: use [`verify_path`] for that.
pub fn inspect_path(path: &Path, limits: Limits) -> Result<Inspected, VerifyError> {
    if let Err(source) = std::fs::metadata(path) {
        return Err(VerifyError::Io { path: path.display().to_string(), source });
    }
    let mut bag = open_bag_path(path, limits).map_err(|e| refuse(zip_or_bagit(&e), e.to_string()))?;
    let valid = bag.validate(|_| {}).map_err(|e| refuse(zip_or_bagit(&e), e.to_string()))?;
    let signed = read_json(&mut bag, ASSESSMENT_PATH, Check::Document)?;
    let mut unsigned = signed.clone();
    let proof = unsigned.as_object_mut().and_then(|o| o.remove("proof")).unwrap_or(Value::Null);
    let document: AssessmentDocument = serde_json::from_value(unsigned)
        .map_err(|e| refuse(Check::Document, format!("data/assessment.json is not a benchproof assessment: {e}")))?;
    let proof_list = match proof {
        Value::Array(a) => a,
        Value::Null => vec![],
        one => vec![one],
    };
    let field = |p: &Value, k: &str| p.get(k).and_then(Value::as_str).unwrap_or("?").to_owned();
    Ok(Inspected {
        bag_info: valid.bag_info,
        payload: valid.payload.iter().map(|p| (format!("data/{}", p.path), p.bytes)).collect(),
        document,
        proofs: proof_list.iter().map(|p| (field(p, "verificationMethod"), field(p, "created"))).collect(),
    })
}
