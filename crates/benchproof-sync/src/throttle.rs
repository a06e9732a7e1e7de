//! A token bucket for the optional bandwidth cap, and a reader that obeys it.
//!
//! Invariant: over any interval the bytes released never exceed `rate · seconds + burst`.

use std::io::Read;
use std::time::{Duration, Instant};

/// A token bucket refilled at `rate` bytes per second up to `burst` bytes.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: u64,
    burst: u64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`. `burst` is at least 1 byte.
    pub fn new(rate_bytes_per_second: u64, burst: u64, now: Instant) -> Self {
        let burst = burst.max(1);
        TokenBucket { rate: rate_bytes_per_second.max(1), burst, tokens: burst as f64, last: now }
    }

    /// Takes up to `wanted` bytes at `now`: returns how many may go now (at least 1 when the
    /// bucket holds a whole token) or, when it is empty, how long to wait.
    pub fn take(&mut self, wanted: usize, now: Instant) -> Result<usize, Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate as f64).min(self.burst as f64);
        if self.tokens < 1.0 {
            return Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate as f64));
        }
        let granted = (self.tokens.floor() as usize).min(wanted);
        self.tokens -= granted as f64;
        Ok(granted)
    }
}

/// A reader that releases bytes no faster than its bucket allows (sleeping as needed), counts
/// them, and reports them.
pub(crate) struct MeteredReader<'a, R> {
    pub inner: R,
    pub bucket: Option<&'a mut TokenBucket>,
    pub read: u64,
    pub on_read: &'a mut dyn FnMut(u64),
}

impl<R: Read> Read for MeteredReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut allowed = buf.len();
        if let Some(bucket) = self.bucket.as_deref_mut() {
            loop {
                match bucket.take(buf.len().min(64 * 1024), Instant::now()) {
                    Ok(n) => {
                        allowed = n;
                        break;
                    }
                    Err(wait) => std::thread::sleep(wait),
                }
            }
        }
        let n = self.inner.read(&mut buf[..allowed])?;
        self.read += n as u64;
        (self.on_read)(self.read);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_never_releases_more_than_rate_plus_burst() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(1000, 100, start);
        let mut released = 0u64;
        // Simulated clock: ask every 7 ms for 10 simulated seconds.
        for step in 0..=1428u64 {
            let now = start + Duration::from_millis(step * 7);
            while let Ok(n) = bucket.take(50, now) {
                released += n as u64;
                if n == 0 {
                    break;
                }
            }
        }
        let seconds = 1428.0 * 7.0 / 1000.0;
        assert!(released as f64 <= 1000.0 * seconds + 100.0, "released {released}");
        assert!(released as f64 >= 1000.0 * seconds - 100.0, "starved: released {released}");
    }

    #[test]
    fn empty_bucket_says_how_long_to_wait() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(100, 10, start);
        assert_eq!(bucket.take(10, start), Ok(10));
        let wait = bucket.take(1, start).unwrap_err();
        assert_eq!(wait, Duration::from_millis(10));
        assert_eq!(bucket.take(1, start + wait), Ok(1));
    }
}
