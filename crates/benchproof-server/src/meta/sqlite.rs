//! The embedded metadata backend: one SQLite file (WAL, `synchronous = FULL` except for what
//! every request writes, [`relaxed`]), one connection behind a mutex, every call on the
//! blocking pool. Meant for one server process.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{Accepted, BoxFut, BundleRow, ConflictRow, MetaError, MetaStore, Part, QuarantineRow, StationRow, Upload};

mod credentials;
mod events;
mod oauth;
mod remediation;
mod review;

/// Schema, applied once (`user_version` 1). Append new migrations; never edit this one.
pub const SCHEMA_V1: &str = include_str!("schema-v1.sql");
/// Credentials and review links (`user_version` 2).
pub const SCHEMA_V2: &str = include_str!("schema-v2.sql");
/// Micro-events: slots, bookings and their history (`user_version` 3).
pub const SCHEMA_V3: &str = include_str!("schema-v3.sql");
/// OAuth 2.0 clients, codes and tokens for the OB 3.0 API (`user_version` 4).
pub const SCHEMA_V4: &str = include_str!("schema-v4.sql");
/// The migrations in order; `user_version` is how many have run.
const MIGRATIONS: [&str; 4] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4];

/// SQLite metadata in one file.
#[derive(Debug, Clone)]
pub struct SqliteMeta {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteMeta {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteMeta, MetaError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if !(0..=known).contains(&version) {
            return Err(MetaError::Corrupt(format!(
                "{} has schema version {version}, newer than this server ({known}); run a newer benchproof",
                path.display()
            )));
        }
        for (n, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            // Each migration and its version bump commit together.
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", n as i64 + 1)?;
            tx.commit()?;
        }
        Ok(SqliteMeta { conn: Arc::new(Mutex::new(conn)) })
    }

    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> BoxFut<'_, T> {
        let conn = self.conn.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut c =
                    conn.lock().map_err(|_| MetaError::Join("the SQLite connection lock is poisoned".into()))?;
                f(&mut c).map_err(MetaError::from)
            })
            .await
            .map_err(|e| MetaError::Join(e.to_string()))?
        })
    }
}

/// Runs `f` in one transaction committed without waiting for the disk (`synchronous = NORMAL` in
/// WAL mode): it survives a crash of the server process, and a power cut may lose it. Only for
/// what every request writes: request nonces (a power cut then re-opens replay only for requests
/// signed within the clock-skew window before it), stations' last contact, and upload offsets
/// (the embedded backend does not fsync the chunks either, see `staging`; an offset that goes
/// back after a power cut only makes the station send those bytes again).
fn relaxed<T>(
    c: &mut Connection,
    f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, rusqlite::Error>,
) -> Result<T, rusqlite::Error> {
    c.pragma_update(None, "synchronous", "NORMAL")?;
    let result = c.transaction_with_behavior(TransactionBehavior::Immediate).and_then(|tx| {
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    });
    c.pragma_update(None, "synchronous", "FULL")?;
    result
}

fn upload_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Upload> {
    Ok(Upload {
        id: r.get(0)?,
        length: r.get::<_, i64>(1)? as u64,
        offset: r.get::<_, i64>(2)? as u64,
        sha256: r.get(3)?,
        assessment: r.get(4)?,
        filename: r.get(5)?,
        metadata: r.get(6)?,
        station: r.get(7)?,
        created_ms: r.get(8)?,
        expires_ms: r.get(9)?,
    })
}

const BUNDLE_COLS: &str =
    "sha256, assessment, leaf_index, station, station_name, student, rubric, outcome, bytes, received_ms";

fn bundle_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BundleRow> {
    Ok(BundleRow {
        sha256: r.get(0)?,
        assessment: r.get(1)?,
        leaf_index: r.get::<_, i64>(2)? as u64,
        station: r.get(3)?,
        station_name: r.get(4)?,
        student: r.get(5)?,
        rubric: r.get(6)?,
        outcome: r.get(7)?,
        bytes: r.get::<_, i64>(8)? as u64,
        received_ms: r.get(9)?,
    })
}

fn bundle_where(c: &Connection, clause: &str, value: &str) -> rusqlite::Result<Option<BundleRow>> {
    c.query_row(&format!("SELECT {BUNDLE_COLS} FROM bundles WHERE {clause} = ?1"), [value], bundle_row).optional()
}

impl MetaStore for SqliteMeta {
    fn create_upload(&self, u: Upload) -> BoxFut<'_, ()> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO uploads (id, length, upload_offset, sha256, assessment, filename, metadata, station, created_ms, expires_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![u.id, u.length as i64, u.offset as i64, u.sha256, u.assessment, u.filename, u.metadata, u.station, u.created_ms, u.expires_ms],
            )
            .map(drop)
        })
    }

    fn upload(&self, id: &str) -> BoxFut<'_, Option<Upload>> {
        let id = id.to_owned();
        self.run(move |c| {
            c.query_row(
                "SELECT id, length, upload_offset, sha256, assessment, filename, metadata, station, created_ms, expires_ms
                 FROM uploads WHERE id = ?1",
                [id],
                upload_row,
            )
            .optional()
        })
    }

    fn commit_part(&self, id: &str, part: Part) -> BoxFut<'_, bool> {
        let id = id.to_owned();
        self.run(move |c| {
            relaxed(c, |tx| {
                let moved = tx.execute(
                    "UPDATE uploads SET upload_offset = ?2 WHERE id = ?1 AND upload_offset = ?3",
                    params![id, (part.offset + part.len) as i64, part.offset as i64],
                )?;
                if moved == 1 {
                    tx.execute(
                        "INSERT INTO upload_parts (upload, part_offset, len, blob_key) VALUES (?1, ?2, ?3, ?4)",
                        params![id, part.offset as i64, part.len as i64, part.key],
                    )?;
                }
                Ok(moved == 1)
            })
        })
    }

    fn parts(&self, id: &str) -> BoxFut<'_, Vec<Part>> {
        let id = id.to_owned();
        self.run(move |c| {
            let mut s = c.prepare(
                "SELECT part_offset, len, blob_key FROM upload_parts WHERE upload = ?1 ORDER BY part_offset",
            )?;
            let rows = s.query_map([id], |r| {
                Ok(Part { offset: r.get::<_, i64>(0)? as u64, len: r.get::<_, i64>(1)? as u64, key: r.get(2)? })
            })?;
            rows.collect()
        })
    }

    fn delete_upload(&self, id: &str) -> BoxFut<'_, Vec<String>> {
        let id = id.to_owned();
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let keys = {
                let mut s = tx.prepare("SELECT blob_key FROM upload_parts WHERE upload = ?1")?;
                let rows = s.query_map([&id], |r| r.get::<_, String>(0))?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            tx.execute("DELETE FROM upload_parts WHERE upload = ?1", [&id])?;
            tx.execute("DELETE FROM uploads WHERE id = ?1", [&id])?;
            tx.commit()?;
            Ok(keys)
        })
    }

    fn expired_uploads(&self, now_ms: i64) -> BoxFut<'_, Vec<String>> {
        self.run(move |c| {
            let mut s = c.prepare("SELECT id FROM uploads WHERE expires_ms < ?1")?;
            let rows = s.query_map([now_ms], |r| r.get(0))?;
            rows.collect()
        })
    }

    fn bundle(&self, sha256: &str) -> BoxFut<'_, Option<BundleRow>> {
        let v = sha256.to_owned();
        self.run(move |c| bundle_where(c, "sha256", &v))
    }

    fn bundle_for_assessment(&self, assessment: &str) -> BoxFut<'_, Option<BundleRow>> {
        let v = assessment.to_owned();
        self.run(move |c| bundle_where(c, "assessment", &v))
    }

    fn accept(&self, row: BundleRow, conflict_key: String) -> BoxFut<'_, Accepted> {
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(held) = bundle_where(&tx, "sha256", &row.sha256)? {
                return Ok(Accepted::Existing(held));
            }
            if let Some(held) = bundle_where(&tx, "assessment", &row.assessment)? {
                tx.execute(
                    "INSERT OR IGNORE INTO conflicts (blob_key, sha256, assessment, held_sha256, station, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![conflict_key, row.sha256, row.assessment, held.sha256, row.station, row.received_ms],
                )?;
                tx.commit()?;
                return Ok(Accepted::Conflict(held));
            }
            let next: i64 = tx.query_row("SELECT COUNT(*) FROM bundles", [], |r| r.get(0))?;
            tx.execute(
                &format!("INSERT INTO bundles ({BUNDLE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
                params![row.sha256, row.assessment, next, row.station, row.station_name, row.student, row.rubric, row.outcome, row.bytes as i64, row.received_ms],
            )?;
            tx.commit()?;
            Ok(Accepted::New(BundleRow { leaf_index: next as u64, ..row }))
        })
    }

    fn record_conflict(&self, r: ConflictRow) -> BoxFut<'_, ()> {
        self.run(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO conflicts (blob_key, sha256, assessment, held_sha256, station, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![r.key, r.sha256, r.assessment, r.held_sha256, r.station, r.received_ms],
            )
            .map(drop)
        })
    }

    fn quarantine(&self, r: QuarantineRow) -> BoxFut<'_, ()> {
        self.run(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO quarantine (blob_key, sha256, assessment, station, failed_check, reason, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![r.key, r.sha256, r.assessment, r.station, r.check, r.reason, r.received_ms],
            )
            .map(drop)
        })
    }

    fn leaves(&self) -> BoxFut<'_, Vec<[u8; 32]>> {
        self.run(move |c| {
            let mut s = c.prepare("SELECT sha256 FROM bundles ORDER BY leaf_index")?;
            let rows = s.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|h| {
                let h = h?;
                super::unhex32(&h).ok_or_else(|| rusqlite::Error::InvalidColumnName(format!("bad digest {h}")))
            })
            .collect()
        })
    }

    fn bundles(&self) -> BoxFut<'_, Vec<BundleRow>> {
        self.run(move |c| {
            let mut s = c.prepare(&format!("SELECT {BUNDLE_COLS} FROM bundles ORDER BY leaf_index DESC"))?;
            let rows = s.query_map([], bundle_row)?;
            rows.collect()
        })
    }

    fn quarantined(&self) -> BoxFut<'_, Vec<QuarantineRow>> {
        self.run(move |c| {
            let mut s = c.prepare(
                "SELECT blob_key, sha256, assessment, station, failed_check, reason, received_ms FROM quarantine ORDER BY received_ms DESC",
            )?;
            let rows = s.query_map([], |r| {
                Ok(QuarantineRow {
                    key: r.get(0)?,
                    sha256: r.get(1)?,
                    assessment: r.get(2)?,
                    station: r.get(3)?,
                    check: r.get(4)?,
                    reason: r.get(5)?,
                    received_ms: r.get(6)?,
                })
            })?;
            rows.collect()
        })
    }

    fn conflicts(&self) -> BoxFut<'_, Vec<ConflictRow>> {
        self.run(move |c| {
            let mut s = c.prepare(
                "SELECT blob_key, sha256, assessment, held_sha256, station, received_ms FROM conflicts ORDER BY received_ms DESC",
            )?;
            let rows = s.query_map([], |r| {
                Ok(ConflictRow {
                    key: r.get(0)?,
                    sha256: r.get(1)?,
                    assessment: r.get(2)?,
                    held_sha256: r.get(3)?,
                    station: r.get(4)?,
                    received_ms: r.get(5)?,
                })
            })?;
            rows.collect()
        })
    }

    fn remember_nonce(&self, nonce: &str, now_ms: i64, expires_ms: i64) -> BoxFut<'_, bool> {
        let nonce = nonce.to_owned();
        self.run(move |c| {
            relaxed(c, |tx| {
                tx.execute("DELETE FROM nonces WHERE expires_ms < ?1", [now_ms])?;
                let n = tx.execute(
                    "INSERT OR IGNORE INTO nonces (nonce, expires_ms) VALUES (?1, ?2)",
                    params![nonce, expires_ms],
                )?;
                Ok(n == 1)
            })
        })
    }

    fn touch_station(&self, did: &str, name: &str, now_ms: i64) -> BoxFut<'_, ()> {
        let (did, name) = (did.to_owned(), name.to_owned());
        self.run(move |c| {
            relaxed(c, |tx| {
                tx.execute(
                    "INSERT INTO stations (did, name, last_contact_ms) VALUES (?1, ?2, ?3)
                     ON CONFLICT (did) DO UPDATE SET name = excluded.name, last_contact_ms = MAX(last_contact_ms, excluded.last_contact_ms)",
                    params![did, name, now_ms],
                )
                .map(drop)
            })
        })
    }

    fn stations(&self) -> BoxFut<'_, Vec<StationRow>> {
        self.run(move |c| {
            let mut s = c.prepare("SELECT did, name, last_contact_ms FROM stations ORDER BY last_contact_ms DESC")?;
            let rows =
                s.query_map([], |r| Ok(StationRow { did: r.get(0)?, name: r.get(1)?, last_contact_ms: r.get(2)? }))?;
            rows.collect()
        })
    }

    fn set_admin(&self, user: &str, phc_hash: &str) -> BoxFut<'_, ()> {
        let (user, hash) = (user.to_owned(), phc_hash.to_owned());
        self.run(move |c| {
            c.execute(
                "INSERT INTO admins (username, phc) VALUES (?1, ?2) ON CONFLICT (username) DO UPDATE SET phc = excluded.phc",
                params![user, hash],
            )
            .map(drop)
        })
    }

    fn admin_hash(&self, user: &str) -> BoxFut<'_, Option<String>> {
        let user = user.to_owned();
        self.run(move |c| c.query_row("SELECT phc FROM admins WHERE username = ?1", [user], |r| r.get(0)).optional())
    }

    fn create_session(&self, token_sha256: &str, user: &str, expires_ms: i64) -> BoxFut<'_, ()> {
        let (t, u) = (token_sha256.to_owned(), user.to_owned());
        self.run(move |c| {
            c.execute(
                "INSERT INTO sessions (token_sha256, username, expires_ms) VALUES (?1, ?2, ?3)",
                params![t, u, expires_ms],
            )
            .map(drop)
        })
    }

    fn session_user(&self, token_sha256: &str, now_ms: i64) -> BoxFut<'_, Option<String>> {
        let t = token_sha256.to_owned();
        self.run(move |c| {
            c.query_row(
                "SELECT username FROM sessions WHERE token_sha256 = ?1 AND expires_ms > ?2",
                params![t, now_ms],
                |r| r.get(0),
            )
            .optional()
        })
    }

    fn delete_session(&self, token_sha256: &str) -> BoxFut<'_, ()> {
        let t = token_sha256.to_owned();
        self.run(move |c| c.execute("DELETE FROM sessions WHERE token_sha256 = ?1", [t]).map(drop))
    }
}
