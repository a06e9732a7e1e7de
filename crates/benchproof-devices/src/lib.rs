//! Real capture devices behind `benchproof-capture`'s [`Source`](benchproof_capture::Source) trait.
//!
//! - [`CameraSource`] captures a camera through `nokhwa` in its native format (MJPEG or YUYV),
//!   chosen explicitly by [`choose_format`] from what the camera offers.
//! - [`MicSource`] captures a microphone through `cpal`, mixed to mono `f32` and resampled to
//!   [`MIC_RATE`] (48 kHz), timed by sample counts from the moment the stream started.
//! - Both run under [`Supervised`]: the device is read on the source's own thread with a
//!   watchdog; a device that fails or stalls is reported as `Lost`, closed, reopened with
//!   backoff, and reported `Restored` when media flows again. [`Attach`]/[`Feed`] let any other
//!   device (or a test double) reuse that machinery.
//! - [`list_devices`] returns every camera (with formats) and microphone as a serialisable
//!   [`DeviceList`]; [`DeviceMonitor`] turns source events into per-device notices.

mod camera;
mod error;
mod list;
mod mic;
mod monitor;
mod supervise;

pub use camera::{
    choose_format, list_cameras, CameraDevice, CameraFormat, CameraSource, FormatRequest, FourCc, MIN_FPS,
};
pub use error::DeviceError;
pub use list::{list_devices, DeviceList};
pub use mic::{list_microphones, resample::Resampler, MicChoice, MicOptions, MicSource, MicrophoneDevice, MIC_RATE};
pub use monitor::{DeviceMonitor, DeviceNotice};
pub use supervise::{Attach, Backoff, Delivery, Feed, Policy, Supervised};
