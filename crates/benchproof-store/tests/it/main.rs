//! Integration tests of the store: real SQLite files in temporary directories, no mocks.
//!
//! - `schema`: every historical schema opens and migrates; released migrations are pinned;
//!   too-new, corrupt and unusable databases are refused without being touched.
//! - `events`: the event log through a whole lifecycle, its refusals, its append-only triggers,
//!   tamper detection, and readers on a second connection.
//! - `media`: content-addressed ingest, deduplication, failed and empty inputs.
//! - `schedule`: the schedule copy never rolls back; a booking is checked in once; the
//!   check-in outbox.
//! - `crash`: a child process killed with SIGKILL at random moments loses no acknowledged tick.

mod crash;
mod events;
mod media;
mod schedule;
mod schema;

use std::path::{Path, PathBuf};

use benchproof_domain::rubric::{parse, Rubric};
use benchproof_domain::{
    Assessment, AssessmentId, EventBody, EventRecord, Sha256, SnippetId, StepId, Timestamp, Verdict,
};
use benchproof_store::{Store, StoreError, DB_FILE};

/// The shared test rubric: two critical steps (one graded in levels) and two others.
pub const RUBRIC: &str = include_str!("../../../../fixtures/rubrics/test-skill.toml");

pub fn rubric() -> Rubric {
    parse("test.toml", RUBRIC).expect("test rubric parses")
}

/// A fixed instant plus `ms` milliseconds.
pub fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_795_935_053_000 + ms)
}

pub fn new_id() -> AssessmentId {
    AssessmentId::from_uuid(uuid::Uuid::now_v7()).expect("now_v7 is a UUIDv7")
}

pub fn new_snippet_id() -> SnippetId {
    SnippetId::from_uuid(uuid::Uuid::now_v7()).expect("now_v7 is a UUIDv7")
}

/// Opens the store in `dir` and makes sure the test rubric is in it.
pub fn open_store(dir: &Path) -> Store {
    let store = Store::open(dir).unwrap_or_else(|e| panic!("opening {}: {e}", dir.display()));
    store.put_rubric(&rubric(), RUBRIC, t(0)).expect("storing the test rubric");
    store
}

pub fn db_path(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

/// A second, independent connection to the store's database (what another process would see).
pub fn second_connection(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db_path(dir)).expect("second connection opens")
}

pub fn user_version(conn: &rusqlite::Connection) -> i64 {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("user_version reads")
}

/// An assessment driven the way the station drives it: build the next record, persist it, and
/// only then apply it.
#[derive(Debug)]
pub struct Live {
    pub a: Assessment,
}

impl Live {
    /// Creates a new assessment of the test rubric and stores its genesis.
    pub fn create(store: &mut Store, student: &str, at: Timestamp) -> Result<(Live, EventRecord), StoreError> {
        let (a, genesis) = Assessment::create(new_id(), rubric(), student, at).expect("valid genesis");
        store.create_assessment(&genesis)?;
        Ok((Live { a }, genesis))
    }

    pub fn id(&self) -> AssessmentId {
        self.a.id
    }

    /// Appends the next event; the assessment moves on only if the store accepted it.
    pub fn push(&mut self, store: &mut Store, at: Timestamp, body: EventBody) -> Result<EventRecord, StoreError> {
        let record = self.a.next_record(at, body).expect("a legal transition");
        store.append(&record)?;
        self.a.apply(&record).expect("the record just built applies");
        Ok(record)
    }

    /// A record that bypasses the domain's checks (to test the store's own refusals).
    pub fn forged(&self, seq: u64, prev: Sha256, body: EventBody) -> EventRecord {
        EventRecord::new(self.a.id, seq, t(1_000_000), prev, body)
    }
}

pub fn tick(step: &str, verdict: Verdict, level: Option<&str>) -> EventBody {
    EventBody::StepTicked { step: StepId::new(step), verdict, level: level.map(str::to_owned), note: None }
}

pub fn note(text: &str) -> EventBody {
    EventBody::Note { text: text.to_owned() }
}

/// xorshift64*: deterministic pseudo-random numbers, seeded per test or per trial.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-enough in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo)
    }

    /// True with probability 1/n.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.range(0, n) == 0
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(len);
        out
    }
}

/// Every regular file below `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.expect("directory entry").path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
