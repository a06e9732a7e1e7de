//! Colour conversion of camera frames to planar I420, the one layout the encoder takes.
//!
//! YUYV is converted directly (luma copied, chroma averaged over row pairs) and MJPEG is decoded
//! straight to YCbCr: neither goes through RGB, which would cost as much as the encoding itself.
//! Output is BT.601 limited range ("TV" range, Y 16–235, chroma 16–240), which is what H.264
//! decoders assume when the stream does not say otherwise.

use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

use crate::{PixelFormat, VideoFrame};

/// Why a frame could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The frame's byte count does not match its format and size.
    #[error("a {format:?} frame of {width}×{height} needs {expected} bytes but has {actual}; the source reported the wrong size or format")]
    WrongLength { format: PixelFormat, width: u32, height: u32, expected: usize, actual: usize },
    /// A zero-sized frame.
    #[error("the frame is {width}×{height}; a frame needs at least one pixel")]
    Empty { width: u32, height: u32 },
    /// The JPEG data of an MJPEG frame did not decode.
    #[error("the MJPEG frame does not decode ({message}); the camera sent a damaged frame")]
    Jpeg { message: String },
    /// The JPEG decoded to a size other than the frame claims.
    #[error("the MJPEG frame decodes to {actual_w}×{actual_h} but the source said {width}×{height}")]
    JpegSize { width: u32, height: u32, actual_w: usize, actual_h: usize },
}

/// Byte length of an I420 image of `width`×`height` (chroma planes rounded up).
pub fn i420_len(width: u32, height: u32) -> usize {
    let (w, h) = (width as usize, height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    w * h + 2 * cw * ch
}

/// Converts `frame` to I420 into `out` (resized to [`i420_len`]). Reusing `out` across frames
/// avoids an allocation per frame.
pub fn to_i420(frame: &VideoFrame, out: &mut Vec<u8>) -> Result<(), ConvertError> {
    let (width, height) = (frame.width, frame.height);
    if width == 0 || height == 0 {
        return Err(ConvertError::Empty { width, height });
    }
    let (w, h) = (width as usize, height as usize);
    let check = |expected: usize| {
        if frame.data.len() == expected {
            Ok(())
        } else {
            Err(ConvertError::WrongLength { format: frame.format, width, height, expected, actual: frame.data.len() })
        }
    };
    out.resize(i420_len(width, height), 0);
    match frame.format {
        PixelFormat::I420 => {
            check(i420_len(width, height))?;
            out.copy_from_slice(&frame.data);
        }
        PixelFormat::Yuyv => {
            check(4 * w.div_ceil(2) * h)?;
            yuyv_to_i420(&frame.data, w, h, out);
        }
        PixelFormat::Rgb24 => {
            check(3 * w * h)?;
            rgb_to_i420(&frame.data, w, h, out);
        }
        PixelFormat::Mjpeg => mjpeg_to_i420(&frame.data, width, height, out)?,
    }
    Ok(())
}

/// Splits an I420 buffer into its Y, U and V planes.
fn planes_mut(out: &mut [u8], w: usize, h: usize) -> (&mut [u8], &mut [u8], &mut [u8]) {
    let c = w.div_ceil(2) * h.div_ceil(2);
    let (y, rest) = out.split_at_mut(w * h);
    let (u, v) = rest.split_at_mut(c);
    (y, u, v)
}

/// YUYV rows are `⌈w/2⌉` four-byte macropixels `Y0 U Y1 V`; chroma is averaged over row pairs.
fn yuyv_to_i420(src: &[u8], w: usize, h: usize, out: &mut [u8]) {
    let stride = 4 * w.div_ceil(2);
    let cw = w.div_ceil(2);
    let (y, u, v) = planes_mut(out, w, h);
    for row in 0..h {
        let line = &src[row * stride..(row + 1) * stride];
        for x in 0..w {
            y[row * w + x] = line[2 * x];
        }
    }
    for cy in 0..h.div_ceil(2) {
        let r0 = 2 * cy;
        let r1 = (r0 + 1).min(h - 1);
        let (l0, l1) = (&src[r0 * stride..], &src[r1 * stride..]);
        for cx in 0..cw {
            let m = 4 * cx;
            u[cy * cw + cx] = avg2(l0[m + 1], l1[m + 1]);
            v[cy * cw + cx] = avg2(l0[m + 3], l1[m + 3]);
        }
    }
}

fn avg2(a: u8, b: u8) -> u8 {
    ((u16::from(a) + u16::from(b)).div_ceil(2)) as u8
}

/// BT.601 limited range in 8-bit fixed point; chroma from the 2×2 block's mean colour.
fn rgb_to_i420(src: &[u8], w: usize, h: usize, out: &mut [u8]) {
    let cw = w.div_ceil(2);
    let (y, u, v) = planes_mut(out, w, h);
    let px = |x: usize, row: usize| {
        let i = 3 * (row * w + x);
        (i32::from(src[i]), i32::from(src[i + 1]), i32::from(src[i + 2]))
    };
    for row in 0..h {
        for x in 0..w {
            let (r, g, b) = px(x, row);
            y[row * w + x] = (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8;
        }
    }
    for cy in 0..h.div_ceil(2) {
        for cx in 0..cw {
            let (mut r, mut g, mut b, mut n) = (0, 0, 0, 0);
            for row in (2 * cy)..(2 * cy + 2).min(h) {
                for x in (2 * cx)..(2 * cx + 2).min(w) {
                    let p = px(x, row);
                    (r, g, b, n) = (r + p.0, g + p.1, b + p.2, n + 1);
                }
            }
            let (r, g, b) = ((r + n / 2) / n, (g + n / 2) / n, (b + n / 2) / n);
            u[cy * cw + cx] = (((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128) as u8;
            v[cy * cw + cx] = (((112 * r - 94 * g - 18 * b + 128) >> 8) + 128) as u8;
        }
    }
}

/// Decodes to full-range (JFIF) YCbCr 4:4:4, then subsamples and compresses to limited range.
fn mjpeg_to_i420(src: &[u8], width: u32, height: u32, out: &mut [u8]) -> Result<(), ConvertError> {
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::YCbCr);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(src), options);
    let pixels = decoder.decode().map_err(|e| ConvertError::Jpeg { message: format!("{e:?}") })?;
    let (dw, dh) = decoder.dimensions().unwrap_or((0, 0));
    if (dw, dh) != (width as usize, height as usize) {
        return Err(ConvertError::JpegSize { width, height, actual_w: dw, actual_h: dh });
    }
    let channels = pixels.len() / (dw * dh).max(1);
    if channels != 3 && channels != 1 {
        return Err(ConvertError::Jpeg { message: format!("unexpected {channels} channels after decoding") });
    }
    let (w, h) = (dw, dh);
    let cw = w.div_ceil(2);
    let (y, u, v) = planes_mut(out, w, h);
    let luma = |l: u8| (16 + (u32::from(l) * 219 + 127) / 255) as u8;
    let chroma = |c: u32, n: u32| {
        // Mean of n full-range samples, mapped to 16..=240 around 128.
        let mean = (c + n / 2) / n;
        (i32::from(128u8) + ((mean as i32 - 128) * 224 + if mean >= 128 { 127 } else { -127 }) / 255) as u8
    };
    for i in 0..w * h {
        y[i] = luma(pixels[i * channels]);
    }
    for cy in 0..h.div_ceil(2) {
        for cx in 0..cw {
            let (mut cb, mut cr, mut n) = (0u32, 0u32, 0u32);
            for row in (2 * cy)..(2 * cy + 2).min(h) {
                for x in (2 * cx)..(2 * cx + 2).min(w) {
                    let i = (row * w + x) * channels;
                    if channels == 3 {
                        cb += u32::from(pixels[i + 1]);
                        cr += u32::from(pixels[i + 2]);
                    } else {
                        (cb, cr) = (cb + 128, cr + 128);
                    }
                    n += 1;
                }
            }
            u[cy * cw + cx] = chroma(cb, n);
            v[cy * cw + cx] = chroma(cr, n);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClockTime;

    fn frame(format: PixelFormat, width: u32, height: u32, data: Vec<u8>) -> VideoFrame {
        VideoFrame { at: ClockTime::ZERO, seq: 0, width, height, format, data }
    }

    #[test]
    fn yuyv_copies_luma_and_averages_chroma_over_row_pairs() {
        // 2×2: one macropixel per row.
        let data = vec![10, 100, 20, 200, 30, 110, 40, 210];
        let mut out = Vec::new();
        to_i420(&frame(PixelFormat::Yuyv, 2, 2, data), &mut out).unwrap();
        assert_eq!(out, vec![10, 20, 30, 40, 105, 205]);
    }

    #[test]
    fn rgb_primaries_match_bt601_limited_range() {
        // White, black, red, green as a 2×2 image; then single pixels.
        let cases: [([u8; 3], u8, u8, u8); 4] = [
            ([255, 255, 255], 235, 128, 128),
            ([0, 0, 0], 16, 128, 128),
            ([255, 0, 0], 82, 90, 240),
            ([0, 0, 255], 41, 240, 110),
        ];
        for (rgb, ey, eu, ev) in cases {
            let mut out = Vec::new();
            to_i420(&frame(PixelFormat::Rgb24, 1, 1, rgb.to_vec()), &mut out).unwrap();
            assert_eq!(out, vec![ey, eu, ev], "rgb {rgb:?}");
        }
    }

    #[test]
    fn odd_sizes_round_chroma_up() {
        let mut out = Vec::new();
        to_i420(&frame(PixelFormat::Rgb24, 3, 1, vec![255; 9]), &mut out).unwrap();
        assert_eq!(out.len(), 3 + 2 + 2);
        assert_eq!(i420_len(1280, 720), 1280 * 720 * 3 / 2);
    }

    #[test]
    fn wrong_length_is_a_specific_error() {
        let err = to_i420(&frame(PixelFormat::Yuyv, 4, 2, vec![0; 15]), &mut Vec::new()).unwrap_err();
        assert!(matches!(err, ConvertError::WrongLength { expected: 16, actual: 15, .. }), "{err}");
        assert!(err.to_string().contains("needs 16 bytes but has 15"));
        let err = to_i420(&frame(PixelFormat::I420, 0, 2, vec![]), &mut Vec::new()).unwrap_err();
        assert!(matches!(err, ConvertError::Empty { .. }));
    }

    #[test]
    fn damaged_mjpeg_is_an_error_not_a_panic() {
        let err = to_i420(&frame(PixelFormat::Mjpeg, 8, 8, vec![0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3]), &mut Vec::new())
            .unwrap_err();
        assert!(matches!(err, ConvertError::Jpeg { .. }), "{err}");
    }

    /// A baseline 16×16 JPEG, mid grey (RGB 128,128,128), made with Debian's ffmpeg:
    /// `ffmpeg -f lavfi -i color=c=0x808080:s=16x16 -frames:v 1 -pix_fmt yuvj444p grey16.jpg`.
    /// Decoded: Y = 128 full range → 126 limited range; chroma neutral.
    const GREY_JPEG: &[u8] = include_bytes!("../tests/fixtures/grey16.jpg");

    #[test]
    fn mjpeg_decodes_to_limited_range_i420() {
        let mut out = Vec::new();
        to_i420(&frame(PixelFormat::Mjpeg, 16, 16, GREY_JPEG.to_vec()), &mut out).unwrap();
        assert_eq!(out.len(), 16 * 16 * 3 / 2);
        assert!(out[..256].iter().all(|&y| (125..=127).contains(&y)), "luma {:?}", &out[..8]);
        assert!(out[256..].iter().all(|&c| (127..=129).contains(&c)), "chroma {:?}", &out[256..264]);
        let err = to_i420(&frame(PixelFormat::Mjpeg, 32, 16, GREY_JPEG.to_vec()), &mut out).unwrap_err();
        assert!(matches!(err, ConvertError::JpegSize { actual_w: 16, .. }), "{err}");
    }
}
