//! The microphone's level for the proctor's meter: RMS and peak of every sample since the meter
//! was last read, so a short beep between two reads still shows.
//!
//! Invariant: [`LevelMeter::add`] is O(samples) with no allocation (it runs on the capture tee
//! thread); [`LevelMeter::take`] resets the window, so each reading covers exactly the samples
//! that arrived since the previous one.

/// The level of one window of samples, in linear full scale (1.0 = digital full scale).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioLevel {
    pub rms: f32,
    pub peak: f32,
}

/// The floor of the meter's scale: quieter than this shows as empty.
pub const METER_FLOOR_DBFS: f32 = -60.0;

impl AudioLevel {
    /// RMS in dB relative to full scale (−∞ for silence is clamped to −120).
    pub fn rms_dbfs(self) -> f32 {
        dbfs(self.rms)
    }

    /// Peak in dB relative to full scale.
    pub fn peak_dbfs(self) -> f32 {
        dbfs(self.peak)
    }

    /// Where a meter bar should stand, 0..=1: RMS on a dB scale from [`METER_FLOOR_DBFS`] to 0.
    /// A dB scale, as on every audio meter, so that speech at −30 dBFS shows half way rather than
    /// as a sliver.
    pub fn meter(self) -> f32 {
        ((self.rms_dbfs() - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS).clamp(0.0, 1.0)
    }
}

fn dbfs(linear: f32) -> f32 {
    if linear <= 1e-6 {
        -120.0
    } else {
        20.0 * linear.log10()
    }
}

/// Accumulates samples between two readings.
#[derive(Debug, Default, Clone)]
pub struct LevelMeter {
    sum_squares: f64,
    count: u64,
    peak: f32,
}

impl LevelMeter {
    /// Adds a buffer of samples (−1..=1).
    pub fn add(&mut self, samples: &[f32]) {
        for &s in samples {
            self.sum_squares += f64::from(s) * f64::from(s);
            self.peak = self.peak.max(s.abs());
        }
        self.count += samples.len() as u64;
    }

    /// The level since the last call, and a fresh window; `None` when no sample arrived.
    pub fn take(&mut self) -> Option<AudioLevel> {
        if self.count == 0 {
            return None;
        }
        let rms = (self.sum_squares / self.count as f64).sqrt() as f32;
        let level = AudioLevel { rms, peak: self.peak };
        *self = LevelMeter::default();
        Some(level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(amplitude: f32, n: usize) -> Vec<f32> {
        (0..n).map(|i| amplitude * (i as f32 * 2.0 * std::f32::consts::PI * 1000.0 / 48_000.0).sin()).collect()
    }

    #[test]
    fn a_sine_has_rms_amplitude_over_root_two_and_its_amplitude_as_peak() {
        let mut m = LevelMeter::default();
        m.add(&sine(0.5, 4800));
        let l = m.take().unwrap();
        assert!((l.rms - 0.5 / 2f32.sqrt()).abs() < 1e-3, "{l:?}");
        assert!((l.peak - 0.5).abs() < 1e-3, "{l:?}");
        assert!((l.rms_dbfs() - -9.03).abs() < 0.05, "{}", l.rms_dbfs());
    }

    #[test]
    fn each_reading_covers_only_what_arrived_since_the_last_one() {
        let mut m = LevelMeter::default();
        assert_eq!(m.take(), None, "nothing arrived yet");
        m.add(&sine(0.8, 480));
        m.add(&vec![0.0; 480 * 9]);
        let loud = m.take().unwrap();
        assert!((loud.peak - 0.8).abs() < 1e-3, "a 10 ms beep in 100 ms still peaks: {loud:?}");
        m.add(&vec![0.0; 4800]);
        let quiet = m.take().unwrap();
        assert_eq!(quiet.peak, 0.0);
        assert_eq!(quiet.meter(), 0.0);
    }

    #[test]
    fn the_meter_is_a_db_scale_from_the_floor_to_full_scale() {
        let at = |rms: f32| AudioLevel { rms, peak: rms }.meter();
        assert_eq!(at(1.0), 1.0);
        assert_eq!(at(0.0), 0.0);
        assert!((at(10f32.powf(-30.0 / 20.0)) - 0.5).abs() < 1e-3, "−30 dBFS is half way");
        assert_eq!(at(10f32.powf(-70.0 / 20.0)), 0.0, "below the floor is empty");
    }
}
