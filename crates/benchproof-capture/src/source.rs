use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::Arc;

use crate::{AudioBuffer, StationClock, VideoFrame};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Camera,
    Microphone,
}

/// What a source is, for device lists and for the event log (`device` of `device_lost`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    /// Stable id, e.g. `camera:/dev/video0`, `microphone:default`, `sim:camera:0`.
    pub id: String,
    /// For people, e.g. `HD Pro Webcam C920` or `Simulated camera (test pattern)`.
    pub label: String,
    pub kind: SourceKind,
    /// True for the test pattern and the tone; the UI labels them clearly.
    pub simulated: bool,
}

/// What a running source hands over.
#[derive(Debug)]
pub enum SourceEvent {
    Video(VideoFrame),
    Audio(AudioBuffer),
    /// The device went away or stopped delivering; the source keeps trying to reattach.
    Lost {
        reason: String,
    },
    /// The device is delivering again after a [`SourceEvent::Lost`].
    Restored,
}

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{device}: {message}")]
    Device { device: String, message: String },
}

/// The sending half given to a source: bounded, and it never blocks the producer. When the
/// consumer falls behind, media is dropped and counted; `Lost`/`Restored` are never dropped
/// silently (they are retried by the source on its next iteration if the channel is full).
#[derive(Clone, Debug)]
pub struct SourceSink {
    tx: SyncSender<SourceEvent>,
    dropped: Arc<AtomicU64>,
}

impl SourceSink {
    pub fn new(tx: SyncSender<SourceEvent>) -> SourceSink {
        SourceSink { tx, dropped: Arc::new(AtomicU64::new(0)) }
    }

    /// Offers `event`; returns `Err(event)` back when the channel is full, `Ok(false)` when the
    /// consumer has gone away (the source should stop), `Ok(true)` when delivered.
    pub fn offer(&self, event: SourceEvent) -> Result<bool, SourceEvent> {
        match self.tx.try_send(event) {
            Ok(()) => Ok(true),
            Err(TrySendError::Disconnected(_)) => Ok(false),
            Err(TrySendError::Full(event)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                Err(event)
            }
        }
    }

    /// How many offers found the channel full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// A capture source. `start` spawns the source's own thread and returns at once.
pub trait Source: Send + fmt::Debug {
    fn info(&self) -> &SourceInfo;
    fn start(self: Box<Self>, clock: StationClock, sink: SourceSink) -> Result<SourceHandle, CaptureError>;
}

/// A running source. Dropping it (or calling [`SourceHandle::stop`]) stops the thread and joins it.
pub struct SourceHandle {
    info: SourceInfo,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SourceHandle {
    /// `run` is the source's loop; it must return soon after `stop` reads true.
    pub fn spawn(
        info: SourceInfo,
        run: impl FnOnce(Arc<std::sync::atomic::AtomicBool>) + Send + 'static,
    ) -> Result<SourceHandle, CaptureError> {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread =
            std::thread::Builder::new().name(format!("capture {}", info.id)).spawn(move || run(flag)).map_err(|e| {
                CaptureError::Device { device: info.id.clone(), message: format!("cannot start thread: {e}") }
            })?;
        Ok(SourceHandle { info, stop, thread: Some(thread) })
    }

    /// What the running source is.
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// Asks the source's thread to stop and waits for it.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl fmt::Debug for SourceHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceHandle").field("info", &self.info).finish_non_exhaustive()
    }
}

impl Drop for SourceHandle {
    fn drop(&mut self) {
        self.halt();
    }
}
