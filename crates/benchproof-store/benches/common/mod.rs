//! Helpers shared by the `harness = false` benchmarks: where to work, what disk that is, and
//! percentiles. Every benchmark compares against a named peer measured in the same run.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The parent of the benchmark's work directory: `$BENCH_DIR`, else the system temp dir.
pub fn bench_parent() -> PathBuf {
    match std::env::var_os("BENCH_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => std::env::temp_dir(),
    }
}

/// A fresh work directory (removed on drop) under [`bench_parent`].
pub fn work_dir(name: &str) -> tempfile::TempDir {
    let parent = bench_parent();
    std::fs::create_dir_all(&parent).expect("create BENCH_DIR");
    tempfile::Builder::new().prefix(&format!("benchproof-bench-{name}-")).tempdir_in(&parent).expect("create work dir")
}

/// An unsigned integer from the environment, or `default`.
pub fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        _ => default,
    }
}

/// `findmnt` / `df -T` style description of the filesystem holding `path`.
pub fn describe_fs(path: &Path) -> String {
    let out = Command::new("findmnt").args(["-n", "-o", "SOURCE,FSTYPE,OPTIONS", "-T"]).arg(path).output();
    match out {
        Ok(o) if o.status.success() => {
            String::from_utf8_lossy(&o.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
        }
        _ => "unknown (findmnt not available)".to_owned(),
    }
}

/// Runs `sync(1)`: flushes everything dirty so one run's writeback does not bill the next.
pub fn sync_all_filesystems() {
    let _ = Command::new("sync").status();
}

/// Fast deterministic pseudo-random bytes (xorshift64*), good enough to defeat compression.
#[derive(Debug)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        let last = self.next_u64().to_le_bytes();
        rest.copy_from_slice(&last[..rest.len()]);
    }
}

/// Nearest-rank percentile of sorted durations (`p` in 0..=100).
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    assert!(!sorted.is_empty());
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn today_utc() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

pub fn cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}
