//! The headless demo: a scripted assessment on simulated devices, with its evidence compiled
//! into the binary so it runs anywhere, from any folder.

use std::path::Path;

use benchproof_domain::AssessmentId;

use crate::script::{self, MediaSource, Progress, Script, ScriptCapture};
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
    script::run(data_dir, path, &script, MediaSource::Embedded(MEDIA), ScriptCapture::Rendered, progress)
}

/// The demo department's passphrase and the demo proctor's PIN. Demo only: printed openly.
pub const DEMO_DEPARTMENT_PASSPHRASE: &str = "demo-department-passphrase";
pub const DEMO_PROCTOR: &str = "Demo Proctor";
pub const DEMO_PROCTOR_PIN: &str = "demo-proctor-pin";

/// Whether the demo can seal in this data directory, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoTrust {
    /// A simulated department was set up here just now, or by an earlier demo.
    Ready { department: String },
    /// The station is enrolled with a real department: the demo will not touch its keys.
    RealDepartment { department: String },
}

/// Makes sure the demo can sign: in a fresh data directory, creates a clearly labelled demo
/// department (in `DATA_DIR/demo-department`), enrols this station and a demo proctor.
pub fn ensure_trust(data_dir: &Path) -> Result<DemoTrust, StationError> {
    use crate::trust::{DepartmentKey, StationFiles};
    use crate::{Clock, SystemClock};
    let files = StationFiles::in_dir(data_dir);
    let dept_dir = data_dir.join("demo-department");
    let demo_did = std::fs::read(dept_dir.join("department.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<crate::trust::DepartmentInfo>(&b).ok())
        .map(|d| d.did);
    match files.department()? {
        Some(d) if Some(&d.did) != demo_did.as_ref() => return Ok(DemoTrust::RealDepartment { department: d.name }),
        Some(d) if files.proctor(DEMO_PROCTOR, Some(DEMO_PROCTOR_PIN)).is_ok() => {
            return Ok(DemoTrust::Ready { department: d.name })
        }
        _ => {}
    }
    let dept = if demo_did.is_some() {
        DepartmentKey::open(&dept_dir, Some(DEMO_DEPARTMENT_PASSPHRASE))?
    } else {
        DepartmentKey::init(&dept_dir, "Demo Department (simulated)", DEMO_DEPARTMENT_PASSPHRASE)?
    };
    let now = SystemClock.now();
    let year = now.plus_millis(365 * 86_400_000);
    // Valid from a day back, so that scripted assessments played into the past are covered.
    let from = now.plus_millis(-86_400_000);
    let station_key = files.station_key()?;
    let enrolment = dept.enrol(
        &station_key.did_key(),
        benchproof_evidence::enrolment::Role::Station,
        "Demo bench (simulated devices)",
        from,
        year,
    )?;
    files.install_station_enrolment(&dept.info, &enrolment)?;
    if files.proctor(DEMO_PROCTOR, Some(DEMO_PROCTOR_PIN)).is_err() {
        files.add_proctor(&dept, DEMO_PROCTOR, DEMO_PROCTOR_PIN, (from, year))?;
    }
    Ok(DemoTrust::Ready { department: dept.info.name })
}
