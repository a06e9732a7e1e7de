//! Station set-up, devices and the proctor.

use benchproof_station::desk::{AudioLevel, DeviceState, InstrumentCheck, Proctor, Status};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Static facts about the running app.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
}

/// How the station is set up: decides which screen the app opens on.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StationStatus {
    /// False until enrolment and trust are loaded or demo mode is chosen.
    pub configured: bool,
    /// True when running on simulated devices with the demo department (show the banner).
    pub demo: bool,
    pub station_name: Option<String>,
    pub department: Option<String>,
    /// The signed-in proctor's name, if any.
    pub proctor: Option<String>,
    /// An assessment left running or finished but unsealed: the app resumes it.
    pub in_progress: Option<String>,
    /// This station's did:key, for the department to enrol.
    pub station_did: String,
    /// Why simulated devices stand in for real ones, if they do.
    pub remarks: Vec<String>,
}

impl From<Status> for StationStatus {
    fn from(s: Status) -> Self {
        StationStatus {
            configured: s.configured,
            demo: s.demo,
            station_name: None,
            department: s.department,
            proctor: s.proctor,
            in_progress: s.in_progress.map(|i| i.to_string()),
            station_did: s.station_did,
            remarks: s.remarks,
        }
    }
}

/// What `setup_station` needs: files chosen with `pick_file` and the devices to use.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SetupRequest {
    pub enrolment_path: String,
    pub trust_path: String,
    pub devices: Vec<String>,
}

/// Which file `pick_file` asks for.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum FilePurpose {
    Enrolment,
    Trust,
}

/// What kind of device.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    Camera,
    Microphone,
    Instrument,
}

/// A capture device and its live health.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeviceInfo {
    /// Stable id, e.g. `camera:/dev/video0`, `sim:camera:0`.
    pub id: String,
    pub label: String,
    pub kind: DeviceKind,
    pub simulated: bool,
    /// False between a `lost` and a `restored` event.
    pub connected: bool,
}

impl From<DeviceState> for DeviceInfo {
    fn from(d: DeviceState) -> Self {
        let kind = if d.camera { DeviceKind::Camera } else { DeviceKind::Microphone };
        DeviceInfo { id: d.id, label: d.label, kind, simulated: d.simulated, connected: d.connected }
    }
}

/// Result of an instrument's "test connection" (`*IDN?` over SCPI/TCP).
#[derive(Debug, Clone, Serialize, TS)]
pub struct InstrumentTest {
    /// The address tested, as `HOST:PORT`.
    pub address: String,
    pub ok: bool,
    /// When it failed, a stable code: `instrument_unreachable`, `instrument_timeout`,
    /// `instrument_closed`, `instrument_io` or `instrument_bad_answer`.
    pub code: Option<String>,
    /// The instrument's `*IDN?` answer, or what went wrong and what to check.
    pub detail: String,
    /// The bundled instrument profile that fits the model, when it answered.
    pub profile: Option<String>,
}

impl From<InstrumentCheck> for InstrumentTest {
    fn from(c: InstrumentCheck) -> Self {
        match c {
            InstrumentCheck::Answered { address, idn, profile } => {
                InstrumentTest { address, ok: true, code: None, detail: idn.raw, profile }
            }
            InstrumentCheck::Failed { address, code, message } => {
                InstrumentTest { address, ok: false, code: Some(code.to_owned()), detail: message, profile: None }
            }
        }
    }
}

/// The microphone's level, pushed about ten times a second as the `audio-level` event.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AudioLevelEvent {
    pub device: String,
    /// Where the meter bar stands, 0..=1 (RMS on a dB scale from −60 dBFS to 0).
    pub level: f32,
    /// Peak sample since the previous event, 0..=1 of full scale.
    pub peak: f32,
    /// RMS in dB relative to full scale.
    pub rms_dbfs: f32,
}

impl AudioLevelEvent {
    pub fn new(device: String, level: AudioLevel) -> Self {
        AudioLevelEvent { device, level: level.meter(), peak: level.peak, rms_dbfs: level.rms_dbfs() }
    }
}

/// A device change, pushed to every window as the `device-event` event.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DeviceEvent {
    Lost { device: String, reason: String, at: String },
    Restored { device: String, at: String },
}

/// The signed-in proctor.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ProctorInfo {
    pub name: String,
    pub did: String,
}

impl From<Proctor> for ProctorInfo {
    fn from(p: Proctor) -> Self {
        ProctorInfo { name: p.name, did: p.did.to_string() }
    }
}
