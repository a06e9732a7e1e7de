//! Integration tests of the domain crate: lifecycle tables and property tests.

mod chain;
mod lifecycle;
mod rubrics;
mod scoring;

use benchproof_domain::rubric::{parse, Rubric};
use benchproof_domain::{AssessmentId, Timestamp};

pub const RUBRIC: &str = r#"
id = "test-skill"
version = "1"
title = "Test skill"

[pass_rule]
min_share = 0.5
min_points = 2

[[steps]]
id = "safety"
title = "Safety"
instruction = "Put on eye protection."
look_for = "Glasses on."
critical = true
pre_roll_s = 5
post_roll_s = 1

[[steps]]
id = "joint"
title = "Joint"
instruction = "Solder the joint."
look_for = "Concave fillet."
critical = true
pre_roll_s = 10
post_roll_s = 2

[[steps.levels]]
name = "Novice"
points = 1

[[steps.levels]]
name = "Proficient"
points = 3

[[steps]]
id = "tidy"
title = "Tidy"
instruction = "Clean up."
look_for = "Bench clear."
pre_roll_s = 5
post_roll_s = 0

[[steps]]
id = "label"
title = "Label"
instruction = "Label the board."
look_for = "Legible label."
pre_roll_s = 5
post_roll_s = 0
"#;

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
