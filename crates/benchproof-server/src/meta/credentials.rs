//! Metadata of issued credentials: one row per credential, with its revocation bit's index.
//!
//! Invariants every backend keeps:
//! - `insert_credential` is one transaction: it refuses a second live (unrevoked) credential for
//!   the same bundle and a status index already allocated, so a bit never names two credentials.
//! - A credential is revoked at most once (`revoked_ms` goes from NULL to a time, never back); the
//!   signed document is stored as issued and never changes.

use serde::Serialize;

use super::BoxFut;

/// One issued credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialRow {
    /// `urn:uuid:…`, the credential's `id`.
    pub id: String,
    pub bundle_sha256: String,
    pub assessment: String,
    pub student: String,
    pub rubric: String,
    /// Its bit in status list 1.
    pub status_index: u64,
    pub issued_ms: i64,
    pub issued_by: String,
    pub revoked_ms: Option<i64>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
    /// The signed credential JSON, exactly as issued.
    pub document: String,
}

/// What `insert_credential` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialInsert {
    Inserted,
    /// The bundle already has this live credential; nothing was stored.
    LiveExists(Box<CredentialRow>),
    /// Another credential holds the status index (allocate another and sign again).
    IndexTaken,
}

/// Credential metadata (part of [`super::MetaStore`]).
pub trait CredentialMeta {
    fn insert_credential(&self, row: CredentialRow) -> BoxFut<'_, CredentialInsert>;
    fn credential(&self, id: &str) -> BoxFut<'_, Option<CredentialRow>>;
    /// Every credential, newest first.
    fn credentials(&self) -> BoxFut<'_, Vec<CredentialRow>>;
    /// Marks a live credential revoked; `false` if it is unknown or already revoked.
    fn revoke_credential(&self, id: &str, by: &str, reason: &str, now_ms: i64) -> BoxFut<'_, bool>;
}
