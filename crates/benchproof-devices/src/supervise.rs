//! The loop every real device runs under: read with a timeout, notice stalls and failures, close,
//! reopen with backoff, and report `Lost`/`Restored` exactly once per outage.
//!
//! Invariants:
//! - the device is only ever touched on the source's own thread (so `!Send` streams are fine);
//! - no call waits longer than [`Policy::poll`] without checking the stop flag, except a device's
//!   own `attach` (which the device keeps short);
//! - for every `Lost` there is at most one later `Restored`, sent only once media flows again;
//! - notices (`Lost`/`Restored`) are queued and retried when the channel is full, never dropped;
//!   media is dropped (and counted by the sink) when the consumer falls behind;
//! - video frames are numbered here, per source, across reopenings: a gap in `seq` means frames
//!   were dropped before the consumer saw them.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use benchproof_capture::{CaptureError, Source, SourceEvent, SourceHandle, SourceInfo, SourceSink, StationClock};

/// Opens a device. Lives on the source's thread for the source's whole life; each successful
/// [`Attach::attach`] yields a fresh [`Feed`] (a new open of the device).
pub trait Attach: Send + 'static {
    /// What an open device delivers from. Need not be `Send`: it never leaves the source thread.
    type Feed: Feed;

    /// Opens the device, or says in words why it cannot (this becomes the `Lost` reason or the
    /// start error).
    fn attach(&mut self, clock: &StationClock) -> Result<Self::Feed, String>;
}

/// An open device.
pub trait Feed {
    /// Waits at most `timeout` for the next media event ([`SourceEvent::Video`] or
    /// [`SourceEvent::Audio`]). Must not block longer than `timeout` (give or take a little).
    fn next(&mut self, timeout: Duration) -> Delivery;
}

/// What a [`Feed`] returns from one wait.
#[derive(Debug)]
pub enum Delivery {
    /// A video frame or an audio buffer.
    Media(SourceEvent),
    /// Nothing arrived within the timeout (the supervisor decides when that is a stall).
    Idle,
    /// The device reported an error; it will be closed and reopened.
    Failed(String),
}

/// Exponential backoff between reopen attempts: `first`, doubling up to `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The wait after `failures` consecutive failed attempts (0 → `first`).
    pub fn delay(&self, failures: u32) -> Duration {
        let factor = 1u32.checked_shl(failures.min(16)).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }
}

/// How a supervised device is watched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// No media for this long while open is a stall: `Lost`, close, reopen.
    pub stall_after: Duration,
    /// The same, before the first media of a fresh open: devices take a moment to start (a
    /// camera's exposure, a sound server's first block), and a fresh open is not a stall.
    pub start_grace: Duration,
    /// The longest single wait on the device (and so the latency of `stop`).
    pub poll: Duration,
    /// Delays between reopen attempts.
    pub backoff: Backoff,
    /// How long `start` waits for the first open before giving up.
    pub open_timeout: Duration,
}

impl Policy {
    /// Cameras: a stall is 2 s without a frame (5 s after opening); reopen every second.
    pub const CAMERA: Policy = Policy {
        stall_after: Duration::from_secs(2),
        start_grace: Duration::from_secs(5),
        poll: Duration::from_millis(100),
        backoff: Backoff { first: Duration::from_secs(1), max: Duration::from_secs(1) },
        open_timeout: Duration::from_secs(10),
    };
    /// Microphones: a stall is 1 s without samples (4 s after opening); reopen after 0.5 s,
    /// doubling up to 4 s.
    pub const MICROPHONE: Policy = Policy {
        stall_after: Duration::from_secs(1),
        start_grace: Duration::from_secs(4),
        poll: Duration::from_millis(50),
        backoff: Backoff { first: Duration::from_millis(500), max: Duration::from_secs(4) },
        open_timeout: Duration::from_secs(10),
    };
}

/// A [`Source`] made from an [`Attach`] and a [`Policy`]. `start` opens the device once on the new
/// thread and fails if that first open fails; afterwards every failure is a `Lost`.
pub struct Supervised<A> {
    info: SourceInfo,
    attach: A,
    policy: Policy,
}

impl<A: Attach> Supervised<A> {
    /// Wraps `attach`, reported as `info`.
    pub fn new(info: SourceInfo, attach: A, policy: Policy) -> Supervised<A> {
        Supervised { info, attach, policy }
    }
}

impl<A> fmt::Debug for Supervised<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Supervised").field("info", &self.info).field("policy", &self.policy).finish_non_exhaustive()
    }
}

impl<A: Attach> Source for Supervised<A> {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn start(self: Box<Self>, clock: StationClock, sink: SourceSink) -> Result<SourceHandle, CaptureError> {
        let Supervised { info, mut attach, policy } = *self;
        let device = info.id.clone();
        let (opened_tx, opened_rx) = mpsc::sync_channel::<Result<(), String>>(1);
        // Set when `start` stopped waiting for the first open; the thread then quits on its own.
        let abandoned = Arc::new(AtomicBool::new(false));
        let abandoned_in_thread = abandoned.clone();
        let handle = SourceHandle::spawn(info, move |stop| {
            let feed = match attach.attach(&clock) {
                Ok(feed) => feed,
                Err(reason) => {
                    let _ = opened_tx.send(Err(reason));
                    return;
                }
            };
            if abandoned_in_thread.load(Ordering::Relaxed) || opened_tx.send(Ok(())).is_err() {
                return;
            }
            Runner { attach, policy, sink, stop, clock, seq: 0, notices: VecDeque::new() }.run(feed);
        })?;
        match opened_rx.recv_timeout(policy.open_timeout) {
            Ok(Ok(())) => Ok(handle),
            Ok(Err(message)) => Err(CaptureError::Device { device, message }),
            Err(_) => {
                abandoned.store(true, Ordering::Relaxed);
                // The thread is stuck inside the device's open; joining would hang, so let it go.
                std::mem::forget(handle);
                Err(CaptureError::Device {
                    device,
                    message: format!("did not open within {} s", policy.open_timeout.as_secs()),
                })
            }
        }
    }
}

enum State<F> {
    /// `started` is false until the first media of this open arrives.
    Open {
        feed: F,
        last_media: Instant,
        started: bool,
    },
    Closed {
        retry_at: Instant,
        failures: u32,
    },
}

struct Runner<A> {
    attach: A,
    policy: Policy,
    sink: SourceSink,
    stop: Arc<AtomicBool>,
    clock: StationClock,
    seq: u64,
    notices: VecDeque<SourceEvent>,
}

impl<A: Attach> Runner<A> {
    fn run(mut self, feed: A::Feed) {
        let mut state = State::Open { feed, last_media: Instant::now(), started: false };
        // True between a `Lost` and the media that ends the outage.
        let mut lost = false;
        while !self.stop.load(Ordering::Relaxed) {
            if !self.flush_notices() {
                return;
            }
            state = match state {
                State::Open { mut feed, last_media, started } => {
                    let limit = if started { self.policy.stall_after } else { self.policy.start_grace };
                    let wait = self.policy.poll.min(limit.saturating_sub(last_media.elapsed()));
                    match feed.next(wait) {
                        Delivery::Media(event) => {
                            if lost {
                                lost = false;
                                self.notices.push_back(SourceEvent::Restored);
                                if !self.flush_notices() {
                                    return;
                                }
                            }
                            if !self.offer_media(event) {
                                return;
                            }
                            State::Open { feed, last_media: Instant::now(), started: true }
                        }
                        Delivery::Idle if last_media.elapsed() < limit => State::Open { feed, last_media, started },
                        Delivery::Idle => {
                            let reason = format!("stalled: nothing delivered for {:.1} s", limit.as_secs_f64());
                            drop(feed);
                            self.lose(&mut lost, reason)
                        }
                        Delivery::Failed(reason) => {
                            drop(feed);
                            self.lose(&mut lost, reason)
                        }
                    }
                }
                State::Closed { retry_at, failures } => {
                    let now = Instant::now();
                    if now < retry_at {
                        std::thread::sleep((retry_at - now).min(self.policy.poll));
                        State::Closed { retry_at, failures }
                    } else {
                        match self.attach.attach(&self.clock) {
                            Ok(feed) => State::Open { feed, last_media: Instant::now(), started: false },
                            Err(_) => State::Closed {
                                retry_at: Instant::now() + self.policy.backoff.delay(failures + 1),
                                failures: failures + 1,
                            },
                        }
                    }
                }
            };
        }
    }

    /// Queues `Lost` unless this outage was already reported, and schedules the first reopen.
    fn lose(&mut self, lost: &mut bool, reason: String) -> State<A::Feed> {
        if !*lost {
            *lost = true;
            self.notices.push_back(SourceEvent::Lost { reason });
        }
        State::Closed { retry_at: Instant::now() + self.policy.backoff.delay(0), failures: 0 }
    }

    /// Delivers queued notices in order. False when the consumer has gone away.
    fn flush_notices(&mut self) -> bool {
        while let Some(notice) = self.notices.pop_front() {
            match self.sink.offer(notice) {
                Ok(true) => {}
                Ok(false) => return false,
                Err(notice) => {
                    self.notices.push_front(notice);
                    return true;
                }
            }
        }
        true
    }

    /// Numbers video frames and offers media; a full channel drops it, and so does a notice still
    /// waiting (media must not overtake the `Restored` it follows). False when the consumer has
    /// gone away.
    fn offer_media(&mut self, mut event: SourceEvent) -> bool {
        if let SourceEvent::Video(frame) = &mut event {
            frame.seq = self.seq;
            self.seq += 1;
        }
        if !self.notices.is_empty() {
            return true;
        }
        !matches!(self.sink.offer(event), Ok(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let b = Backoff { first: Duration::from_millis(500), max: Duration::from_secs(4) };
        let delays: Vec<_> = (0..6).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 4000, 4000]);
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(4));
    }
}
