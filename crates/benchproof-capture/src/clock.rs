use std::time::{Duration, Instant};

/// A point on the station clock: microseconds since the clock's origin. Monotonic; shared by
/// every source of one station so that audio and video line up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(pub u64);

impl ClockTime {
    /// The clock's origin.
    pub const ZERO: ClockTime = ClockTime(0);

    /// The time `d` after the origin (saturating at `u64::MAX` µs).
    pub fn from_duration(d: Duration) -> ClockTime {
        ClockTime(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
    }

    /// Time since the origin.
    pub fn as_duration(self) -> Duration {
        Duration::from_micros(self.0)
    }

    /// `self − other`, or zero if `other` is later.
    pub fn saturating_sub(self, other: ClockTime) -> Duration {
        Duration::from_micros(self.0.saturating_sub(other.0))
    }

    /// `self + d`, or `None` on overflow.
    pub fn checked_add(self, d: Duration) -> Option<ClockTime> {
        u64::try_from(d.as_micros()).ok().and_then(|us| self.0.checked_add(us)).map(ClockTime)
    }
}

/// The one monotonic clock of a station. Cheap to clone; clones share the origin.
#[derive(Clone, Copy, Debug)]
pub struct StationClock {
    origin: Instant,
}

impl StationClock {
    /// A clock whose origin is now.
    pub fn new() -> StationClock {
        StationClock { origin: Instant::now() }
    }

    /// The current station time.
    pub fn now(&self) -> ClockTime {
        self.at(Instant::now())
    }

    /// Maps an `Instant` (e.g. when a buffer arrived) onto the station clock.
    pub fn at(&self, instant: Instant) -> ClockTime {
        ClockTime::from_duration(instant.saturating_duration_since(self.origin))
    }

    /// The `Instant` that is station time zero.
    pub fn origin(&self) -> Instant {
        self.origin
    }
}

impl Default for StationClock {
    fn default() -> Self {
        Self::new()
    }
}
