//! A streaming windowed-sinc resampler for mono audio.
//!
//! Output sample `n` is the input signal evaluated at input position `n · from / to`, computed
//! with exact integer arithmetic so that the rate never drifts, however long the stream. The
//! kernel is a Blackman-windowed sinc with [`HALF_TAPS`] taps either side, its cutoff at 0.95 of
//! the lower Nyquist frequency (so downsampling does not alias), normalised to unity gain.
//!
//! Invariants: feeding the input in any split of chunks gives the same output as feeding it at
//! once; after `k` input samples, `⌊(k − HALF_TAPS) · to / from⌋ + 1` outputs (at most) have been
//! produced — the rest wait for the lookahead they need. Equal rates pass samples through.

use std::f64::consts::PI;

/// Taps either side of the output position.
pub const HALF_TAPS: usize = 16;

/// Converts a mono stream from `from` Hz to `to` Hz.
#[derive(Debug)]
pub struct Resampler {
    from: u64,
    to: u64,
    cutoff: f64,
    /// Input samples from absolute index `base` on (earlier ones are no longer needed).
    history: Vec<f32>,
    base: u64,
    /// Absolute index of the next output sample.
    next_out: u64,
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz. Panics if either rate is zero (a programming error:
    /// device rates are checked before).
    pub fn new(from: u32, to: u32) -> Resampler {
        assert!(from > 0 && to > 0, "sample rates must be positive");
        let cutoff = 0.95 * (f64::from(to) / f64::from(from)).min(1.0);
        Resampler { from: from.into(), to: to.into(), cutoff, history: Vec::new(), base: 0, next_out: 0 }
    }

    /// Feeds `input` and appends every output sample that can now be computed to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        if self.from == self.to {
            out.extend_from_slice(input);
            return;
        }
        self.history.extend_from_slice(input);
        let available = self.base + self.history.len() as u64; // one past the last input index
        let half = HALF_TAPS as u64;
        loop {
            let position = self.next_out * self.from;
            let centre = position / self.to;
            if centre + half >= available {
                break;
            }
            let frac = (position % self.to) as f64 / self.to as f64;
            out.push(self.evaluate(centre, frac));
            self.next_out += 1;
        }
        // Keep what the next output still needs: indices from its centre − HALF_TAPS + 1 on.
        let next_centre = self.next_out * self.from / self.to;
        let keep_from = (next_centre + 1).saturating_sub(half).max(self.base);
        let drop = usize::try_from(keep_from - self.base).unwrap_or(self.history.len()).min(self.history.len());
        self.history.drain(..drop);
        self.base += drop as u64;
    }

    /// The signal at input position `centre + frac`; samples before the stream began are zero.
    fn evaluate(&self, centre: u64, frac: f64) -> f32 {
        let half = HALF_TAPS as i64;
        let mut acc = 0.0f64;
        let mut weights = 0.0f64;
        for k in (1 - half)..=half {
            let x = k as f64 - frac; // distance from the output position, in input samples
            let w = self.kernel(x);
            weights += w;
            let index = centre as i64 + k;
            if index >= self.base as i64 {
                acc += w * f64::from(self.history[(index - self.base as i64) as usize]);
            }
        }
        (acc / weights) as f32
    }

    fn kernel(&self, x: f64) -> f64 {
        let sinc = if x.abs() < 1e-12 { 1.0 } else { (PI * self.cutoff * x).sin() / (PI * self.cutoff * x) };
        // Blackman window over (−HALF_TAPS, HALF_TAPS).
        let u = (x / HALF_TAPS as f64 + 1.0) / 2.0;
        let window = 0.42 - 0.5 * (2.0 * PI * u).cos() + 0.08 * (4.0 * PI * u).cos();
        sinc * window.max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, seconds: f64) -> Vec<f32> {
        let n = (f64::from(rate) * seconds) as usize;
        (0..n).map(|i| (2.0 * PI * freq * i as f64 / f64::from(rate)).sin() as f32 * 0.5).collect()
    }

    /// Power of `freq` in `x` (Goertzel), normalised so a full-scale-amplitude `a` sine gives a²/4.
    fn goertzel(x: &[f32], rate: u32, freq: f64) -> f64 {
        let w = 2.0 * PI * freq / f64::from(rate);
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        for &v in x {
            let s = f64::from(v) + 2.0 * w.cos() * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        let power = s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2;
        power / (x.len() as f64).powi(2)
    }

    fn run(from: u32, to: u32, input: &[f32], chunk: usize) -> Vec<f32> {
        let mut r = Resampler::new(from, to);
        let mut out = Vec::new();
        for c in input.chunks(chunk) {
            r.process(c, &mut out);
        }
        out
    }

    #[test]
    fn a_tone_keeps_its_frequency_and_level_across_common_rates() {
        for (from, to) in [(44_100, 48_000), (96_000, 48_000), (16_000, 48_000), (48_000, 44_100), (22_050, 48_000)] {
            let out = run(from, to, &sine(440.0, from, 1.0), 997);
            let expected_len = f64::from(to) * (1.0 - HALF_TAPS as f64 / f64::from(from));
            assert!((out.len() as f64 - expected_len).abs() <= 2.0, "{from}->{to}: {} samples", out.len());
            // Skip the start-up edge, then measure on whole seconds' worth of samples.
            let steady = &out[out.len() / 4..];
            let at_440 = goertzel(steady, to, 440.0);
            let off = goertzel(steady, to, 452.0);
            assert!((at_440 - 0.0625).abs() < 0.003, "{from}->{to}: level {at_440}");
            assert!(off < at_440 / 100.0, "{from}->{to}: energy off the tone {off}");
        }
    }

    #[test]
    fn downsampling_removes_what_the_new_rate_cannot_hold() {
        // 30 kHz is above 24 kHz (the Nyquist frequency of 48 kHz): it must not fold back to 18 kHz.
        let out = run(96_000, 48_000, &sine(30_000.0, 96_000, 0.5), 480);
        let rms = (out[100..].iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / (out.len() - 100) as f64).sqrt();
        assert!(rms < 0.005, "aliased energy {rms}");
    }

    #[test]
    fn chunking_does_not_change_the_output() {
        let input = sine(1000.0, 44_100, 0.3);
        let whole = run(44_100, 48_000, &input, input.len());
        for chunk in [1, 7, 64, 441, 4096] {
            assert_eq!(run(44_100, 48_000, &input, chunk), whole, "chunk {chunk}");
        }
    }

    #[test]
    fn equal_rates_pass_through() {
        let input = sine(440.0, 48_000, 0.01);
        assert_eq!(run(48_000, 48_000, &input, 100), input);
    }
}
