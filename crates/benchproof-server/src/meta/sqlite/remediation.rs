//! [`RemediationMeta`] on SQLite.

use rusqlite::params;

use super::SqliteMeta;
use crate::meta::{BoxFut, RemediationMeta, RemediationRow};

impl RemediationMeta for SqliteMeta {
    fn add_remediation_note(&self, r: RemediationRow) -> BoxFut<'_, ()> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO remediation_notes (bundle_sha256, note, created_ms, created_by) VALUES (?1, ?2, ?3, ?4)",
                params![r.bundle_sha256, r.note, r.created_ms, r.created_by],
            )
            .map(drop)
        })
    }

    fn remediation_notes(&self, bundles: Vec<String>) -> BoxFut<'_, Vec<RemediationRow>> {
        self.run(move |c| {
            let mut s = c.prepare(
                "SELECT bundle_sha256, note, created_ms, created_by FROM remediation_notes WHERE bundle_sha256 = ?1 ORDER BY created_ms, rowid",
            )?;
            let mut out = Vec::new();
            for b in &bundles {
                let rows = s.query_map([b], |r| {
                    Ok(RemediationRow { bundle_sha256: r.get(0)?, note: r.get(1)?, created_ms: r.get(2)?, created_by: r.get(3)? })
                })?;
                for row in rows {
                    out.push(row?);
                }
            }
            out.sort_by_key(|r| r.created_ms);
            Ok(out)
        })
    }
}
