//! Which cameras exist and what each offers.
//!
//! On Linux this asks V4L2 directly (`v4l`): it never changes a device's format (so listing is
//! safe while a camera is capturing), and it drops nodes whose device capabilities lack
//! VIDEO_CAPTURE (the metadata node every UVC camera also has). Elsewhere it asks `nokhwa`.

use serde::Serialize;

use super::format::{CameraFormat, FourCc};
use crate::DeviceError;

/// A camera that can be opened, with every mode it offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CameraDevice {
    /// Stable id: `camera:/dev/videoN` on Linux, `camera:N` elsewhere.
    pub id: String,
    /// For people, e.g. `HD Pro Webcam C920`.
    pub label: String,
    /// Every (format, size, rate) the camera offers, in the camera's order.
    pub formats: Vec<CameraFormat>,
}

/// Every camera on this machine. Empty (not an error) when there are none; a node that fails to
/// answer is left out rather than failing the whole list.
pub fn list_cameras() -> Vec<CameraDevice> {
    platform::list()
}

/// The formats of one camera, by index (the `N` of its id).
pub(crate) fn camera_formats(id: &str, index: u32) -> Result<(String, Vec<CameraFormat>), DeviceError> {
    platform::formats(id, index)
}

/// Parses `camera:/dev/videoN` (Linux) or `camera:N` into `N`.
pub(crate) fn parse_camera_id(id: &str) -> Result<u32, DeviceError> {
    let bad = || DeviceError::BadCameraId { id: id.to_string() };
    let rest = id.strip_prefix("camera:").ok_or_else(bad)?;
    let number = rest.strip_prefix("/dev/video").unwrap_or(rest);
    number.parse::<u32>().map_err(|_| bad())
}

/// The id of camera number `index` on this platform.
pub(crate) fn camera_id(index: u32) -> String {
    if cfg!(target_os = "linux") {
        format!("camera:/dev/video{index}")
    } else {
        format!("camera:{index}")
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use v4l::capability::Flags;
    use v4l::frameinterval::FrameIntervalEnum;
    use v4l::framesize::FrameSizeEnum;
    use v4l::video::Capture;
    use v4l::{Device, FourCC};

    use super::{camera_id, CameraDevice, CameraFormat, DeviceError, FourCc};

    pub(super) fn list() -> Vec<CameraDevice> {
        let mut nodes: Vec<_> = v4l::context::enum_devices().into_iter().map(|node| node.index()).collect();
        nodes.sort_unstable();
        nodes
            .into_iter()
            .filter_map(|index| {
                let index = u32::try_from(index).ok()?;
                let id = camera_id(index);
                let (label, formats) = formats(&id, index).ok()?;
                Some(CameraDevice { id, label, formats })
            })
            .collect()
    }

    pub(super) fn formats(id: &str, index: u32) -> Result<(String, Vec<CameraFormat>), DeviceError> {
        let path = format!("/dev/video{index}");
        let device = Device::with_path(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => DeviceError::CameraNotFound { id: id.to_string() },
            _ => DeviceError::Camera { id: id.to_string(), message: format!("cannot open {path}: {e}") },
        })?;
        let caps = device
            .query_caps()
            .map_err(|e| DeviceError::Camera { id: id.to_string(), message: format!("cannot query {path}: {e}") })?;
        if !caps.capabilities.contains(Flags::VIDEO_CAPTURE) {
            // A metadata (or output-only) node: there is no camera here, only its side channel.
            return Err(DeviceError::CameraNotFound { id: id.to_string() });
        }
        let descriptions = device.enum_formats().map_err(|e| DeviceError::Camera {
            id: id.to_string(),
            message: format!("cannot list the formats of {path}: {e}"),
        })?;
        let mut formats = Vec::new();
        for description in descriptions {
            for (width, height) in sizes(&device, description.fourcc) {
                for fps in rates(&device, description.fourcc, width, height) {
                    let mode = CameraFormat { fourcc: FourCc(description.fourcc.repr), width, height, fps };
                    if !formats.contains(&mode) {
                        formats.push(mode);
                    }
                }
            }
        }
        Ok((caps.card, formats))
    }

    /// Discrete sizes as offered; a stepwise range as its ends plus the common sizes inside it.
    fn sizes(device: &Device, fourcc: FourCC) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for size in device.enum_framesizes(fourcc).unwrap_or_default() {
            match size.size {
                FrameSizeEnum::Discrete(d) => out.push((d.width, d.height)),
                FrameSizeEnum::Stepwise(s) => {
                    let fits = |(w, h): (u32, u32)| {
                        (s.min_width..=s.max_width).contains(&w)
                            && (s.min_height..=s.max_height).contains(&h)
                            && (w - s.min_width) % s.step_width.max(1) == 0
                            && (h - s.min_height) % s.step_height.max(1) == 0
                    };
                    out.push((s.min_width, s.min_height));
                    out.extend([(640, 480), (1280, 720), (1920, 1080)].into_iter().filter(|&wh| fits(wh)));
                    out.push((s.max_width, s.max_height));
                }
            }
        }
        out.dedup();
        out
    }

    /// Whole frame rates only (interval 1/N), as `nokhwa` can request no others.
    fn rates(device: &Device, fourcc: FourCC, width: u32, height: u32) -> Vec<u32> {
        let whole = |num: u32, den: u32| (num == 1 && den > 0).then_some(den);
        device
            .enum_frameintervals(fourcc, width, height)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|interval| match interval.interval {
                FrameIntervalEnum::Discrete(f) => whole(f.numerator, f.denominator),
                // The shortest interval is the highest rate.
                FrameIntervalEnum::Stepwise(s) => whole(s.min.numerator, s.min.denominator),
            })
            .collect()
    }
}

/// `nokhwa`'s own listing, used where V4L2 is not. Compiled (and so type-checked) everywhere.
#[cfg_attr(target_os = "linux", allow(dead_code))]
mod via_nokhwa {
    use nokhwa::utils::{ApiBackend, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType};

    use super::{camera_id, CameraDevice, CameraFormat, DeviceError, FourCc};

    pub(super) fn list() -> Vec<CameraDevice> {
        let Ok(cameras) = nokhwa::query(ApiBackend::Auto) else { return Vec::new() };
        cameras
            .into_iter()
            .filter_map(|info| {
                let index = info.index().as_index().ok()?;
                let id = camera_id(index);
                let (_, formats) = formats(&id, index).ok()?;
                Some(CameraDevice { id, label: info.human_name(), formats })
            })
            .collect()
    }

    pub(super) fn formats(id: &str, index: u32) -> Result<(String, Vec<CameraFormat>), DeviceError> {
        let request = RequestedFormat::new::<nokhwa::pixel_format::RgbFormat>(RequestedFormatType::None);
        let mut camera = nokhwa::Camera::new(CameraIndex::Index(index), request)
            .map_err(|e| DeviceError::Camera { id: id.to_string(), message: e.to_string() })?;
        let formats = camera
            .compatible_camera_formats()
            .map_err(|e| DeviceError::Camera { id: id.to_string(), message: e.to_string() })?
            .into_iter()
            .map(|f| {
                let fourcc = match f.format() {
                    FrameFormat::MJPEG => FourCc::MJPEG,
                    FrameFormat::YUYV => FourCc::YUYV,
                    FrameFormat::NV12 => FourCc(*b"NV12"),
                    FrameFormat::GRAY => FourCc(*b"GREY"),
                    FrameFormat::RAWRGB => FourCc(*b"RGB3"),
                    FrameFormat::RAWBGR => FourCc(*b"BGR3"),
                };
                CameraFormat { fourcc, width: f.width(), height: f.height(), fps: f.frame_rate() }
            })
            .collect();
        Ok((camera.info().human_name(), formats))
    }
}

#[cfg(not(target_os = "linux"))]
use via_nokhwa as platform;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_ids_parse_both_forms_and_refuse_others() {
        assert_eq!(parse_camera_id("camera:/dev/video2").unwrap(), 2);
        assert_eq!(parse_camera_id("camera:0").unwrap(), 0);
        for bad in ["video0", "camera:", "camera:/dev/sda", "microphone:default", "camera:-1"] {
            let err = parse_camera_id(bad).unwrap_err();
            assert!(matches!(err, DeviceError::BadCameraId { .. }), "{bad}: {err}");
            assert!(err.to_string().contains("benchproof devices"), "{err}");
        }
        assert_eq!(parse_camera_id(&camera_id(7)).unwrap(), 7);
    }
}
