//! The snippet pipeline: one background thread owns the encoders, the pre-roll and the pending
//! snippets; callers only send requests and receive finished MP4s.
//!
//! Invariants:
//! - [`SnippetRecorder::request_snippet`] never blocks: it sends on an unbounded command channel.
//! - A requested snippet's packets go to its spill file from the moment it is requested (the
//!   pre-roll's part first), synced about every second, so a crash loses at most about a second.
//! - A snippet is finished once video (and audio, if any has been seen) has passed the end of its
//!   post-roll, or when the recorder stops; muxing runs on its own short-lived thread so encoding
//!   never waits for the disk.
//! - Every request gets exactly one [`SnippetOutcome`], success or a specific error; nothing in
//!   this module panics on bad media or IO.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use crate::encode::{AudioEncoder, EncodeError, VideoEncoder, VideoSettings};
use crate::snippet::{Cut, SnippetError, SnippetFile, Window};
use crate::spill::{self, SpillHeader, SpillWriter};
use crate::{ClockTime, Packet, Preroll, PrerollLimits, SourceEvent, Track};

/// How a recorder is set up.
#[derive(Clone, Debug)]
pub struct RecorderSettings {
    pub video: VideoSettings,
    /// Opus bitrate in bits per second.
    pub audio_bitrate: i32,
    pub preroll: PrerollLimits,
    /// Where pending snippets are spilled (e.g. in the station's cache directory).
    pub spill_dir: PathBuf,
    /// Where finished MP4s are written, named `<ticket>.mp4`.
    pub output_dir: PathBuf,
    /// Also record everything from start to stop into one MP4 (tag `"session"`).
    pub whole_session: bool,
}

impl RecorderSettings {
    /// Defaults for everything but the two directories.
    pub fn new(spill_dir: impl Into<PathBuf>, output_dir: impl Into<PathBuf>) -> RecorderSettings {
        RecorderSettings {
            video: VideoSettings::default(),
            audio_bitrate: 32_000,
            preroll: PrerollLimits::default(),
            spill_dir: spill_dir.into(),
            output_dir: output_dir.into(),
            whole_session: false,
        }
    }
}

/// What to record: `pre` before and `post` after `at`, labelled with the caller's `tag` (e.g. the
/// assessment and step), which comes back in the outcome, also after a crash and [`recover`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetRequest {
    pub at: ClockTime,
    pub pre: Duration,
    pub post: Duration,
    pub tag: String,
}

/// Names one requested snippet; unique across restarts of the station.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SnippetTicket(pub u64);

/// The result for one request (or for the whole session, tag `"session"`).
#[derive(Debug)]
pub struct SnippetOutcome {
    pub ticket: SnippetTicket,
    pub tag: String,
    pub result: Result<SnippetFile, SnippetError>,
}

/// Why the recorder could not start.
#[derive(Debug, thiserror::Error)]
pub enum RecorderError {
    #[error("cannot use {path} for snippets: {source}")]
    Dir { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Encoder(#[from] EncodeError),
    #[error("cannot start the recorder thread: {0}")]
    Thread(std::io::Error),
}

/// Counters, returned by [`SnippetRecorder::stop`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecorderReport {
    pub frames_encoded: u64,
    pub audio_packets: u64,
    /// Frames or buffers that could not be encoded (the last reason is in `last_error`).
    pub encode_failures: u64,
    pub last_error: Option<String>,
    /// The most bytes the pre-roll held at once (for sizing its memory per camera-minute).
    pub peak_preroll_bytes: usize,
}

/// At stop, at most this many queued media items are still taken (more than all queues hold).
const STOP_DRAIN: usize = 64;

/// A source's [`SourceEvent::Lost`] / [`SourceEvent::Restored`], passed on to the caller with the
/// index of the input (in the order given to [`SnippetRecorder::start`]) that reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputStatus {
    Lost { input: usize, reason: String },
    Restored { input: usize },
}

enum Command {
    Snippet(SnippetTicket, SnippetRequest),
    Stop,
}

/// The running pipeline. See the module documentation for what it promises.
#[derive(Debug)]
pub struct SnippetRecorder {
    commands: Sender<Command>,
    outcomes: Receiver<SnippetOutcome>,
    /// Kept to report requests that reach a stopped worker.
    outcome_tx: Sender<SnippetOutcome>,
    status: Receiver<InputStatus>,
    worker: Option<JoinHandle<RecorderReport>>,
    next_ticket: AtomicU64,
}

impl SnippetRecorder {
    /// Starts the pipeline fed by `inputs` (the receivers of one camera and at most one
    /// microphone, or one combined source). It runs until [`SnippetRecorder::stop`].
    pub fn start(
        settings: RecorderSettings,
        inputs: Vec<Receiver<SourceEvent>>,
    ) -> Result<SnippetRecorder, RecorderError> {
        for dir in [&settings.spill_dir, &settings.output_dir] {
            std::fs::create_dir_all(dir).map_err(|source| RecorderError::Dir { path: dir.clone(), source })?;
        }
        let video = VideoEncoder::new(settings.video)?;
        let audio = AudioEncoder::new(settings.audio_bitrate)?;
        let (media_tx, media_rx) = mpsc::sync_channel(16);
        let (status_tx, status) = mpsc::channel();
        for (index, input) in inputs.into_iter().enumerate() {
            forward(index, input, media_tx.clone(), status_tx.clone()).map_err(RecorderError::Thread)?;
        }
        drop(media_tx);
        let (commands, command_rx) = mpsc::channel();
        let (outcome_tx, outcomes) = mpsc::channel();
        let first_ticket = ticket_base();
        let session = settings.whole_session.then_some(SnippetTicket(first_ticket));
        let worker = Worker {
            preroll: Preroll::new(settings.preroll),
            settings,
            video,
            audio,
            pending: Vec::new(),
            finishing: Vec::new(),
            outcomes: outcome_tx.clone(),
            report: RecorderReport::default(),
            last_video: None,
            last_audio: None,
            scratch: Vec::new(),
        };
        let handle = std::thread::Builder::new()
            .name("snippet recorder".into())
            .spawn(move || worker.run(media_rx, command_rx, session))
            .map_err(RecorderError::Thread)?;
        Ok(SnippetRecorder {
            commands,
            outcomes,
            outcome_tx,
            status,
            worker: Some(handle),
            next_ticket: AtomicU64::new(first_ticket + 1),
        })
    }

    /// Asks for a snippet; returns at once. The MP4 arrives later on [`SnippetRecorder::outcomes`].
    pub fn request_snippet(&self, request: SnippetRequest) -> SnippetTicket {
        let ticket = SnippetTicket(self.next_ticket.fetch_add(1, Ordering::Relaxed));
        if let Err(mpsc::SendError(Command::Snippet(ticket, request))) =
            self.commands.send(Command::Snippet(ticket, request))
        {
            // The worker has gone (it only exits on stop, or if it panicked): say so.
            let _ =
                self.outcome_tx.send(SnippetOutcome { ticket, tag: request.tag, result: Err(SnippetError::Stopped) });
        }
        ticket
    }

    /// Device loss and return reported by the inputs (the recorder keeps running through them).
    pub fn input_status(&self) -> &Receiver<InputStatus> {
        &self.status
    }

    /// Finished snippets, in the order they complete.
    pub fn outcomes(&self) -> &Receiver<SnippetOutcome> {
        &self.outcomes
    }

    /// Finishes pending snippets with what has been captured (their post-roll cut short), writes
    /// the whole-session MP4 if asked for, and waits for all of it. Outcomes not yet taken from
    /// [`SnippetRecorder::outcomes`] are returned.
    pub fn stop(mut self) -> (RecorderReport, Vec<SnippetOutcome>) {
        let _ = self.commands.send(Command::Stop);
        let report = self.worker.take().and_then(|w| w.join().ok()).unwrap_or_default();
        (report, self.outcomes.try_iter().collect())
    }
}

impl Drop for SnippetRecorder {
    fn drop(&mut self) {
        if let Some(worker) = self.worker.take() {
            let _ = self.commands.send(Command::Stop);
            let _ = worker.join();
        }
    }
}

/// Finishes every spill file left in `spill_dir` by a crash into its MP4 (at the output path the
/// request had). Call it at start-up, before a recorder uses the same `spill_dir`. A spill file
/// that cannot be read is kept and reported as [`SnippetError::Spill`] naming it.
pub fn recover(spill_dir: &std::path::Path) -> Result<Vec<SnippetOutcome>, std::io::Error> {
    let mut outcomes = Vec::new();
    for path in spill::pending(spill_dir)? {
        let (header, result) = spill::finish(&path);
        outcomes.push(SnippetOutcome { ticket: SnippetTicket(header.ticket), tag: header.tag, result });
    }
    Ok(outcomes)
}

/// Tickets start from the wall clock in microseconds, so they do not repeat across restarts.
fn ticket_base() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(1, |d| d.as_micros() as u64)
}

/// Moves media from one source's channel into the worker's; device status goes to `status`.
fn forward(
    index: usize,
    input: Receiver<SourceEvent>,
    out: SyncSender<SourceEvent>,
    status: Sender<InputStatus>,
) -> std::io::Result<()> {
    std::thread::Builder::new().name("snippet input".into()).spawn(move || {
        for event in input {
            let sent = match event {
                SourceEvent::Lost { reason } => status.send(InputStatus::Lost { input: index, reason }).is_ok(),
                SourceEvent::Restored => status.send(InputStatus::Restored { input: index }).is_ok(),
                media => out.send(media).is_ok(),
            };
            if !sent {
                return;
            }
        }
    })?;
    Ok(())
}

struct Pending {
    ticket: SnippetTicket,
    tag: String,
    window: Window,
    spill: Option<SpillWriter>,
    /// The first spill error; the snippet then fails with it.
    failed: Option<SnippetError>,
}

struct Worker {
    settings: RecorderSettings,
    video: VideoEncoder,
    audio: AudioEncoder,
    preroll: Preroll,
    pending: Vec<Pending>,
    finishing: Vec<JoinHandle<()>>,
    outcomes: Sender<SnippetOutcome>,
    report: RecorderReport,
    last_video: Option<ClockTime>,
    last_audio: Option<ClockTime>,
    scratch: Vec<Packet>,
}

impl Worker {
    fn run(
        mut self,
        media: Receiver<SourceEvent>,
        commands: Receiver<Command>,
        session: Option<SnippetTicket>,
    ) -> RecorderReport {
        if let Some(ticket) = session {
            self.begin(ticket, "session".into(), Window::open_ended(ClockTime::ZERO));
        }
        let mut inputs_open = true;
        loop {
            let command =
                if inputs_open { commands.try_recv().ok() } else { commands.recv().ok().or(Some(Command::Stop)) };
            match command {
                Some(Command::Snippet(ticket, r)) => {
                    self.begin(ticket, r.tag, Window { at: r.at, pre: r.pre, post: r.post });
                    continue;
                }
                Some(Command::Stop) => {
                    // What the sources already handed over counts as captured: take it, but do not
                    // wait on sources that keep producing.
                    for _ in 0..STOP_DRAIN {
                        match media.recv_timeout(Duration::from_millis(50)) {
                            Ok(event) => self.handle(event),
                            Err(_) => break,
                        }
                    }
                    break;
                }
                None => {}
            }
            match media.recv_timeout(Duration::from_millis(20)) {
                Ok(event) => self.handle(event),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => inputs_open = false,
            }
        }
        for p in std::mem::take(&mut self.pending) {
            self.finish(p);
        }
        for handle in self.finishing.drain(..) {
            let _ = handle.join();
        }
        self.report
    }

    fn handle(&mut self, event: SourceEvent) {
        let mut packets = std::mem::take(&mut self.scratch);
        let result = match event {
            SourceEvent::Video(frame) => self.video.encode(&frame).map(|p| packets.extend(p)),
            SourceEvent::Audio(buffer) => self.audio.encode(&buffer, &mut packets),
            SourceEvent::Lost { .. } | SourceEvent::Restored => Ok(()),
        };
        if let Err(e) = result {
            self.report.encode_failures += 1;
            self.report.last_error = Some(e.to_string());
        }
        for packet in packets.drain(..) {
            match packet.track {
                Track::Video => {
                    self.report.frames_encoded += 1;
                    self.last_video = Some(packet.at);
                }
                Track::Audio => {
                    self.report.audio_packets += 1;
                    self.last_audio = Some(packet.at);
                }
            }
            self.spill(&packet);
            self.preroll.push(packet);
        }
        self.report.peak_preroll_bytes = self.report.peak_preroll_bytes.max(self.preroll.bytes());
        self.scratch = packets;
        self.finish_due();
    }

    /// Opens the spill file of a new request and writes the pre-roll's part of it.
    fn begin(&mut self, ticket: SnippetTicket, tag: String, window: Window) {
        let output = self.settings.output_dir.join(format!("{}.mp4", ticket.0));
        let header = SpillHeader { ticket: ticket.0, tag: tag.clone(), window, output };
        let mut pending = Pending { ticket, tag, window, spill: None, failed: None };
        match SpillWriter::create(&self.settings.spill_dir, &header) {
            Ok(spill) => pending.spill = Some(spill),
            Err(source) => pending.failed = Some(SnippetError::Io { path: self.settings.spill_dir.clone(), source }),
        }
        // From the keyframe that starts the cut (less half an audio packet) to now.
        let open = Window { post: Duration::MAX, ..window };
        let key_at = Cut::from_packets(self.preroll.packets(), open).video.first().map(|p| p.at);
        if let (Some(key_at), Some(spill)) = (key_at, pending.spill.as_mut()) {
            let from = ClockTime(key_at.0.saturating_sub(20_000));
            let result = self
                .video
                .size()
                .map_or(Ok(()), |(w, h)| spill.set_size(w, h))
                .and_then(|()| self.preroll.packets().filter(|p| p.at >= from).try_for_each(|p| spill.append(p)));
            if let Err(source) = result {
                pending.failed = Some(SnippetError::Io { path: spill.path().to_path_buf(), source });
            }
        }
        self.pending.push(pending);
    }

    fn spill(&mut self, packet: &Packet) {
        let size = self.video.size();
        for p in &mut self.pending {
            if p.failed.is_some() || packet.at > p.window.end() {
                continue;
            }
            if let Some(spill) = p.spill.as_mut() {
                let result = size.map_or(Ok(()), |(w, h)| spill.set_size(w, h)).and_then(|()| spill.append(packet));
                if let Err(source) = result {
                    p.failed = Some(SnippetError::Io { path: spill.path().to_path_buf(), source });
                }
            }
        }
    }

    fn finish_due(&mut self) {
        let (video, audio) = (self.last_video, self.last_audio);
        let due = |p: &Pending| {
            let end = p.window.end();
            let video_done = video.is_some_and(|v| v > end);
            let audio_done =
                audio.is_none_or(|a| a >= end) || video.is_some_and(|v| v.saturating_sub(end) > Duration::from_secs(1));
            video_done && audio_done
        };
        let (done, waiting): (Vec<Pending>, Vec<Pending>) =
            std::mem::take(&mut self.pending).into_iter().partition(due);
        self.pending = waiting;
        for p in done {
            self.finish(p);
        }
    }

    /// Syncs the spill file and muxes it on a separate thread.
    fn finish(&mut self, p: Pending) {
        let Pending { ticket, tag, spill, failed, .. } = p;
        let outcomes = self.outcomes.clone();
        let spill_path = match (failed, spill) {
            (Some(error), spill) => {
                if let Some(s) = spill {
                    let _ = std::fs::remove_file(s.path());
                }
                let _ = outcomes.send(SnippetOutcome { ticket, tag, result: Err(error) });
                return;
            }
            (None, Some(mut spill)) => match spill.sync() {
                Ok(()) => spill.path().to_path_buf(),
                Err(source) => {
                    let result = Err(SnippetError::Io { path: spill.path().to_path_buf(), source });
                    let _ = outcomes.send(SnippetOutcome { ticket, tag, result });
                    return;
                }
            },
            (None, None) => return,
        };
        let job = move || {
            let (_, result) = spill::finish(&spill_path);
            let _ = outcomes.send(SnippetOutcome { ticket, tag, result });
        };
        match std::thread::Builder::new().name("snippet mux".into()).spawn(job) {
            Ok(handle) => self.finishing.push(handle),
            Err(e) => self.report.last_error = Some(format!("cannot start a mux thread: {e}")),
        }
        self.finishing.retain(|h| !h.is_finished());
    }
}
