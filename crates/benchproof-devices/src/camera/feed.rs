//! Reading one open camera through `nokhwa`.
//!
//! `nokhwa`'s frame read blocks with no timeout, so each open camera gets a reader thread that
//! does nothing but read and hand frames over a small channel; the source thread waits on that
//! channel with a timeout, which is where the stall watchdog lives.
//!
//! Invariants: the reader owns the `nokhwa::Camera` (which is not `Send`) from open to close; it
//! stops at the first error, or after its next frame once the feed is dropped. A reader stuck
//! inside a read that never returns is abandoned (it exits when the driver finally errors,
//! as V4L2 does on unplug). Known limit: `nokhwa` shares one V4L2 handle per device inside a
//! process, so while such a reader is stuck, reopening that camera fails and is retried.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use benchproof_capture::{PixelFormat, SourceEvent, StationClock, VideoFrame};
use nokhwa::utils::{CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution};

use super::format::{CameraFormat, FourCc};
use crate::supervise::{Attach, Delivery, Feed};

/// How long opening a camera (set format, start streaming) may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens camera `index` in exactly `format`.
#[derive(Debug)]
pub(crate) struct CameraAttach {
    pub(crate) id: String,
    pub(crate) index: u32,
    pub(crate) format: CameraFormat,
}

enum FromReader {
    Frame { arrived: Instant, data: Vec<u8> },
    Failed(String),
}

/// An open camera: the receiving end of its reader thread.
pub(crate) struct CameraFeed {
    rx: Receiver<FromReader>,
    stop: Arc<AtomicBool>,
    format: CameraFormat,
    pixel_format: PixelFormat,
    clock: StationClock,
}

impl Attach for CameraAttach {
    type Feed = CameraFeed;

    fn attach(&mut self, clock: &StationClock) -> Result<CameraFeed, String> {
        let pixel_format = match self.format.fourcc {
            FourCc::MJPEG => PixelFormat::Mjpeg,
            FourCc::YUYV => PixelFormat::Yuyv,
            other => return Err(format!("format {other} is not one this station captures")),
        };
        let (tx, rx) = mpsc::sync_channel(2);
        let (opened_tx, opened_rx) = mpsc::sync_channel::<Result<(), String>>(1);
        let stop = Arc::new(AtomicBool::new(false));
        let reader_stop = stop.clone();
        let (index, format) = (self.index, self.format);
        std::thread::Builder::new()
            .name(format!("camera reader {}", self.id))
            .spawn(move || {
                let mut camera = match open(index, format) {
                    Ok(camera) => camera,
                    Err(message) => {
                        let _ = opened_tx.send(Err(message));
                        return;
                    }
                };
                if opened_tx.send(Ok(())).is_err() {
                    return;
                }
                while !reader_stop.load(Ordering::Relaxed) {
                    let message = match camera.frame_raw() {
                        Ok(data) => FromReader::Frame { arrived: Instant::now(), data: data.into_owned() },
                        Err(e) => FromReader::Failed(e.to_string()),
                    };
                    let failed = matches!(message, FromReader::Failed(_));
                    if tx.send(message).is_err() || failed {
                        return;
                    }
                }
            })
            .map_err(|e| format!("cannot start the camera reader thread: {e}"))?;
        match opened_rx.recv_timeout(OPEN_TIMEOUT) {
            Ok(Ok(())) => Ok(CameraFeed { rx, stop, format: self.format, pixel_format, clock: *clock }),
            Ok(Err(message)) => Err(message),
            Err(_) => {
                stop.store(true, Ordering::Relaxed);
                Err(format!("the camera did not start streaming within {} s", OPEN_TIMEOUT.as_secs()))
            }
        }
    }
}

fn open(index: u32, format: CameraFormat) -> Result<nokhwa::Camera, String> {
    let frame_format = if format.fourcc == FourCc::MJPEG { FrameFormat::MJPEG } else { FrameFormat::YUYV };
    let exact =
        nokhwa::utils::CameraFormat::new(Resolution::new(format.width, format.height), frame_format, format.fps);
    let request = RequestedFormat::new::<nokhwa::pixel_format::RgbFormat>(RequestedFormatType::Exact(exact));
    let mut camera = nokhwa::Camera::new(CameraIndex::Index(index), request)
        .map_err(|e| format!("cannot open the camera in {format}: {e}"))?;
    camera.open_stream().map_err(|e| format!("cannot start streaming {format}: {e}"))?;
    Ok(camera)
}

impl Feed for CameraFeed {
    fn next(&mut self, timeout: Duration) -> Delivery {
        match self.rx.recv_timeout(timeout) {
            Ok(FromReader::Frame { arrived, data }) => match self.frame(arrived, data) {
                Some(frame) => Delivery::Media(SourceEvent::Video(frame)),
                // A torn or empty buffer: skip it; a camera that only sends those stalls.
                None => Delivery::Idle,
            },
            Ok(FromReader::Failed(reason)) => Delivery::Failed(reason),
            Err(RecvTimeoutError::Timeout) => Delivery::Idle,
            Err(RecvTimeoutError::Disconnected) => Delivery::Failed("the camera reader stopped".to_string()),
        }
    }
}

impl CameraFeed {
    /// Checks the buffer's size against the format; `seq` is set by the supervisor.
    fn frame(&self, arrived: Instant, mut data: Vec<u8>) -> Option<VideoFrame> {
        let CameraFormat { width, height, .. } = self.format;
        match self.pixel_format {
            PixelFormat::Yuyv => {
                let expected = usize::try_from(u64::from(width) * u64::from(height) * 2).ok()?;
                if data.len() < expected {
                    return None;
                }
                data.truncate(expected);
            }
            _ if data.is_empty() => return None,
            _ => {}
        }
        Some(VideoFrame { at: self.clock.at(arrived), seq: 0, width, height, format: self.pixel_format, data })
    }
}

impl Drop for CameraFeed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
