//! The `preview` protocol: the newest frame of each camera as a JPEG, fetched by URL
//! (`preview://localhost/<device id, URL-encoded>`), never as base64 JSON.
//!
//! Invariant: a frame is encoded at most once; the cache keeps the last JPEG per camera keyed by
//! the frame's sequence number, and a request for an unchanged frame is served from it. MJPEG
//! frames are passed through as they came from the camera; raw frames wider than
//! [`PREVIEW_WIDTH`] are subsampled by a whole factor first (the preview is shown at most 480
//! pixels wide, so encoding 1280×720 would cost four times the work for nothing).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use benchproof_capture::{PixelFormat, VideoFrame};
use image::codecs::jpeg::JpegEncoder;
use image::ExtendedColorType;
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
    frames: Mutex<HashMap<String, Cached>>,
}

impl PreviewCache {
    /// The JPEG of `frame` from `device`, encoding it only if it is newer than the cached one.
    pub fn jpeg(&self, device: &str, frame: &VideoFrame) -> Result<Arc<Vec<u8>>, String> {
        if let Some((seq, jpeg)) = self.lock().get(device) {
            if *seq == frame.seq {
                return Ok(jpeg.clone());
            }
        }
        let jpeg = Arc::new(encode(frame)?);
        self.lock().insert(device.to_owned(), (frame.seq, jpeg.clone()));
        Ok(jpeg)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        self.frames.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Encodes one frame as a JPEG.
pub fn encode(frame: &VideoFrame) -> Result<Vec<u8>, String> {
    if frame.format == PixelFormat::Mjpeg {
        return Ok(frame.data.clone());
    }
    let mut i420 = Vec::new();
    benchproof_capture::convert::to_i420(frame, &mut i420).map_err(|e| e.to_string())?;
    let step = frame.width.div_ceil(PREVIEW_WIDTH).max(1);
    let (rgb, width, height) = i420_to_rgb(&i420, frame.width, frame.height, step);
    let mut out = Vec::with_capacity(rgb.len() / 10);
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode(&rgb, width, height, ExtendedColorType::Rgb8)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// BT.601 limited-range I420 to packed RGB, keeping every `step`-th pixel of every `step`-th
/// row; returns the pixels and their width and height.
fn i420_to_rgb(i420: &[u8], width: u32, height: u32, step: u32) -> (Vec<u8>, u32, u32) {
    let (w, h, step) = (width as usize, height as usize, step as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (y_plane, rest) = i420.split_at(w * h);
    let (u_plane, v_plane) = rest.split_at(cw * ch);
    let (out_w, out_h) = (w.div_ceil(step), h.div_ceil(step));
    let mut rgb = Vec::with_capacity(out_w * out_h * 3);
    for row in (0..h).step_by(step) {
        for col in (0..w).step_by(step) {
            let y = (f32::from(y_plane[row * w + col]) - 16.0) * 1.164;
            let c = (row / 2) * cw + col / 2;
            let (u, v) = (f32::from(u_plane[c]) - 128.0, f32::from(v_plane[c]) - 128.0);
            let clamp = |x: f32| x.round().clamp(0.0, 255.0) as u8;
            rgb.extend_from_slice(&[clamp(y + 1.596 * v), clamp(y - 0.392 * u - 0.813 * v), clamp(y + 2.017 * u)]);
        }
    }
    (rgb, out_w as u32, out_h as u32)
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
    use benchproof_capture::ClockTime;

    fn grey_frame(seq: u64, luma: u8) -> VideoFrame {
        grey_frame_of(64, 48, seq, luma)
    }

    fn grey_frame_of(w: u32, h: u32, seq: u64, luma: u8) -> VideoFrame {
        let mut data = vec![luma; (w * h) as usize];
        data.extend(vec![128u8; benchproof_capture::convert::i420_len(w, h) - (w * h) as usize]);
        VideoFrame { at: ClockTime::default(), seq, width: w, height: h, format: PixelFormat::I420, data }
    }

    #[test]
    fn frames_become_decodable_jpegs_of_the_same_size_and_colour() {
        let jpeg = encode(&grey_frame(0, 180)).unwrap();
        let img = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (64, 48));
        let px = img.get_pixel(10, 10).0;
        // Y 180 limited range ≈ 191 full range, grey.
        assert!(px.iter().all(|&c| c.abs_diff(191) <= 3), "{px:?}");
    }

    #[test]
    fn wide_frames_are_subsampled_to_the_preview_width() {
        for ((w, h), want) in [((1280, 720), (640, 360)), ((1920, 1080), (640, 360)), ((640, 480), (640, 480))] {
            let jpeg = encode(&grey_frame_of(w, h, 0, 120)).unwrap();
            let img = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).unwrap();
            assert_eq!((img.width(), img.height()), want, "{w}×{h}");
        }
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
