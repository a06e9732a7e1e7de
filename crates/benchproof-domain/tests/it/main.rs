//! Integration tests of the domain crate: lifecycle tables and property tests.

mod chain;
mod lifecycle;
mod rubrics;
mod scoring;

use benchproof_domain::rubric::{parse, Rubric};
use benchproof_domain::{AssessmentId, Timestamp};

pub const RUBRIC: &str = include_str!("../../../../fixtures/rubrics/test-skill.toml");

pub fn rubric() -> Rubric {
    parse("test.toml", RUBRIC).expect("test rubric parses")
}

pub fn id(n: u64) -> AssessmentId {
    let u = uuid::Builder::from_unix_timestamp_millis(1_795_935_053_000 + n, &[7; 10]).into_uuid();
    AssessmentId::from_uuid(u).unwrap()
}

pub fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_795_935_053_000 + ms)
}
