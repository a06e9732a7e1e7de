//! The `preview` protocol: the newest frame of each camera as a JPEG, fetched by URL
//! (`preview://localhost/<device id, URL-encoded>`), never as base64 JSON.
//!
//! Invariant: a frame is encoded at most once, however many windows or requests want it: the
//! cache keeps the last JPEG per camera keyed by the frame's sequence number, and a request that
//! arrives while that camera's newest frame is being encoded waits for it rather than encoding
//! it again. The JPEG itself comes from [`benchproof_capture::preview`]: raw frames wider than
//! [`PREVIEW_WIDTH`] are subsampled by a whole factor (the preview is shown at most 480 CSS
//! pixels wide, so encoding 1280×720 would cost four times the work for nothing), MJPEG frames
//! are passed through as the camera sent them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use benchproof_capture::preview::{preview_jpeg, PreviewError};
use benchproof_capture::VideoFrame;
use tauri::http::{header, Response, StatusCode};

/// JPEG quality of preview frames: enough to judge framing and focus, small enough for 30 fps.
const QUALITY: u8 = 70;
/// Raw frames are subsampled by the smallest whole factor that brings them to this width or less.
pub const PREVIEW_WIDTH: u32 = 640;

/// A camera's last frame sequence number and its JPEG.
type Cached = (u64, Arc<Vec<u8>>);

/// The last JPEG made for each camera, by frame sequence number.
#[derive(Debug, Default)]
pub struct PreviewCache {
    cameras: Mutex<HashMap<String, Arc<Mutex<Option<Cached>>>>>,
}

impl PreviewCache {
    /// The JPEG of `frame` from `device`, encoding it only if it is not the cached one.
    pub fn jpeg(&self, device: &str, frame: &VideoFrame) -> Result<Arc<Vec<u8>>, PreviewError> {
        let camera = lock(&self.cameras).entry(device.to_owned()).or_default().clone();
        // Held while encoding: a second request for the same frame waits and reuses the result.
        let mut cached = lock(&camera);
        if let Some((seq, jpeg)) = cached.as_ref() {
            if *seq == frame.seq {
                return Ok(jpeg.clone());
            }
        }
        let jpeg = Arc::new(encode(frame)?);
        *cached = Some((frame.seq, jpeg.clone()));
        Ok(jpeg)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Encodes one frame as a preview JPEG.
pub fn encode(frame: &VideoFrame) -> Result<Vec<u8>, PreviewError> {
    preview_jpeg(frame, PREVIEW_WIDTH, QUALITY)
}

/// Decodes the device id from a request path (`/<percent-encoded id>`).
pub fn device_from_path(path: &str) -> Option<String> {
    let raw = path.trim_start_matches('/');
    let mut out = Vec::with_capacity(raw.len());
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|s| !s.is_empty())
}

/// A JPEG response that is never cached (every request wants the newest frame).
pub fn response(jpeg: &[u8], seq: u64) -> Response<Vec<u8>> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "image/jpeg")
        .header(header::CACHE_CONTROL, "no-store")
        .header("X-Frame-Seq", seq.to_string())
        .body(jpeg.to_vec())
        .expect("static headers are valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use benchproof_capture::{ClockTime, PixelFormat};

    fn grey_frame(seq: u64, luma: u8) -> VideoFrame {
        grey_frame_of(64, 48, seq, luma)
    }

    fn grey_frame_of(w: u32, h: u32, seq: u64, luma: u8) -> VideoFrame {
        let mut data = vec![luma; (w * h) as usize];
        data.extend(vec![128u8; benchproof_capture::convert::i420_len(w, h) - (w * h) as usize]);
        VideoFrame { at: ClockTime::default(), seq, width: w, height: h, format: PixelFormat::I420, data }
    }

    #[test]
    fn wide_frames_are_served_at_the_preview_width() {
        // Sizes and colours are the capture crate's tests; here: the width this protocol asks for.
        let jpeg = encode(&grey_frame_of(1280, 720, 0, 120)).unwrap();
        let sof = jpeg.windows(2).position(|w| w == [0xff, 0xc0]).expect("a baseline JPEG");
        let (h, w) =
            (u16::from_be_bytes([jpeg[sof + 5], jpeg[sof + 6]]), u16::from_be_bytes([jpeg[sof + 7], jpeg[sof + 8]]));
        assert_eq!((w, h), (640, 360));
    }

    #[test]
    fn requests_racing_for_one_frame_share_one_encoding() {
        let cache = Arc::new(PreviewCache::default());
        let frame = Arc::new(grey_frame_of(1280, 720, 7, 90));
        let jpegs: Vec<_> = (0..4)
            .map(|_| {
                let (cache, frame) = (cache.clone(), frame.clone());
                std::thread::spawn(move || cache.jpeg("sim:camera:0", &frame).unwrap())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        assert!(jpegs.iter().all(|j| Arc::ptr_eq(j, &jpegs[0])), "one encode, shared");
    }

    #[test]
    fn an_unchanged_frame_is_served_from_the_cache() {
        let cache = PreviewCache::default();
        let a = cache.jpeg("sim:camera:0", &grey_frame(1, 50)).unwrap();
        let b = cache.jpeg("sim:camera:0", &grey_frame(1, 200)).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "same seq: no second encode");
        let c = cache.jpeg("sim:camera:0", &grey_frame(2, 200)).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
    }

    #[test]
    fn device_ids_are_percent_decoded() {
        assert_eq!(device_from_path("/sim%3Acamera%3A0").as_deref(), Some("sim:camera:0"));
        assert_eq!(device_from_path("/camera%3A%2Fdev%2Fvideo0").as_deref(), Some("camera:/dev/video0"));
        assert_eq!(device_from_path("/%zz"), None);
        assert_eq!(device_from_path("/"), None);
    }
}
