//! Sealing and verifying a large bundle: `seal` and `verify_path` versus `openssl dgst -sha256`
//! over the same media bytes, same run; and the peak memory of each.
//!
//! ```text
//! cargo bench -p benchproof-bundle --bench bundle
//! BENCH_MB=256 BENCH_DIR=/path/on/the/station/disk cargo bench -p benchproof-bundle --bench bundle
//! ```
//!
//! `BENCH_FILES` media files (default 8) of pseudo-random bytes, `BENCH_MB` MiB in all (default
//! 1024), are written under `BENCH_DIR` (default: the system temp dir), and a finished
//! assessment that saved them as snippets is built with fixed keys (as in the golden bundle
//! tests). Then, three rounds each, with the order alternating:
//!
//! 1. `verify_path` of the sealed bundle (trusting the fixed department key) versus
//!    `openssl dgst -sha256 <every media file>`;
//! 2. `seal` of the assessment, media opened from the files, into a new zip on the same
//!    filesystem (no fsync) versus the same `openssl dgst`.
//!
//! Every seal and verify runs in a child process (this program, re-executed with
//! `BENCH_BUNDLE_CHILD=seal|verify`) that times itself and prints its own peak RSS (`VmHWM` from
//! `/proc/self/status`), so the memory figure is that operation's alone. Inputs are read once
//! before each measurement (warm page cache) and `sync` runs between measurements;
//! `BENCH_CACHE=cold` drops the page cache instead (needs root). Goals: verify / openssl >= 0.9,
//! seal / openssl >= 0.8 (medians), peak RSS <= 64 MB for both.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use benchproof_bagit::Limits;
use benchproof_bundle::seal::{seal, SealInput};
use benchproof_bundle::verify::{verify_path, Trust};
use benchproof_domain::digest::Sha256Hasher;
use benchproof_domain::rubric::parse;
use benchproof_domain::{Assessment, AssessmentId, EventBody, EventRecord, Sha256, SnippetId, StepId, Verdict};
use benchproof_evidence::enrolment::Role;

const ROUNDS: usize = 3;
const VERIFY_GOAL: f64 = 0.9;
const SEAL_GOAL: f64 = 0.8;
const MEMORY_GOAL_MB: f64 = 64.0;
const CHILD: &str = "BENCH_BUNDLE_CHILD";
const WORK: &str = "BENCH_BUNDLE_WORK";

// ---------------------------------------------------------------------------------------------
// The deterministic keys, enrolments and times of the golden bundles (tests/it/golden.rs).

#[allow(dead_code)]
#[path = "../tests/it/golden.rs"]
mod golden;

use golden::{enrolment, keys, t, uuid7, RUBRIC};

/// One media file: (SHA-256, size, path).
type Media = (Sha256, u64, PathBuf);

fn assessment(media: &[Media]) -> (Assessment, Vec<EventRecord>) {
    let rubric = parse("test-skill.toml", RUBRIC).expect("rubric");
    let id = AssessmentId::from_uuid(uuid7(1)).expect("id");
    let (mut a, genesis) = Assessment::create(id, rubric, "S-2026-0042", t(0)).expect("create");
    let mut events = vec![genesis];
    let mut push = |a: &mut Assessment, ms: i64, body: EventBody| {
        let r = a.next_record(t(ms), body).expect("record");
        a.apply(&r).expect("apply");
        events.push(r);
    };
    let tick = |step: &str, verdict, level: Option<&str>| EventBody::StepTicked {
        step: StepId::new(step),
        verdict,
        level: level.map(str::to_owned),
        note: None,
    };
    push(&mut a, 1_000, EventBody::Started {});
    push(&mut a, 20_000, tick("safety", Verdict::Pass, None));
    push(&mut a, 90_000, tick("joint", Verdict::Pass, Some("Proficient")));
    for (n, (sha, bytes, _)) in media.iter().enumerate() {
        push(
            &mut a,
            91_000 + n as i64,
            EventBody::SnippetSaved {
                snippet: SnippetId::from_uuid(uuid7(10 + n as u64)).expect("snippet id"),
                step: Some(StepId::new("joint")),
                name: format!("recording {n}.mp4"),
                media_type: "video/mp4".into(),
                sha256: *sha,
                bytes: *bytes,
                captured_at: t(90_000),
            },
        );
    }
    push(&mut a, 120_000, tick("tidy", Verdict::Pass, None));
    push(&mut a, 130_000, tick("label", Verdict::NotApplicable, None));
    push(&mut a, 140_000, EventBody::Finished {});
    (a, events)
}

// ---------------------------------------------------------------------------------------------
// Child side: one seal or one verify, then its own time and peak RSS on stdout.

fn read_media_list(work: &Path) -> Vec<Media> {
    let text = fs::read_to_string(work.join("media.txt")).expect("media.txt");
    text.lines()
        .map(|line| {
            let mut parts = line.splitn(3, ' ');
            let sha = parts.next().expect("sha").parse().expect("hex");
            let bytes = parts.next().expect("bytes").parse().expect("size");
            (sha, bytes, PathBuf::from(parts.next().expect("path")))
        })
        .collect()
}

fn vm_hwm_kb() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn child(mode: &str) {
    let work = PathBuf::from(std::env::var_os(WORK).expect("BENCH_BUNDLE_WORK"));
    let bundle = work.join("bundle.zip");
    let k = keys();
    let seconds = match mode {
        "seal" => {
            let media = read_media_list(&work);
            let (a, events) = assessment(&media);
            let se = enrolment(&k, &k.station, Role::Station, 1, t(86_400_000));
            let pe = enrolment(&k, &k.proctor, Role::Proctor, 2, t(86_400_000));
            let paths: HashMap<Sha256, PathBuf> = media.iter().map(|(s, _, p)| (*s, p.clone())).collect();
            let input = SealInput {
                assessment: &a,
                events: &events,
                rubric_text: RUBRIC,
                station_key: &k.station,
                station_enrolment: &se,
                proctor_key: &k.proctor,
                proctor_enrolment: &pe,
                organization: "Dept. of Electrical Engineering",
                sealed_at: t(150_000),
                software: "benchproof (bundle benchmark)",
            };
            let mut open = |sha: &Sha256| -> std::io::Result<Box<dyn Read>> {
                let path = paths.get(sha).ok_or_else(|| std::io::Error::other("no such media"))?;
                Ok(Box::new(File::open(path)?))
            };
            let start = Instant::now();
            let out = File::create(&bundle).expect("create bundle");
            let (sealed, _out) = seal(&input, &mut open, out).expect("seal");
            let d = start.elapsed();
            eprintln!("sealed {} ({} bytes)", sealed.digest.to_hex(), sealed.zip_bytes);
            d
        }
        "verify" => {
            let trust = Trust { department: k.department.did_key(), revocations: None };
            let start = Instant::now();
            let verified = verify_path(&bundle, Some(&trust), None, Limits::default(), |_| {}).expect("verify");
            let d = start.elapsed();
            assert!(verified.payload_files > 5, "the bundle holds the media");
            d
        }
        other => panic!("{CHILD}={other:?}: expected seal or verify"),
    };
    println!("seconds={} vmhwm_kb={}", seconds.as_secs_f64(), vm_hwm_kb());
}

// ---------------------------------------------------------------------------------------------
// Parent side.

struct ChildRun {
    time: Duration,
    peak_kb: u64,
}

fn run_child(mode: &str, work: &Path) -> ChildRun {
    let out = Command::new(std::env::current_exe().expect("current_exe"))
        .env(CHILD, mode)
        .env(WORK, work)
        .output()
        .expect("run child");
    assert!(out.status.success(), "{mode} child failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().expect("child output");
    let field = |name: &str| {
        line.split_whitespace().find_map(|w| w.strip_prefix(name)).unwrap_or_else(|| panic!("{name} in {line:?}"))
    };
    ChildRun {
        time: Duration::from_secs_f64(field("seconds=").parse().expect("seconds")),
        peak_kb: field("vmhwm_kb=").parse().expect("kb"),
    }
}

fn openssl_version() -> Option<String> {
    let out = Command::new("openssl").arg("version").output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn run_openssl(media: &[Media]) -> Duration {
    let start = Instant::now();
    let out = Command::new("openssl")
        .args(["dgst", "-sha256"])
        .args(media.iter().map(|(_, _, p)| p))
        .output()
        .expect("run openssl");
    let d = start.elapsed();
    assert!(out.status.success(), "openssl failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    for (sha, _, _) in media {
        assert!(text.contains(&sha.to_hex()), "openssl gave a different digest:\n{text}");
    }
    d
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        _ => default,
    }
}

fn bench_parent() -> PathBuf {
    match std::env::var_os("BENCH_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => std::env::temp_dir(),
    }
}

fn sh(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".to_owned())
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}

/// Fast deterministic pseudo-random bytes (xorshift64*), so deflate could not shrink them.
struct XorShift(u64);

impl XorShift {
    fn fill(&mut self, buf: &mut [u8]) {
        for c in buf.chunks_mut(8) {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            let v = x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
    }
}

fn make_media(dir: &Path, total: u64, files: u64) -> Vec<Media> {
    let mut rng = XorShift(0x5eed_cafe_f00d_1234);
    let mut buf = vec![0u8; 1 << 20];
    let mut media = Vec::new();
    let mut list = String::new();
    for i in 0..files {
        let size = total / files + u64::from(i < total % files);
        let path = dir.join(format!("media-{i}.bin"));
        let mut f = File::create(&path).expect("create media");
        let mut h = Sha256Hasher::new();
        let mut left = size;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            rng.fill(&mut buf[..n]);
            h.update(&buf[..n]);
            f.write_all(&buf[..n]).expect("write media");
            left -= n as u64;
        }
        let sha = h.finish();
        list.push_str(&format!("{} {size} {}\n", sha.to_hex(), path.display()));
        media.push((sha, size, path));
    }
    fs::write(dir.join("media.txt"), list).expect("media.txt");
    media
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cache {
    Warm,
    Cold,
}

fn prepare(cache: Cache, inputs: &[&Path]) {
    let _ = Command::new("sync").status();
    match cache {
        Cache::Cold => assert!(fs::write("/proc/sys/vm/drop_caches", "3\n").is_ok(), "drop_caches stopped working"),
        Cache::Warm => {
            let mut buf = vec![0u8; 1 << 20];
            for path in inputs {
                let mut f = File::open(path).expect("open input");
                while f.read(&mut buf).expect("read input") > 0 {}
            }
        }
    }
}

fn mbps(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn best_median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() - 1], v[v.len() / 2])
}

fn sha256_rate() -> f64 {
    let mut buf = vec![0u8; 64 << 20];
    XorShift(7).fill(&mut buf);
    let mut best = 0f64;
    for _ in 0..3 {
        let start = Instant::now();
        let mut h = Sha256Hasher::new();
        for c in buf.chunks(1 << 20) {
            h.update(c);
        }
        std::hint::black_box(h.finish());
        best = best.max(mbps(buf.len() as u64, start.elapsed()));
    }
    best
}

struct Comparison {
    name: &'static str,
    ours: Vec<f64>,
    peer: Vec<f64>,
    peak_kb: u64,
    goal: f64,
}

struct Setup<'a> {
    work: &'a Path,
    media: &'a [Media],
    cache: Cache,
    openssl: bool,
}

/// `ROUNDS` rounds of `mode` versus openssl, the order alternating. `inputs` are what `mode`
/// reads (warmed before each of its runs).
fn compare(name: &'static str, mode: &str, goal: f64, setup: &Setup<'_>, inputs: &[&Path]) -> Comparison {
    let media = setup.media;
    let payload: u64 = media.iter().map(|m| m.1).sum();
    let media_paths: Vec<&Path> = media.iter().map(|m| m.2.as_path()).collect();
    let mut c = Comparison { name, ours: Vec::new(), peer: Vec::new(), peak_kb: 0, goal };
    for round in 0..ROUNDS {
        let ours_first = round % 2 == 1;
        for step in 0..2 {
            if (step == 0) == ours_first {
                if mode == "seal" {
                    // A fresh output file: truncating the old 1 GiB zip is not the seal's work.
                    let _ = fs::remove_file(setup.work.join("bundle.zip"));
                }
                prepare(setup.cache, inputs);
                let run = run_child(mode, setup.work);
                c.peak_kb = c.peak_kb.max(run.peak_kb);
                c.ours.push(mbps(payload, run.time));
                let peak = run.peak_kb as f64 * 1024.0 / 1e6;
                println!(
                    "{:<6} {:<8} {:>9.2} {:>10.1} {:>10.1}",
                    round + 1,
                    mode,
                    run.time.as_secs_f64(),
                    mbps(payload, run.time),
                    peak
                );
            } else if setup.openssl {
                prepare(setup.cache, &media_paths);
                let d = run_openssl(media);
                c.peer.push(mbps(payload, d));
                println!("{:<6} {:<8} {:>9.2} {:>10.1}", round + 1, "openssl", d.as_secs_f64(), mbps(payload, d));
            }
        }
    }
    c
}

fn parent() {
    let mib = env_u64("BENCH_MB", 1024);
    let files = env_u64("BENCH_FILES", 8).max(1);
    let total = mib << 20;
    let parent = bench_parent();
    fs::create_dir_all(&parent).expect("create BENCH_DIR");
    let work = tempfile::Builder::new().prefix("benchproof-bench-bundle-").tempdir_in(&parent).expect("work dir");
    let dir = work.path();

    println!("benchproof-bundle seal/verify benchmark  ({})", sh("date", &["-u", "+%Y-%m-%d %H:%M UTC"]));
    println!("work dir   : {}", dir.display());
    println!("filesystem : {}", sh("findmnt", &["-n", "-o", "SOURCE,FSTYPE,OPTIONS", "-T", &dir.to_string_lossy()]));
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("cpus       : {cpus}   load average at start: {}", loadavg());
    println!("media      : {files} files, {mib} MiB in all ({total} bytes), pseudo-random, stored (not deflated)");
    let openssl = openssl_version();
    match &openssl {
        Some(v) => println!("peer       : openssl dgst -sha256 <the {files} media files>  ({v})"),
        None => println!("peer       : OPENSSL NOT FOUND: the openssl column and the ratios are skipped"),
    }

    let start = Instant::now();
    let media = make_media(dir, total, files);
    println!("media      : written in {:.1} s", start.elapsed().as_secs_f64());
    let start = Instant::now();
    run_child("seal", dir);
    let bundle = dir.join("bundle.zip");
    let zip_bytes = fs::metadata(&bundle).expect("bundle").len();
    println!("bundle     : sealed once in {:.1} s, {zip_bytes} bytes", start.elapsed().as_secs_f64());

    let want_cold = std::env::var("BENCH_CACHE").is_ok_and(|v| v == "cold");
    let cache = if want_cold && fs::write("/proc/sys/vm/drop_caches", "3\n").is_ok() {
        println!("page cache : dropped before every measurement (BENCH_CACHE=cold; inputs read from disk)");
        Cache::Cold
    } else {
        if want_cold {
            println!("page cache : BENCH_CACHE=cold asked, but dropping is not permitted; using warm");
        }
        println!("page cache : inputs read once before every measurement (warm); `sync` between measurements");
        Cache::Warm
    };
    println!("rounds     : {ROUNDS} per comparison, order alternating; seal/verify each in a child process");
    println!();
    println!("{:<6} {:<8} {:>9} {:>10} {:>10}", "round", "tool", "seconds", "MB/s", "peak MB");

    let media_paths: Vec<&Path> = media.iter().map(|m| m.2.as_path()).collect();
    let setup = Setup { work: dir, media: &media, cache, openssl: openssl.is_some() };
    let verify = compare("verify_path", "verify", VERIFY_GOAL, &setup, &[bundle.as_path()]);
    let sealing = compare("seal", "seal", SEAL_GOAL, &setup, &media_paths);
    let _ = Command::new("sync").status();

    println!();
    println!("MB = 10^6 bytes of media (payload); peak = child's VmHWM, MB = 10^6 bytes");
    println!("{:<28} {:>10} {:>12} {:>9} {:>9} {:>9}", "", "best MB/s", "median MB/s", "peak MB", "ratio", "goal");
    let mut peers = Vec::new();
    for c in [&verify, &sealing] {
        let (best, med) = best_median(c.ours.clone());
        let peak = c.peak_kb as f64 * 1024.0 / 1e6;
        let (ratio, verdict) = if c.peer.is_empty() {
            ("-".to_owned(), "no peer".to_owned())
        } else {
            let (_, peer_med) = best_median(c.peer.clone());
            let r = med / peer_med;
            (format!("{r:.2}"), format!(">= {} {}", c.goal, if r >= c.goal { "MET" } else { "NOT MET" }))
        };
        println!("{:<28} {:>10.1} {:>12.1} {:>9.1} {:>9} {:>9}", c.name, best, med, peak, ratio, verdict);
        if !c.peer.is_empty() {
            let (pb, pm) = best_median(c.peer.clone());
            peers.push(format!("openssl (peer of {}): best {pb:.1} MB/s, median {pm:.1} MB/s", c.name));
        }
    }
    for p in peers {
        println!("{p}");
    }
    let worst = verify.peak_kb.max(sealing.peak_kb) as f64 * 1024.0 / 1e6;
    println!(
        "peak memory goal <= {MEMORY_GOAL_MB} MB: {} (worst {worst:.1} MB)",
        if worst <= MEMORY_GOAL_MB { "MET" } else { "NOT MET" }
    );
    println!("ratio = ours median / openssl median, same run");
    println!("SHA-256, one core, in memory (ring, info): {:.0} MB/s", sha256_rate());
    println!("load average at end: {}", loadavg());
}

fn main() {
    match std::env::var(CHILD) {
        Ok(mode) if !mode.is_empty() => child(&mode),
        _ => parent(),
    }
}
