//! Station set-up, devices and the proctor.

use benchproof_station::desk::{DeviceState, Proctor, Status};
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

/// Result of an instrument's "test connection".
#[derive(Debug, Clone, Serialize, TS)]
pub struct InstrumentTest {
    pub device: String,
    pub ok: bool,
    /// E.g. the instrument's `*IDN?` answer, or why it failed.
    pub detail: String,
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
