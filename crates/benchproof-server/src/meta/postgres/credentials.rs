//! [`CredentialMeta`] on PostgreSQL: inserts serialise on a transaction-scoped advisory lock, so
//! two processes cannot both issue a live credential for one bundle or share a status index.

use tokio_postgres::Row;

use super::{pg, PgMeta};
use crate::meta::{BoxFut, CredentialInsert, CredentialMeta, CredentialRow};

/// The advisory lock key that serialises credential inserts ("bpcred").
const CREDENTIAL_LOCK: i64 = 0x6270_6372_6564;

const COLS: &str = "id, bundle_sha256, assessment, student, rubric, status_index, issued_ms, issued_by, revoked_ms, revoked_by, revoke_reason, document";

fn row(r: &Row) -> CredentialRow {
    CredentialRow {
        id: r.get(0),
        bundle_sha256: r.get(1),
        assessment: r.get(2),
        student: r.get(3),
        rubric: r.get(4),
        status_index: r.get::<_, i64>(5) as u64,
        issued_ms: r.get(6),
        issued_by: r.get(7),
        revoked_ms: r.get(8),
        revoked_by: r.get(9),
        revoke_reason: r.get(10),
        document: r.get(11),
    }
}

impl CredentialMeta for PgMeta {
    fn insert_credential(&self, c: CredentialRow) -> BoxFut<'_, CredentialInsert> {
        Box::pin(async move {
            let mut client = self.client.lock().await;
            let tx = client.transaction().await.map_err(pg)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CREDENTIAL_LOCK]).await.map_err(pg)?;
            let live = tx
                .query_opt(
                    &format!("SELECT {COLS} FROM credentials WHERE bundle_sha256 = $1 AND revoked_ms IS NULL"),
                    &[&c.bundle_sha256],
                )
                .await
                .map_err(pg)?;
            if let Some(live) = live {
                return Ok(CredentialInsert::LiveExists(Box::new(row(&live))));
            }
            let index = c.status_index as i64;
            let taken: bool = tx
                .query_one("SELECT EXISTS (SELECT 1 FROM credentials WHERE status_index = $1)", &[&index])
                .await
                .map_err(pg)?
                .get(0);
            if taken {
                return Ok(CredentialInsert::IndexTaken);
            }
            tx.execute(
                &format!("INSERT INTO credentials ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"),
                &[
                    &c.id,
                    &c.bundle_sha256,
                    &c.assessment,
                    &c.student,
                    &c.rubric,
                    &index,
                    &c.issued_ms,
                    &c.issued_by,
                    &c.revoked_ms,
                    &c.revoked_by,
                    &c.revoke_reason,
                    &c.document,
                ],
            )
            .await
            .map_err(pg)?;
            tx.commit().await.map_err(pg)?;
            Ok(CredentialInsert::Inserted)
        })
    }

    fn credential(&self, id: &str) -> BoxFut<'_, Option<CredentialRow>> {
        let id = id.to_owned();
        Box::pin(async move {
            let c = self.client.lock().await;
            let r = c.query_opt(&format!("SELECT {COLS} FROM credentials WHERE id = $1"), &[&id]).await.map_err(pg)?;
            Ok(r.as_ref().map(row))
        })
    }

    fn credentials(&self) -> BoxFut<'_, Vec<CredentialRow>> {
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c
                .query(&format!("SELECT {COLS} FROM credentials ORDER BY issued_ms DESC, id DESC"), &[])
                .await
                .map_err(pg)?;
            Ok(rows.iter().map(row).collect())
        })
    }

    fn revoke_credential(&self, id: &str, by: &str, reason: &str, now_ms: i64) -> BoxFut<'_, bool> {
        let (id, by, reason) = (id.to_owned(), by.to_owned(), reason.to_owned());
        Box::pin(async move {
            let c = self.client.lock().await;
            let n = c
                .execute(
                    "UPDATE credentials SET revoked_ms = $2, revoked_by = $3, revoke_reason = $4 WHERE id = $1 AND revoked_ms IS NULL",
                    &[&id, &now_ms, &by, &reason],
                )
                .await
                .map_err(pg)?;
            Ok(n == 1)
        })
    }
}
