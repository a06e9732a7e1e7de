//! The pre-roll: encoded packets of the last N seconds, bounded in time and in bytes.
//!
//! Invariants, after every [`Preroll::push`]:
//! - `bytes() <= limits.max_bytes` and `span() <= limits.max_duration`;
//! - the first video packet held is a keyframe (whole GOPs are evicted from the front, and video
//!   that arrives with no keyframe to start from is dropped until the next keyframe);
//! - packets keep their arrival order.
//!
//! `push` never blocks and never fails: the pre-roll only ever forgets old media.

use std::collections::VecDeque;
use std::time::Duration;

use crate::{ClockTime, Packet, Track};

/// How much a [`Preroll`] may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrerollLimits {
    /// Station-clock span from the oldest to the newest packet held.
    pub max_duration: Duration,
    /// Sum of [`Packet::cost`] of the packets held.
    pub max_bytes: usize,
}

impl Default for PrerollLimits {
    /// 60 s, 64 MiB: a minute of 720p at 2.5 Mbit/s is about 19 MB, so time is the usual bound.
    fn default() -> Self {
        PrerollLimits { max_duration: Duration::from_secs(60), max_bytes: 64 << 20 }
    }
}

/// The ring buffer of encoded packets.
#[derive(Debug)]
pub struct Preroll {
    limits: PrerollLimits,
    packets: VecDeque<Packet>,
    bytes: usize,
    /// The newest time seen; the span is measured back from here.
    newest: ClockTime,
    /// True while video is being dropped because no keyframe has been kept yet.
    waiting_for_key: bool,
}

impl Preroll {
    /// An empty pre-roll.
    pub fn new(limits: PrerollLimits) -> Preroll {
        Preroll { limits, packets: VecDeque::new(), bytes: 0, newest: ClockTime::ZERO, waiting_for_key: true }
    }

    /// The limits this pre-roll keeps.
    pub fn limits(&self) -> PrerollLimits {
        self.limits
    }

    /// Adds `packet` and evicts from the front until the limits hold again.
    pub fn push(&mut self, packet: Packet) {
        if packet.track == Track::Video {
            if packet.keyframe {
                self.waiting_for_key = false;
            } else if self.waiting_for_key {
                return;
            }
        }
        self.newest = self.newest.max(packet.at);
        self.bytes += packet.cost();
        self.packets.push_back(packet);
        while !self.packets.is_empty() && (self.bytes > self.limits.max_bytes || self.span() > self.limits.max_duration)
        {
            self.evict_front_gop();
        }
        if !self.packets.iter().any(|p| p.track == Track::Video) {
            self.waiting_for_key = true;
        }
    }

    /// Removes the first packet, then everything up to (not including) the next video keyframe.
    fn evict_front_gop(&mut self) {
        self.pop_front();
        while let Some(front) = self.packets.front() {
            if front.is_video_keyframe() {
                break;
            }
            self.pop_front();
        }
    }

    fn pop_front(&mut self) {
        if let Some(p) = self.packets.pop_front() {
            self.bytes -= p.cost();
        }
    }

    /// The packets held, oldest first.
    pub fn packets(&self) -> impl Iterator<Item = &Packet> + '_ {
        self.packets.iter()
    }

    /// Number of packets held.
    pub fn len(&self) -> usize {
        self.packets.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// Sum of [`Packet::cost`] of the packets held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Station-clock time from the oldest packet held to the newest time seen.
    pub fn span(&self) -> Duration {
        self.packets.iter().map(|p| p.at).min().map_or(Duration::ZERO, |oldest| self.newest.saturating_sub(oldest))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn video(at_ms: u64, keyframe: bool, len: usize) -> Packet {
        Packet { track: Track::Video, at: ClockTime(at_ms * 1000), keyframe, data: vec![0; len] }
    }

    #[test]
    fn evicts_whole_gops_and_starts_at_a_keyframe() {
        let mut p = Preroll::new(PrerollLimits { max_duration: Duration::from_millis(250), max_bytes: usize::MAX });
        for i in 0..10 {
            p.push(video(i * 100, i % 3 == 0, 10));
        }
        // Frames 0..=9 at 100 ms; keyframes at 0, 3, 6, 9. Span ≤ 250 ms keeps only the GOP at 9.
        let times: Vec<u64> = p.packets().map(|p| p.at.0 / 1000).collect();
        assert_eq!(times, vec![900]);
        assert!(p.packets().next().unwrap().keyframe);
    }

    #[test]
    fn video_before_the_first_keyframe_is_dropped() {
        let mut p = Preroll::new(PrerollLimits::default());
        p.push(video(0, false, 10));
        assert!(p.is_empty());
        p.push(video(33, true, 10));
        p.push(video(66, false, 10));
        assert_eq!(p.len(), 2);
    }

    #[derive(Clone, Debug)]
    enum Step {
        Video { gap_ms: u64, keyframe: bool, len: usize },
        Audio { gap_ms: u64, len: usize },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0u64..60, prop::bool::weighted(0.15), 1usize..5000).prop_map(|(gap_ms, keyframe, len)| Step::Video {
                gap_ms,
                keyframe,
                len
            }),
            (0u64..30, 1usize..300).prop_map(|(gap_ms, len)| Step::Audio { gap_ms, len }),
        ]
    }

    proptest! {
        #[test]
        fn bounds_order_and_keyframe_start_always_hold(
            steps in prop::collection::vec(step(), 1..400),
            max_ms in 0u64..3000,
            max_bytes in 0usize..60_000,
        ) {
            let limits = PrerollLimits { max_duration: Duration::from_millis(max_ms), max_bytes };
            let mut p = Preroll::new(limits);
            let mut now = 0u64;
            let mut pushed = Vec::new();
            for (i, s) in steps.into_iter().enumerate() {
                let packet = match s {
                    Step::Video { gap_ms, keyframe, len } => { now += gap_ms; Packet { track: Track::Video, at: ClockTime(now * 1000), keyframe, data: vec![i as u8; len] } }
                    Step::Audio { gap_ms, len } => { now += gap_ms; Packet { track: Track::Audio, at: ClockTime(now * 1000), keyframe: false, data: vec![i as u8; len] } }
                };
                pushed.push(packet.clone());
                p.push(packet);
                prop_assert!(p.bytes() <= max_bytes);
                prop_assert!(p.span() <= limits.max_duration);
                prop_assert_eq!(p.bytes(), p.packets().map(Packet::cost).sum::<usize>());
                if let Some(first) = p.packets().find(|q| q.track == Track::Video) {
                    prop_assert!(first.keyframe);
                }
                // What is held is a contiguous-or-gapped subsequence of what was pushed, in order.
                let mut it = pushed.iter();
                for held in p.packets() {
                    prop_assert!(it.any(|q| q == held), "order kept");
                }
            }
        }
    }
}
