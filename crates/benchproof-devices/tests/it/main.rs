//! Integration tests of benchproof-devices: device loss at the trait (`flaky`), cameras on a
//! machine that may have none (`cameras`), and the microphone path through `cpal` against a
//! private PulseAudio daemon (`pulse`).

mod cameras;
mod flaky;
mod pulse;
