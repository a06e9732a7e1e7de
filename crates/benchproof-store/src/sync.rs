//! Delivery state for the sync worker (migration `0005_sync`): where each outbox bundle's upload
//! stands, its receipt once delivered, the log checkpoints this station has seen and the alerts
//! the worker raised.
//!
//! Invariants: a row becomes `delivered` only together with its receipt, in one statement, and
//! the caller (the sync worker) has verified that receipt first; nothing here deletes a bundle.
//! Seen checkpoints and alerts are append-only.

use benchproof_domain::{AssessmentId, Sha256, Timestamp};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use crate::{Store, StoreError};

/// Where a bundle's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryState {
    /// Not yet (fully) uploaded; the worker will try.
    Pending,
    /// An upload was created on the server and is in progress or interrupted.
    Uploading,
    /// The server holds it and its receipt verified.
    Delivered,
    /// The worker gave up; see the row's `alert`.
    Failed,
}

impl DeliveryState {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => DeliveryState::Pending,
            "uploading" => DeliveryState::Uploading,
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            _ => return None,
        })
    }
}

/// One outbox bundle as the sync worker sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncItem {
    pub assessment: AssessmentId,
    pub bundle_sha256: Sha256,
    pub bundle_bytes: u64,
    pub bundle_path: String,
    pub state: DeliveryState,
    /// Attempts that failed (any kind).
    pub attempts: u32,
    /// Attempts the server refused for good (403, 409, 422).
    pub permanent_failures: u32,
    pub last_error: Option<String>,
    /// Not before this instant (backoff); `None` means as soon as possible.
    pub next_attempt_at: Option<Timestamp>,
    /// The tus upload URL, once created.
    pub upload_url: Option<String>,
    /// Bytes the server last confirmed holding.
    pub bytes_confirmed: u64,
    /// The receipt JSON, once delivered.
    pub receipt: Option<String>,
    /// Why the worker gave up, if it did.
    pub alert: Option<String>,
    pub queued_at: Timestamp,
}

/// A transparency-log checkpoint this station accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeenCheckpoint {
    pub origin: String,
    pub tree_size: u64,
    /// Lowercase hex root hash.
    pub root_hash: String,
    /// The signed note exactly as received.
    pub note: String,
    pub seen_at: Timestamp,
}

/// An alert the sync worker raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncAlert {
    pub at: Timestamp,
    pub kind: String,
    pub assessment: Option<AssessmentId>,
    pub detail: String,
}

const ITEM_COLUMNS: &str = "assessment_id, bundle_sha256, bundle_bytes, bundle_path, state, attempts, \
     permanent_failures, last_error, next_attempt_at, upload_url, bytes_confirmed, receipt, alert, queued_at";

impl Store {
    /// Every outbox bundle with its delivery state, oldest first.
    pub fn sync_items(&self) -> Result<Vec<SyncItem>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM outbox ORDER BY queued_at"))?;
        let rows = stmt.query_map([], raw_item)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(RawItem::decode).collect()
    }

    /// One outbox bundle's delivery state.
    pub fn sync_item(&self, assessment: AssessmentId) -> Result<SyncItem, StoreError> {
        let raw = self
            .conn
            .query_row(
                &format!("SELECT {ITEM_COLUMNS} FROM outbox WHERE assessment_id = ?1"),
                [assessment.to_string()],
                raw_item,
            )
            .optional()?
            .ok_or(StoreError::NotFound(assessment))?;
        raw.decode()
    }

    /// Remembers the tus upload URL the server created for this bundle.
    pub fn record_upload_created(&self, assessment: AssessmentId, upload_url: &str) -> Result<(), StoreError> {
        self.update_undelivered(
            assessment,
            "UPDATE outbox SET state = 'uploading', upload_url = ?2, bytes_confirmed = 0
             WHERE assessment_id = ?1 AND state <> 'delivered'",
            params![assessment.to_string(), upload_url],
        )
    }

    /// Records the offset the server confirmed.
    pub fn record_upload_progress(&self, assessment: AssessmentId, bytes_confirmed: u64) -> Result<(), StoreError> {
        self.update_undelivered(
            assessment,
            "UPDATE outbox SET bytes_confirmed = ?2 WHERE assessment_id = ?1 AND state <> 'delivered'",
            params![assessment.to_string(), bytes_confirmed as i64],
        )
    }

    /// Forgets the upload URL (the server no longer knows it, e.g. it expired): the next attempt
    /// starts a new upload.
    pub fn forget_upload(&self, assessment: AssessmentId) -> Result<(), StoreError> {
        self.update_undelivered(
            assessment,
            "UPDATE outbox SET state = 'pending', upload_url = NULL, bytes_confirmed = 0
             WHERE assessment_id = ?1 AND state <> 'delivered'",
            params![assessment.to_string()],
        )
    }

    /// Records a failed attempt: the error, when to try next and whether the server refused for
    /// good (`permanent`). With `alert`, the worker gives up and the row becomes `failed`.
    pub fn record_sync_failure(&self, assessment: AssessmentId, failure: &SyncFailure<'_>) -> Result<(), StoreError> {
        self.update_undelivered(
            assessment,
            "UPDATE outbox SET attempts = attempts + 1,
                permanent_failures = permanent_failures + ?2,
                last_error = ?3, next_attempt_at = ?4,
                alert = COALESCE(?5, alert),
                state = CASE WHEN ?5 IS NOT NULL THEN 'failed' ELSE state END
             WHERE assessment_id = ?1 AND state <> 'delivered'",
            params![
                assessment.to_string(),
                i64::from(failure.permanent),
                failure.error,
                failure.next_attempt_at.map(|t| t.to_string()),
                failure.alert,
            ],
        )
    }

    /// Stops trying to deliver a bundle: it becomes `failed` with `alert` for the operator
    /// (nothing is deleted; [`Store::retry_sync`] puts it back).
    pub fn record_gave_up(&self, assessment: AssessmentId, alert: &str) -> Result<(), StoreError> {
        self.update_undelivered(
            assessment,
            "UPDATE outbox SET state = 'failed', alert = ?2, next_attempt_at = NULL
             WHERE assessment_id = ?1 AND state <> 'delivered'",
            params![assessment.to_string(), alert],
        )
    }

    /// Puts a `failed` bundle back in the queue (an operator fixed the cause): attempts, errors
    /// and alert are cleared.
    pub fn retry_sync(&self, assessment: AssessmentId) -> Result<(), StoreError> {
        self.update_undelivered(
            assessment,
            "UPDATE outbox SET state = CASE WHEN upload_url IS NULL THEN 'pending' ELSE 'uploading' END,
                attempts = 0, permanent_failures = 0, last_error = NULL, next_attempt_at = NULL, alert = NULL
             WHERE assessment_id = ?1 AND state <> 'delivered'",
            params![assessment.to_string()],
        )
    }

    /// Marks a bundle delivered with its receipt (which the caller has verified).
    pub fn record_delivered(
        &self,
        assessment: AssessmentId,
        receipt_json: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.update_undelivered(
            assessment,
            "UPDATE outbox SET state = 'delivered', receipt = ?2, delivered_at = ?3, bytes_confirmed = bundle_bytes,
                next_attempt_at = NULL, alert = NULL
             WHERE assessment_id = ?1 AND state <> 'delivered'",
            params![assessment.to_string(), receipt_json, at.to_string()],
        )
    }

    /// Runs an update of one outbox row. A delivered row is never changed (the statement's
    /// `state <> 'delivered'` guard); an unknown assessment is [`StoreError::NotFound`].
    fn update_undelivered(
        &self,
        assessment: AssessmentId,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<(), StoreError> {
        if self.conn.execute(sql, params)? == 0 {
            // Either delivered (left as it is, by design) or not in the outbox at all.
            self.sync_item(assessment)?;
        }
        Ok(())
    }

    /// The last transparency-log checkpoint this station accepted, if any.
    pub fn latest_log_checkpoint(&self) -> Result<Option<SeenCheckpoint>, StoreError> {
        let raw = self
            .conn
            .query_row(
                "SELECT origin, tree_size, root_hash, note, seen_at FROM log_checkpoints ORDER BY seq DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?;
        raw.map(|(origin, size, root_hash, note, seen)| {
            Ok(SeenCheckpoint {
                origin,
                tree_size: size as u64,
                root_hash,
                note,
                seen_at: seen.parse().map_err(|e| StoreError::decode("checkpoint time", e))?,
            })
        })
        .transpose()
    }

    /// Appends a checkpoint the caller proved consistent with the previous one.
    pub fn record_log_checkpoint(&self, checkpoint: &SeenCheckpoint) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO log_checkpoints (origin, tree_size, root_hash, note, seen_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                checkpoint.origin,
                checkpoint.tree_size as i64,
                checkpoint.root_hash,
                checkpoint.note,
                checkpoint.seen_at.to_string()
            ],
        )?;
        Ok(())
    }

    /// Appends an alert.
    pub fn record_sync_alert(&self, alert: &SyncAlert) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sync_alerts (at, kind, assessment_id, detail) VALUES (?1, ?2, ?3, ?4)",
            params![alert.at.to_string(), alert.kind, alert.assessment.map(|a| a.to_string()), alert.detail],
        )?;
        Ok(())
    }

    /// Every alert, oldest first.
    pub fn sync_alerts(&self) -> Result<Vec<SyncAlert>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT at, kind, assessment_id, detail FROM sync_alerts ORDER BY seq")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(at, kind, assessment, detail)| {
                Ok(SyncAlert {
                    at: at.parse().map_err(|e| StoreError::decode("alert time", e))?,
                    kind,
                    assessment: assessment
                        .map(|a| a.parse().map_err(|e| StoreError::decode("alert assessment id", e)))
                        .transpose()?,
                    detail,
                })
            })
            .collect()
    }
}

/// A failed delivery attempt, for [`Store::record_sync_failure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncFailure<'a> {
    /// What went wrong, for the queue screen.
    pub error: &'a str,
    /// The server refused for good (counts towards giving up).
    pub permanent: bool,
    /// When to try again; `None` to try as soon as possible.
    pub next_attempt_at: Option<Timestamp>,
    /// Give up with this message for the operator.
    pub alert: Option<&'a str>,
}

struct RawItem {
    id: String,
    sha: String,
    bytes: i64,
    path: String,
    state: String,
    attempts: i64,
    permanent: i64,
    last_error: Option<String>,
    next: Option<String>,
    url: Option<String>,
    confirmed: i64,
    receipt: Option<String>,
    alert: Option<String>,
    queued: String,
}

fn raw_item(r: &Row<'_>) -> rusqlite::Result<RawItem> {
    Ok(RawItem {
        id: r.get(0)?,
        sha: r.get(1)?,
        bytes: r.get(2)?,
        path: r.get(3)?,
        state: r.get(4)?,
        attempts: r.get(5)?,
        permanent: r.get(6)?,
        last_error: r.get(7)?,
        next: r.get(8)?,
        url: r.get(9)?,
        confirmed: r.get(10)?,
        receipt: r.get(11)?,
        alert: r.get(12)?,
        queued: r.get(13)?,
    })
}

impl RawItem {
    fn decode(self) -> Result<SyncItem, StoreError> {
        Ok(SyncItem {
            assessment: self.id.parse().map_err(|e| StoreError::decode("outbox assessment id", e))?,
            bundle_sha256: self.sha.parse().map_err(|e| StoreError::decode("outbox bundle hash", e))?,
            bundle_bytes: self.bytes as u64,
            bundle_path: self.path,
            state: DeliveryState::parse(&self.state)
                .ok_or_else(|| StoreError::decode("outbox state", format!("unknown state {:?}", self.state)))?,
            attempts: self.attempts as u32,
            permanent_failures: self.permanent as u32,
            last_error: self.last_error,
            next_attempt_at: self
                .next
                .map(|t| t.parse().map_err(|e| StoreError::decode("outbox next attempt time", e)))
                .transpose()?,
            upload_url: self.url,
            bytes_confirmed: self.confirmed as u64,
            receipt: self.receipt,
            alert: self.alert,
            queued_at: self.queued.parse().map_err(|e| StoreError::decode("outbox time", e))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use benchproof_domain::rubric::parse;
    use benchproof_domain::{Assessment, AssessmentId};

    use super::*;

    const RUBRIC: &str = include_str!("../../../fixtures/rubrics/test-skill.toml");

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_795_935_053_000 + ms)
    }

    /// A store with one queued bundle.
    fn queued() -> (tempfile::TempDir, Store, AssessmentId) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let rubric = parse("test.toml", RUBRIC).unwrap();
        store.put_rubric(&rubric, RUBRIC, t(0)).unwrap();
        let id = AssessmentId::from_uuid(uuid::Uuid::now_v7()).unwrap();
        let (_, genesis) = Assessment::create(id, rubric, "student", t(1)).unwrap();
        store.create_assessment(&genesis).unwrap();
        store.enqueue_bundle(id, Sha256::of(b"bundle"), 1000, "outbox/b.zip", t(2)).unwrap();
        (dir, store, id)
    }

    #[test]
    fn a_queued_bundle_is_pending_with_nothing_sent() {
        let (_dir, store, id) = queued();
        let item = store.sync_item(id).unwrap();
        assert_eq!(item.state, DeliveryState::Pending);
        assert_eq!((item.attempts, item.bytes_confirmed, &item.upload_url, &item.receipt), (0, 0, &None, &None));
        assert_eq!(store.sync_items().unwrap(), vec![item]);
    }

    #[test]
    fn upload_progress_failure_and_delivery() {
        let (_dir, store, id) = queued();
        store.record_upload_created(id, "http://server/files/abc").unwrap();
        store.record_upload_progress(id, 400).unwrap();
        let failure =
            SyncFailure { error: "connection reset", permanent: false, next_attempt_at: Some(t(10)), alert: None };
        store.record_sync_failure(id, &failure).unwrap();
        let item = store.sync_item(id).unwrap();
        assert_eq!(item.state, DeliveryState::Uploading);
        assert_eq!(item.upload_url.as_deref(), Some("http://server/files/abc"));
        assert_eq!((item.bytes_confirmed, item.attempts, item.permanent_failures), (400, 1, 0));
        assert_eq!(item.next_attempt_at, Some(t(10)));
        assert_eq!(item.last_error.as_deref(), Some("connection reset"));

        store.record_delivered(id, "{\"type\":\"BenchproofReceipt\"}", t(20)).unwrap();
        let item = store.sync_item(id).unwrap();
        assert_eq!(item.state, DeliveryState::Delivered);
        assert_eq!(item.bytes_confirmed, 1000);
        assert_eq!(item.receipt.as_deref(), Some("{\"type\":\"BenchproofReceipt\"}"));

        // A delivered row never changes again.
        store.record_sync_failure(id, &failure).unwrap();
        store.forget_upload(id).unwrap();
        store.record_delivered(id, "other", t(30)).unwrap();
        let after = store.sync_item(id).unwrap();
        assert_eq!(after, item);
    }

    #[test]
    fn giving_up_marks_failed_until_an_operator_retries() {
        let (_dir, store, id) = queued();
        let refused = SyncFailure {
            error: "422 invalid-bundle",
            permanent: true,
            next_attempt_at: None,
            alert: Some("the server refused the bundle"),
        };
        store.record_sync_failure(id, &refused).unwrap();
        let item = store.sync_item(id).unwrap();
        assert_eq!((item.state, item.permanent_failures), (DeliveryState::Failed, 1));
        assert_eq!(item.alert.as_deref(), Some("the server refused the bundle"));
        store.retry_sync(id).unwrap();
        let item = store.sync_item(id).unwrap();
        assert_eq!((item.state, item.attempts, item.alert), (DeliveryState::Pending, 0, None));
    }

    #[test]
    fn unknown_bundles_are_not_found() {
        let (_dir, store, _) = queued();
        let other = AssessmentId::from_uuid(uuid::Uuid::now_v7()).unwrap();
        assert!(matches!(store.record_upload_progress(other, 1), Err(StoreError::NotFound(a)) if a == other));
    }

    #[test]
    fn checkpoints_and_alerts_are_append_only() {
        let (_dir, store, id) = queued();
        assert_eq!(store.latest_log_checkpoint().unwrap(), None);
        for size in [1, 5] {
            let cp = SeenCheckpoint {
                origin: "log".into(),
                tree_size: size,
                root_hash: "00".repeat(32),
                note: format!("log\n{size}\n...\n"),
                seen_at: t(size as i64),
            };
            store.record_log_checkpoint(&cp).unwrap();
            assert_eq!(store.latest_log_checkpoint().unwrap(), Some(cp));
        }
        assert!(store.conn.execute("DELETE FROM log_checkpoints", []).is_err());
        assert!(store.conn.execute("UPDATE log_checkpoints SET tree_size = 0", []).is_err());
        let alert = SyncAlert { at: t(3), kind: "log-rewritten".into(), assessment: Some(id), detail: "d".into() };
        store.record_sync_alert(&alert).unwrap();
        assert_eq!(store.sync_alerts().unwrap(), vec![alert]);
    }
}
