//! Simulated sources, always labelled as such (`SourceInfo::simulated`): a moving I420 test
//! pattern with the station-clock time and frame counter burned in, and a 48 kHz mono tone with
//! beeps. A [`Schedule`] puts a full-white flash frame and the start of a beep at the same
//! station-clock instants, for checking audio/video sync.
//!
//! Timestamps are computed, not measured: item `n` of a generator is stamped `start + n × period`.
//! [`Pacing::RealTime`] sleeps until that time on the station clock (and drops what the consumer
//! cannot take, like a real device); [`Pacing::Unpaced`] produces as fast as the consumer takes,
//! with synthetic times, so benchmarks and sync tests do not depend on machine load.

mod font;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::encode::AUDIO_RATE;
use crate::{
    AudioBuffer, CaptureError, ClockTime, PixelFormat, Source, SourceEvent, SourceHandle, SourceInfo, SourceKind,
    SourceSink, StationClock, VideoFrame,
};

/// Instants `first + k × period`, k ≥ 0, at which a flash and a beep start. With
/// [`Pacing::RealTime`], `first` counts from the moment the source starts; unpaced, it is absolute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub first: ClockTime,
    pub period: Duration,
}

impl Schedule {
    /// How long ago (at `t`) the latest instant was, if one has happened.
    pub fn since_latest(&self, t: ClockTime) -> Option<Duration> {
        let period = self.period.as_micros().max(1) as u64;
        t.0.checked_sub(self.first.0).map(|d| Duration::from_micros(d % period))
    }
}

/// The test pattern's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatternSettings {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// When set, a frame whose display interval contains a scheduled instant is all white.
    pub flashes: Option<Schedule>,
}

impl Default for PatternSettings {
    fn default() -> Self {
        PatternSettings { width: 1280, height: 720, fps: 30, flashes: None }
    }
}

/// The tone's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToneSettings {
    /// The steady background tone (Hz) and its peak level (0–1).
    pub frequency: f32,
    pub level: f32,
    /// Beeps: when, how high, how loud and how long.
    pub beeps: Schedule,
    pub beep_frequency: f32,
    pub beep_level: f32,
    pub beep_length: Duration,
    /// Samples per buffer handed over.
    pub buffer: usize,
}

impl Default for ToneSettings {
    /// A quiet 440 Hz tone with a loud 1 kHz beep of 100 ms every second.
    fn default() -> Self {
        ToneSettings {
            frequency: 440.0,
            level: 0.05,
            beeps: Schedule { first: ClockTime::ZERO, period: Duration::from_secs(1) },
            beep_frequency: 1000.0,
            beep_level: 0.8,
            beep_length: Duration::from_millis(100),
            buffer: 480,
        }
    }
}

/// Draws test-pattern frames.
#[derive(Debug)]
pub struct PatternGenerator {
    settings: PatternSettings,
    start: ClockTime,
    seq: u64,
}

impl PatternGenerator {
    /// Frames stamped from `start` on.
    pub fn new(settings: PatternSettings, start: ClockTime) -> PatternGenerator {
        PatternGenerator { settings, start, seq: 0 }
    }

    /// The time of the next frame.
    pub fn next_at(&self) -> ClockTime {
        self.frame_time(self.seq)
    }

    fn frame_time(&self, seq: u64) -> ClockTime {
        ClockTime(self.start.0 + seq * 1_000_000 / u64::from(self.settings.fps.max(1)))
    }

    /// Draws the next frame.
    pub fn next_frame(&mut self) -> VideoFrame {
        let (seq, at) = (self.seq, self.next_at());
        let next = self.frame_time(seq + 1);
        self.seq += 1;
        let (w, h) = (self.settings.width as usize, self.settings.height as usize);
        let mut data = vec![0u8; crate::convert::i420_len(self.settings.width, self.settings.height)];
        // The frame shows [at, next): it flashes when a scheduled instant falls in that interval.
        let last_us = ClockTime(next.0.saturating_sub(1));
        let flash =
            self.settings.flashes.is_some_and(|s| s.since_latest(last_us).is_some_and(|d| d < next.saturating_sub(at)));
        if flash {
            data[..w * h].fill(235);
            data[w * h..].fill(128);
        } else {
            draw_pattern(&mut data, w, h, seq, at);
        }
        VideoFrame {
            at,
            seq,
            width: self.settings.width,
            height: self.settings.height,
            format: PixelFormat::I420,
            data,
        }
    }
}

/// A diagonal luma ramp and a bright square that both move, chroma bands, and the burned-in
/// station time and frame counter.
fn draw_pattern(data: &mut [u8], w: usize, h: usize, seq: u64, at: ClockTime) {
    let (y_plane, chroma) = data.split_at_mut(w * h);
    let shift = (seq * 4) as usize;
    // Row r of the ramp is `ramp[(r + shift) % 160..]`: one copy per row instead of a modulo per pixel.
    let ramp: Vec<u8> = (0..w + 160).map(|i| 40 + (i % 160) as u8).collect();
    for (row, line) in y_plane.chunks_exact_mut(w).enumerate() {
        let from = (row + shift) % 160;
        line.copy_from_slice(&ramp[from..from + w]);
    }
    let side = (h / 6).max(2);
    let bx = (seq as usize * 8) % w.saturating_sub(side).max(1);
    let by = h / 2 - side / 2;
    for row in by..(by + side).min(h) {
        y_plane[row * w + bx..row * w + (bx + side).min(w)].fill(220);
    }
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (u, v) = chroma.split_at_mut(cw * ch);
    for row in 0..ch {
        let band = ((row + shift / 2) % ch * 8 / ch) as u8;
        u[row * cw..(row + 1) * cw].fill(96 + band * 8);
        v[row * cw..(row + 1) * cw].fill(160 - band * 8);
    }
    let ms = at.0 / 1000;
    let text = format!(
        "{:02}:{:02}:{:02}.{:03} #{:06}",
        ms / 3_600_000 % 100,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000,
        seq % 1_000_000
    );
    let scale = (h / 90).max(1);
    font::draw(y_plane, w, 2 * scale, 2 * scale, scale, &text);
}

/// Produces the tone with beeps.
#[derive(Debug)]
pub struct ToneGenerator {
    settings: ToneSettings,
    start: ClockTime,
    produced: u64,
}

impl ToneGenerator {
    /// Samples stamped from `start` on.
    pub fn new(settings: ToneSettings, start: ClockTime) -> ToneGenerator {
        ToneGenerator { settings, start, produced: 0 }
    }

    /// The time of the next buffer's first sample.
    pub fn next_at(&self) -> ClockTime {
        ClockTime(self.start.0 + self.produced * 1_000_000 / u64::from(AUDIO_RATE))
    }

    /// The next buffer of `settings.buffer` samples.
    pub fn next_buffer(&mut self) -> AudioBuffer {
        let at = self.next_at();
        let s = &self.settings;
        let rate = f64::from(AUDIO_RATE);
        let samples = (0..s.buffer as u64)
            .map(|i| {
                let n = self.produced + i;
                let t = n as f64 / rate;
                let abs = ClockTime(self.start.0 + n * 1_000_000 / u64::from(AUDIO_RATE));
                let base = s.level * (std::f64::consts::TAU * f64::from(s.frequency) * t).sin() as f32;
                let beeping = s.beeps.since_latest(abs).is_some_and(|d| d < s.beep_length);
                if beeping {
                    base + s.beep_level * (std::f64::consts::TAU * f64::from(s.beep_frequency) * t).sin() as f32
                } else {
                    base
                }
            })
            .collect();
        self.produced += s.buffer as u64;
        AudioBuffer { at, sample_rate: AUDIO_RATE, samples }
    }
}

/// How a simulated source spends time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pacing {
    /// Stamped from the station clock's `now()` at start, handed over when that time comes;
    /// what the consumer cannot take is dropped, as with a real device.
    RealTime,
    /// Stamped from `start`, handed over as fast as the consumer takes (waiting, never dropping).
    Unpaced {
        /// The first item's station time.
        start: ClockTime,
    },
}

/// A simulated camera, microphone or both, on one thread (so that with both, audio and video are
/// handed over in time order).
#[derive(Debug)]
pub struct Simulated {
    info: SourceInfo,
    pattern: Option<PatternSettings>,
    tone: Option<ToneSettings>,
    pacing: Pacing,
    limit: Option<Duration>,
}

impl Simulated {
    /// The test-pattern camera.
    pub fn camera(settings: PatternSettings, pacing: Pacing) -> Simulated {
        Simulated::new(
            "sim:camera:0",
            "Simulated camera (test pattern)",
            SourceKind::Camera,
            Some(settings),
            None,
            pacing,
        )
    }

    /// The tone microphone.
    pub fn microphone(settings: ToneSettings, pacing: Pacing) -> Simulated {
        Simulated::new(
            "sim:microphone:0",
            "Simulated microphone (tone with beeps)",
            SourceKind::Microphone,
            None,
            Some(settings),
            pacing,
        )
    }

    /// Camera and microphone in one source; with `schedule`, flashes and beeps coincide.
    pub fn camera_and_microphone(
        pattern: PatternSettings,
        tone: ToneSettings,
        schedule: Option<Schedule>,
        pacing: Pacing,
    ) -> Simulated {
        let (mut pattern, mut tone) = (pattern, tone);
        if let Some(s) = schedule {
            pattern.flashes = Some(s);
            tone.beeps = s;
        }
        Simulated::new(
            "sim:camera+microphone:0",
            "Simulated camera and microphone (test pattern, tone with beeps)",
            SourceKind::Camera,
            Some(pattern),
            Some(tone),
            pacing,
        )
    }

    fn new(
        id: &str,
        label: &str,
        kind: SourceKind,
        pattern: Option<PatternSettings>,
        tone: Option<ToneSettings>,
        pacing: Pacing,
    ) -> Simulated {
        let info = SourceInfo { id: id.to_string(), label: label.to_string(), kind, simulated: true };
        Simulated { info, pattern, tone, pacing, limit: None }
    }

    /// Stops by itself after producing `limit` of station time (then the sink is dropped).
    pub fn with_limit(mut self, limit: Duration) -> Simulated {
        self.limit = Some(limit);
        self
    }
}

impl Source for Simulated {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn start(self: Box<Self>, clock: StationClock, sink: SourceSink) -> Result<SourceHandle, CaptureError> {
        let this = *self;
        let info = this.info.clone();
        SourceHandle::spawn(info, move |stop| this.run(clock, sink, stop))
    }
}

impl Simulated {
    fn run(self, clock: StationClock, sink: SourceSink, stop: Arc<AtomicBool>) {
        let start = match self.pacing {
            Pacing::RealTime => clock.now(),
            Pacing::Unpaced { start } => start,
        };
        let shift = |s: Schedule| Schedule { first: ClockTime(s.first.0 + start.0), ..s };
        let mut video = self.pattern.map(|mut p| {
            if self.pacing == Pacing::RealTime {
                p.flashes = p.flashes.map(shift);
            }
            PatternGenerator::new(p, start)
        });
        let mut audio = self.tone.map(|mut t| {
            if self.pacing == Pacing::RealTime {
                t.beeps = shift(t.beeps);
            }
            ToneGenerator::new(t, start)
        });
        let end = self.limit.and_then(|l| start.checked_add(l)).unwrap_or(ClockTime(u64::MAX));
        while !stop.load(Ordering::Relaxed) {
            let v_at = video.as_ref().map_or(ClockTime(u64::MAX), PatternGenerator::next_at);
            let a_at = audio.as_ref().map_or(ClockTime(u64::MAX), ToneGenerator::next_at);
            let at = v_at.min(a_at);
            if at >= end {
                return;
            }
            if self.pacing == Pacing::RealTime {
                let wait = at.saturating_sub(clock.now());
                if !wait.is_zero() {
                    std::thread::sleep(wait.min(Duration::from_millis(50)));
                    continue;
                }
            }
            let event = match (&mut video, &mut audio) {
                (Some(v), _) if v_at <= a_at => SourceEvent::Video(v.next_frame()),
                (_, Some(a)) => SourceEvent::Audio(a.next_buffer()),
                (Some(v), None) => SourceEvent::Video(v.next_frame()),
                (None, None) => return,
            };
            if !hand_over(&sink, event, self.pacing, &stop) {
                return;
            }
        }
    }
}

/// Offers `event`; unpaced, waits until it is taken. False when the consumer has gone.
fn hand_over(sink: &SourceSink, mut event: SourceEvent, pacing: Pacing, stop: &AtomicBool) -> bool {
    loop {
        match sink.offer(event) {
            Ok(delivered) => return delivered,
            Err(back) if matches!(pacing, Pacing::Unpaced { .. }) && !stop.load(Ordering::Relaxed) => {
                event = back;
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(_) => return true, // dropped and counted by the sink, as a real device would
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn flash_frames_and_beeps_start_at_the_same_instants() {
        let schedule = Schedule { first: ClockTime(500_000), period: Duration::from_secs(1) };
        let mut p = PatternGenerator::new(
            PatternSettings { width: 64, height: 48, fps: 30, flashes: Some(schedule) },
            ClockTime::ZERO,
        );
        let flashes: Vec<u64> = (0..90)
            .map(|_| p.next_frame())
            .filter(|f| f.data[..64 * 48].iter().all(|&y| y == 235))
            .map(|f| f.at.0)
            .collect();
        assert_eq!(flashes, vec![500_000, 1_500_000, 2_500_000]);
        let tone = ToneSettings { beeps: schedule, level: 0.0, ..ToneSettings::default() };
        let mut t = ToneGenerator::new(tone, ClockTime::ZERO);
        let samples: Vec<f32> = (0..300).flat_map(|_| t.next_buffer().samples).collect();
        let loud = |s: &f32| s.abs() > 0.01;
        let onsets: Vec<usize> =
            (48..samples.len()).filter(|&i| loud(&samples[i]) && !samples[i - 48..i].iter().any(loud)).collect();
        assert_eq!(
            onsets.iter().map(|&i| i as u64 * 1_000_000 / 48_000).collect::<Vec<_>>(),
            vec![500_020, 1_500_020, 2_500_020]
        );
    }

    #[test]
    fn the_pattern_moves_and_burns_in_the_clock() {
        let mut p = PatternGenerator::new(
            PatternSettings { width: 320, height: 180, fps: 30, flashes: None },
            ClockTime(3_723_456_000),
        );
        let (a, b) = (p.next_frame(), p.next_frame());
        assert_ne!(a.data, b.data);
        assert_eq!(a.data.len(), 320 * 180 * 3 / 2);
        // The text box (black background, white strokes) is in the top-left corner.
        assert!(a.data[..320 * 12].contains(&235) && a.data[..320 * 12].contains(&16));
    }

    #[test]
    fn unpaced_sources_are_labelled_and_never_drop() {
        let (tx, rx) = mpsc::sync_channel(2);
        let sink = SourceSink::new(tx);
        let sim = Simulated::camera_and_microphone(
            PatternSettings { width: 32, height: 16, fps: 30, flashes: None },
            ToneSettings::default(),
            None,
            Pacing::Unpaced { start: ClockTime(1_000) },
        )
        .with_limit(Duration::from_secs(1));
        assert!(sim.info().simulated && sim.info().label.contains("Simulated"));
        let handle = Box::new(sim).start(StationClock::new(), sink).unwrap();
        let (mut frames, mut buffers, mut last) = (0, 0, ClockTime::ZERO);
        for event in rx {
            let at = match event {
                SourceEvent::Video(f) => {
                    frames += 1;
                    f.at
                }
                SourceEvent::Audio(a) => {
                    buffers += 1;
                    a.at
                }
                other => panic!("{other:?}"),
            };
            assert!(at >= last, "time order");
            last = at;
        }
        assert_eq!((frames, buffers), (30, 100));
        handle.stop();
    }
}
