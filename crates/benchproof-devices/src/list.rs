//! Everything plugged in, for `benchproof devices [--json]`.

use serde::Serialize;

use crate::camera::{list_cameras, CameraDevice};
use crate::mic::{list_microphones, MicrophoneDevice};

/// Every real camera (with its formats) and microphone on this machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceList {
    pub cameras: Vec<CameraDevice>,
    pub microphones: Vec<MicrophoneDevice>,
}

/// Lists cameras and microphones. Never fails: a device that does not answer is left out, and a
/// machine with none gives empty lists. Cameras are asked without opening a stream or changing
/// their format, so listing is safe while capturing.
pub fn list_devices() -> DeviceList {
    DeviceList { cameras: list_cameras(), microphones: list_microphones() }
}
