//! Assessments and their hash-chained event log.

use std::str::FromStr;

use benchproof_domain::event::verify_chain;
use benchproof_domain::rubric::{self, Rubric};
use benchproof_domain::{AssessmentId, EventBody, EventRecord, LifecycleState, Sha256, Timestamp};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;

use crate::{Store, StoreError};

/// One row of `benchproof assessment list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentSummary {
    pub id: AssessmentId,
    pub student: String,
    pub rubric_id: String,
    pub rubric_version: String,
    pub rubric_sha256: Sha256,
    pub state: LifecycleState,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub events: u64,
    pub head: Sha256,
}

fn parse<T: FromStr>(what: &str, s: String) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| StoreError::decode(what, e))
}

impl Store {
    /// Stores a rubric text (idempotent: the SHA-256 of the text is its key).
    pub fn put_rubric(&self, rubric: &Rubric, source: &str, at: Timestamp) -> Result<(), StoreError> {
        debug_assert_eq!(Sha256::of(source.as_bytes()), rubric.sha256);
        self.conn.execute(
            "INSERT INTO rubrics (sha256, id, version, title, source, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (sha256) DO NOTHING",
            params![rubric.sha256.to_hex(), rubric.id, rubric.version, rubric.title, source, at.to_string()],
        )?;
        Ok(())
    }

    /// The rubric with this content hash, and its exact text.
    pub fn rubric(&self, sha256: &Sha256) -> Result<(Rubric, String), StoreError> {
        let source: String = self
            .conn
            .query_row("SELECT source FROM rubrics WHERE sha256 = ?1", [sha256.to_hex()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::RubricNotFound(sha256.to_hex()))?;
        let rubric = rubric::parse(&format!("stored rubric {sha256}"), &source)
            .map_err(|e| StoreError::decode(format!("rubric {sha256}"), e))?;
        Ok((rubric, source))
    }

    /// Records a new assessment with its genesis event, in one durable transaction.
    pub fn create_assessment(&mut self, genesis: &EventRecord) -> Result<(), StoreError> {
        let EventBody::Created { rubric, student } = &genesis.event else {
            return Err(StoreError::decode(
                "genesis event",
                format!("expected `created`, got `{}`", genesis.event.kind()),
            ));
        };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = genesis.assessment.to_string();
        let exists: bool =
            tx.query_row("SELECT EXISTS(SELECT 1 FROM assessments WHERE id = ?1)", [&id], |r| r.get(0))?;
        if exists {
            return Err(StoreError::AlreadyExists(genesis.assessment));
        }
        let known: bool =
            tx.query_row("SELECT EXISTS(SELECT 1 FROM rubrics WHERE sha256 = ?1)", [rubric.sha256.to_hex()], |r| {
                r.get(0)
            })?;
        if !known {
            return Err(StoreError::RubricNotFound(rubric.sha256.to_hex()));
        }
        tx.execute(
            "INSERT INTO assessments (id, rubric_sha256, student, state, created_at, updated_at, last_seq, head)
             VALUES (?1, ?2, ?3, 'created', ?4, ?4, 0, ?5)",
            params![id, rubric.sha256.to_hex(), student, genesis.at.to_string(), Sha256::ZERO.to_hex()],
        )?;
        insert_event(&tx, genesis)?;
        tx.commit()?;
        Ok(())
    }

    /// Appends the next event of an assessment, in one durable transaction.
    ///
    /// Refuses an event that does not follow the stored head (another writer got there first)
    /// and any event once the assessment is sealed or abandoned: the log is never rewritten.
    pub fn append(&mut self, record: &EventRecord) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = record.assessment;
        let (state, last_seq, head): (String, i64, String) = tx
            .query_row("SELECT state, last_seq, head FROM assessments WHERE id = ?1", [id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?
            .ok_or(StoreError::NotFound(id))?;
        let state: LifecycleState = parse("assessment state", state)?;
        if matches!(state, LifecycleState::Sealed | LifecycleState::Abandoned) {
            return Err(StoreError::Closed { id, state });
        }
        if record.seq != last_seq as u64 + 1 || record.prev.to_hex() != head {
            return Err(StoreError::Conflict { id, stored: last_seq as u64, offered: record.seq });
        }
        insert_event(&tx, record)?;
        tx.commit()?;
        Ok(())
    }

    /// Every event of an assessment, in order.
    pub fn events(&self, id: AssessmentId) -> Result<Vec<EventRecord>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT seq, record FROM events WHERE assessment_id = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([id.to_string()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, json) = row?;
            let record: EventRecord =
                serde_json::from_str(&json).map_err(|e| StoreError::decode(format!("event {seq} of {id}"), e))?;
            out.push(record);
        }
        if out.is_empty() {
            return Err(StoreError::NotFound(id));
        }
        Ok(out)
    }

    /// Checks the stored chain against the stored head; returns the head when every link holds.
    pub fn verify_chain(&self, id: AssessmentId) -> Result<Sha256, StoreError> {
        let head = self.summary(id)?.head;
        let events = self.events(id)?;
        verify_chain(&events, Some(head)).map_err(|source| StoreError::Chain { id, source })
    }

    pub fn summary(&self, id: AssessmentId) -> Result<AssessmentSummary, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SUMMARY_SELECT} WHERE a.id = ?1"))?;
        let row = stmt.query_row([id.to_string()], raw_summary).optional()?;
        row.map(decode_summary).transpose()?.ok_or(StoreError::NotFound(id))
    }

    /// All assessments, newest first.
    pub fn list_assessments(&self) -> Result<Vec<AssessmentSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SUMMARY_SELECT} ORDER BY a.created_at DESC, a.id DESC"))?;
        let rows = stmt.query_map([], raw_summary)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(decode_summary).collect()
    }
}

const SUMMARY_SELECT: &str = "SELECT a.id, a.student, r.id, r.version, a.rubric_sha256, a.state, a.created_at,
        a.updated_at, a.last_seq, a.head FROM assessments a JOIN rubrics r ON r.sha256 = a.rubric_sha256";

type RawSummary = (String, String, String, String, String, String, String, String, i64, String);

fn raw_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawSummary> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?))
}

fn decode_summary(raw: RawSummary) -> Result<AssessmentSummary, StoreError> {
    let (id, student, rubric_id, rubric_version, sha, state, created, updated, last_seq, head) = raw;
    Ok(AssessmentSummary {
        id: parse("assessment id", id)?,
        student,
        rubric_id,
        rubric_version,
        rubric_sha256: parse("rubric hash", sha)?,
        state: parse("assessment state", state)?,
        created_at: parse("creation time", created)?,
        updated_at: parse("update time", updated)?,
        events: last_seq as u64,
        head: parse("chain head", head)?,
    })
}

/// Writes one event and its projections, and moves the assessment's head.
fn insert_event(tx: &Transaction<'_>, r: &EventRecord) -> Result<(), StoreError> {
    let id = r.assessment.to_string();
    let at = r.at.to_string();
    tx.prepare_cached("INSERT INTO events (assessment_id, seq, kind, record) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id, r.seq as i64, r.event.kind(), r.to_json_line()])?;
    if let EventBody::SnippetSaved { snippet, step, name, media_type, sha256, bytes, captured_at } = &r.event {
        tx.prepare_cached(
            "INSERT INTO snippets (id, assessment_id, seq, step_id, name, media_type, sha256, bytes, captured_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            snippet.to_string(),
            id,
            r.seq as i64,
            step.as_ref().map(|s| s.as_str()),
            name,
            media_type,
            sha256.to_hex(),
            *bytes as i64,
            captured_at.to_string()
        ])?;
    }
    let state = r.event.resulting_state().map(|s| s.as_str());
    tx.prepare_cached(
        "UPDATE assessments SET state = COALESCE(?2, state), updated_at = ?3, last_seq = ?4, head = ?5 WHERE id = ?1",
    )?
    .execute(params![id, state, at, r.seq as i64, r.hash.to_hex()])?;
    Ok(())
}
