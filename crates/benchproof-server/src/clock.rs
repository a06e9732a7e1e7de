//! The server's clock: wall time plus an offset that tests can move forward, so expiry and
//! signature windows are tested without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Wall-clock time, shifted by an adjustable offset (zero in production).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock, unshifted.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        wall + self.offset_ms.load(Ordering::SeqCst)
    }

    /// Seconds since the Unix epoch.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
}

/// RFC 3339 UTC with second precision (`2026-11-29T10:00:00Z`).
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// RFC 9110 IMF-fixdate (`Sun, 29 Nov 2026 10:00:00 GMT`), as `Upload-Expires` uses.
pub fn http_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(rfc3339(1_795_927_853_000), "2026-11-29T04:50:53Z");
        assert_eq!(http_date(1_795_927_853_000), "Sun, 29 Nov 2026 04:50:53 GMT");
    }

    #[test]
    fn advance_moves_clones() {
        let c = Clock::system();
        let d = c.clone();
        let before = d.now_secs();
        c.advance(Duration::from_secs(3600));
        assert!(d.now_secs() >= before + 3600);
    }
}
