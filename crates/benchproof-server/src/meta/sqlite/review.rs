//! [`ReviewMeta`] on SQLite.

use rusqlite::{params, OptionalExtension};

use super::SqliteMeta;
use crate::meta::{BoxFut, ReviewAccessRow, ReviewLinkRow, ReviewMeta};

const COLS: &str = "id, token_sha256, bundle_sha256, assessment, label, code_phc, created_ms, created_by, expires_ms, revoked_ms, revoked_by";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReviewLinkRow> {
    Ok(ReviewLinkRow {
        id: r.get(0)?,
        token_sha256: r.get(1)?,
        bundle_sha256: r.get(2)?,
        assessment: r.get(3)?,
        label: r.get(4)?,
        code_phc: r.get(5)?,
        created_ms: r.get(6)?,
        created_by: r.get(7)?,
        expires_ms: r.get(8)?,
        revoked_ms: r.get(9)?,
        revoked_by: r.get(10)?,
    })
}

fn access(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReviewAccessRow> {
    Ok(ReviewAccessRow {
        link: r.get(0)?,
        at_ms: r.get(1)?,
        resource: r.get(2)?,
        outcome: r.get(3)?,
        client: r.get(4)?,
    })
}

impl ReviewMeta for SqliteMeta {
    fn create_review_link(&self, l: ReviewLinkRow) -> BoxFut<'_, ()> {
        self.run(move |c| {
            c.execute(
                &format!("INSERT INTO review_links ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
                params![
                    l.id,
                    l.token_sha256,
                    l.bundle_sha256,
                    l.assessment,
                    l.label,
                    l.code_phc,
                    l.created_ms,
                    l.created_by,
                    l.expires_ms,
                    l.revoked_ms,
                    l.revoked_by
                ],
            )
            .map(drop)
        })
    }

    fn review_link_by_token(&self, token_sha256: &str) -> BoxFut<'_, Option<ReviewLinkRow>> {
        let t = token_sha256.to_owned();
        self.run(move |c| {
            c.query_row(&format!("SELECT {COLS} FROM review_links WHERE token_sha256 = ?1"), [t], row).optional()
        })
    }

    fn review_links(&self) -> BoxFut<'_, Vec<ReviewLinkRow>> {
        self.run(move |c| {
            let mut s = c.prepare(&format!("SELECT {COLS} FROM review_links ORDER BY created_ms DESC, id DESC"))?;
            let rows = s.query_map([], row)?;
            rows.collect()
        })
    }

    fn revoke_review_link(&self, id: &str, by: &str, now_ms: i64) -> BoxFut<'_, bool> {
        let (id, by) = (id.to_owned(), by.to_owned());
        self.run(move |c| {
            let n = c.execute(
                "UPDATE review_links SET revoked_ms = ?2, revoked_by = ?3 WHERE id = ?1 AND revoked_ms IS NULL",
                params![id, now_ms, by],
            )?;
            Ok(n == 1)
        })
    }

    fn log_review_access(&self, a: ReviewAccessRow) -> BoxFut<'_, ()> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO review_access (link, at_ms, resource, outcome, client) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![a.link, a.at_ms, a.resource, a.outcome, a.client],
            )
            .map(drop)
        })
    }

    fn review_accesses(&self, link: Option<&str>) -> BoxFut<'_, Vec<ReviewAccessRow>> {
        let link = link.map(str::to_owned);
        self.run(move |c| {
            let mut s = c.prepare(
                "SELECT link, at_ms, resource, outcome, client FROM review_access WHERE ?1 IS NULL OR link = ?1 ORDER BY at_ms DESC, rowid DESC",
            )?;
            let rows = s.query_map([link], access)?;
            rows.collect()
        })
    }
}
