//! One open `cpal` input stream, converted to mono 48 kHz and timed by sample counts.
//!
//! Invariants: the `cpal::Stream` (not `Send` on every platform) is created, kept and dropped on
//! the source thread; the audio callback only converts and hands over (never blocks — a full
//! channel drops the buffer, which the timing below then shows as a gap-free but shortened run,
//! so the channel is sized for seconds). The first output sample is stamped with the station
//! time at which the first buffer's first sample was captured (its arrival minus its length);
//! every later stamp is that anchor plus the output samples since, so audio time never follows
//! the jitter of buffer arrival.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use benchproof_capture::{AudioBuffer, ClockTime, SourceEvent, StationClock};
use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{BufferSize, SampleFormat, StreamConfig};

use super::convert::to_mono;
use super::resample::Resampler;
use super::{resolve, MicChoice, MIC_RATE};
use crate::supervise::{Attach, Delivery, Feed};

/// How long the backend may take to set a stream up.
const BUILD_TIMEOUT: Duration = Duration::from_secs(3);

/// Reopens the chosen microphone each time it is attached.
#[derive(Debug)]
pub(crate) struct MicAttach {
    pub(crate) choice: MicChoice,
    pub(crate) capture_rate: u32,
}

enum FromCallback {
    Samples { arrived: Instant, mono: Vec<f32> },
    Error(String),
}

/// An open microphone stream.
pub(crate) struct MicFeed {
    // Dropped first: stops the callbacks before the channel goes.
    _stream: cpal::Stream,
    rx: Receiver<FromCallback>,
    resampler: Resampler,
    device_rate: u32,
    clock: StationClock,
    /// Station time of the first sample of this stream; set by the first buffer.
    anchor: Option<ClockTime>,
    emitted: u64,
}

impl Attach for MicAttach {
    type Feed = MicFeed;

    fn attach(&mut self, clock: &StationClock) -> Result<MicFeed, String> {
        let (device, _) = resolve(&self.choice).map_err(|e| e.to_string())?;
        let (config, format) = super::stream_config(&device, self.capture_rate)?;
        let channels = usize::from(config.channels);
        let device_rate = config.sample_rate;
        // Seconds of 20 ms buffers: the source thread drains it continuously.
        let (tx, rx) = mpsc::sync_channel::<FromCallback>(2048);
        let mut stream = build(&device, config, format, tx.clone());
        if stream.is_err() && config.buffer_size != BufferSize::Default {
            // Some devices refuse a fixed period; let them choose.
            stream = build(&device, StreamConfig { buffer_size: BufferSize::Default, ..config }, format, tx);
        }
        let stream = stream
            .map_err(|e| format!("cannot open an input stream ({device_rate} Hz, {channels} ch, {format}): {e}"))?;
        stream.play().map_err(|e| format!("cannot start the input stream: {e}"))?;
        Ok(MicFeed {
            _stream: stream,
            rx,
            resampler: Resampler::new(device_rate, MIC_RATE),
            device_rate,
            clock: *clock,
            anchor: None,
            emitted: 0,
        })
    }
}

/// Builds the stream whose callbacks convert to mono and hand over through `tx`.
fn build(
    device: &cpal::Device,
    config: StreamConfig,
    format: SampleFormat,
    tx: SyncSender<FromCallback>,
) -> Result<cpal::Stream, cpal::Error> {
    let channels = usize::from(config.channels);
    let errors = tx.clone();
    device.build_input_stream_raw(
        config,
        format,
        move |data, _info| {
            let arrived = Instant::now();
            let mut mono = Vec::with_capacity(data.len() / channels.max(1));
            let message = match to_mono(data, channels, &mut mono) {
                Ok(()) => FromCallback::Samples { arrived, mono },
                Err(format) => FromCallback::Error(format!("unsupported sample format {format}")),
            };
            let _ = tx.try_send(message);
        },
        move |error: cpal::Error| {
            // cpal recovers from overruns itself; they cost a glitch, not the stream.
            if !matches!(error.kind(), cpal::ErrorKind::Xrun) {
                let _ = errors.try_send(FromCallback::Error(error.to_string()));
            }
        },
        Some(BUILD_TIMEOUT),
    )
}

impl Feed for MicFeed {
    fn next(&mut self, timeout: Duration) -> Delivery {
        match self.rx.recv_timeout(timeout) {
            Ok(FromCallback::Samples { arrived, mono }) => {
                if mono.is_empty() {
                    return Delivery::Idle;
                }
                let anchor = *self.anchor.get_or_insert_with(|| {
                    let length = Duration::from_secs_f64(mono.len() as f64 / f64::from(self.device_rate));
                    self.clock.at(arrived.checked_sub(length).unwrap_or(arrived))
                });
                let mut samples = Vec::with_capacity(mono.len() * 2);
                self.resampler.process(&mono, &mut samples);
                if samples.is_empty() {
                    return Delivery::Idle;
                }
                let at = ClockTime(anchor.0 + self.emitted * 1_000_000 / u64::from(MIC_RATE));
                self.emitted += samples.len() as u64;
                Delivery::Media(SourceEvent::Audio(AudioBuffer { at, sample_rate: MIC_RATE, samples }))
            }
            Ok(FromCallback::Error(reason)) => Delivery::Failed(reason),
            Err(RecvTimeoutError::Timeout) => Delivery::Idle,
            Err(RecvTimeoutError::Disconnected) => Delivery::Failed("the audio stream went away".to_string()),
        }
    }
}
