//! [`CredentialMeta`] on SQLite.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::SqliteMeta;
use crate::meta::{BoxFut, CredentialInsert, CredentialMeta, CredentialRow};

const COLS: &str = "id, bundle_sha256, assessment, student, rubric, status_index, issued_ms, issued_by, revoked_ms, revoked_by, revoke_reason, document";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CredentialRow> {
    Ok(CredentialRow {
        id: r.get(0)?,
        bundle_sha256: r.get(1)?,
        assessment: r.get(2)?,
        student: r.get(3)?,
        rubric: r.get(4)?,
        status_index: r.get::<_, i64>(5)? as u64,
        issued_ms: r.get(6)?,
        issued_by: r.get(7)?,
        revoked_ms: r.get(8)?,
        revoked_by: r.get(9)?,
        revoke_reason: r.get(10)?,
        document: r.get(11)?,
    })
}

impl CredentialMeta for SqliteMeta {
    fn insert_credential(&self, c: CredentialRow) -> BoxFut<'_, CredentialInsert> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let live = tx
                .query_row(
                    &format!("SELECT {COLS} FROM credentials WHERE bundle_sha256 = ?1 AND revoked_ms IS NULL"),
                    [&c.bundle_sha256],
                    row,
                )
                .optional()?;
            if let Some(live) = live {
                return Ok(CredentialInsert::LiveExists(Box::new(live)));
            }
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM credentials WHERE status_index = ?1)",
                [c.status_index as i64],
                |r| r.get(0),
            )?;
            if taken {
                return Ok(CredentialInsert::IndexTaken);
            }
            tx.execute(
                &format!("INSERT INTO credentials ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
                params![
                    c.id,
                    c.bundle_sha256,
                    c.assessment,
                    c.student,
                    c.rubric,
                    c.status_index as i64,
                    c.issued_ms,
                    c.issued_by,
                    c.revoked_ms,
                    c.revoked_by,
                    c.revoke_reason,
                    c.document
                ],
            )?;
            tx.commit()?;
            Ok(CredentialInsert::Inserted)
        })
    }

    fn credential(&self, id: &str) -> BoxFut<'_, Option<CredentialRow>> {
        let id = id.to_owned();
        self.run(move |c| c.query_row(&format!("SELECT {COLS} FROM credentials WHERE id = ?1"), [id], row).optional())
    }

    fn credentials(&self) -> BoxFut<'_, Vec<CredentialRow>> {
        self.run(move |c| {
            let mut s = c.prepare(&format!("SELECT {COLS} FROM credentials ORDER BY issued_ms DESC, id DESC"))?;
            let rows = s.query_map([], row)?;
            rows.collect()
        })
    }

    fn revoke_credential(&self, id: &str, by: &str, reason: &str, now_ms: i64) -> BoxFut<'_, bool> {
        let (id, by, reason) = (id.to_owned(), by.to_owned(), reason.to_owned());
        self.run(move |c| {
            let n = c.execute(
                "UPDATE credentials SET revoked_ms = ?2, revoked_by = ?3, revoke_reason = ?4 WHERE id = ?1 AND revoked_ms IS NULL",
                params![id, now_ms, by, reason],
            )?;
            Ok(n == 1)
        })
    }
}
