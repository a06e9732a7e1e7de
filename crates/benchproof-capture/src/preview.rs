//! The live preview's rendition of a camera frame: a small baseline JPEG, made straight from the
//! frame's YCbCr without a detour through RGB.
//!
//! Raw frames are subsampled by the smallest whole factor that brings them to `max_width` or
//! less (nearest sample: a preview judges framing and focus, it is not evidence) and their BT.601
//! limited-range values are stretched to the full range JFIF decoders expect. MJPEG frames are
//! already JPEGs and are passed through untouched. The encoder (`jpeg-encoder`, AVX2 when the CPU
//! has it) reads the rows through [`ImageBuffer`], so no full-size intermediate image is made
//! for I420 frames; YUYV and RGB frames go through [`to_i420`] first.
//!
//! Invariant: the output decodes to ⌈w/k⌉×⌈h/k⌉ pixels for the frame's w×h and the factor k,
//! with the frame's colours (within JPEG's loss).

use std::sync::LazyLock;

use jpeg_encoder::{Encoder, ImageBuffer, JpegColorType};

use crate::convert::{i420_len, to_i420, ConvertError};
use crate::{PixelFormat, VideoFrame};

/// Why a preview JPEG could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error(transparent)]
    Convert(#[from] ConvertError),
    #[error("the preview frame could not be encoded as JPEG: {0}")]
    Encode(#[from] jpeg_encoder::EncodingError),
    #[error("the frame is {width}×{height}; a preview JPEG can be at most 65535 pixels on a side")]
    TooLarge { width: u32, height: u32 },
}

/// The whole factor by which a frame `width` pixels wide is subsampled to be at most `max_width`.
pub fn preview_step(width: u32, max_width: u32) -> u32 {
    width.div_ceil(max_width.max(1)).max(1)
}

/// A JPEG of `frame` at most `max_width` pixels wide at JPEG `quality` (1–100); MJPEG frames
/// are returned as they are.
pub fn preview_jpeg(frame: &VideoFrame, max_width: u32, quality: u8) -> Result<Vec<u8>, PreviewError> {
    let converted;
    let i420: &[u8] = match frame.format {
        PixelFormat::Mjpeg => return Ok(frame.data.clone()),
        PixelFormat::I420 if frame.data.len() == i420_len(frame.width, frame.height) => &frame.data,
        // Also the I420 frame of the wrong length: `to_i420` says precisely what is wrong.
        _ => {
            let mut out = Vec::new();
            to_i420(frame, &mut out)?;
            converted = out;
            &converted
        }
    };
    if frame.width == 0 || frame.height == 0 {
        return Err(ConvertError::Empty { width: frame.width, height: frame.height }.into());
    }
    let step = preview_step(frame.width, max_width);
    let image = Subsampled::new(i420, frame.width as usize, frame.height as usize, step as usize)
        .ok_or(PreviewError::TooLarge { width: frame.width, height: frame.height })?;
    let mut out = Vec::with_capacity(image.out_w as usize * image.out_h as usize / 4);
    Encoder::new(&mut out, quality.clamp(1, 100)).encode_image(image)?;
    Ok(out)
}

/// Limited-range luma (16–235) to full range (0–255).
static LUMA: LazyLock<[u8; 256]> = LazyLock::new(|| stretch(16.0, 219.0, 0.0));
/// Limited-range chroma (16–240, centred on 128) to full range.
static CHROMA: LazyLock<[u8; 256]> = LazyLock::new(|| stretch(128.0, 224.0, 128.0));

fn stretch(centre: f32, span: f32, to: f32) -> [u8; 256] {
    let mut table = [0u8; 256];
    for (v, out) in table.iter_mut().enumerate() {
        *out = ((v as f32 - centre) * 255.0 / span + to).round().clamp(0.0, 255.0) as u8;
    }
    table
}

/// An I420 image seen through a whole-factor nearest-sample subsampling, row by row.
struct Subsampled<'a> {
    y: &'a [u8],
    u: &'a [u8],
    v: &'a [u8],
    width: usize,
    chroma_width: usize,
    step: usize,
    out_w: u16,
    out_h: u16,
}

impl<'a> Subsampled<'a> {
    /// `None` when the subsampled image does not fit JPEG's 16-bit dimensions.
    fn new(i420: &'a [u8], width: usize, height: usize, step: usize) -> Option<Self> {
        let chroma_width = width.div_ceil(2);
        let (y, rest) = i420.split_at(width * height);
        let (u, v) = rest.split_at(chroma_width * height.div_ceil(2));
        let out_w = u16::try_from(width.div_ceil(step)).ok()?;
        let out_h = u16::try_from(height.div_ceil(step)).ok()?;
        Some(Self { y, u, v, width, chroma_width, step, out_w, out_h })
    }
}

impl ImageBuffer for Subsampled<'_> {
    fn get_jpeg_color_type(&self) -> JpegColorType {
        JpegColorType::Ycbcr
    }

    fn width(&self) -> u16 {
        self.out_w
    }

    fn height(&self) -> u16 {
        self.out_h
    }

    fn fill_buffers(&self, row: u16, buffers: &mut [Vec<u8>; 4]) {
        let (luma, chroma) = (&*LUMA, &*CHROMA);
        let source_row = usize::from(row) * self.step;
        let y_row = &self.y[source_row * self.width..][..self.width];
        let c_start = (source_row / 2) * self.chroma_width;
        let (u_row, v_row) = (&self.u[c_start..][..self.chroma_width], &self.v[c_start..][..self.chroma_width]);
        let [ys, us, vs, _] = buffers;
        for col in (0..self.width).step_by(self.step) {
            ys.push(luma[usize::from(y_row[col])]);
            us.push(chroma[usize::from(u_row[col / 2])]);
            vs.push(chroma[usize::from(v_row[col / 2])]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClockTime;

    fn frame(format: PixelFormat, width: u32, height: u32, data: Vec<u8>) -> VideoFrame {
        VideoFrame { at: ClockTime::default(), seq: 0, width, height, format, data }
    }

    /// An I420 frame of one colour (limited-range Y, U, V).
    fn flat(width: u32, height: u32, (y, u, v): (u8, u8, u8)) -> VideoFrame {
        let luma = (width * height) as usize;
        let c = (i420_len(width, height) - luma) / 2;
        let data = [vec![y; luma], vec![u; c], vec![v; c]].concat();
        frame(PixelFormat::I420, width, height, data)
    }

    fn decode(jpeg: &[u8]) -> (usize, usize, Vec<u8>) {
        let mut d = zune_jpeg::JpegDecoder::new(zune_jpeg::zune_core::bytestream::ZCursor::new(jpeg));
        let pixels = d.decode().expect("a decodable JPEG");
        let (w, h) = d.dimensions().expect("dimensions after decoding");
        (w, h, pixels)
    }

    #[test]
    fn sizes_follow_the_whole_factor() {
        for ((w, h), want) in
            [((1280, 720), (640, 360)), ((1920, 1080), (640, 360)), ((640, 480), (640, 480)), ((33, 17), (33, 17))]
        {
            let (dw, dh, _) = decode(&preview_jpeg(&flat(w, h, (120, 128, 128)), 640, 70).unwrap());
            assert_eq!((dw as u32, dh as u32), want, "{w}×{h}");
        }
        let (dw, dh, _) = decode(&preview_jpeg(&flat(1281, 721, (120, 128, 128)), 640, 70).unwrap());
        assert_eq!((dw, dh), (427, 241), "odd sizes: factor 3, rounded up");
    }

    #[test]
    fn colours_survive_with_the_range_stretched() {
        // Limited-range grey 180 is full-range 191; BT.601 red (81, 90, 240) is about (255, 0, 0).
        let (_, _, px) = decode(&preview_jpeg(&flat(64, 48, (180, 128, 128)), 640, 90).unwrap());
        assert!(px[..3].iter().all(|&c| c.abs_diff(191) <= 3), "{:?}", &px[..3]);
        let (_, _, px) = decode(&preview_jpeg(&flat(64, 48, (81, 90, 240)), 640, 90).unwrap());
        assert!(px[0] >= 240 && px[1] <= 15 && px[2] <= 15, "{:?}", &px[..3]);
    }

    #[test]
    fn other_formats_are_converted_and_mjpeg_passes_through() {
        let rgb = frame(PixelFormat::Rgb24, 8, 8, [0u8, 0, 255].repeat(64));
        let (w, h, px) = decode(&preview_jpeg(&rgb, 640, 90).unwrap());
        assert_eq!((w, h), (8, 8));
        assert!(px[2] >= 235 && px[0] <= 20, "blue stays blue: {:?}", &px[..3]);
        let mjpeg = frame(PixelFormat::Mjpeg, 8, 8, vec![0xff, 0xd8, 1, 2, 3]);
        assert_eq!(preview_jpeg(&mjpeg, 640, 70).unwrap(), mjpeg.data);
    }

    #[test]
    fn bad_frames_say_what_is_wrong() {
        let short = frame(PixelFormat::I420, 64, 48, vec![0; 100]);
        let e = preview_jpeg(&short, 640, 70).unwrap_err();
        assert!(
            matches!(e, PreviewError::Convert(ConvertError::WrongLength { expected: 4608, actual: 100, .. })),
            "{e}"
        );
        let empty = frame(PixelFormat::I420, 0, 48, Vec::new());
        assert!(matches!(preview_jpeg(&empty, 640, 70), Err(PreviewError::Convert(ConvertError::Empty { .. }))));
    }
}
