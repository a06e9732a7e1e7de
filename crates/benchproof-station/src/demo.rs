//! The headless demo: a scripted assessment on simulated devices, with its evidence compiled
//! into the binary so it runs anywhere, from any folder.

use std::path::Path;

use benchproof_domain::AssessmentId;

use crate::script::{self, MediaSource, Progress, Script};
use crate::StationError;

pub const SCRIPT_NAME: &str = "demo-oscilloscope.toml";
pub const SCRIPT: &str = include_str!("../../../fixtures/scripts/demo-oscilloscope.toml");
pub const MEDIA: &[(&str, &[u8])] = &[
    ("scope-square-wave.png", include_bytes!("../../../fixtures/media/scope-square-wave.png")),
    ("scope-state.json", include_bytes!("../../../fixtures/media/scope-state.json")),
    ("joint-closeup.png", include_bytes!("../../../fixtures/media/joint-closeup.png")),
];

/// Runs the demo assessment in `data_dir` and returns its id.
pub fn run(data_dir: &Path, progress: &mut dyn FnMut(Progress)) -> Result<AssessmentId, StationError> {
    let path = Path::new(SCRIPT_NAME);
    let script = Script::parse(path, SCRIPT)?;
    script::run(data_dir, path, &script, MediaSource::Embedded(MEDIA), progress)
}
