use crate::ClockTime;

/// How the bytes of a [`VideoFrame`] are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// Planar 4:2:0: Y (w×h), then U and V (each ⌈w/2⌉×⌈h/2⌉). What the encoder takes.
    I420,
    /// Packed 4:2:2, Y0 U Y1 V: what most webcams send uncompressed.
    Yuyv,
    /// One JPEG image per frame: what most webcams send at 720p and above.
    Mjpeg,
    /// Packed 8-bit RGB.
    Rgb24,
}

/// One video frame, stamped on the station clock when it was captured.
#[derive(Clone, Debug)]
pub struct VideoFrame {
    pub at: ClockTime,
    /// Counts frames from 0 per source; a gap means frames were dropped before this one.
    pub seq: u64,
    pub width: u32,
    pub height: u32,
    pub format: PixelFormat,
    pub data: Vec<u8>,
}

/// A run of mono audio samples at `sample_rate`, the first of which was captured at `at`.
#[derive(Clone, Debug)]
pub struct AudioBuffer {
    pub at: ClockTime,
    pub sample_rate: u32,
    pub samples: Vec<f32>,
}
