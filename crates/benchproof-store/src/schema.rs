//! Append-only schema migrations, tracked in `PRAGMA user_version`.
//!
//! A migration that has been released is never edited: add a new file instead. The test
//! `migrations_are_never_edited` pins each file's SHA-256.

use std::path::Path;

use rusqlite::Connection;

use crate::OpenError;

/// `(name, SQL)`, applied in order; the schema version is the number applied.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_core", include_str!("../migrations/0001_core.sql")),
    ("0002_outbox", include_str!("../migrations/0002_outbox.sql")),
    ("0003_lean_events", include_str!("../migrations/0003_lean_events.sql")),
    ("0004_bundles_seen", include_str!("../migrations/0004_bundles_seen.sql")),
    ("0005_sync", include_str!("../migrations/0005_sync.sql")),
    ("0006_schedule", include_str!("../migrations/0006_schedule.sql")),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Refuses a database written by a newer benchproof; returns its schema version otherwise.
pub(crate) fn refuse_too_new(conn: &Connection, path: &Path) -> Result<i64, OpenError> {
    let corrupt = |e: rusqlite::Error| OpenError::Corrupt { path: path.to_owned(), detail: e.to_string() };
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(corrupt)?;
    if found > SCHEMA_VERSION {
        return Err(OpenError::TooNew { path: path.to_owned(), found, supported: SCHEMA_VERSION });
    }
    Ok(found)
}

/// Applies the pending migrations, each in its own transaction.
pub(crate) fn migrate(conn: &Connection, path: &Path) -> Result<(), OpenError> {
    let found = refuse_too_new(conn, path)?;
    for (i, (_, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = i as i64 + 1;
        let fail = |source| OpenError::Migration { path: path.to_owned(), version, source };
        let apply = format!("BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;");
        if let Err(e) = conn.execute_batch(&apply) {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(fail(e));
        }
    }
    Ok(())
}
