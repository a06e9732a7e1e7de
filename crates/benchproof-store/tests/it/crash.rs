//! The crash test: a child process runs assessments and prints each acknowledged event; the
//! test kills it with SIGKILL at random moments, reopens the database, and checks that it is
//! intact, that every acknowledged event is there, that every chain verifies, and that every
//! snippet's bytes are complete.
//!
//! The child is this test binary itself, re-run with `--exact crash::child` and the data
//! directory in `BENCHPROOF_CRASH_CHILD`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use benchproof_domain::{Assessment, AssessmentId, EventBody, EventRecord, Sha256, StepId, Timestamp, Verdict};
use benchproof_store::Store;

use crate::{files_under, new_snippet_id, note, open_store, rubric, tick, Live, XorShift};

const CHILD_ENV: &str = "BENCHPROOF_CRASH_CHILD";
const SEED_ENV: &str = "BENCHPROOF_CRASH_SEED";
const TRIALS: u64 = 50;

/// Not a test on its own: the body of the child process. Returns at once in a normal run.
#[test]
fn child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else { return };
    let seed = std::env::var(SEED_ENV).ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    run_child(Path::new(&dir), seed);
}

fn now() -> Timestamp {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_millis();
    Timestamp::from_unix_millis(ms as i64)
}

/// Runs assessments until killed, printing `ACK <id> <seq>` once each event is durable.
fn run_child(dir: &Path, seed: u64) -> ! {
    let mut rng = XorShift::new(seed);
    let mut store = open_store(dir);
    let mut out = std::io::stdout().lock();
    let mut ack = |r: &EventRecord| {
        if writeln!(out, "ACK {} {}", r.assessment, r.seq).and_then(|()| out.flush()).is_err() {
            std::process::exit(0); // the parent is gone
        }
    };
    let steps = ["safety", "joint", "tidy", "label"];
    for n in 0u64.. {
        let (mut live, genesis) = Live::create(&mut store, &format!("crash-{seed}-{n}"), now()).expect("create");
        ack(&genesis);
        let mut push = |store: &mut Store, body: EventBody| {
            let r = live.push(store, now(), body).expect("append");
            ack(&r);
        };
        push(&mut store, EventBody::Started {});
        for _ in 0..rng.range(1, 12) {
            let step = steps[rng.range(0, 4) as usize];
            let (verdict, level) = match rng.range(0, 3) {
                0 => (Verdict::Fail, None),
                1 if step != "joint" => (Verdict::NotApplicable, None),
                _ => (Verdict::Pass, (step == "joint").then_some("Novice")),
            };
            push(&mut store, tick(step, verdict, level));
            if rng.one_in(4) {
                let len = rng.range(1, 48 * 1024) as usize;
                let data = rng.bytes(len);
                let media = store.ingest_media(&data[..], now()).expect("ingest");
                push(
                    &mut store,
                    EventBody::SnippetSaved {
                        snippet: new_snippet_id(),
                        step: Some(StepId::new(step)),
                        name: format!("{step}.bin"),
                        media_type: "application/octet-stream".into(),
                        sha256: media.sha256,
                        bytes: media.bytes,
                        captured_at: now(),
                    },
                );
            }
        }
        match rng.range(0, 6) {
            0..=2 => {
                push(&mut store, EventBody::Finished {});
                if rng.one_in(2) {
                    push(&mut store, EventBody::Sealed { bundle_sha256: Sha256::of(&n.to_le_bytes()) });
                }
            }
            3 => push(&mut store, EventBody::Abandoned { reason: "crash test".into() }),
            _ => push(&mut store, note("left running")),
        }
    }
    unreachable!("the child runs until it is killed")
}

/// What one killed child acknowledged, and what it said on stderr.
struct Run {
    acks: Vec<(AssessmentId, u64)>,
    stderr: String,
}

fn run_and_kill(dir: &Path, seed: u64, delay: Duration) -> Run {
    let mut child = Command::new(std::env::current_exe().expect("the test binary's path"))
        .args(["--exact", "crash::child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir)
        .env(SEED_ENV, seed.to_string())
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning the child");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut acks = Vec::new();
        let mut lines = BufReader::new(stdout);
        let mut line = String::new();
        // Only whole lines count: a line cut short by the kill was never acknowledged.
        while lines.read_line(&mut line).expect("reading the child's stdout") > 0 {
            if let Some(rest) = line.strip_suffix('\n').and_then(|l| l.strip_prefix("ACK ")) {
                let (id, seq) = rest.split_once(' ').expect("ACK <id> <seq>");
                acks.push((id.parse().expect("an assessment id"), seq.parse().expect("a seq")));
            }
            line.clear();
        }
        acks
    });
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    std::thread::sleep(delay);
    // SIGKILL on Unix. The child may already have died on its own; the checks below tell.
    let _ = child.kill();
    let status = child.wait().expect("waiting for the child");
    let run = Run { acks: reader.join().expect("stdout reader"), stderr: errors.join().expect("stderr reader") };
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "the child ended by itself ({status}) instead of being killed:\n{}",
            run.stderr
        );
    }
    #[cfg(not(unix))]
    let _ = status;
    run
}

/// Reopens the store left by a killed child and checks everything it promised.
///
/// Every chain is verified; the slower replay and media checks are done for the assessments
/// that changed since they were last checked (`checked` holds the heads already checked).
fn check_after_crash(
    dir: &Path,
    acked: &BTreeMap<AssessmentId, u64>,
    checked: &mut BTreeMap<AssessmentId, Sha256>,
    what: &str,
) -> usize {
    let store = Store::open(dir).unwrap_or_else(|e| panic!("{what}: the database must reopen after a kill: {e}"));
    let problems = store.integrity_check().unwrap();
    assert!(problems.is_empty(), "{what}: integrity_check: {problems:?}");
    assert!(files_under(&dir.join("media").join("tmp")).is_empty(), "{what}: temporaries survived the reopen");

    let listed = store.list_assessments().unwrap();
    let ids: BTreeSet<AssessmentId> = listed.iter().map(|s| s.id).collect();
    for (id, seq) in acked {
        assert!(ids.contains(id), "{what}: acknowledged assessment {id} is missing");
        let events = store.events(*id).unwrap();
        assert!(
            events.len() as u64 >= *seq && events[*seq as usize - 1].seq == *seq,
            "{what}: acknowledged event {seq} of {id} is missing (the log has {} events)",
            events.len()
        );
    }
    let rubric = rubric();
    if !listed.is_empty() {
        assert_eq!(store.rubric(&rubric.sha256).unwrap().0, rubric);
    }
    for s in &listed {
        let head =
            store.verify_chain(s.id).unwrap_or_else(|e| panic!("{what}: the chain of {} does not verify: {e}", s.id));
        assert_eq!(head, s.head);
        let events = store.events(s.id).unwrap();
        assert_eq!(events.len() as u64, s.events);
        if checked.insert(s.id, head) == Some(head) {
            continue;
        }
        let a = Assessment::replay(rubric.clone(), &events)
            .unwrap_or_else(|e| panic!("{what}: {} does not replay: {e}", s.id));
        assert_eq!(a.state, s.state);
        // No row points at partial bytes.
        for snippet in &a.snippets {
            let mut bytes = Vec::new();
            store.open_media(&snippet.sha256).unwrap().read_to_end(&mut bytes).unwrap();
            assert_eq!(bytes.len() as u64, snippet.bytes, "{what}: snippet {} is truncated", snippet.snippet);
            assert_eq!(Sha256::of(&bytes), snippet.sha256, "{what}: snippet {} is damaged", snippet.snippet);
        }
    }
    listed.len()
}

/// Trials share a data directory in blocks, so most trials open a database left by a killed
/// child; each block starts from nothing (a kill during creation and the first migration).
const TRIALS_PER_DIR: u64 = 10;

#[test]
fn acknowledged_events_survive_sigkill() {
    let started = Instant::now();
    let (mut total_acks, mut child_time, mut assessments) = (0, Duration::ZERO, 0);
    let mut dir = None;
    // Everything acknowledged in the current directory: later kills must not lose it either.
    let mut acked: BTreeMap<AssessmentId, u64> = BTreeMap::new();
    let mut checked = BTreeMap::new();
    for trial in 0..TRIALS {
        if trial % TRIALS_PER_DIR == 0 {
            dir = Some(tempfile::tempdir().unwrap());
            acked.clear();
            checked.clear();
        }
        let dir = dir.as_ref().expect("a data directory").path();
        let mut rng = XorShift::new(trial + 1);
        let delay = Duration::from_millis(rng.range(5, 151));

        let t0 = Instant::now();
        let run = run_and_kill(dir, rng.next_u64(), delay);
        child_time += t0.elapsed();
        total_acks += run.acks.len();
        for (id, seq) in &run.acks {
            let e = acked.entry(*id).or_insert(0);
            *e = (*e).max(*seq);
        }
        let what = format!("trial {trial} (killed after {delay:?}, {} acks)", run.acks.len());
        let n = check_after_crash(dir, &acked, &mut checked, &what);
        if trial % TRIALS_PER_DIR == TRIALS_PER_DIR - 1 {
            assessments += n;
        }
    }
    assert!(total_acks > 0, "no child ever acknowledged an event: the kills came too early to test anything");
    report(format_args!(
        "crash test: {TRIALS} kills, {total_acks} acknowledged events, {assessments} assessments left, \
         {child_time:?} of child time, {:?} in all",
        started.elapsed()
    ));
}

#[allow(clippy::print_stderr, reason = "a timing note, shown with --nocapture")]
fn report(args: std::fmt::Arguments<'_>) {
    eprintln!("{args}");
}
