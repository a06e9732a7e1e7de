//! A deterministic sealed bundle and one tampered variant per class. Shared by the tests and by
//! `examples/make-golden-bundles.rs`, which writes them into `fixtures/bundles/`, and by the
//! `bundle` benchmark, which seals with the same keys and enrolments.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use benchproof_bagit::{BagInfo, BagWriter, Compression};
use benchproof_bundle::seal::{seal, xsd, SealInput};
use benchproof_domain::rubric::parse;
use benchproof_domain::{
    Assessment, AssessmentId, EventBody, EventRecord, Sha256, SnippetId, StepId, Timestamp, Verdict,
};
use benchproof_evidence::enrolment::{Department, Enrolment, Revocation, RevocationList, Role, ENROLMENT_TYPE};
use benchproof_evidence::SigningKey;
use serde_json::Value;

pub const RUBRIC: &str = include_str!("../../../../fixtures/rubrics/test-skill.toml");
pub const PHOTO: &[u8] = include_bytes!("../../../../fixtures/media/joint-closeup.png");
pub const STATE: &[u8] = include_bytes!("../../../../fixtures/media/scope-state.json");

pub fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_795_927_853_000 + ms)
}

pub fn uuid7(n: u64) -> uuid::Uuid {
    uuid::Builder::from_unix_timestamp_millis(1_795_927_853_000 + n, &[n as u8; 10]).into_uuid()
}

pub struct Keys {
    pub department: SigningKey,
    pub station: SigningKey,
    pub proctor: SigningKey,
    pub stranger: SigningKey,
}

pub fn keys() -> Keys {
    let k = |b: u8| SigningKey::from_seed_bytes(&[b; 32]).unwrap();
    Keys { department: k(1), station: k(2), proctor: k(3), stranger: k(4) }
}

pub fn enrolment(keys: &Keys, subject: &SigningKey, role: Role, n: u64, until: Timestamp) -> Value {
    Enrolment {
        kind: ENROLMENT_TYPE.into(),
        format_version: 1,
        id: format!("urn:uuid:{}", uuid7(100 + n)),
        department: Department { did: keys.department.did_key(), name: "Dept. of Electrical Engineering".into() },
        subject: subject.did_key(),
        role,
        name: format!("{} {n}", role.as_str()),
        valid_from: xsd(t(-86_400_000)),
        valid_until: xsd(until),
    }
    .issue(&keys.department, xsd(t(-86_400_000)))
    .unwrap()
}

/// A revocation of the station's enrolment from before the golden assessment.
pub fn revocations(keys: &Keys) -> RevocationList {
    let station = enrolment(keys, &keys.station, Role::Station, 1, t(86_400_000));
    let mut list = RevocationList::new(keys.department.did_key(), xsd(t(-1000)));
    list.revoked.push(Revocation {
        enrolment: station["id"].as_str().unwrap().into(),
        subject: keys.station.did_key(),
        revoked_at: xsd(t(-1000)),
        reason: Some("station reported stolen".into()),
    });
    list
}

/// The finished golden assessment, with its events and media.
pub fn assessment(student: &str) -> (Assessment, Vec<EventRecord>, HashMap<Sha256, Vec<u8>>) {
    let rubric = parse("test-skill.toml", RUBRIC).unwrap();
    let id = AssessmentId::from_uuid(uuid7(1)).unwrap();
    let (mut a, genesis) = Assessment::create(id, rubric, student, t(0)).unwrap();
    let mut events = vec![genesis];
    let mut media = HashMap::new();
    let mut push = |a: &mut Assessment, ms: i64, body: EventBody| {
        let r = a.next_record(t(ms), body).unwrap();
        a.apply(&r).unwrap();
        events.push(r);
    };
    let tick = |step: &str, verdict, level: Option<&str>| EventBody::StepTicked {
        step: StepId::new(step),
        verdict,
        level: level.map(str::to_owned),
        note: None,
    };
    push(&mut a, 1_000, EventBody::Started {});
    push(&mut a, 20_000, tick("safety", Verdict::Pass, None));
    push(&mut a, 60_000, tick("joint", Verdict::Fail, Some("Novice")));
    push(&mut a, 90_000, tick("joint", Verdict::Pass, Some("Proficient")));
    for (n, (name, bytes, step)) in
        [("joint closeup.png", PHOTO, "joint"), ("scope-state.json", STATE, "joint")].into_iter().enumerate()
    {
        let sha = Sha256::of(bytes);
        media.insert(sha, bytes.to_vec());
        push(
            &mut a,
            91_000 + n as i64,
            EventBody::SnippetSaved {
                snippet: SnippetId::from_uuid(uuid7(10 + n as u64)).unwrap(),
                step: Some(StepId::new(step)),
                name: name.into(),
                media_type: if name.ends_with(".png") { "image/png".into() } else { "application/json".into() },
                sha256: sha,
                bytes: bytes.len() as u64,
                captured_at: t(90_000),
            },
        );
    }
    push(&mut a, 120_000, tick("tidy", Verdict::Pass, None));
    push(&mut a, 130_000, tick("label", Verdict::NotApplicable, None));
    push(&mut a, 140_000, EventBody::Finished {});
    (a, events, media)
}

/// Seals the golden assessment with the given keys and enrolments.
pub fn seal_with(
    a: &Assessment,
    events: &[EventRecord],
    media: &HashMap<Sha256, Vec<u8>>,
    station: &SigningKey,
    station_enrolment: &Value,
    proctor: &SigningKey,
    proctor_enrolment: &Value,
) -> Vec<u8> {
    let input = SealInput {
        assessment: a,
        events,
        rubric_text: RUBRIC,
        station_key: station,
        station_enrolment,
        proctor_key: proctor,
        proctor_enrolment,
        organization: "Dept. of Electrical Engineering",
        sealed_at: t(150_000),
        software: "benchproof (golden fixtures)",
    };
    let mut open = |sha: &Sha256| -> std::io::Result<Box<dyn Read>> {
        Ok(Box::new(Cursor::new(media.get(sha).cloned().ok_or_else(|| std::io::Error::other("no such media"))?)))
    };
    let (_, out) = seal(&input, &mut open, Cursor::new(Vec::new())).unwrap();
    out.into_inner()
}

pub fn valid() -> Vec<u8> {
    let k = keys();
    let (a, events, media) = assessment("S-2026-0042");
    let se = enrolment(&k, &k.station, Role::Station, 1, t(86_400_000));
    let pe = enrolment(&k, &k.proctor, Role::Proctor, 2, t(86_400_000));
    seal_with(&a, &events, &media, &k.station, &se, &k.proctor, &pe)
}

/// Every (path, bytes) of a bag zip's files, in order, with the bag name.
pub fn unzip(zip: &[u8]) -> (String, Vec<(String, Vec<u8>)>) {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut files = Vec::new();
    let mut name = String::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        if f.is_dir() {
            continue;
        }
        let full = f.name().unwrap().into_owned();
        let (top, rest) = full.split_once('/').unwrap();
        name = top.to_owned();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        files.push((rest.to_owned(), bytes));
    }
    (name, files)
}

/// Rewrites a zip entry by entry, without touching any manifest (raw tampering).
pub fn rezip(zip: &[u8], edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>, extra: &[(String, &[u8])]) -> Vec<u8> {
    let (name, files) = unzip(zip);
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (path, bytes) in files {
        if let Some(b) = edit(&path, bytes) {
            out.start_file(format!("{name}/{path}"), opts).unwrap();
            out.write_all(&b).unwrap();
        }
    }
    for (path, bytes) in extra {
        out.start_file(path.as_str(), opts).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Rebuilds a bag with edited payload and freshly computed manifests (a careful forger).
pub fn rebag(zip: &[u8], edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let (name, files) = unzip(zip);
    let mut w = BagWriter::new(Cursor::new(Vec::new()), BagInfo::new(name, "2026-11-29")).unwrap();
    for (path, bytes) in files {
        if let Some(p) = path.strip_prefix("data/") {
            let b = edit(p, bytes);
            w.add_payload(p, &b[..], Compression::Stored).unwrap();
        }
    }
    w.finish_into_inner().unwrap().1.into_inner()
}

fn edit_json(bytes: Vec<u8>, f: impl Fn(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&bytes).unwrap();
    f(&mut v);
    serde_json::to_vec_pretty(&v).unwrap()
}

fn edit_events(bytes: Vec<u8>, f: impl Fn(&mut Vec<String>)) -> Vec<u8> {
    let mut lines: Vec<String> = String::from_utf8(bytes).unwrap().lines().map(str::to_owned).collect();
    f(&mut lines);
    (lines.join("\n") + "\n").into_bytes()
}

/// `(file name, bytes, the check that must refuse it, words its reason must contain)`.
pub fn tampered() -> Vec<(&'static str, Vec<u8>, &'static str, &'static str)> {
    let good = valid();
    let k = keys();
    let (a, events, media) = assessment("S-2026-0042");
    let station_e = enrolment(&k, &k.station, Role::Station, 1, t(86_400_000));
    let proctor_e = enrolment(&k, &k.proctor, Role::Proctor, 2, t(86_400_000));
    let flip = |mut b: Vec<u8>| {
        let i = b.len() / 2;
        b[i] ^= 0x01;
        b
    };
    let is_photo = |p: &str| p.ends_with("joint-closeup.png");
    let (replay_a, replay_events, replay_media) = assessment("S-2026-0099");
    let bag = unzip(&good).0;
    vec![
        (
            "media-byte-flipped.zip",
            rezip(&good, |p, b| Some(if is_photo(p) { flip(b) } else { b }), &[]),
            "bagit",
            "joint-closeup.png: SHA-256 does not match",
        ),
        (
            "media-swapped-manifests-recomputed.zip",
            rebag(&good, |p, b| if is_photo(p) { flip(b) } else { b }),
            "evidence",
            "replaced after the fact",
        ),
        (
            "verdict-edited.zip",
            rebag(&good, |p, b| {
                if p == "assessment.json" {
                    edit_json(b, |v| v["steps"][1]["verdict"] = "fail".into())
                } else {
                    b
                }
            }),
            "proofs",
            "does not verify",
        ),
        (
            "student-changed.zip",
            rebag(&good, |p, b| {
                if p == "assessment.json" {
                    edit_json(b, |v| v["student"] = "S-2026-0099".into())
                } else {
                    b
                }
            }),
            "proofs",
            "does not verify",
        ),
        (
            "event-deleted.zip",
            rebag(&good, |p, b| {
                if p == "events.jsonl" {
                    edit_events(b, |l| {
                        l.remove(3);
                    })
                } else {
                    b
                }
            }),
            "event-chain",
            "removed or the events were reordered",
        ),
        (
            "events-swapped.zip",
            rebag(&good, |p, b| if p == "events.jsonl" { edit_events(b, |l| l.swap(2, 3)) } else { b }),
            "event-chain",
            "removed or the events were reordered",
        ),
        (
            "proof-removed.zip",
            rebag(&good, |p, b| {
                if p == "assessment.json" {
                    edit_json(b, |v| {
                        v["proof"].as_array_mut().unwrap().pop();
                    })
                } else {
                    b
                }
            }),
            "proofs",
            "no proof by the proctor key",
        ),
        (
            "proof-value-replaced.zip",
            rebag(&good, |p, b| {
                if p == "assessment.json" {
                    edit_json(b, |v| v["proof"][0]["proofValue"] = v["proof"][1]["proofValue"].clone())
                } else {
                    b
                }
            }),
            "proofs",
            "station's proof",
        ),
        (
            "station-not-enrolled.zip",
            {
                let fake = enrolment(
                    &Keys { department: keys().stranger, ..keys() },
                    &k.stranger,
                    Role::Station,
                    3,
                    t(86_400_000),
                );
                seal_with(&a, &events, &media, &k.stranger, &fake, &k.proctor, &proctor_e)
            },
            "enrolment",
            "not by the trusted department key",
        ),
        (
            "enrolment-expired.zip",
            {
                let short = enrolment(&k, &k.station, Role::Station, 4, t(60_000));
                seal_with(&a, &events, &media, &k.station, &short, &k.proctor, &proctor_e)
            },
            "enrolment",
            "does not cover",
        ),
        (
            "unlisted-extra-file.zip",
            rezip(&good, |_, b| Some(b), &[(format!("{bag}/data/extra.txt"), b"added later")]),
            "bagit",
            "not listed in manifest-sha256.txt",
        ),
        (
            "zip-slip.zip",
            rezip(&good, |_, b| Some(b), &[("../evil.sh".to_owned(), b"#!/bin/sh")]),
            "zip-safety",
            "unsafe name",
        ),
        ("truncated.zip", good[..good.len() / 2].to_vec(), "zip-safety", "not a readable zip"),
        (
            "replayed-for-another-student.zip",
            {
                let _ = &station_e;
                seal_with(&replay_a, &replay_events, &replay_media, &k.station, &station_e, &k.proctor, &proctor_e)
            },
            "replay",
            "already received",
        ),
    ]
}
