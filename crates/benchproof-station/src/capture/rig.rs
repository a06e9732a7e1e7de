//! The live capture rig of one assessment: chooses devices (real ones, else clearly labelled
//! simulated ones, and says so), runs every source on one station clock, and tees what they
//! produce — media to a snippet recorder per camera, health changes to the station, the latest
//! frame of each camera to the preview, the microphone's level to the meter.
//!
//! Invariant: nothing here blocks a source. Every hand-over is a bounded `try_send`; a full
//! channel drops media (counted by the recorder's report) and never a health change.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use benchproof_capture::sim::{Pacing, PatternSettings, Simulated, ToneSettings};
use benchproof_capture::{
    RecorderSettings, SnippetOutcome, SnippetRecorder, SnippetRequest, SnippetTicket, Source, SourceEvent,
    SourceHandle, SourceInfo, SourceSink, StationClock, VideoFrame,
};
use benchproof_devices::{CameraSource, DeviceMonitor, DeviceNotice, FormatRequest, MicChoice, MicOptions, MicSource};

use super::level::{AudioLevel, LevelMeter};
use crate::StationError;

/// Which devices to capture from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum DeviceMode {
    /// Real devices where there are any; simulated ones stand in for what is missing.
    #[default]
    Auto,
    /// Only the simulated test pattern and tone.
    Simulated,
    /// Only real devices: a missing camera is an error.
    Real,
}

/// How to set the rig up.
#[derive(Clone, Debug, Default)]
pub struct CaptureSettings {
    pub mode: DeviceMode,
    /// Camera ids (`camera:/dev/video0`); empty means the first camera found.
    pub cameras: Vec<String>,
    /// A microphone id; `None` means the system default.
    pub microphone: Option<String>,
    /// Also record each camera's whole session into one MP4.
    pub whole_session: bool,
}

/// What the rig hands the station, drained with [`Rig::poll`].
#[derive(Debug)]
pub enum RigEvent {
    Snippet(SnippetOutcome),
    Device(DeviceNotice),
}

/// The running rig. Dropping it stops every source and recorder.
#[derive(Debug)]
pub struct Rig {
    clock: StationClock,
    cameras: Vec<CameraChannel>,
    microphone: Option<SourceInfo>,
    /// The microphone's level since the meter was last read.
    level: Arc<Mutex<LevelMeter>>,
    notices: Receiver<DeviceNotice>,
    /// What the proctor should be told about the choice of devices.
    pub remarks: Vec<String>,
    // Declared last: sources stop after the recorders have been asked to finish.
    _sources: Vec<SourceHandle>,
    _tees: Vec<JoinHandle<()>>,
}

/// The newest frame of a camera, replaced by its tee for every frame and read by the preview.
type LatestFrame = Arc<Mutex<Option<Arc<VideoFrame>>>>;

#[derive(Debug)]
struct CameraChannel {
    info: SourceInfo,
    recorder: SnippetRecorder,
    latest: LatestFrame,
}

/// Where a rig keeps its spill files and finished snippets, under the station's data directory.
pub fn capture_dirs(data_dir: &Path) -> (PathBuf, PathBuf) {
    (data_dir.join("capture").join("spill"), data_dir.join("capture").join("snippets"))
}

impl Rig {
    /// Opens the devices `settings` ask for and starts them.
    pub fn start(data_dir: &Path, settings: &CaptureSettings) -> Result<Rig, StationError> {
        let clock = StationClock::new();
        let (chosen, remarks) = choose_sources(settings)?;
        let (notice_tx, notices) = mpsc::channel();
        let mut rig = Rig {
            clock,
            cameras: Vec::new(),
            microphone: None,
            level: Arc::default(),
            notices,
            remarks,
            _sources: Vec::new(),
            _tees: Vec::new(),
        };
        // Microphone first: every camera's recorder gets a copy of its audio.
        let mut audio_outs = Vec::new();
        let camera_count = chosen.cameras.len();
        for _ in 0..camera_count {
            let (tx, rx) = mpsc::sync_channel(64);
            audio_outs.push((tx, rx));
        }
        let (audio_txs, mut audio_rxs): (Vec<_>, Vec<_>) = audio_outs.into_iter().unzip();
        if let Some(mic) = chosen.microphone {
            rig.microphone = Some(mic.info().clone());
            let taps = Taps { latest: None, level: Some(rig.level.clone()) };
            let (handle, tee) = run_source(mic, clock, audio_txs, taps, notice_tx.clone())?;
            rig._sources.push(handle);
            rig._tees.push(tee);
        }
        let (spill, output) = capture_dirs(data_dir);
        for (i, camera) in chosen.cameras.into_iter().enumerate() {
            let info = camera.info().clone();
            let (video_tx, video_rx) = mpsc::sync_channel(64);
            let latest = Arc::new(Mutex::new(None));
            let mut inputs = vec![video_rx];
            if rig.microphone.is_some() {
                inputs.push(audio_rxs.remove(0));
            }
            let mut recorder_settings = RecorderSettings::new(spill.join(slot(&info.id, i)), output.clone());
            recorder_settings.whole_session = settings.whole_session;
            let recorder = SnippetRecorder::start(recorder_settings, inputs)
                .map_err(|e| StationError::Capture(format!("cannot start the recorder for {}: {e}", info.label)))?;
            let taps = Taps { latest: Some(latest.clone()), level: None };
            let (handle, tee) = run_source(camera, clock, vec![video_tx], taps, notice_tx.clone())?;
            rig._sources.push(handle);
            rig._tees.push(tee);
            rig.cameras.push(CameraChannel { info, recorder, latest });
        }
        Ok(rig)
    }

    /// The station clock every source is stamped on.
    pub fn clock(&self) -> &StationClock {
        &self.clock
    }

    /// Every device in use, cameras first.
    pub fn devices(&self) -> Vec<SourceInfo> {
        self.cameras.iter().map(|c| c.info.clone()).chain(self.microphone.clone()).collect()
    }

    /// True when any device in use is simulated (the UI shows a banner).
    pub fn simulated(&self) -> bool {
        self.devices().iter().any(|d| d.simulated)
    }

    /// Asks every camera for a snippet around now; returns at once. `tag` comes back with the
    /// outcome (also after a crash, through [`recover`]).
    pub fn request_snippet(&self, pre: Duration, post: Duration, tag: &str) -> Vec<SnippetTicket> {
        let at = self.clock.now();
        self.cameras
            .iter()
            .map(|c| c.recorder.request_snippet(SnippetRequest { at, pre, post, tag: tag.to_owned() }))
            .collect()
    }

    /// The latest frame of camera `index`, for the live preview (shared, not copied).
    pub fn latest_frame(&self, index: usize) -> Option<Arc<VideoFrame>> {
        self.cameras.get(index)?.latest.lock().ok()?.clone()
    }

    /// The microphone (its id) and its level since the last call; `None` without a microphone
    /// or when no sample arrived since (a lost microphone reads as silence, not as its last level).
    pub fn take_audio_level(&self) -> Option<(String, AudioLevel)> {
        let mic = self.microphone.as_ref()?;
        let level = self.level.lock().ok()?.take()?;
        Some((mic.id.clone(), level))
    }

    /// Finished snippets and device changes since the last call; never waits.
    pub fn poll(&self) -> Vec<RigEvent> {
        let mut out: Vec<RigEvent> = self.notices.try_iter().map(RigEvent::Device).collect();
        for c in &self.cameras {
            out.extend(c.recorder.outcomes().try_iter().map(RigEvent::Snippet));
        }
        out
    }

    /// Waits up to `timeout` for the next event.
    pub fn wait(&self, timeout: Duration) -> Vec<RigEvent> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let events = self.poll();
            if !events.is_empty() || std::time::Instant::now() >= deadline {
                return events;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops capturing: pending snippets are finished with what was captured (their post-roll cut
    /// short), and every outcome not yet polled is returned.
    pub fn stop(self) -> Vec<RigEvent> {
        let mut out = self.poll();
        let Rig { cameras, _sources, _tees, .. } = self;
        for c in cameras {
            let (_report, rest) = c.recorder.stop();
            out.extend(rest.into_iter().map(RigEvent::Snippet));
        }
        drop(_sources);
        out
    }
}

/// Finishes the snippets a crash left pending, for every camera slot.
pub fn recover(data_dir: &Path) -> Result<Vec<SnippetOutcome>, StationError> {
    let (spill, _) = capture_dirs(data_dir);
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&spill) else { return Ok(out) };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(
                benchproof_capture::recover(&path).map_err(|source| StationError::Io { path: path.clone(), source })?,
            );
        }
    }
    Ok(out)
}

fn slot(id: &str, index: usize) -> String {
    let safe: String = id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("{index}-{safe}")
}

struct Chosen {
    cameras: Vec<Box<dyn Source>>,
    microphone: Option<Box<dyn Source>>,
}

fn simulated_camera() -> Box<dyn Source> {
    Box::new(Simulated::camera(PatternSettings::default(), Pacing::RealTime))
}

fn simulated_microphone() -> Box<dyn Source> {
    Box::new(Simulated::microphone(ToneSettings::default(), Pacing::RealTime))
}

fn choose_sources(settings: &CaptureSettings) -> Result<(Chosen, Vec<String>), StationError> {
    let mut remarks = Vec::new();
    if settings.mode == DeviceMode::Simulated {
        remarks.push("simulated devices: a test pattern and a tone stand in for the camera and microphone".into());
        return Ok((Chosen { cameras: vec![simulated_camera()], microphone: Some(simulated_microphone()) }, remarks));
    }
    let wanted: Vec<String> = if settings.cameras.is_empty() {
        benchproof_devices::list_cameras().into_iter().take(1).map(|c| c.id).collect()
    } else {
        settings.cameras.clone()
    };
    let mut cameras: Vec<Box<dyn Source>> = Vec::new();
    for id in &wanted {
        match CameraSource::open(id, FormatRequest::default()) {
            Ok(c) => cameras.push(Box::new(c)),
            Err(e) if settings.mode == DeviceMode::Real => return Err(StationError::Capture(e.to_string())),
            Err(e) => remarks.push(format!("{e}; using the simulated test pattern instead")),
        }
    }
    if cameras.is_empty() {
        if settings.mode == DeviceMode::Real {
            return Err(StationError::Capture("no camera found: plug one in (see `benchproof devices`)".into()));
        }
        if wanted.is_empty() {
            remarks.push("no camera found: using the simulated test pattern".into());
        }
        cameras.push(simulated_camera());
    }
    let choice = settings.microphone.clone().map_or(MicChoice::Default, MicChoice::Id);
    let microphone: Box<dyn Source> = match MicSource::open(MicOptions { choice, ..MicOptions::default() }) {
        Ok(m) => Box::new(m),
        Err(e) if settings.mode == DeviceMode::Real => return Err(StationError::Capture(e.to_string())),
        Err(e) => {
            remarks.push(format!("{e}; using the simulated tone instead"));
            simulated_microphone()
        }
    };
    Ok((Chosen { cameras, microphone: Some(microphone) }, remarks))
}

/// What a tee keeps for the live view besides passing media on.
#[derive(Default)]
struct Taps {
    /// The latest video frame (cameras).
    latest: Option<LatestFrame>,
    /// The level meter (the microphone).
    level: Option<Arc<Mutex<LevelMeter>>>,
}

/// Starts `source` and a tee thread that copies its media to every `outs` (dropping when one is
/// full), keeps the latest video frame or the audio level, and turns health changes into notices.
fn run_source(
    source: Box<dyn Source>,
    clock: StationClock,
    outs: Vec<SyncSender<SourceEvent>>,
    taps: Taps,
    notices: mpsc::Sender<DeviceNotice>,
) -> Result<(SourceHandle, JoinHandle<()>), StationError> {
    let info = source.info().clone();
    let (tx, rx) = mpsc::sync_channel(64);
    let handle = source.start(clock, SourceSink::new(tx)).map_err(|e| StationError::Capture(e.to_string()))?;
    let id = info.id.clone();
    let tee = std::thread::Builder::new()
        .name(format!("tee {id}"))
        .spawn(move || tee(&id, &rx, &outs, &taps, &notices))
        .map_err(|e| StationError::Capture(format!("cannot start a capture thread: {e}")))?;
    Ok((handle, tee))
}

fn tee(
    id: &str,
    rx: &Receiver<SourceEvent>,
    outs: &[SyncSender<SourceEvent>],
    taps: &Taps,
    notices: &mpsc::Sender<DeviceNotice>,
) {
    let mut monitor = DeviceMonitor::new();
    loop {
        let event = match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if let Some(notice) = monitor.observe(id, &event) {
            let _ = notices.send(notice);
            continue;
        }
        if let (SourceEvent::Audio(buffer), Some(level)) = (&event, &taps.level) {
            if let Ok(mut meter) = level.lock() {
                meter.add(&buffer.samples);
            }
        }
        if let (SourceEvent::Video(frame), Some(latest)) = (&event, &taps.latest) {
            // Every frame, so that the preview can show the camera's full rate with the least
            // delay: one copy (a 720p I420 frame is 1.4 MB, well under a millisecond), made
            // outside the lock, and the frame it replaces is freed outside it too.
            let newest = Some(Arc::new(frame.clone()));
            let replaced = latest.lock().map(|mut slot| std::mem::replace(&mut *slot, newest));
            drop(replaced);
        }
        send_all(outs, event);
    }
}

fn send_all(outs: &[SyncSender<SourceEvent>], event: SourceEvent) {
    let Some((last, rest)) = outs.split_last() else { return };
    for out in rest {
        if let Some(copy) = copy_media(&event) {
            let _ = ignore_full(out.try_send(copy));
        }
    }
    let _ = ignore_full(last.try_send(event));
}

fn ignore_full(r: Result<(), TrySendError<SourceEvent>>) -> Result<(), ()> {
    r.map_err(|_| ())
}

fn copy_media(event: &SourceEvent) -> Option<SourceEvent> {
    match event {
        SourceEvent::Video(f) => Some(SourceEvent::Video(f.clone())),
        SourceEvent::Audio(a) => Some(SourceEvent::Audio(a.clone())),
        SourceEvent::Lost { .. } | SourceEvent::Restored => None,
    }
}

#[cfg(test)]
mod tests {
    use benchproof_capture::{ClockTime, PixelFormat};

    use super::*;

    fn frame(seq: u64) -> VideoFrame {
        VideoFrame {
            at: ClockTime(seq * 33_333),
            seq,
            width: 2,
            height: 2,
            format: PixelFormat::I420,
            data: vec![0; 6],
        }
    }

    #[test]
    fn the_preview_slot_holds_every_newest_frame_while_media_reaches_the_recorder() {
        let (source, rx) = mpsc::sync_channel(8);
        let (recorder, recorded) = mpsc::sync_channel(8);
        let (notices, _) = mpsc::channel();
        let latest = LatestFrame::default();
        let taps = Taps { latest: Some(latest.clone()), level: None };
        let tee = std::thread::spawn(move || tee("sim:camera:0", &rx, &[recorder], &taps, &notices));
        for seq in 0..5 {
            source.send(SourceEvent::Video(frame(seq))).unwrap();
            // The slot is filled before the frame is passed on, so it holds this frame now.
            let Ok(SourceEvent::Video(passed)) = recorded.recv() else { panic!("the frame reaches the recorder") };
            assert_eq!(passed.seq, seq);
            let shown = latest.lock().unwrap().clone().expect("a frame for the preview");
            assert_eq!(shown.seq, seq, "every frame, not every third");
        }
        drop(source);
        tee.join().unwrap();
    }
}
