//! The metadata backend at scale: PostgreSQL, shareable by several server processes.
//!
//! Cross-process invariants: `commit_part` is a single conditional UPDATE plus INSERT in one
//! transaction (a racing PATCH from another process loses and gets 409); `accept` takes a
//! transaction-scoped advisory lock, so log appends are serialised and leaf indexes stay dense;
//! nonces use `INSERT … ON CONFLICT DO NOTHING`.

use std::sync::Arc;

use tokio_postgres::{Client, NoTls, Row};

use super::{Accepted, BoxFut, BundleRow, ConflictRow, MetaError, MetaStore, Part, QuarantineRow, StationRow, Upload};

mod credentials;
mod events;
mod oauth;
mod remediation;
mod review;

/// The advisory lock key that serialises log appends.
const LOG_LOCK: i64 = 0x0062_706c_6f67; // "bplog"

fn pg(e: tokio_postgres::Error) -> MetaError {
    MetaError::Postgres(e.as_db_error().map(|d| d.message().to_owned()).unwrap_or_else(|| e.to_string()))
}

/// A connection to PostgreSQL (one per process; statements are pipelined by the client).
#[derive(Debug, Clone)]
pub struct PgMeta {
    client: Arc<tokio::sync::Mutex<Client>>,
}

impl PgMeta {
    /// Connects to `url` (`postgres://user:password@host:port/db`, or `host=/socket/dir` form) and
    /// creates the schema if the database is empty.
    pub async fn connect(url: &str) -> Result<PgMeta, MetaError> {
        let (mut client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(pg)?;
        tokio::spawn(async move {
            // The connection task ends when the client is dropped or the server goes away;
            // later calls then fail with a clear error.
            let _ = connection.await;
        });
        let tx = client.transaction().await.map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&(LOG_LOCK + 1)]).await.map_err(pg)?;
        // Each migration, applied when the first table it creates is missing.
        let migrations = [
            ("bundles", super::sqlite::SCHEMA_V1),
            ("credentials", super::sqlite::SCHEMA_V2),
            ("event_slots", super::sqlite::SCHEMA_V3),
            ("oauth_clients", super::sqlite::SCHEMA_V4),
        ];
        for (table, sql) in migrations {
            let exists: bool = tx
                .query_one("SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = $1 AND table_schema = current_schema())", &[&table])
                .await
                .map_err(pg)?
                .get(0);
            if !exists {
                tx.batch_execute(sql).await.map_err(pg)?;
            }
        }
        tx.commit().await.map_err(pg)?;
        Ok(PgMeta { client: Arc::new(tokio::sync::Mutex::new(client)) })
    }
}

fn upload_row(r: &Row) -> Upload {
    Upload {
        id: r.get(0),
        length: r.get::<_, i64>(1) as u64,
        offset: r.get::<_, i64>(2) as u64,
        sha256: r.get(3),
        assessment: r.get(4),
        filename: r.get(5),
        metadata: r.get(6),
        station: r.get(7),
        created_ms: r.get(8),
        expires_ms: r.get(9),
    }
}

const BUNDLE_COLS: &str =
    "sha256, assessment, leaf_index, station, station_name, student, rubric, outcome, bytes, received_ms";

fn bundle_row(r: &Row) -> BundleRow {
    BundleRow {
        sha256: r.get(0),
        assessment: r.get(1),
        leaf_index: r.get::<_, i64>(2) as u64,
        station: r.get(3),
        station_name: r.get(4),
        student: r.get(5),
        rubric: r.get(6),
        outcome: r.get(7),
        bytes: r.get::<_, i64>(8) as u64,
        received_ms: r.get(9),
    }
}

async fn bundle_where(
    c: &impl tokio_postgres::GenericClient,
    col: &str,
    v: &str,
) -> Result<Option<BundleRow>, MetaError> {
    Ok(c.query_opt(&format!("SELECT {BUNDLE_COLS} FROM bundles WHERE {col} = $1"), &[&v])
        .await
        .map_err(pg)?
        .as_ref()
        .map(bundle_row))
}

impl MetaStore for PgMeta {
    fn create_upload(&self, u: Upload) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute(
                "INSERT INTO uploads (id, length, upload_offset, sha256, assessment, filename, metadata, station, created_ms, expires_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[&u.id, &(u.length as i64), &(u.offset as i64), &u.sha256, &u.assessment, &u.filename, &u.metadata, &u.station, &u.created_ms, &u.expires_ms],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn upload(&self, id: &str) -> BoxFut<'_, Option<Upload>> {
        let id = id.to_owned();
        Box::pin(async move {
            let c = self.client.lock().await;
            let r = c
                .query_opt(
                    "SELECT id, length, upload_offset, sha256, assessment, filename, metadata, station, created_ms, expires_ms FROM uploads WHERE id = $1",
                    &[&id],
                )
                .await
                .map_err(pg)?;
            Ok(r.as_ref().map(upload_row))
        })
    }

    fn commit_part(&self, id: &str, part: Part) -> BoxFut<'_, bool> {
        let id = id.to_owned();
        Box::pin(async move {
            let mut c = self.client.lock().await;
            let tx = c.transaction().await.map_err(pg)?;
            let moved = tx
                .execute(
                    "UPDATE uploads SET upload_offset = $2 WHERE id = $1 AND upload_offset = $3",
                    &[&id, &((part.offset + part.len) as i64), &(part.offset as i64)],
                )
                .await
                .map_err(pg)?;
            if moved == 1 {
                tx.execute(
                    "INSERT INTO upload_parts (upload, part_offset, len, blob_key) VALUES ($1, $2, $3, $4)",
                    &[&id, &(part.offset as i64), &(part.len as i64), &part.key],
                )
                .await
                .map_err(pg)?;
            }
            tx.commit().await.map_err(pg)?;
            Ok(moved == 1)
        })
    }

    fn parts(&self, id: &str) -> BoxFut<'_, Vec<Part>> {
        let id = id.to_owned();
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c
                .query(
                    "SELECT part_offset, len, blob_key FROM upload_parts WHERE upload = $1 ORDER BY part_offset",
                    &[&id],
                )
                .await
                .map_err(pg)?;
            Ok(rows
                .iter()
                .map(|r| Part { offset: r.get::<_, i64>(0) as u64, len: r.get::<_, i64>(1) as u64, key: r.get(2) })
                .collect())
        })
    }

    fn delete_upload(&self, id: &str) -> BoxFut<'_, Vec<String>> {
        let id = id.to_owned();
        Box::pin(async move {
            let mut c = self.client.lock().await;
            let tx = c.transaction().await.map_err(pg)?;
            let keys = tx
                .query("DELETE FROM upload_parts WHERE upload = $1 RETURNING blob_key", &[&id])
                .await
                .map_err(pg)?
                .iter()
                .map(|r| r.get(0))
                .collect();
            tx.execute("DELETE FROM uploads WHERE id = $1", &[&id]).await.map_err(pg)?;
            tx.commit().await.map_err(pg)?;
            Ok(keys)
        })
    }

    fn expired_uploads(&self, now_ms: i64) -> BoxFut<'_, Vec<String>> {
        Box::pin(async move {
            let c = self.client.lock().await;
            Ok(c.query("SELECT id FROM uploads WHERE expires_ms < $1", &[&now_ms])
                .await
                .map_err(pg)?
                .iter()
                .map(|r| r.get(0))
                .collect())
        })
    }

    fn bundle(&self, sha256: &str) -> BoxFut<'_, Option<BundleRow>> {
        let v = sha256.to_owned();
        Box::pin(async move { bundle_where(&*self.client.lock().await, "sha256", &v).await })
    }

    fn bundle_for_assessment(&self, assessment: &str) -> BoxFut<'_, Option<BundleRow>> {
        let v = assessment.to_owned();
        Box::pin(async move { bundle_where(&*self.client.lock().await, "assessment", &v).await })
    }

    fn accept(&self, row: BundleRow, conflict_key: String) -> BoxFut<'_, Accepted> {
        Box::pin(async move {
            let mut c = self.client.lock().await;
            let tx = c.transaction().await.map_err(pg)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOG_LOCK]).await.map_err(pg)?;
            if let Some(held) = bundle_where(&tx, "sha256", &row.sha256).await? {
                return Ok(Accepted::Existing(held));
            }
            if let Some(held) = bundle_where(&tx, "assessment", &row.assessment).await? {
                tx.execute(
                    "INSERT INTO conflicts (blob_key, sha256, assessment, held_sha256, station, received_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    &[&conflict_key, &row.sha256, &row.assessment, &held.sha256, &row.station, &row.received_ms],
                )
                .await
                .map_err(pg)?;
                tx.commit().await.map_err(pg)?;
                return Ok(Accepted::Conflict(held));
            }
            let next: i64 = tx.query_one("SELECT COUNT(*) FROM bundles", &[]).await.map_err(pg)?.get(0);
            tx.execute(
                &format!("INSERT INTO bundles ({BUNDLE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
                &[
                    &row.sha256,
                    &row.assessment,
                    &next,
                    &row.station,
                    &row.station_name,
                    &row.student,
                    &row.rubric,
                    &row.outcome,
                    &(row.bytes as i64),
                    &row.received_ms,
                ],
            )
            .await
            .map_err(pg)?;
            tx.commit().await.map_err(pg)?;
            Ok(Accepted::New(BundleRow { leaf_index: next as u64, ..row }))
        })
    }

    fn record_conflict(&self, r: ConflictRow) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute(
                "INSERT INTO conflicts (blob_key, sha256, assessment, held_sha256, station, received_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                &[&r.key, &r.sha256, &r.assessment, &r.held_sha256, &r.station, &r.received_ms],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn quarantine(&self, r: QuarantineRow) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute(
                "INSERT INTO quarantine (blob_key, sha256, assessment, station, failed_check, reason, received_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                &[&r.key, &r.sha256, &r.assessment, &r.station, &r.check, &r.reason, &r.received_ms],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn leaves(&self) -> BoxFut<'_, Vec<[u8; 32]>> {
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c.query("SELECT sha256 FROM bundles ORDER BY leaf_index", &[]).await.map_err(pg)?;
            rows.iter()
                .map(|r| {
                    let h: String = r.get(0);
                    super::unhex32(&h).ok_or_else(|| MetaError::Corrupt(format!("bad digest {h}")))
                })
                .collect()
        })
    }

    fn bundles(&self) -> BoxFut<'_, Vec<BundleRow>> {
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c
                .query(&format!("SELECT {BUNDLE_COLS} FROM bundles ORDER BY leaf_index DESC"), &[])
                .await
                .map_err(pg)?;
            Ok(rows.iter().map(bundle_row).collect())
        })
    }

    fn quarantined(&self) -> BoxFut<'_, Vec<QuarantineRow>> {
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c
                .query("SELECT blob_key, sha256, assessment, station, failed_check, reason, received_ms FROM quarantine ORDER BY received_ms DESC", &[])
                .await
                .map_err(pg)?;
            Ok(rows
                .iter()
                .map(|r| QuarantineRow {
                    key: r.get(0),
                    sha256: r.get(1),
                    assessment: r.get(2),
                    station: r.get(3),
                    check: r.get(4),
                    reason: r.get(5),
                    received_ms: r.get(6),
                })
                .collect())
        })
    }

    fn conflicts(&self) -> BoxFut<'_, Vec<ConflictRow>> {
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c
                .query("SELECT blob_key, sha256, assessment, held_sha256, station, received_ms FROM conflicts ORDER BY received_ms DESC", &[])
                .await
                .map_err(pg)?;
            Ok(rows
                .iter()
                .map(|r| ConflictRow {
                    key: r.get(0),
                    sha256: r.get(1),
                    assessment: r.get(2),
                    held_sha256: r.get(3),
                    station: r.get(4),
                    received_ms: r.get(5),
                })
                .collect())
        })
    }

    fn remember_nonce(&self, nonce: &str, now_ms: i64, expires_ms: i64) -> BoxFut<'_, bool> {
        let nonce = nonce.to_owned();
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute("DELETE FROM nonces WHERE expires_ms < $1", &[&now_ms]).await.map_err(pg)?;
            let n = c
                .execute(
                    "INSERT INTO nonces (nonce, expires_ms) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&nonce, &expires_ms],
                )
                .await
                .map_err(pg)?;
            Ok(n == 1)
        })
    }

    fn touch_station(&self, did: &str, name: &str, now_ms: i64) -> BoxFut<'_, ()> {
        let (did, name) = (did.to_owned(), name.to_owned());
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute(
                "INSERT INTO stations (did, name, last_contact_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (did) DO UPDATE SET name = excluded.name, last_contact_ms = GREATEST(stations.last_contact_ms, excluded.last_contact_ms)",
                &[&did, &name, &now_ms],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn stations(&self) -> BoxFut<'_, Vec<StationRow>> {
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c
                .query("SELECT did, name, last_contact_ms FROM stations ORDER BY last_contact_ms DESC", &[])
                .await
                .map_err(pg)?;
            Ok(rows.iter().map(|r| StationRow { did: r.get(0), name: r.get(1), last_contact_ms: r.get(2) }).collect())
        })
    }

    fn set_admin(&self, user: &str, phc_hash: &str) -> BoxFut<'_, ()> {
        let (user, hash) = (user.to_owned(), phc_hash.to_owned());
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute(
                "INSERT INTO admins (username, phc) VALUES ($1, $2) ON CONFLICT (username) DO UPDATE SET phc = excluded.phc",
                &[&user, &hash],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn admin_hash(&self, user: &str) -> BoxFut<'_, Option<String>> {
        let user = user.to_owned();
        Box::pin(async move {
            let c = self.client.lock().await;
            Ok(c.query_opt("SELECT phc FROM admins WHERE username = $1", &[&user]).await.map_err(pg)?.map(|r| r.get(0)))
        })
    }

    fn create_session(&self, token_sha256: &str, user: &str, expires_ms: i64) -> BoxFut<'_, ()> {
        let (t, u) = (token_sha256.to_owned(), user.to_owned());
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute(
                "INSERT INTO sessions (token_sha256, username, expires_ms) VALUES ($1, $2, $3)",
                &[&t, &u, &expires_ms],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn session_user(&self, token_sha256: &str, now_ms: i64) -> BoxFut<'_, Option<String>> {
        let t = token_sha256.to_owned();
        Box::pin(async move {
            let c = self.client.lock().await;
            Ok(c.query_opt("SELECT username FROM sessions WHERE token_sha256 = $1 AND expires_ms > $2", &[&t, &now_ms])
                .await
                .map_err(pg)?
                .map(|r| r.get(0)))
        })
    }

    fn delete_session(&self, token_sha256: &str) -> BoxFut<'_, ()> {
        let t = token_sha256.to_owned();
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute("DELETE FROM sessions WHERE token_sha256 = $1", &[&t]).await.map_err(pg)?;
            Ok(())
        })
    }
}
