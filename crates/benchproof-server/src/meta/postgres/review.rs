//! [`ReviewMeta`] on PostgreSQL.

use tokio_postgres::Row;

use super::{pg, PgMeta};
use crate::meta::{BoxFut, ReviewAccessRow, ReviewLinkRow, ReviewMeta};

const COLS: &str = "id, token_sha256, bundle_sha256, assessment, label, code_phc, created_ms, created_by, expires_ms, revoked_ms, revoked_by";

fn row(r: &Row) -> ReviewLinkRow {
    ReviewLinkRow {
        id: r.get(0),
        token_sha256: r.get(1),
        bundle_sha256: r.get(2),
        assessment: r.get(3),
        label: r.get(4),
        code_phc: r.get(5),
        created_ms: r.get(6),
        created_by: r.get(7),
        expires_ms: r.get(8),
        revoked_ms: r.get(9),
        revoked_by: r.get(10),
    }
}

impl ReviewMeta for PgMeta {
    fn create_review_link(&self, l: ReviewLinkRow) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute(
                &format!("INSERT INTO review_links ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
                &[
                    &l.id,
                    &l.token_sha256,
                    &l.bundle_sha256,
                    &l.assessment,
                    &l.label,
                    &l.code_phc,
                    &l.created_ms,
                    &l.created_by,
                    &l.expires_ms,
                    &l.revoked_ms,
                    &l.revoked_by,
                ],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn review_link_by_token(&self, token_sha256: &str) -> BoxFut<'_, Option<ReviewLinkRow>> {
        let t = token_sha256.to_owned();
        Box::pin(async move {
            let c = self.client.lock().await;
            let r = c
                .query_opt(&format!("SELECT {COLS} FROM review_links WHERE token_sha256 = $1"), &[&t])
                .await
                .map_err(pg)?;
            Ok(r.as_ref().map(row))
        })
    }

    fn review_links(&self) -> BoxFut<'_, Vec<ReviewLinkRow>> {
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c
                .query(&format!("SELECT {COLS} FROM review_links ORDER BY created_ms DESC, id DESC"), &[])
                .await
                .map_err(pg)?;
            Ok(rows.iter().map(row).collect())
        })
    }

    fn revoke_review_link(&self, id: &str, by: &str, now_ms: i64) -> BoxFut<'_, bool> {
        let (id, by) = (id.to_owned(), by.to_owned());
        Box::pin(async move {
            let c = self.client.lock().await;
            let n = c
                .execute(
                    "UPDATE review_links SET revoked_ms = $2, revoked_by = $3 WHERE id = $1 AND revoked_ms IS NULL",
                    &[&id, &now_ms, &by],
                )
                .await
                .map_err(pg)?;
            Ok(n == 1)
        })
    }

    fn log_review_access(&self, a: ReviewAccessRow) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute(
                "INSERT INTO review_access (link, at_ms, resource, outcome, client) VALUES ($1, $2, $3, $4, $5)",
                &[&a.link, &a.at_ms, &a.resource, &a.outcome, &a.client],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn review_accesses(&self, link: Option<&str>) -> BoxFut<'_, Vec<ReviewAccessRow>> {
        let link = link.map(str::to_owned);
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c
                .query(
                    "SELECT link, at_ms, resource, outcome, client FROM review_access WHERE $1::text IS NULL OR link = $1 ORDER BY at_ms DESC",
                    &[&link],
                )
                .await
                .map_err(pg)?;
            Ok(rows
                .iter()
                .map(|r| ReviewAccessRow {
                    link: r.get(0),
                    at_ms: r.get(1),
                    resource: r.get(2),
                    outcome: r.get(3),
                    client: r.get(4),
                })
                .collect())
        })
    }
}
