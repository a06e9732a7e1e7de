//! Real sealed bundles for the end-to-end tests, signed with the golden keys of
//! `benchproof-bundle`'s tests (seeds `[1; 32]` department, `[2; 32]` station, `[3; 32]` proctor)
//! and enrolments valid around the real clock, so the real department server accepts them.
//! A compact stand-in for `benchproof-bundle/tests/it/golden.rs`, which pins fixed dates.

use std::io::{Cursor, Read};
use std::time::{SystemTime, UNIX_EPOCH};

use benchproof_bundle::seal::{seal, xsd, SealInput};
use benchproof_domain::rubric::parse;
use benchproof_domain::{
    Assessment, AssessmentId, EventBody, EventRecord, Sha256, SnippetId, StepId, Timestamp, Verdict,
};
use benchproof_evidence::enrolment::{Department, Enrolment, Role, ENROLMENT_TYPE};
use benchproof_evidence::SigningKey;
use benchproof_sync::StationIdentity;
use serde_json::Value;

/// A deterministic generator for test data (xorshift64*).
#[derive(Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

const RUBRIC: &str = include_str!("../../../../fixtures/rubrics/test-skill.toml");
const DAY_MS: i64 = 86_400_000;

/// The golden department, station and proctor keys.
pub struct Keys {
    pub department: SigningKey,
    pub station: SigningKey,
    pub proctor: SigningKey,
}

pub fn keys() -> Keys {
    let k = |b: u8| SigningKey::from_seed_bytes(&[b; 32]).expect("seed");
    Keys { department: k(1), station: k(2), proctor: k(3) }
}

/// Now on the wall clock (enrolments must be valid for the server's real clock).
pub fn now() -> Timestamp {
    Timestamp::from_unix_millis(SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_millis() as i64)
}

/// An enrolment of `subject` by the department, valid from a day ago for 30 days.
pub fn enrol(keys: &Keys, subject: &SigningKey, role: Role, n: u32) -> Value {
    let now = now().unix_millis();
    let at = |ms: i64| xsd(Timestamp::from_unix_millis(ms));
    Enrolment {
        kind: ENROLMENT_TYPE.into(),
        format_version: 1,
        id: format!("urn:uuid:{}", uuid::Uuid::from_u128(0x0193_f6a0_0000_7000_8000_0000_0000_0000 + u128::from(n))),
        department: Department { did: keys.department.did_key(), name: "Dept. of Electrical Engineering".into() },
        subject: subject.did_key(),
        role,
        name: format!("{} {n}", role.as_str()),
        valid_from: at(now - DAY_MS),
        valid_until: at(now + 30 * DAY_MS),
    }
    .issue(&keys.department, at(now - DAY_MS))
    .expect("issue an enrolment")
}

/// The station identity the worker signs with.
pub fn station_identity(keys: &Keys) -> StationIdentity {
    StationIdentity {
        key: SigningKey::from_seed_bytes(&[2; 32]).expect("seed"),
        enrolment: enrol(keys, &keys.station, Role::Station, 1),
    }
}

/// A sealed bundle and what the station's store needs to queue it.
pub struct Sealed {
    pub id: AssessmentId,
    pub genesis: EventRecord,
    pub zip: Vec<u8>,
}

/// Seals a finished assessment of the test rubric with one snippet of `media_bytes` random
/// (incompressible) bytes.
pub fn bundle(keys: &Keys, media_bytes: usize, rng: &mut Rng) -> Sealed {
    let base = now().unix_millis() - 600_000;
    let t = |ms: i64| Timestamp::from_unix_millis(base + ms);
    let id = AssessmentId::from_uuid(uuid::Uuid::now_v7()).expect("a v7 UUID");
    let (mut a, genesis) =
        Assessment::create(id, parse("test-skill.toml", RUBRIC).expect("rubric"), "S-2026-0042", t(0)).expect("create");
    let mut events: Vec<EventRecord> = vec![genesis];
    let mut push = |a: &mut Assessment, ms: i64, body: EventBody| {
        let r = a.next_record(t(ms), body).expect("a legal event");
        a.apply(&r).expect("apply");
        events.push(r);
    };
    let tick = |step: &str, verdict, level: Option<&str>| EventBody::StepTicked {
        step: StepId::new(step),
        verdict,
        level: level.map(str::to_owned),
        note: None,
    };
    let media: Vec<u8> = (0..media_bytes).map(|_| rng.next_u64() as u8).collect();
    let sha = Sha256::of(&media);
    push(&mut a, 1_000, EventBody::Started {});
    push(&mut a, 2_000, tick("safety", Verdict::Pass, None));
    push(
        &mut a,
        3_000,
        EventBody::SnippetSaved {
            snippet: SnippetId::from_uuid(uuid::Uuid::now_v7()).expect("a v7 UUID"),
            step: Some(StepId::new("joint")),
            name: "joint.bin".into(),
            media_type: "application/octet-stream".into(),
            sha256: sha,
            bytes: media.len() as u64,
            captured_at: t(2_500),
        },
    );
    push(&mut a, 4_000, tick("joint", Verdict::Pass, Some("Proficient")));
    push(&mut a, 5_000, tick("tidy", Verdict::Pass, None));
    push(&mut a, 6_000, tick("label", Verdict::NotApplicable, None));
    push(&mut a, 7_000, EventBody::Finished {});
    let (se, pe) = (enrol(keys, &keys.station, Role::Station, 1), enrol(keys, &keys.proctor, Role::Proctor, 2));
    let input = SealInput {
        assessment: &a,
        events: &events,
        rubric_text: RUBRIC,
        station_key: &keys.station,
        station_enrolment: &se,
        proctor_key: &keys.proctor,
        proctor_enrolment: &pe,
        organization: "Dept. of Electrical Engineering",
        sealed_at: t(8_000),
        software: "benchproof-sync tests",
    };
    let mut open = |s: &Sha256| -> std::io::Result<Box<dyn Read>> {
        assert_eq!(*s, sha, "only the one snippet is asked for");
        Ok(Box::new(Cursor::new(media.clone())))
    };
    let (_, out) = seal(&input, &mut open, Cursor::new(Vec::new())).expect("seal");
    Sealed { id, genesis: events[0].clone(), zip: out.into_inner() }
}
