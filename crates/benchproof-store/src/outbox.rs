//! The outbox: sealed bundles waiting to be delivered. The sync worker drives the states.

use benchproof_domain::{AssessmentId, Sha256, Timestamp};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub assessment: AssessmentId,
    pub bundle_sha256: Sha256,
    pub bundle_bytes: u64,
    pub bundle_path: String,
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub queued_at: Timestamp,
}

impl Store {
    /// Remembers the bundle digest of an assessment (the first one wins; see
    /// [`Store::bundle_digest`]).
    pub fn record_bundle(&self, assessment: AssessmentId, digest: Sha256, at: Timestamp) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO bundles_seen (assessment_id, digest, first_seen) VALUES (?1, ?2, ?3)
             ON CONFLICT (assessment_id) DO NOTHING",
            params![assessment.to_string(), digest.to_hex(), at.to_string()],
        )?;
        Ok(())
    }

    /// The digest of the bundle first sealed or accepted for this assessment, if any.
    pub fn bundle_digest(&self, assessment: AssessmentId) -> Result<Option<Sha256>, StoreError> {
        let hex: Option<String> = self
            .conn
            .query_row("SELECT digest FROM bundles_seen WHERE assessment_id = ?1", [assessment.to_string()], |r| {
                r.get(0)
            })
            .optional()?;
        hex.map(|h| h.parse().map_err(|e| StoreError::decode("bundle digest", e))).transpose()
    }

    /// Queues a sealed bundle for delivery (idempotent for the same bundle).
    pub fn enqueue_bundle(
        &self,
        assessment: AssessmentId,
        bundle_sha256: Sha256,
        bundle_bytes: u64,
        bundle_path: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO outbox (assessment_id, bundle_sha256, bundle_bytes, bundle_path, queued_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (assessment_id) DO NOTHING",
            params![assessment.to_string(), bundle_sha256.to_hex(), bundle_bytes as i64, bundle_path, at.to_string()],
        )?;
        Ok(())
    }

    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT assessment_id, bundle_sha256, bundle_bytes, bundle_path, state, attempts, last_error, queued_at
             FROM outbox ORDER BY queued_at",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, sha, bytes, path, state, attempts, last_error, queued)| {
                Ok(OutboxEntry {
                    assessment: id.parse().map_err(|e| StoreError::decode("outbox assessment id", e))?,
                    bundle_sha256: sha.parse().map_err(|e| StoreError::decode("outbox bundle hash", e))?,
                    bundle_bytes: bytes as u64,
                    bundle_path: path,
                    state,
                    attempts: attempts as u32,
                    last_error,
                    queued_at: queued.parse().map_err(|e| StoreError::decode("outbox time", e))?,
                })
            })
            .collect()
    }
}
