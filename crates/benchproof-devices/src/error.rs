use crate::camera::CameraFormat;

/// Why a device could not be listed, chosen or opened. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// No camera with this id exists (unplugged, or never there).
    #[error("no camera {id}: it is not connected (run `benchproof devices` to list cameras)")]
    CameraNotFound { id: String },
    /// The id is not of the form `camera:/dev/videoN` (Linux) or `camera:N`.
    #[error("`{id}` is not a camera id: expected `camera:/dev/videoN` or `camera:N` (see `benchproof devices`)")]
    BadCameraId { id: String },
    /// The camera offers nothing this station can use.
    #[error("camera {id} refuses every usable format (MJPEG or YUYV at {min_fps} fps or more): offered {}", offered_list(.offered))]
    NoUsableFormat { id: String, min_fps: u32, offered: Vec<CameraFormat> },
    /// The operating system's camera layer failed while asking the camera.
    #[error("camera {id}: {message}")]
    Camera { id: String, message: String },
    /// The machine has no usable microphone at all (no sound card, or its configuration fails).
    #[error("no microphone: {detail} (plug one in, or use the simulated tone)")]
    NoMicrophone { detail: String },
    /// A microphone was asked for by id and is not among the inputs.
    #[error("no microphone {id}: available inputs are {}", inputs_list(.available))]
    MicrophoneNotFound { id: String, available: Vec<String> },
    /// The microphone exists but refused to describe or open a stream.
    #[error("microphone {id}: {message}")]
    Microphone { id: String, message: String },
}

fn offered_list(offered: &[CameraFormat]) -> String {
    if offered.is_empty() {
        return "nothing".to_string();
    }
    offered.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn inputs_list(available: &[String]) -> String {
    if available.is_empty() {
        return "none".to_string();
    }
    available.join(", ")
}
