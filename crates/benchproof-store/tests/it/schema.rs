//! Opening databases: every historical schema, pinned migrations, and the refusals.

use std::fs;
use std::path::Path;

use benchproof_domain::{Assessment, EventBody, EventRecord, Sha256};
use benchproof_store::{OpenError, Store, MIGRATIONS, SCHEMA_VERSION};
use rusqlite::{params, Connection};

use crate::{db_path, files_under, new_id, open_store, rubric, second_connection, t, user_version, Live, RUBRIC};

/// SHA-256 of each released migration's SQL text, in order. A released migration is never
/// edited (stations in the field have already applied it): change the schema with a new one.
const RELEASED: &[(&str, &str)] = &[
    ("0001_core", "1d5a7183dd0c8b7e200ccd670b4703fd495478bc1052438e86710b92e412b9d0"),
    ("0002_outbox", "43a8231f794a229433f7b7cff7ef350078393b3685642c06e7e79fb4979ab809"),
    ("0003_lean_events", "956ab7d9affe9a8f52435ce032bbf895eab24d5afbc81115566fd631cb83731e"),
    ("0004_bundles_seen", "a398d433a9f28a437dab0bea6ac88817359e9b31db4e4f808b30b05bf9f94b03"),
    ("0005_sync", "9a9250a2de43fa7e78f79e4a3ad2beee994ab0936dc677810962cd3e69350790"),
    ("0006_schedule", "2df88f6f2fe1ff97a0f579c3f50f26fa7a93c1778560279d9bb0015026a6c086"),
];

#[test]
fn migrations_are_never_edited() {
    assert!(
        MIGRATIONS.len() >= RELEASED.len(),
        "a released migration was removed: MIGRATIONS has {} entries but {} were released; \
         stations in the field depend on them, so restore it and add a new migration instead",
        MIGRATIONS.len(),
        RELEASED.len()
    );
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let actual = Sha256::of(sql.as_bytes()).to_hex();
        let Some((pinned_name, pinned)) = RELEASED.get(i) else {
            panic!(
                "migration {name} is not pinned yet: once it is released, add (\"{name}\", \"{actual}\") to \
                 RELEASED in {}",
                file!()
            );
        };
        assert_eq!(
            name,
            pinned_name,
            "migration {} was renamed or reordered (now {name}): released migrations are never edited; \
             add a new migration instead",
            i + 1
        );
        assert_eq!(
            &actual, pinned,
            "released migration {name} was edited (its SQL no longer has the pinned SHA-256): stations that \
             already applied it would never see the change. Revert it and add a new migration instead"
        );
    }
}

/// Builds the database a station on schema `version` would have: migrations applied by hand,
/// plus one assessment (with its genesis event) from version 1 on and an outbox row from 2 on.
fn historical_db(dir: &Path, version: usize) -> Option<EventRecord> {
    let conn = Connection::open(db_path(dir)).expect("creating a historical database");
    for (i, (name, sql)) in MIGRATIONS[..version].iter().enumerate() {
        conn.execute_batch(sql).unwrap_or_else(|e| panic!("applying {name} by hand: {e}"));
        conn.pragma_update(None, "user_version", i as i64 + 1).expect("setting user_version");
    }
    assert_eq!(user_version(&conn), version as i64);
    if version == 0 {
        return None;
    }
    let rubric = rubric();
    let (_, genesis) = Assessment::create(new_id(), rubric.clone(), "old-student", t(5)).expect("genesis");
    conn.execute(
        "INSERT INTO rubrics (sha256, id, version, title, source, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![rubric.sha256.to_hex(), rubric.id, rubric.version, rubric.title, RUBRIC, t(0).to_string()],
    )
    .expect("inserting a rubric");
    conn.execute(
        "INSERT INTO assessments (id, rubric_sha256, student, state, created_at, updated_at, last_seq, head)
         VALUES (?1, ?2, 'old-student', 'created', ?3, ?3, 1, ?4)",
        params![genesis.assessment.to_string(), rubric.sha256.to_hex(), genesis.at.to_string(), genesis.hash.to_hex()],
    )
    .expect("inserting an assessment");
    if version >= 3 {
        // 0003 dropped the columns that duplicated the record's own fields.
        conn.execute(
            "INSERT INTO events (assessment_id, seq, kind, record) VALUES (?1, 1, 'created', ?2)",
            params![genesis.assessment.to_string(), genesis.to_json_line()],
        )
    } else {
        conn.execute(
            "INSERT INTO events (assessment_id, seq, at, kind, prev, hash, record) VALUES (?1, 1, ?2, 'created', ?3, ?4, ?5)",
            params![
                genesis.assessment.to_string(),
                genesis.at.to_string(),
                genesis.prev.to_hex(),
                genesis.hash.to_hex(),
                genesis.to_json_line()
            ],
        )
    }
    .expect("inserting the genesis event");
    if version >= 2 {
        conn.execute(
            "INSERT INTO outbox (assessment_id, bundle_sha256, bundle_bytes, bundle_path, queued_at)
             VALUES (?1, ?2, 123, 'outbox/old.bpz', ?3)",
            params![genesis.assessment.to_string(), Sha256::of(b"old bundle").to_hex(), t(9).to_string()],
        )
        .expect("inserting an outbox row");
    }
    Some(genesis)
}

#[test]
fn every_historical_schema_opens() {
    for version in 0..=MIGRATIONS.len() {
        let tmp = tempfile::tempdir().unwrap();
        let genesis = historical_db(tmp.path(), version);
        let mut store =
            Store::open(tmp.path()).unwrap_or_else(|e| panic!("a database on schema {version} must open: {e}"));
        assert_eq!(user_version(&second_connection(tmp.path())), SCHEMA_VERSION, "schema {version} was migrated");

        let rubric = rubric();
        store.put_rubric(&rubric, RUBRIC, t(0)).unwrap();
        assert_eq!(store.rubric(&rubric.sha256).unwrap().1, RUBRIC, "schema {version}: rubric text kept");
        let list = store.list_assessments().unwrap();
        match &genesis {
            None => assert!(list.is_empty()),
            Some(genesis) => {
                assert_eq!(list.len(), 1, "schema {version}: the old assessment is still there");
                assert_eq!(list[0].id, genesis.assessment);
                assert_eq!(list[0].student, "old-student");
                assert_eq!(list[0].head, genesis.hash);
                assert_eq!(store.events(genesis.assessment).unwrap(), vec![genesis.clone()]);
                assert_eq!(store.verify_chain(genesis.assessment).unwrap(), genesis.hash);
                // The migrated database is fully usable: the old chain goes on.
                let (mut a, _) = Assessment::create(genesis.assessment, rubric.clone(), "old-student", genesis.at)
                    .expect("rebuilding the old assessment");
                let started = a.next_record(t(10), EventBody::Started {}).unwrap();
                store.append(&started).unwrap();
                a.apply(&started).unwrap();
                assert_eq!(store.verify_chain(a.id).unwrap(), started.hash);
            }
        }
        let outbox = store.outbox().unwrap();
        assert_eq!(outbox.len(), usize::from(version >= 2), "schema {version}: outbox rows kept");
        // And new data goes in as on a fresh station.
        let (live, _) = Live::create(&mut store, "new-student", t(20)).unwrap();
        store.enqueue_bundle(live.id(), Sha256::of(b"b"), 1, "outbox/new.bpz", t(21)).unwrap();
        assert!(store.integrity_check().unwrap().is_empty());
        drop(store);
        // Reopening a current database changes nothing.
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.list_assessments().unwrap().len(), 1 + usize::from(genesis.is_some()));
    }
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn set_user_version(dir: &Path, v: i64) {
    let conn = second_connection(dir);
    conn.pragma_update(None, "user_version", v).unwrap();
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    // As this station leaves it (WAL mode), and as a hand-made database in rollback-journal mode.
    for wal in [true, false] {
        let tmp = tempfile::tempdir().unwrap();
        if wal {
            let mut store = open_store(tmp.path());
            Live::create(&mut store, "s", t(0)).unwrap();
        } else {
            historical_db(tmp.path(), MIGRATIONS.len());
        }
        set_user_version(tmp.path(), SCHEMA_VERSION + 1);
        let path = db_path(tmp.path());
        let before = read(&path);
        let files_before = files_under(tmp.path());
        match Store::open(tmp.path()) {
            Err(OpenError::TooNew { path: p, found, supported }) => {
                assert_eq!(p, path);
                assert_eq!(found, SCHEMA_VERSION + 1);
                assert_eq!(supported, SCHEMA_VERSION);
            }
            other => panic!("wal={wal}: expected TooNew, got {other:?}"),
        }
        assert!(read(&path) == before, "wal={wal}: the refused database was modified");
        assert_eq!(files_under(tmp.path()), files_before, "wal={wal}: files were added or removed");
        let conn = second_connection(tmp.path());
        assert_eq!(user_version(&conn), SCHEMA_VERSION + 1);
    }
}

fn expect_corrupt(dir: &Path, what: &str) {
    let path = db_path(dir);
    let before = read(&path);
    match Store::open(dir) {
        Err(e @ OpenError::Corrupt { .. }) => {
            let message = e.to_string();
            assert!(message.contains(&path.display().to_string()), "{what}: the message must name the file: {message}");
        }
        other => panic!("{what}: expected Corrupt, got {other:?}"),
    }
    assert!(read(&path) == before, "{what}: the refused database was modified");
    for name in ["station.sqlite-wal", "station.sqlite-journal"] {
        let side = dir.join(name);
        assert!(!side.exists() || fs::metadata(&side).unwrap().len() == 0, "{what}: {name} was left with content");
    }
    // Refused again, the same way: nothing was recreated in its place.
    assert!(matches!(Store::open(dir), Err(OpenError::Corrupt { .. })), "{what}: refused a second time");
    assert!(read(&path) == before);
}

#[test]
fn random_bytes_are_refused_as_corrupt() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = crate::XorShift::new(7);
    fs::write(db_path(tmp.path()), rng.bytes(64 * 1024)).unwrap();
    expect_corrupt(tmp.path(), "random bytes");
}

/// A database of many pages: one assessment with 300 notes of ~300 bytes, each note marked
/// `MARKER-nnnn` with its seq. Returns the assessment's id and the page size and count.
fn many_pages_db(dir: &Path, wal: bool) -> (benchproof_domain::AssessmentId, u64, u64) {
    let id = {
        let mut store = open_store(dir);
        let (mut live, _) = Live::create(&mut store, "s", t(0)).unwrap();
        live.push(&mut store, t(1), EventBody::Started {}).unwrap();
        let text = "solder fumes extracted; ".repeat(12);
        for seq in 3..303 {
            live.push(&mut store, t(seq), crate::note(&format!("MARKER-{seq:04} {text}"))).unwrap();
        }
        live.id()
    };
    assert!(!dir.join("station.sqlite-wal").exists(), "closing the store checkpoints the WAL");
    let conn = second_connection(dir);
    if !wal {
        let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "delete");
    }
    let page_size: u64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    let pages: u64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    assert!(pages >= 20, "the database should span many pages, has {pages}");
    (id, page_size, pages)
}

#[test]
fn a_damaged_page_is_refused_as_corrupt() {
    // As the store leaves it (WAL mode), and as restored from a rollback-journal copy.
    for wal in [true, false] {
        let tmp = tempfile::tempdir().unwrap();
        let (_, page_size, pages) = many_pages_db(tmp.path(), wal);
        let path = db_path(tmp.path());
        let mut bytes = read(&path);
        // Random bytes from the middle of a page in the middle of the file, through the header
        // and cell pointers of the page after it: damage to the b-tree that quick_check sees.
        let start = ((pages / 2) * page_size + page_size / 2) as usize;
        let len = (page_size / 2 + 256) as usize;
        bytes[start..start + len].copy_from_slice(&crate::XorShift::new(11).bytes(len));
        fs::write(&path, &bytes).unwrap();
        expect_corrupt(tmp.path(), &format!("a damaged page (wal={wal})"));
    }
}

#[test]
fn damage_inside_a_record_is_caught_by_the_chain() {
    // quick_check checks the b-tree, not the bytes of each record: an edit inside an event's
    // text opens fine, and the hash chain is what finds it.
    let tmp = tempfile::tempdir().unwrap();
    let (id, _, _) = many_pages_db(tmp.path(), true);
    let path = db_path(tmp.path());
    let mut bytes = read(&path);
    let marker = b"MARKER-0150";
    let at: Vec<usize> = bytes.windows(marker.len()).enumerate().filter(|(_, w)| w == marker).map(|(i, _)| i).collect();
    assert_eq!(at.len(), 1, "the marked note is stored once");
    bytes[at[0]..at[0] + marker.len()].copy_from_slice(b"XXXXXX-XXXX");
    fs::write(&path, &bytes).unwrap();
    let store = Store::open(tmp.path()).expect("a record edit leaves the b-tree intact");
    match store.verify_chain(id) {
        Err(benchproof_store::StoreError::Chain {
            source: benchproof_domain::ChainBreak::Tampered { seq: 150 },
            ..
        }) => {}
        other => panic!("expected event 150 to be reported as tampered, got {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn an_unusable_data_dir_is_an_io_error() {
    let tmp = tempfile::tempdir().unwrap();
    let expect_io = |dir: &Path, what: &str| match Store::open(dir) {
        Err(e @ OpenError::Io { .. }) => {
            assert!(e.to_string().contains("writable"), "{what}: the message says what to check: {e}");
        }
        other => panic!("{what}: expected Io, got {other:?}"),
    };

    // The data directory is a file, or below one.
    let file = tmp.path().join("not-a-dir");
    fs::write(&file, b"x").unwrap();
    expect_io(&file, "a file as data dir");
    expect_io(&file.join("below"), "a data dir below a file");
    assert_eq!(read(&file), b"x");

    // The media directory cannot be made.
    let dir = tmp.path().join("station");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("media"), b"in the way").unwrap();
    expect_io(&dir, "media is a file");

    // The database's own name is taken by a directory.
    let taken = tmp.path().join("taken");
    fs::create_dir_all(db_path(&taken)).unwrap();
    expect_io(&taken, "station.sqlite is a directory");

    // An unwritable directory. Root writes through permission bits, so it gets a place no one
    // can create anything in instead.
    let locked = tmp.path().join("locked");
    fs::create_dir(&locked).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let privileged = fs::write(locked.join("probe"), b"").is_ok();
    if privileged {
        if cfg!(target_os = "linux") {
            expect_io(Path::new("/proc/benchproof-station"), "an unwritable place");
        }
    } else {
        expect_io(&locked.join("station"), "below an unwritable dir");
        expect_io(&locked, "an unwritable dir");
        // A station whose directory became read-only: WAL needs to create files beside it.
        let existing = tmp.path().join("existing");
        drop(open_store(&existing));
        let before = read(&db_path(&existing));
        fs::set_permissions(&existing, fs::Permissions::from_mode(0o555)).unwrap();
        expect_io(&existing, "an existing station made read-only");
        fs::set_permissions(&existing, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(read(&db_path(&existing)), before);
    }
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
}
