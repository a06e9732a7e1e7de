//! Encoded media as it flows from the encoders through the pre-roll into snippets.

use crate::ClockTime;

/// Which track a [`Packet`] belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Track {
    /// H.264 Annex B access units; keyframes (IDR) carry SPS and PPS in front.
    Video,
    /// Raw Opus packets of 20 ms (960 samples at 48 kHz, mono).
    Audio,
}

/// One encoded access unit (video) or Opus packet (audio), stamped on the station clock with the
/// capture time of its first frame/sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    pub track: Track,
    pub at: ClockTime,
    /// True for video IDR frames: decoding can start here. Always false for audio.
    pub keyframe: bool,
    pub data: Vec<u8>,
}

impl Packet {
    /// Bytes this packet accounts for in the pre-roll's byte bound (payload plus bookkeeping).
    pub fn cost(&self) -> usize {
        self.data.len() + std::mem::size_of::<Packet>()
    }

    /// True for a video keyframe.
    pub fn is_video_keyframe(&self) -> bool {
        self.track == Track::Video && self.keyframe
    }
}
