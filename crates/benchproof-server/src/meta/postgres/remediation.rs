//! [`RemediationMeta`] on PostgreSQL.

use super::{pg, PgMeta};
use crate::meta::{BoxFut, RemediationMeta, RemediationRow};

impl RemediationMeta for PgMeta {
    fn add_remediation_note(&self, r: RemediationRow) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let c = self.client.lock().await;
            c.execute(
                "INSERT INTO remediation_notes (bundle_sha256, note, created_ms, created_by) VALUES ($1, $2, $3, $4)",
                &[&r.bundle_sha256, &r.note, &r.created_ms, &r.created_by],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn remediation_notes(&self, bundles: Vec<String>) -> BoxFut<'_, Vec<RemediationRow>> {
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c
                .query(
                    "SELECT bundle_sha256, note, created_ms, created_by FROM remediation_notes WHERE bundle_sha256 = ANY($1) ORDER BY created_ms",
                    &[&bundles],
                )
                .await
                .map_err(pg)?;
            Ok(rows
                .iter()
                .map(|r| RemediationRow {
                    bundle_sha256: r.get(0),
                    note: r.get(1),
                    created_ms: r.get(2),
                    created_by: r.get(3),
                })
                .collect())
        })
    }
}
