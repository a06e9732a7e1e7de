//! Continuous encoding: H.264 with `openh264` and Opus with libopus, each producing [`Packet`]s
//! stamped on the station clock.
//!
//! Invariants: video packets have strictly increasing timestamps (a frame stamped at or before its
//! predecessor is moved 1 µs after it), a keyframe comes at least every `keyframe_interval`, and
//! no frame is ever skipped by the rate control. Audio packets are exactly 20 ms apart unless the
//! input had a gap, and their time is derived from sample counts, not from buffer arrival.

use std::time::Duration;

use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, RateControlMode, UsageType,
};
use openh264::formats::YUVSlices;
use openh264::OpenH264API;

use crate::convert::{self, ConvertError};
use crate::{AudioBuffer, ClockTime, Packet, Track, VideoFrame};

/// The one audio rate of the pipeline: Opus in MP4 is always 48 kHz.
pub const AUDIO_RATE: u32 = 48_000;
/// Samples per Opus packet (20 ms at 48 kHz).
pub const AUDIO_FRAME: usize = 960;

/// Why a frame or buffer could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error(transparent)]
    Convert(#[from] ConvertError),
    #[error("H.264 needs even frame sizes, got {width}×{height}; choose an even capture size")]
    OddSize { width: u32, height: u32 },
    #[error("the H.264 encoder failed: {0}")]
    Video(String),
    #[error("audio must be {AUDIO_RATE} Hz but a buffer is {0} Hz; resample in the source")]
    SampleRate(u32),
    #[error("the Opus encoder failed: {0}")]
    Audio(String),
}

/// Settings of the H.264 encoder.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoSettings {
    /// Target bitrate in bits per second.
    pub bitrate: u32,
    /// The camera's nominal rate, used for rate control and the intra period in frames.
    pub fps: f32,
    /// A keyframe is forced when this much station-clock time has passed since the last one.
    pub keyframe_interval: Duration,
}

impl Default for VideoSettings {
    /// 2.5 Mbit/s at 30 fps with a keyframe every second (`../shared/notes/video-encoding.md`).
    fn default() -> Self {
        VideoSettings { bitrate: 2_500_000, fps: 30.0, keyframe_interval: Duration::from_secs(1) }
    }
}

/// Converts and encodes camera frames to H.264, one thread, no frame skipping.
pub struct VideoEncoder {
    encoder: Encoder,
    settings: VideoSettings,
    scratch: Vec<u8>,
    last_at: Option<ClockTime>,
    last_key: Option<ClockTime>,
    size: Option<(u32, u32)>,
}

impl std::fmt::Debug for VideoEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoEncoder")
            .field("settings", &self.settings)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl VideoEncoder {
    /// Creates an encoder; the frame size is taken from the first frame.
    pub fn new(settings: VideoSettings) -> Result<VideoEncoder, EncodeError> {
        let frames = (settings.fps * settings.keyframe_interval.as_secs_f32()).round().max(1.0) as u32;
        let config = EncoderConfig::new()
            .bitrate(BitRate::from_bps(settings.bitrate))
            .max_frame_rate(FrameRate::from_hz(settings.fps))
            .rate_control_mode(RateControlMode::Bitrate)
            .usage_type(UsageType::CameraVideoRealTime)
            .skip_frames(false)
            .debug(false)
            .num_threads(1)
            // Evidence needs every frame legible, not the last dB: the low-complexity mode and
            // no scene-change/background analysis (keyframes come on a fixed period anyway)
            // cut the encoder's time per frame; see docs/performance.md §4.
            .complexity(Complexity::Low)
            .scene_change_detect(false)
            .background_detection(false)
            .adaptive_quantization(false)
            .intra_frame_period(IntraFramePeriod::from_num_frames(frames));
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| EncodeError::Video(e.to_string()))?;
        Ok(VideoEncoder { encoder, settings, scratch: Vec::new(), last_at: None, last_key: None, size: None })
    }

    /// The size of the frames encoded so far (`None` before the first).
    pub fn size(&self) -> Option<(u32, u32)> {
        self.size
    }

    /// Converts `frame` to I420 and encodes it. `Ok(None)` only if the encoder produced nothing.
    pub fn encode(&mut self, frame: &VideoFrame) -> Result<Option<Packet>, EncodeError> {
        let (width, height) = (frame.width, frame.height);
        if width % 2 == 1 || height % 2 == 1 {
            return Err(EncodeError::OddSize { width, height });
        }
        convert::to_i420(frame, &mut self.scratch)?;
        let at = match self.last_at {
            Some(last) if frame.at <= last => ClockTime(last.0 + 1),
            _ => frame.at,
        };
        let due = match self.last_key {
            None => true,
            Some(key) => at.saturating_sub(key) >= self.settings.keyframe_interval,
        };
        if due || self.size != Some((width, height)) {
            self.encoder.force_intra_frame();
        }
        let (w, h) = (width as usize, height as usize);
        let (y, chroma) = self.scratch.split_at(w * h);
        let (u, v) = chroma.split_at(w * h / 4);
        let yuv = YUVSlices::new((y, u, v), (w, h), (w, w / 2, w / 2));
        let stream = self.encoder.encode(&yuv).map_err(|e| EncodeError::Video(e.to_string()))?;
        let keyframe = stream.frame_type() == FrameType::IDR;
        let data = stream.to_vec();
        if data.is_empty() || stream.frame_type() == FrameType::Skip {
            return Ok(None);
        }
        self.size = Some((width, height));
        self.last_at = Some(at);
        if keyframe {
            self.last_key = Some(at);
        }
        Ok(Some(Packet { track: Track::Video, at, keyframe, data }))
    }
}

/// Encodes mono 48 kHz audio to 20 ms Opus packets through a FIFO, so buffers of any length work.
pub struct AudioEncoder {
    encoder: opus::Encoder,
    fifo: Vec<f32>,
    /// Station time of `fifo[0]`.
    fifo_at: ClockTime,
}

impl std::fmt::Debug for AudioEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioEncoder").field("queued", &self.fifo.len()).field("fifo_at", &self.fifo_at).finish()
    }
}

/// A buffer more than this far from where the FIFO expects it starts a new timeline.
const AUDIO_GAP: Duration = Duration::from_millis(100);

impl AudioEncoder {
    /// An Opus encoder at `bitrate` bits per second (32 000 suits speech).
    pub fn new(bitrate: i32) -> Result<AudioEncoder, EncodeError> {
        let mut encoder = opus::Encoder::new(AUDIO_RATE, opus::Channels::Mono, opus::Application::Audio)
            .map_err(|e| EncodeError::Audio(e.to_string()))?;
        encoder.set_bitrate(opus::Bitrate::Bits(bitrate)).map_err(|e| EncodeError::Audio(e.to_string()))?;
        Ok(AudioEncoder { encoder, fifo: Vec::with_capacity(4 * AUDIO_FRAME), fifo_at: ClockTime::ZERO })
    }

    /// Queues `buffer` and encodes every complete 20 ms frame into `out`.
    pub fn encode(&mut self, buffer: &AudioBuffer, out: &mut Vec<Packet>) -> Result<(), EncodeError> {
        if buffer.sample_rate != AUDIO_RATE {
            return Err(EncodeError::SampleRate(buffer.sample_rate));
        }
        let expected = self.fifo_at.checked_add(samples_to_duration(self.fifo.len())).unwrap_or(ClockTime(u64::MAX));
        let drift = expected.0.abs_diff(buffer.at.0);
        if self.fifo.is_empty() || drift > AUDIO_GAP.as_micros() as u64 {
            // First buffer, or a gap (dropped buffers, a restarted device): start a new timeline.
            self.fifo.clear();
            self.fifo_at = buffer.at;
        }
        self.fifo.extend_from_slice(&buffer.samples);
        let mut consumed = 0;
        while self.fifo.len() - consumed >= AUDIO_FRAME {
            let frame = &self.fifo[consumed..consumed + AUDIO_FRAME];
            let data = self.encoder.encode_vec_float(frame, 4000).map_err(|e| EncodeError::Audio(e.to_string()))?;
            let at = self.fifo_at.checked_add(samples_to_duration(consumed)).unwrap_or(self.fifo_at);
            out.push(Packet { track: Track::Audio, at, keyframe: false, data });
            consumed += AUDIO_FRAME;
        }
        self.fifo.drain(..consumed);
        self.fifo_at = self.fifo_at.checked_add(samples_to_duration(consumed)).unwrap_or(self.fifo_at);
        Ok(())
    }
}

fn samples_to_duration(n: usize) -> Duration {
    Duration::from_micros(n as u64 * 1_000_000 / u64::from(AUDIO_RATE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PixelFormat;

    fn grey(seq: u64, at_ms: u64) -> VideoFrame {
        let mut data = vec![128u8; convert::i420_len(64, 48)];
        data[(seq as usize * 7) % 3000] = 255;
        VideoFrame { at: ClockTime(at_ms * 1000), seq, width: 64, height: 48, format: PixelFormat::I420, data }
    }

    #[test]
    fn keyframes_come_by_station_time_and_no_frame_is_skipped() {
        let settings = VideoSettings { bitrate: 200_000, fps: 30.0, keyframe_interval: Duration::from_secs(1) };
        let mut enc = VideoEncoder::new(settings).unwrap();
        let mut keys = Vec::new();
        for seq in 0..95 {
            let p = enc.encode(&grey(seq, seq * 1000 / 30)).unwrap().expect("no skipped frames");
            assert!(p.data.starts_with(&[0, 0, 0, 1]) || p.data.starts_with(&[0, 0, 1]), "Annex B");
            if p.keyframe {
                keys.push(seq);
            }
        }
        assert_eq!(keys[0], 0, "the first frame is a keyframe");
        assert!(keys.len() >= 3, "a keyframe every second: {keys:?}");
        assert!(keys.windows(2).all(|w| w[1] - w[0] <= 30), "{keys:?}");
    }

    #[test]
    fn repeated_timestamps_are_made_strictly_increasing() {
        let mut enc = VideoEncoder::new(VideoSettings::default()).unwrap();
        let a = enc.encode(&grey(0, 5)).unwrap().unwrap();
        let b = enc.encode(&grey(1, 5)).unwrap().unwrap();
        assert!(b.at > a.at);
    }

    #[test]
    fn odd_sizes_are_refused() {
        let mut enc = VideoEncoder::new(VideoSettings::default()).unwrap();
        let frame = VideoFrame {
            at: ClockTime::ZERO,
            seq: 0,
            width: 3,
            height: 2,
            format: PixelFormat::Rgb24,
            data: vec![0; 18],
        };
        assert!(matches!(enc.encode(&frame), Err(EncodeError::OddSize { .. })));
    }

    #[test]
    fn audio_fifo_makes_20ms_packets_timed_by_sample_count() {
        let mut enc = AudioEncoder::new(32_000).unwrap();
        let mut out = Vec::new();
        // 7 buffers of 441 samples (odd sizes, like cpal's), stamped with jittery arrival times.
        for i in 0..7u64 {
            let buffer = AudioBuffer {
                at: ClockTime(1_000_000 + i * 9187 + (i % 2) * 300),
                sample_rate: AUDIO_RATE,
                samples: vec![0.1; 441],
            };
            enc.encode(&buffer, &mut out).unwrap();
        }
        assert_eq!(out.len(), 7 * 441 / AUDIO_FRAME);
        let times: Vec<u64> = out.iter().map(|p| p.at.0).collect();
        assert_eq!(times, vec![1_000_000, 1_020_000, 1_040_000]);
        let wrong = AudioBuffer { at: ClockTime::ZERO, sample_rate: 44_100, samples: vec![0.0; 10] };
        assert!(matches!(enc.encode(&wrong, &mut out), Err(EncodeError::SampleRate(44_100))));
    }

    #[test]
    fn an_audio_gap_starts_a_new_timeline() {
        let mut enc = AudioEncoder::new(32_000).unwrap();
        let mut out = Vec::new();
        enc.encode(&AudioBuffer { at: ClockTime(0), sample_rate: AUDIO_RATE, samples: vec![0.0; 1000] }, &mut out)
            .unwrap();
        enc.encode(
            &AudioBuffer { at: ClockTime(5_000_000), sample_rate: AUDIO_RATE, samples: vec![0.0; 960] },
            &mut out,
        )
        .unwrap();
        assert_eq!(out.iter().map(|p| p.at.0).collect::<Vec<_>>(), vec![0, 5_000_000]);
    }
}
