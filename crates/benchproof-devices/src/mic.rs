//! Microphones through `cpal`: listing, choosing a stream configuration, and [`MicSource`].

mod alsa;
mod convert;
mod feed;
pub mod resample;

use benchproof_capture::{CaptureError, Source, SourceHandle, SourceInfo, SourceKind, SourceSink, StationClock};
use cpal::traits::{DeviceTrait, HostTrait};
use cpal::{BufferSize, SampleFormat, StreamConfig, SupportedBufferSize};
use serde::Serialize;

use crate::supervise::{Policy, Supervised};
use crate::DeviceError;
use feed::MicAttach;

/// The one rate every microphone is delivered at.
pub const MIC_RATE: u32 = 48_000;

/// Which input to capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MicChoice {
    /// The system's default input, whatever it is at each (re)open.
    Default,
    /// An input by its id from [`list_microphones`] (`microphone:<host>:<device>`).
    Id(String),
}

/// How to capture a microphone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MicOptions {
    pub choice: MicChoice,
    /// The rate to ask the device for; the stream is resampled to [`MIC_RATE`] whatever it
    /// delivers. When the device cannot do this rate, its default rate is used.
    pub capture_rate: u32,
}

impl Default for MicOptions {
    fn default() -> Self {
        MicOptions { choice: MicChoice::Default, capture_rate: MIC_RATE }
    }
}

/// An audio input, for device lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MicrophoneDevice {
    /// Stable id, `microphone:<host>:<device>` (e.g. `microphone:alsa:default`).
    pub id: String,
    /// For people.
    pub label: String,
    /// True for the system's default input.
    pub default: bool,
}

/// The audio inputs a proctor can choose from, the system default first. Empty when there is
/// none. On ALSA only `default`, `pulse`/`pipewire` and one PCM per sound card are listed (the
/// rule in `mic/alsa.rs`), not every plugin ALSA's configuration defines; on every host an input
/// is listed only if it offers a capture configuration (read without starting a stream). Ids are
/// stable across calls and releases: `microphone:<host>:<device>`.
///
/// On Linux, ALSA itself may print diagnostics to stderr while probing a machine without a sound
/// card: silencing it needs `snd_lib_error_set_handler` (FFI, `unsafe`), which this crate does not
/// do.
pub fn list_microphones() -> Vec<MicrophoneDevice> {
    let host = cpal::default_host();
    let default_device = host.default_input_device();
    let default_id = default_device.as_ref().and_then(|d| d.id().ok()).map(|id| mic_id(&id));
    let devices: Vec<cpal::Device> = host.input_devices().map(Iterator::collect).unwrap_or_default();
    let labelled = if host.id().name().eq_ignore_ascii_case("alsa") {
        alsa_inputs(devices, default_device)
    } else {
        devices.into_iter().map(|d| (described(&d), d)).collect()
    };
    labelled
        .into_iter()
        .filter(|(_, device)| offers_input(device))
        .filter_map(|(label, device)| {
            let id = mic_id(&device.id().ok()?);
            let default = default_id.as_deref() == Some(id.as_str());
            Some(MicrophoneDevice { id, label, default })
        })
        .collect()
}

/// ALSA's devices that [`alsa::choose`] keeps, in its order, with its labels. The default device
/// may be missing from ALSA's hints; it is added so that it is not lost.
fn alsa_inputs(devices: Vec<cpal::Device>, default: Option<cpal::Device>) -> Vec<(String, cpal::Device)> {
    let mut devices: Vec<Option<cpal::Device>> = devices.into_iter().map(Some).collect();
    if let Some(d) = default {
        if !devices.iter().flatten().any(|x| x.id().ok() == d.id().ok()) {
            devices.insert(0, Some(d));
        }
    }
    let pcms: Vec<Option<alsa::Pcm>> = devices
        .iter()
        .flatten()
        .map(|d| {
            let name = d.id().ok()?.id().to_string();
            let description = d.description().ok().map(|desc| desc.name().to_string()).filter(|n| *n != name);
            Some(alsa::Pcm { name, description })
        })
        .collect();
    let listed: Vec<alsa::Pcm> = pcms.iter().flatten().cloned().collect();
    alsa::choose(&listed, &alsa::card_ids())
        .into_iter()
        .filter_map(|(name, label)| {
            let at = pcms.iter().position(|p| p.as_ref().is_some_and(|p| p.name == name))?;
            Some((label, devices[at].take()?))
        })
        .collect()
}

/// A device's name for people, from its description.
fn described(device: &cpal::Device) -> String {
    device.description().map(|d| d.name().to_string()).unwrap_or_else(|_| device.to_string())
}

/// True when the device offers at least one capture configuration. This opens the device to ask
/// (as cpal does for any configuration query) but starts no stream.
fn offers_input(device: &cpal::Device) -> bool {
    device.supported_input_configs().is_ok_and(|mut configs| configs.next().is_some())
}

fn mic_id(id: &cpal::DeviceId) -> String {
    format!("microphone:{id}")
}

/// Finds the chosen input and its id. A default device whose configuration cannot be read is
/// "no microphone" (what ALSA reports on a machine without a sound card).
fn resolve(choice: &MicChoice) -> Result<(cpal::Device, String), DeviceError> {
    let host = cpal::default_host();
    match choice {
        MicChoice::Default => {
            let device = host
                .default_input_device()
                .ok_or_else(|| DeviceError::NoMicrophone { detail: "the system has no audio input".to_string() })?;
            device
                .default_input_config()
                .map_err(|e| DeviceError::NoMicrophone { detail: format!("the default input does not work: {e}") })?;
            let id = device.id().map(|id| mic_id(&id)).unwrap_or_else(|_| "microphone:default".to_string());
            Ok((device, id))
        }
        MicChoice::Id(wanted) => {
            let mut available = Vec::new();
            for device in host.input_devices().into_iter().flatten() {
                let Ok(id) = device.id().map(|id| mic_id(&id)) else { continue };
                if &id == wanted {
                    return Ok((device, id));
                }
                available.push(id);
            }
            Err(DeviceError::MicrophoneNotFound { id: wanted.clone(), available })
        }
    }
}

/// Picks a stream configuration: `rate` if any supported range holds it (preferring `f32`, then
/// `i16`, and the fewest channels), else the device's default configuration.
fn stream_config(device: &cpal::Device, rate: u32) -> Result<(StreamConfig, SampleFormat), String> {
    let preference = |f: SampleFormat| match f {
        SampleFormat::F32 => 0,
        SampleFormat::I16 => 1,
        SampleFormat::I32 => 2,
        _ => 3,
    };
    let best = device
        .supported_input_configs()
        .map_err(|e| format!("cannot read the supported configurations: {e}"))?
        .filter_map(|range| range.try_with_sample_rate(rate))
        .min_by_key(|c| (preference(c.sample_format()), c.channels()));
    let chosen = match best {
        Some(config) => config,
        None => device.default_input_config().map_err(|e| format!("no usable configuration: {e}"))?,
    };
    if chosen.sample_rate() == 0 || chosen.channels() == 0 {
        return Err(format!("the device offers an empty configuration ({chosen:?})"));
    }
    let mut config = chosen.config();
    // Ask for 20 ms periods: left to itself, ALSA's pulse plugin delivers in bursts a second or
    // more apart, which the stall watchdog could not tell from a stall.
    if let SupportedBufferSize::Range { min, max } = *chosen.buffer_size() {
        config.buffer_size = BufferSize::Fixed((chosen.sample_rate() / 50).clamp(min, max.max(min)));
    }
    Ok((config, chosen.sample_format()))
}

/// A microphone, mixed to mono and resampled to [`MIC_RATE`], on its own thread, supervised with
/// a 1 s stall watchdog: a stream that stops delivering is dropped and rebuilt with backoff.
#[derive(Debug)]
pub struct MicSource {
    inner: Supervised<MicAttach>,
}

impl MicSource {
    /// Checks that the chosen input exists and works now (so "no microphone" is an error here,
    /// not a `Lost` later). Does not start capturing.
    pub fn open(options: MicOptions) -> Result<MicSource, DeviceError> {
        let (device, id) = resolve(&options.choice)?;
        stream_config(&device, options.capture_rate)
            .map_err(|message| DeviceError::Microphone { id: id.clone(), message })?;
        let label = described(&device);
        let info = SourceInfo { id, label, kind: SourceKind::Microphone, simulated: false };
        let attach = MicAttach { choice: options.choice, capture_rate: options.capture_rate };
        Ok(MicSource { inner: Supervised::new(info, attach, Policy::MICROPHONE) })
    }
}

impl Source for MicSource {
    fn info(&self) -> &SourceInfo {
        self.inner.info()
    }

    fn start(self: Box<Self>, clock: StationClock, sink: SourceSink) -> Result<SourceHandle, CaptureError> {
        Box::new(self.inner).start(clock, sink)
    }
}
