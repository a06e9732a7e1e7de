//! Snippet ingest throughput: `Store::ingest_media` versus `dd bs=1M conv=fsync`, same file,
//! same filesystem, same run.
//!
//! ```text
//! cargo bench -p benchproof-store --bench ingest
//! BENCH_MB=1024 BENCH_DIR=/path/on/the/station/disk cargo bench -p benchproof-store --bench ingest
//! ```
//!
//! A pseudo-random source file of `BENCH_MB` MiB (default 512) is written under `BENCH_DIR`
//! (default: the system temp dir). Then, three rounds with the order alternating:
//! (a) `dd if=src of=dd.out bs=1M conv=fsync` as a subprocess, (b) `Store::ingest_media` of
//! the same file into a fresh store. Both include their final fsync; both outputs are deleted
//! and `sync` is run between measurements. If the page cache can be dropped
//! (`/proc/sys/vm/drop_caches`, needs root) it is dropped before every measurement (cold
//! source); otherwise the source is read once before every measurement (warm source).
//! The output says which; `BENCH_CACHE=warm` forces the warm variant. Goal: store / dd >= 0.7 on the median.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use benchproof_domain::digest::Sha256Hasher;
use benchproof_domain::{Sha256, Timestamp};
use benchproof_store::Store;

use common::*;

const ROUNDS: usize = 3;
const GOAL: f64 = 0.7;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cache {
    Dropped,
    Warm,
}

fn drop_caches() -> bool {
    sync_all_filesystems();
    fs::write("/proc/sys/vm/drop_caches", "3\n").is_ok()
}

fn read_through(path: &Path) {
    let mut f = File::open(path).expect("open source");
    let mut buf = vec![0u8; 1 << 20];
    while f.read(&mut buf).expect("read source") > 0 {}
}

fn prepare(cache: Cache, src: &Path) {
    sync_all_filesystems();
    match cache {
        Cache::Dropped => assert!(drop_caches(), "drop_caches worked once but not now"),
        Cache::Warm => read_through(src),
    }
}

fn make_source(path: &Path, bytes: u64) {
    let mut f = File::create(path).expect("create source");
    let mut rng = XorShift::new(0x5eed_cafe_f00d_1234);
    let mut buf = vec![0u8; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(buf.len() as u64) as usize;
        rng.fill(&mut buf[..n]);
        f.write_all(&buf[..n]).expect("write source");
        left -= n as u64;
    }
    f.sync_all().expect("sync source");
}

fn run_dd(src: &Path, out: &Path) -> Duration {
    let t = Instant::now();
    let status = Command::new("dd")
        .arg(format!("if={}", src.display()))
        .arg(format!("of={}", out.display()))
        .args(["bs=1M", "conv=fsync", "status=none"])
        .status()
        .expect("run dd");
    let d = t.elapsed();
    assert!(status.success(), "dd failed: {status}");
    d
}

fn run_store(src: &Path, store_dir: &Path, bytes: u64, at: Timestamp) -> (Duration, Sha256) {
    let store = Store::open(store_dir).expect("open store");
    let t = Instant::now();
    let r = store.ingest_media(File::open(src).expect("open source"), at).expect("ingest");
    let d = t.elapsed();
    assert_eq!(r.bytes, bytes, "ingest stored a different length");
    (d, r.sha256)
}

fn mbps(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn best_median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() - 1], v[v.len() / 2])
}

/// One core's SHA-256 rate over an in-memory buffer: what the hashing thread can keep up with.
fn sha256_rate() -> f64 {
    let mut buf = vec![0u8; 64 << 20];
    XorShift::new(7).fill(&mut buf);
    let mut best = 0f64;
    for _ in 0..3 {
        let t = Instant::now();
        let mut h = Sha256Hasher::new();
        for c in buf.chunks(1 << 20) {
            h.update(c);
        }
        std::hint::black_box(h.finish());
        best = best.max(mbps(buf.len() as u64, t.elapsed()));
    }
    best
}

fn main() {
    let mib = env_u64("BENCH_MB", 512);
    let bytes = mib << 20;
    let work = work_dir("ingest");
    let dir = work.path();
    let src = dir.join("source.bin");
    let dd_out = dir.join("dd.out");

    println!("benchproof-store ingest benchmark  ({})", today_utc());
    println!("work dir   : {}", dir.display());
    println!("filesystem : {}", describe_fs(dir));
    println!("cpus       : {}   load average at start: {}", cpus(), loadavg());
    println!("size       : {mib} MiB ({bytes} bytes), {ROUNDS} rounds, order alternating");

    let t = Instant::now();
    make_source(&src, bytes);
    println!("source     : written and fsynced in {:.1} s", t.elapsed().as_secs_f64());

    let want_warm = std::env::var("BENCH_CACHE").is_ok_and(|v| v == "warm");
    let cache = if !want_warm && drop_caches() { Cache::Dropped } else { Cache::Warm };
    match cache {
        Cache::Dropped => println!("page cache : dropped before every measurement (cold source, read from disk)"),
        Cache::Warm if want_warm => {
            println!("page cache : BENCH_CACHE=warm; source read once before every measurement (warm source)")
        }
        Cache::Warm => println!(
            "page cache : could not drop (no permission); source read once before every measurement (warm source)"
        ),
    }
    println!();

    let at = Timestamp::from_unix_millis(1_795_927_853_123);
    let mut dd = Vec::new();
    let mut st = Vec::new();
    let mut digest = None;
    println!("{:<6} {:<8} {:>9} {:>10}", "round", "tool", "seconds", "MB/s");
    for round in 0..ROUNDS {
        let store_first = round % 2 == 1;
        for step in 0..2 {
            let do_store = (step == 0) == store_first;
            prepare(cache, &src);
            if do_store {
                let store_dir = dir.join(format!("store-{round}"));
                let (d, sha) = run_store(&src, &store_dir, bytes, at);
                if let Some(prev) = digest {
                    assert_eq!(prev, sha, "same bytes, different digest");
                }
                digest = Some(sha);
                st.push(mbps(bytes, d));
                println!("{:<6} {:<8} {:>9.2} {:>10.1}", round + 1, "store", d.as_secs_f64(), mbps(bytes, d));
                fs::remove_dir_all(&store_dir).expect("remove store");
            } else {
                let d = run_dd(&src, &dd_out);
                dd.push(mbps(bytes, d));
                println!("{:<6} {:<8} {:>9.2} {:>10.1}", round + 1, "dd", d.as_secs_f64(), mbps(bytes, d));
                fs::remove_file(&dd_out).expect("remove dd.out");
            }
        }
    }
    sync_all_filesystems();

    let (dd_best, dd_med) = best_median(dd);
    let (st_best, st_med) = best_median(st);
    let ratio_med = st_med / dd_med;
    let ratio_best = st_best / dd_best;
    println!();
    println!("MB = 10^6 bytes; each time includes the final fsync (dd conv=fsync; store: file + dir + row)");
    println!("{:<34} {:>12} {:>12}", "", "best MB/s", "median MB/s");
    println!("{:<34} {:>12.1} {:>12.1}", "dd bs=1M conv=fsync (peer)", dd_best, dd_med);
    println!("{:<34} {:>12.1} {:>12.1}", "Store::ingest_media", st_best, st_med);
    println!("{:<34} {:>12.2} {:>12.2}", "ratio store / dd", ratio_best, ratio_med);
    println!("SHA-256, one core, in memory (info): {:.0} MB/s", sha256_rate());
    println!("goal: store/dd >= {GOAL} (median): {}", if ratio_med >= GOAL { "MET" } else { "NOT MET" });
    println!("load average at end: {}", loadavg());
}
