//! Tick → durable latency: `Store::append` of a `step_ticked` event (one IMMEDIATE transaction,
//! WAL, `synchronous = FULL`) versus the physical floor on the same disk, same run.
//!
//! ```text
//! cargo bench -p benchproof-store --bench tick_latency
//! BENCH_TICKS=20000 BENCH_DIR=/path/on/the/station/disk cargo bench -p benchproof-store --bench tick_latency
//! ```
//!
//! Store: a fresh store with a rubric, one assessment, `started`, then `BENCH_TICKS` (default
//! 10,000) ticks built by `Assessment::next_record`, stored by `Store::append` and applied.
//! Only the `append` call is timed: it returns once the event is durable.
//! Floor (the peer): the same number of 4096-byte (one page) `write`s appended to a file in the
//! same directory, each followed by `fdatasync` (`File::sync_data`), each timed the same way.
//! For information, a second floor overwrites pages of a preallocated 4 MiB file in place
//! (what SQLite does once the WAL is reused), `fdatasync` each.
//! The three run in rotating blocks of 1,000 so that load from other processes hits all alike.
//!
//! Appends during which the main database file changed are counted as WAL checkpoints
//! (in WAL mode the database file is written only by checkpoints).
//! `BENCH_DUMP=samples.csv` also writes every sample.
//! Goals: p99 store / p99 floor <= 1.5; the p50 ratio is reported alongside.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use benchproof_domain::rubric;
use benchproof_domain::{Assessment, AssessmentId, EventBody, StepId, Timestamp, Verdict};
use benchproof_store::{Store, DB_FILE};

use common::*;

const RUBRIC: &str = include_str!("../../../assets/rubrics/probe-compensation.toml");
const BLOCK: usize = 1000;
const PAGE: usize = 4096;
const GOAL_P99: f64 = 1.5;
/// Size of the in-place floor's file, in pages (4 MiB, the size of a full default WAL).
const INPLACE_PAGES: u64 = 1024;

fn db_stamp(path: &Path) -> (u64, Option<SystemTime>) {
    let m = fs::metadata(path).expect("stat database");
    (m.len(), m.modified().ok())
}

fn file_len(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The `i`-th tick: a realistic mix of levelled passes, plain passes, fails with a note.
fn tick(i: usize) -> EventBody {
    let (step, verdict, level, note) = match i % 4 {
        0 => ("diagnose-compensation", Verdict::Pass, Some("Competent"), None),
        1 => ("inspect-probe", Verdict::Pass, None, None),
        2 => ("configure-channel", Verdict::Fail, None, Some("Set 1x on the scope while the probe switch is at 10x.")),
        _ => ("use-short-ground", Verdict::Pass, Some("Proficient"), Some("Ground spring fitted without prompting.")),
    };
    EventBody::StepTicked {
        step: StepId::new(step),
        verdict,
        level: level.map(str::to_owned),
        note: note.map(str::to_owned),
    }
}

struct Stats {
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
    mean: Duration,
}

fn stats(samples: &[Duration]) -> Stats {
    let mut s = samples.to_vec();
    s.sort();
    let total: Duration = s.iter().sum();
    Stats {
        p50: percentile(&s, 50.0),
        p90: percentile(&s, 90.0),
        p99: percentile(&s, 99.0),
        max: *s.last().expect("samples"),
        mean: total / s.len() as u32,
    }
}

fn row(name: &str, s: &Stats) {
    println!(
        "{:<38} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
        name,
        ms(s.p50),
        ms(s.p90),
        ms(s.p99),
        ms(s.max),
        ms(s.mean)
    );
}

fn main() {
    let n = env_u64("BENCH_TICKS", 10_000) as usize;
    let work = work_dir("tick");
    let dir = work.path();
    let store_dir = dir.join("store");
    let db = store_dir.join(DB_FILE);
    let wal = store_dir.join(format!("{DB_FILE}-wal"));

    println!("benchproof-store tick latency benchmark  ({})", today_utc());
    println!("work dir   : {}", dir.display());
    println!("filesystem : {}", describe_fs(dir));
    println!("cpus       : {}   load average at start: {}", cpus(), loadavg());
    println!("ticks      : {n}; store, floor and in-place floor in rotating blocks of {BLOCK}");

    // Store setup (untimed).
    let rubric = rubric::parse("probe-compensation.toml", RUBRIC).expect("rubric parses");
    let mut store = Store::open(&store_dir).expect("open store");
    let t0 = Timestamp::from_unix_millis(1_795_927_853_123);
    store.put_rubric(&rubric, RUBRIC, t0).expect("put rubric");
    let db_page: u64 = rusqlite::Connection::open(&db)
        .and_then(|c| c.query_row("PRAGMA page_size", [], |r| r.get(0)))
        .expect("read the store's page size");
    let id = AssessmentId::from_uuid(uuid::Uuid::now_v7()).expect("v7");
    let (mut a, genesis) = Assessment::create(id, rubric, "bench-student-0001", t0).expect("create");
    store.create_assessment(&genesis).expect("store genesis");
    let started = a.next_record(t0.plus_millis(1), EventBody::Started {}).expect("start");
    store.append(&started).expect("append started");
    a.apply(&started).expect("apply started");

    // Floor setup (untimed).
    let floor_path = dir.join("floor.bin");
    let mut floor = OpenOptions::new().create(true).append(true).open(&floor_path).expect("open floor file");
    let mut page = [0u8; PAGE];
    XorShift::new(42).fill(&mut page);
    // Second, informational floor: overwrite pages of a preallocated, fsynced file in place,
    // as SQLite does once its WAL is reused after a checkpoint (no size change to journal).
    let inplace_path = dir.join("floor-inplace.bin");
    let mut inplace = OpenOptions::new().create(true).truncate(true).write(true).open(&inplace_path).expect("open");
    for _ in 0..INPLACE_PAGES {
        inplace.write_all(&page).expect("preallocate");
    }
    inplace.sync_all().expect("sync preallocated file");

    let mut store_lat = Vec::with_capacity(n);
    let mut checkpointed = Vec::with_capacity(n);
    let mut floor_lat = Vec::with_capacity(n);
    let mut inplace_lat = Vec::with_capacity(n);
    let mut wal_growth: Vec<u64> = Vec::new();
    let mut json_bytes = 0usize;
    let mut stamp = db_stamp(&db);

    let mut store_block = |from: usize, to: usize, store_lat: &mut Vec<Duration>| {
        for i in from..to {
            let at = t0.plus_millis(1000 + i as i64 * 1000);
            let rec = a.next_record(at, tick(i)).expect("tick is legal");
            json_bytes += rec.to_json_line().len();
            let wal_before = file_len(&wal);
            let t = Instant::now();
            store.append(&rec).expect("append tick");
            store_lat.push(t.elapsed());
            let now = db_stamp(&db);
            checkpointed.push(now != stamp);
            stamp = now;
            let wal_after = file_len(&wal);
            if wal_after > wal_before {
                wal_growth.push(wal_after - wal_before);
            }
            a.apply(&rec).expect("apply tick");
        }
    };
    let mut floor_block = |count: usize, floor_lat: &mut Vec<Duration>| {
        for _ in 0..count {
            let t = Instant::now();
            floor.write_all(&page).expect("write floor page");
            floor.sync_data().expect("fdatasync floor");
            floor_lat.push(t.elapsed());
        }
    };
    let mut k = 0u64;
    let mut inplace_block = |count: usize, inplace_lat: &mut Vec<Duration>| {
        for _ in 0..count {
            let off = (k % INPLACE_PAGES) * PAGE as u64;
            k += 1;
            let t = Instant::now();
            inplace.write_all_at(&page, off).expect("overwrite page");
            inplace.sync_data().expect("fdatasync in place");
            inplace_lat.push(t.elapsed());
        }
    };

    sync_all_filesystems();
    let mut block = 0;
    let mut done = 0;
    while done < n {
        let to = (done + BLOCK).min(n);
        // Rotate the order of the three so that none always runs first or last.
        for phase in 0..3 {
            match (phase + block) % 3 {
                0 => floor_block(to - done, &mut floor_lat),
                1 => store_block(done, to, &mut store_lat),
                _ => inplace_block(to - done, &mut inplace_lat),
            }
        }
        done = to;
        block += 1;
    }
    assert_eq!(a.last_seq as usize, n + 2);
    assert_eq!(store.summary(id).expect("summary").events as usize, n + 2);

    if let Some(path) = std::env::var_os("BENCH_DUMP") {
        // Raw samples, for plotting: which,index,microseconds,checkpoint
        let mut out = String::from("which,index,us,checkpoint\n");
        for (i, d) in store_lat.iter().enumerate() {
            out += &format!("store,{i},{},{}\n", d.as_micros(), checkpointed[i] as u8);
        }
        for (i, d) in floor_lat.iter().enumerate() {
            out += &format!("floor,{i},{},0\n", d.as_micros());
        }
        for (i, d) in inplace_lat.iter().enumerate() {
            out += &format!("inplace,{i},{},0\n", d.as_micros());
        }
        fs::write(&path, out).expect("write BENCH_DUMP");
    }
    let s = stats(&store_lat);
    let f = stats(&floor_lat);
    let ck: Vec<Duration> = store_lat.iter().zip(&checkpointed).filter(|(_, c)| **c).map(|(d, _)| *d).collect();
    let no_ck: Vec<Duration> = store_lat.iter().zip(&checkpointed).filter(|(_, c)| !**c).map(|(d, _)| *d).collect();
    let frames_per_tick = if wal_growth.is_empty() {
        0.0
    } else {
        wal_growth.iter().sum::<u64>() as f64 / wal_growth.len() as f64 / (db_page as f64 + 24.0)
    };

    println!();
    println!("milliseconds, each sample one call; floor = {PAGE}-byte append + fdatasync");
    println!("{:<38} {:>8} {:>8} {:>8} {:>8} {:>8}", "", "p50", "p90", "p99", "max", "mean");
    row("floor: write 4 KiB + fdatasync (peer)", &f);
    let fi = stats(&inplace_lat);
    row("floor in place (info): overwrite+fdsync", &fi);
    row("Store::append (tick, durable)", &s);
    if !ck.is_empty() {
        row("  of which checkpointing appends", &stats(&ck));
    }
    if !no_ck.is_empty() {
        row("  of which other appends", &stats(&no_ck));
    }
    let r99 = ms(s.p99) / ms(f.p99);
    let r50 = ms(s.p50) / ms(f.p50);
    println!(
        "{:<38} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
        "ratio store / floor",
        r50,
        ms(s.p90) / ms(f.p90),
        r99,
        ms(s.max) / ms(f.max),
        ms(s.mean) / ms(f.mean)
    );
    println!(
        "{:<38} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
        "ratio store / floor in place (info)",
        ms(s.p50) / ms(fi.p50),
        ms(s.p90) / ms(fi.p90),
        ms(s.p99) / ms(fi.p99),
        ms(s.max) / ms(fi.max),
        ms(s.mean) / ms(fi.mean)
    );
    println!();
    println!(
        "event record: {:.0} bytes of JSON per tick on average; WAL grows {:.1} frames ({}-byte pages) per tick before reuse",
        json_bytes as f64 / n as f64,
        frames_per_tick,
        db_page
    );
    let ck_share = ck.len() as f64 / n as f64 * 100.0;
    let ck_time: Duration = ck.iter().sum();
    let all_time: Duration = store_lat.iter().sum();
    println!(
        "appends during a WAL checkpoint (run in the background): {} of {} appends ({:.2}%, one every ~{:.0} ticks), {:.1}% of total append time",
        ck.len(),
        n,
        ck_share,
        if ck.is_empty() { 0.0 } else { n as f64 / ck.len() as f64 },
        ck_time.as_secs_f64() / all_time.as_secs_f64() * 100.0
    );
    if !ck.is_empty() && !no_ck.is_empty() {
        let p99_no_ck = stats(&no_ck).p99;
        let worse = ck_share >= 1.0 || ms(s.p99) > 1.2 * ms(p99_no_ck);
        println!(
            "  p99 without checkpointing appends: {:.3} ms ({:.2}x floor p99){}",
            ms(p99_no_ck),
            ms(p99_no_ck) / ms(f.p99),
            if worse {
                "  -> p99 IS dominated by appends that overlap a WAL checkpoint"
            } else {
                "  -> p99 is not dominated by checkpoints"
            }
        );
    }
    println!("goal p99 store/floor <= {GOAL_P99}: {}", if r99 <= GOAL_P99 { "MET" } else { "NOT MET" });
    println!("p50 ratio store/floor: {r50:.2}");
    println!("load average at end: {}", loadavg());
    drop(floor);
}
