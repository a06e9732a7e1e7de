//! Cameras: listing, the explicit format choice, and [`CameraSource`].

mod feed;
mod format;
mod list;

use benchproof_capture::{CaptureError, Source, SourceHandle, SourceInfo, SourceKind, SourceSink, StationClock};

pub use format::{choose_format, CameraFormat, FormatRequest, FourCc, MIN_FPS};
pub use list::{list_cameras, CameraDevice};

use crate::supervise::{Policy, Supervised};
use crate::DeviceError;
use feed::CameraAttach;

/// A camera, captured in its native format (MJPEG or YUYV) on its own thread, supervised with a
/// 2 s stall watchdog and reopened every second while lost. Each camera is independent, so any
/// number can run at once.
#[derive(Debug)]
pub struct CameraSource {
    inner: Supervised<CameraAttach>,
    format: CameraFormat,
}

impl CameraSource {
    /// Looks up camera `id` (`camera:/dev/videoN` or `camera:N`), asks what it offers and
    /// chooses a mode for `want` with [`choose_format`]. Does not start capturing.
    pub fn open(id: &str, want: FormatRequest) -> Result<CameraSource, DeviceError> {
        let index = list::parse_camera_id(id)?;
        let id = list::camera_id(index);
        let (label, offered) = list::camera_formats(&id, index)?;
        let format = choose_format(&offered, want).ok_or_else(|| DeviceError::NoUsableFormat {
            id: id.clone(),
            min_fps: MIN_FPS,
            offered: offered.clone(),
        })?;
        let info = SourceInfo { id: id.clone(), label, kind: SourceKind::Camera, simulated: false };
        let attach = CameraAttach { id, index, format };
        Ok(CameraSource { inner: Supervised::new(info, attach, Policy::CAMERA), format })
    }

    /// The mode that will be captured.
    pub fn format(&self) -> CameraFormat {
        self.format
    }
}

impl Source for CameraSource {
    fn info(&self) -> &SourceInfo {
        self.inner.info()
    }

    /// Starts the camera; fails (with the camera's own words) if it cannot be opened now.
    fn start(self: Box<Self>, clock: StationClock, sink: SourceSink) -> Result<SourceHandle, CaptureError> {
        Box::new(self.inner).start(clock, sink)
    }
}
