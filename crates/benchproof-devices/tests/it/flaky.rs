//! Device loss and return at the source trait: a scriptable test double (`Flaky`) run under the
//! real supervisor, with every wait driven by events (deadlines only guard against hangs).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use benchproof_capture::{
    PixelFormat, Source, SourceEvent, SourceHandle, SourceInfo, SourceKind, SourceSink, StationClock, VideoFrame,
};
use benchproof_devices::{Attach, Backoff, Delivery, DeviceMonitor, DeviceNotice, Feed, Policy, Supervised};

/// Short periods so that the tests run quickly; nothing asserts on them.
const FAST: Policy = Policy {
    stall_after: Duration::from_millis(200),
    start_grace: Duration::from_millis(300),
    poll: Duration::from_millis(20),
    backoff: Backoff { first: Duration::from_millis(30), max: Duration::from_millis(120) },
    open_timeout: Duration::from_secs(10),
};

/// Generous: only there so that a broken supervisor fails instead of hanging the suite.
const DEADLINE: Duration = Duration::from_secs(30);

/// What the test double does right now; flipped by the test.
#[derive(Default)]
struct Switchboard {
    /// `attach` fails while false (unplugged).
    present: AtomicBool,
    /// The feed delivers frames while true, else stays silent (a stall).
    delivering: AtomicBool,
    /// The next `Feed::next` fails with this reason (a read error).
    fail_next: Mutex<Option<String>>,
    attaches: AtomicU64,
    attempts: AtomicU64,
    served: AtomicU64,
}

impl Switchboard {
    fn new() -> Arc<Switchboard> {
        let s = Switchboard::default();
        s.present.store(true, Ordering::SeqCst);
        s.delivering.store(true, Ordering::SeqCst);
        Arc::new(s)
    }
}

struct Flaky(Arc<Switchboard>);
struct FlakyFeed(Arc<Switchboard>, StationClock);

impl Attach for Flaky {
    type Feed = FlakyFeed;

    fn attach(&mut self, clock: &StationClock) -> Result<FlakyFeed, String> {
        self.0.attempts.fetch_add(1, Ordering::SeqCst);
        if !self.0.present.load(Ordering::SeqCst) {
            return Err("no such device".to_string());
        }
        self.0.attaches.fetch_add(1, Ordering::SeqCst);
        Ok(FlakyFeed(self.0.clone(), *clock))
    }
}

impl Feed for FlakyFeed {
    fn next(&mut self, timeout: Duration) -> Delivery {
        if let Some(reason) = self.0.fail_next.lock().unwrap().take() {
            return Delivery::Failed(reason);
        }
        if !self.0.delivering.load(Ordering::SeqCst) {
            std::thread::sleep(timeout);
            return Delivery::Idle;
        }
        std::thread::sleep(Duration::from_millis(2).min(timeout));
        self.0.served.fetch_add(1, Ordering::SeqCst);
        let frame = VideoFrame {
            at: self.1.now(),
            seq: u64::MAX, // the supervisor numbers frames
            width: 2,
            height: 2,
            format: PixelFormat::Yuyv,
            data: vec![0; 8],
        };
        Delivery::Media(SourceEvent::Video(frame))
    }
}

fn source(id: &str, board: &Arc<Switchboard>) -> Box<dyn Source> {
    let info =
        SourceInfo { id: id.to_string(), label: format!("flaky {id}"), kind: SourceKind::Camera, simulated: true };
    Box::new(Supervised::new(info, Flaky(board.clone()), FAST))
}

fn start(id: &str, board: &Arc<Switchboard>, capacity: usize) -> (SourceHandle, Receiver<SourceEvent>) {
    let (tx, rx) = mpsc::sync_channel(capacity);
    let handle = source(id, board).start(StationClock::new(), SourceSink::new(tx)).expect("start");
    (handle, rx)
}

/// Receives until `want` matches, returning everything received (the match last).
fn until(rx: &Receiver<SourceEvent>, what: &str, want: impl Fn(&SourceEvent) -> bool) -> Vec<SourceEvent> {
    let deadline = Instant::now() + DEADLINE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.checked_duration_since(Instant::now()).unwrap_or_else(|| panic!("no {what} came"));
        let event = rx.recv_timeout(left).unwrap_or_else(|_| panic!("no {what} came"));
        let done = want(&event);
        seen.push(event);
        if done {
            return seen;
        }
    }
}

fn wait_for(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !condition() {
        assert!(Instant::now() < deadline, "{what} did not happen");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn is_media(e: &SourceEvent) -> bool {
    matches!(e, SourceEvent::Video(_) | SourceEvent::Audio(_))
}

fn notices(events: &[SourceEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Lost { reason } => Some(format!("lost: {reason}")),
            SourceEvent::Restored => Some("restored".to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_stall_is_lost_once_then_restored_when_frames_flow_again() {
    let board = Switchboard::new();
    let (handle, rx) = start("cam", &board, 64);
    let mut events = until(&rx, "first frame", is_media);

    board.delivering.store(false, Ordering::SeqCst);
    events.extend(until(&rx, "Lost", |e| matches!(e, SourceEvent::Lost { .. })));
    // While silent it keeps reopening; each reopen that stays silent must not be a new Lost.
    wait_for("three reopenings", || board.attaches.load(Ordering::SeqCst) >= 4);
    board.delivering.store(true, Ordering::SeqCst);
    events.extend(until(&rx, "Restored", |e| matches!(e, SourceEvent::Restored)));
    events.extend(until(&rx, "a frame after Restored", is_media));
    handle.stop();

    assert_eq!(notices(&events), ["lost: stalled: nothing delivered for 0.2 s", "restored"]);
    let seqs: Vec<u64> =
        events.iter().filter_map(|e| if let SourceEvent::Video(f) = e { Some(f.seq) } else { None }).collect();
    assert_eq!(seqs, (0..seqs.len() as u64).collect::<Vec<_>>(), "frames are numbered across reopenings");
}

#[test]
fn an_unplug_is_lost_with_its_reason_and_retried_until_the_device_returns() {
    let board = Switchboard::new();
    let (handle, rx) = start("cam", &board, 64);
    until(&rx, "first frame", is_media);

    board.present.store(false, Ordering::SeqCst);
    *board.fail_next.lock().unwrap() = Some("No such device (os error 19)".to_string());
    let lost = until(&rx, "Lost", |e| matches!(e, SourceEvent::Lost { .. }));
    let attempts = board.attempts.load(Ordering::SeqCst);
    wait_for("retries while unplugged", || board.attempts.load(Ordering::SeqCst) >= attempts + 3);
    board.present.store(true, Ordering::SeqCst);
    let back = until(&rx, "Restored", |e| matches!(e, SourceEvent::Restored));
    handle.stop();

    assert_eq!(notices(&lost), ["lost: No such device (os error 19)"]);
    assert_eq!(notices(&back), ["restored"]);
}

#[test]
fn other_sources_keep_running_while_one_is_lost() {
    let (a, b) = (Switchboard::new(), Switchboard::new());
    let (handle_a, rx_a) = start("camera:a", &a, 64);
    let (handle_b, rx_b) = start("camera:b", &b, 64);
    until(&rx_a, "a frame from a", is_media);
    until(&rx_b, "a frame from b", is_media);

    a.present.store(false, Ordering::SeqCst);
    *a.fail_next.lock().unwrap() = Some("unplugged".to_string());
    let mut monitor = DeviceMonitor::new();
    let mut notices = Vec::new();
    for event in until(&rx_a, "Lost from a", |e| matches!(e, SourceEvent::Lost { .. })) {
        notices.extend(monitor.observe("camera:a", &event));
    }
    // b keeps delivering, in order, while a is gone.
    let served = b.served.load(Ordering::SeqCst);
    wait_for("b to serve 20 more frames", || b.served.load(Ordering::SeqCst) >= served + 20);
    assert!(monitor.is_lost("camera:a"));
    let mut last_seq = None;
    while let Ok(event) = rx_b.try_recv() {
        assert!(monitor.observe("camera:b", &event).is_none(), "b must not be lost");
        if let SourceEvent::Video(frame) = event {
            assert!(last_seq.is_none_or(|s| frame.seq == s + 1), "b's frames stay in order");
            last_seq = Some(frame.seq);
        }
    }
    assert!(last_seq.is_some(), "b delivered while a was lost");

    a.present.store(true, Ordering::SeqCst);
    for event in until(&rx_a, "Restored from a", |e| matches!(e, SourceEvent::Restored)) {
        notices.extend(monitor.observe("camera:a", &event));
    }
    handle_a.stop();
    handle_b.stop();
    assert_eq!(
        notices,
        [
            DeviceNotice::Lost { device: "camera:a".into(), reason: "unplugged".into() },
            DeviceNotice::Restored { device: "camera:a".into() }
        ]
    );
}

#[test]
fn notices_survive_a_full_channel() {
    let board = Switchboard::new();
    // One slot, and nobody reads until the outage is over: media is dropped, notices are not.
    let (handle, rx) = start("cam", &board, 1);
    wait_for("frames to be offered", || board.served.load(Ordering::SeqCst) >= 5);
    board.delivering.store(false, Ordering::SeqCst);
    let attaches = board.attaches.load(Ordering::SeqCst);
    wait_for("a reopen after the stall", || board.attaches.load(Ordering::SeqCst) > attaches);
    board.delivering.store(true, Ordering::SeqCst);
    let served = board.served.load(Ordering::SeqCst);
    wait_for("frames after the reopen", || board.served.load(Ordering::SeqCst) >= served + 5);

    let events = until(&rx, "Restored", |e| matches!(e, SourceEvent::Restored));
    let frames_after = until(&rx, "a frame after Restored", is_media);
    handle.stop();
    assert_eq!(notices(&events), ["lost: stalled: nothing delivered for 0.2 s", "restored"]);
    let SourceEvent::Video(frame) = &frames_after[0] else { panic!("expected a frame") };
    assert!(frame.seq > 5, "frames offered while the channel was full were counted (seq {})", frame.seq);
}

#[test]
fn start_fails_with_the_devices_words_when_it_cannot_open() {
    let board = Switchboard::new();
    board.present.store(false, Ordering::SeqCst);
    let (tx, _rx) = mpsc::sync_channel(4);
    let err = source("camera:gone", &board).start(StationClock::new(), SourceSink::new(tx)).unwrap_err();
    assert_eq!(err.to_string(), "camera:gone: no such device");
}

#[test]
fn a_source_stops_when_its_consumer_goes_away() {
    let board = Switchboard::new();
    let (handle, rx) = start("cam", &board, 4);
    until(&rx, "first frame", is_media);
    drop(rx);
    // The thread notices the closed channel on its next offer and ends; stopping then joins at once.
    let served = board.served.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(50));
    handle.stop();
    assert!(board.served.load(Ordering::SeqCst) <= served + 2, "it kept reading after the consumer left");
}
