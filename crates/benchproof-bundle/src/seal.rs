//! Sealing: one streaming pass that writes a finished assessment as a BagIt zip, with a signed
//! `assessment.json`. Media are streamed from their readers through SHA-256 into the zip; no
//! file is ever held in memory whole.

use std::io::{self, Read, Seek, Write};

use benchproof_bagit::{BagError, BagInfo, BagWriter, Compression};
use benchproof_domain::{Assessment, EventRecord, Sha256, Timestamp};
use benchproof_evidence::data_integrity::{add_proof, ProofError, ProofOptions};
use benchproof_evidence::enrolment::Role;
use benchproof_evidence::{SigningKey, XsdDateTime};
use serde_json::Value;

use crate::document::{
    describe, media_path, DescribeError, ASSESSMENT_PATH, EVENTS_PATH, PROCTOR_ENROLMENT_PATH, RUBRIC_PATH,
    STATION_ENROLMENT_PATH,
};

/// Everything a seal needs besides the media bytes.
#[derive(Debug)]
pub struct SealInput<'a> {
    /// The finished assessment, replayed from `events`.
    pub assessment: &'a Assessment,
    pub events: &'a [EventRecord],
    /// The exact rubric text the assessment used.
    pub rubric_text: &'a str,
    pub station_key: &'a SigningKey,
    /// The station's department-signed enrolment record.
    pub station_enrolment: &'a Value,
    pub proctor_key: &'a SigningKey,
    pub proctor_enrolment: &'a Value,
    /// `Source-Organization` in bag-info.txt: the department.
    pub organization: &'a str,
    /// The proofs' `created` time and the bagging date.
    pub sealed_at: Timestamp,
    /// `Bag-Software-Agent`, e.g. `benchproof 0.1.0`.
    pub software: &'a str,
}

/// What was sealed.
#[derive(Debug, Clone)]
pub struct SealedBundle {
    /// The bag's name and the zip's top-level directory: `benchproof-<assessment id>`.
    pub name: String,
    /// SHA-256 of `tagmanifest-sha256.txt`, which covers every byte of the bag: the bundle's
    /// identity.
    pub digest: Sha256,
    pub zip_bytes: u64,
    /// The signed `assessment.json`.
    pub document: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error(transparent)]
    NotReady(#[from] DescribeError),
    #[error("the {role} enrolment record is not for this {role} key ({detail}); enrol this key first")]
    Enrolment { role: &'static str, detail: String },
    #[error("signing failed: {0}")]
    Proof(#[from] ProofError),
    #[error("writing the bundle failed: {0}")]
    Bag(#[from] BagError),
    #[error("cannot read evidence {path} (sha256 {sha256}): {source}; is the station's media folder intact?")]
    Media { path: String, sha256: Sha256, source: io::Error },
}

/// The stamp form of a station time, for proofs.
pub fn xsd(t: Timestamp) -> XsdDateTime {
    XsdDateTime::parse_stamp(&t.to_string()).expect("timestamps print as RFC 3339 with a Z")
}

fn check_enrolment(doc: &Value, key: &SigningKey, role: Role) -> Result<(), SealError> {
    let name = role.as_str();
    let subject = doc.get("subject").and_then(Value::as_str).unwrap_or_default();
    let found_role = doc.get("role").and_then(Value::as_str).unwrap_or_default();
    if subject != key.did_key().to_string() || found_role != name {
        let detail = format!("it enrols {subject:?} as {found_role:?}, the key is {}", key.did_key());
        return Err(SealError::Enrolment { role: name, detail });
    }
    Ok(())
}

/// Writes the bundle into `out` and returns what was sealed with the writer.
///
/// `open_media` gives a reader for the bytes with a given SHA-256 (the station's media store).
pub fn seal<W: Write + Seek>(
    input: &SealInput<'_>,
    open_media: &mut dyn FnMut(&Sha256) -> io::Result<Box<dyn Read>>,
    out: W,
) -> Result<(SealedBundle, W), SealError> {
    check_enrolment(input.station_enrolment, input.station_key, Role::Station)?;
    check_enrolment(input.proctor_enrolment, input.proctor_key, Role::Proctor)?;
    let a = input.assessment;
    let document = describe(a, input.events, &input.station_key.did_key(), &input.proctor_key.did_key())?;
    let unsigned = serde_json::to_value(&document).expect("documents serialise");
    let created = xsd(input.sealed_at);
    let signed = add_proof(
        &unsigned,
        input.station_key,
        &ProofOptions::assertion(input.station_key).with_created(created.clone()),
    )?;
    let signed =
        add_proof(&signed, input.proctor_key, &ProofOptions::assertion(input.proctor_key).with_created(created))?;

    let name = format!("benchproof-{}", a.id);
    let date = input.sealed_at.to_string()[..10].to_owned();
    let info = BagInfo::new(&name, date)
        .source_organization(input.organization)
        .external_identifier(a.id.to_string())
        .external_description(format!("benchproof assessment against rubric {} {}", a.rubric.id, a.rubric.version))
        .bag_software_agent(input.software)
        .label("Benchproof-Format-Version", crate::document::format_version_for(a).to_string());
    let mut bag = BagWriter::new(out, info)?;
    let json = |v: &Value| {
        let mut bytes = serde_json::to_vec_pretty(v).expect("JSON values serialise");
        bytes.push(b'\n');
        bytes
    };
    bag.add_payload(ASSESSMENT_PATH, &json(&signed)[..], Compression::Deflated)?;
    let mut lines = String::new();
    for e in input.events {
        lines.push_str(&e.to_json_line());
        lines.push('\n');
    }
    bag.add_payload(EVENTS_PATH, lines.as_bytes(), Compression::Deflated)?;
    bag.add_payload(RUBRIC_PATH, input.rubric_text.as_bytes(), Compression::Deflated)?;
    bag.add_payload(STATION_ENROLMENT_PATH, &json(input.station_enrolment)[..], Compression::Deflated)?;
    bag.add_payload(PROCTOR_ENROLMENT_PATH, &json(input.proctor_enrolment)[..], Compression::Deflated)?;
    for s in &a.snippets {
        let path = media_path(s.seq, &s.name);
        let reader = open_media(&s.sha256).map_err(|source| SealError::Media {
            path: path.clone(),
            sha256: s.sha256,
            source,
        })?;
        let in_data = path.strip_prefix("data/").expect("media paths start with data/");
        let compression = if s.media_type.starts_with("text/") || s.media_type == "application/json" {
            Compression::Deflated
        } else {
            Compression::Stored
        };
        let entry = bag.add_payload(in_data, reader, compression)?;
        if entry.sha256.0 != s.sha256.0 {
            // The media store gave different bytes than the event log recorded.
            return Err(SealError::Media {
                path,
                sha256: s.sha256,
                source: io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("the stored file hashes to {}", entry.sha256.to_hex()),
                ),
            });
        }
    }
    let (sealed, out) = bag.finish_into_inner()?;
    Ok((
        SealedBundle {
            name,
            digest: Sha256(sealed.tagmanifest_sha256.0),
            zip_bytes: sealed.zip_bytes,
            document: signed,
        },
        out,
    ))
}
