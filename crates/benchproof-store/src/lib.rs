//! The station's snippet cache: one SQLite database per data directory, plus content-addressed
//! media files beside it.
//!
//! - [`Store`]: the single writer. Open it with [`Store::open`], which creates, migrates and
//!   checks the database, and refuses one it does not understand.
//! - Event log ([`Store::create_assessment`], [`Store::append`]): each call is one transaction,
//!   committed with `synchronous = FULL` in WAL mode, so an event is on disk when the call returns.
//! - Media ([`Store::ingest_media`]): bytes streamed into `media/ab/abcdef…`, hashed on the way,
//!   fsynced and renamed into place before any row refers to them.
//! - Outbox ([`Store::enqueue_bundle`]): sealed bundles waiting for the sync worker.
//! - Schedule ([`Store::save_schedule`], [`Store::record_check_in`]): the station's copy of its
//!   micro-event schedule, and check-ins waiting to be reported.
//!
//! Readers on other connections never block the writer (WAL); WAL checkpoints run on a
//! background connection so that no tick pays for one.

mod checkpoint;
mod error;
mod events;
mod media;
mod outbox;
mod schedule;
mod schema;
mod sync;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

pub use error::{OpenError, StoreError};
pub use events::AssessmentSummary;
pub use media::MediaRef;
pub use outbox::OutboxEntry;
pub use schedule::{CheckInRow, StoredSchedule};
pub use schema::{MIGRATIONS, SCHEMA_VERSION};
pub use sync::{DeliveryState, SeenCheckpoint, SyncAlert, SyncFailure, SyncItem};

/// File name of the database inside a data directory.
pub const DB_FILE: &str = "station.sqlite";

#[derive(Debug)]
pub struct Store {
    conn: Connection,
    dir: PathBuf,
    _checkpointer: Option<checkpoint::Checkpointer>,
}

impl Store {
    /// Opens (creating if needed) the store in `dir`, applies pending migrations and checks the
    /// database with `PRAGMA quick_check`. Nothing is ever silently recreated.
    pub fn open(dir: &Path) -> Result<Store, OpenError> {
        std::fs::create_dir_all(dir).map_err(|source| OpenError::Io { path: dir.to_owned(), source })?;
        let path = dir.join(DB_FILE);
        // A file SQLite cannot open or write is a problem with the directory, not a damaged database.
        let corrupt = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
                OpenError::Io { path: dir.to_owned(), source: std::io::Error::other(e) }
            }
            _ => OpenError::Corrupt { path: path.clone(), detail: e.to_string() },
        };
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(corrupt)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(corrupt)?;
        // Check before changing anything: switching a rollback-journal database to WAL rewrites
        // its header, so a damaged or too-new one is refused first, exactly as it was found.
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(corrupt)?;
        if check != "ok" {
            return Err(OpenError::Corrupt { path, detail: check });
        }
        schema::refuse_too_new(&conn, &path)?;
        // Small pages: a tick touches a few rows in three tables, and each touched page is
        // copied whole into the WAL and fsynced. Takes effect only when the file is created.
        conn.execute_batch("PRAGMA page_size = 1024").map_err(corrupt)?;
        // WAL: readers never block the writer. FULL: every commit fsyncs the WAL, so a tick that
        // was acknowledged survives power loss (NORMAL may lose the last commits).
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(corrupt)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(OpenError::Corrupt { path, detail: format!("could not enable WAL (journal_mode is {mode})") });
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;").map_err(corrupt)?;
        schema::migrate(&conn, &path)?;
        let checkpointer = checkpoint::Checkpointer::start(&path);
        if checkpointer.is_some() {
            let pragma = format!("PRAGMA wal_autocheckpoint = {}", checkpoint::WRITER_BACKSTOP_PAGES);
            conn.query_row(&pragma, [], |_| Ok(())).map_err(corrupt)?;
        }
        let store = Store { conn, dir: dir.to_owned(), _checkpointer: checkpointer };
        media::prepare_dirs(&store.dir)?;
        Ok(store)
    }

    /// The data directory this store lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `PRAGMA integrity_check`: the full, slow check. Returns the problems found (empty if none).
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }
}
