//! Metadata: uploads in progress, accepted bundles (whose order *is* the transparency log),
//! quarantine, conflicts, stations, replay nonces, admin users and sessions; and (schema version
//! 2) issued credentials and employer review links; (schema version 3) micro-event slots and
//! bookings; (schema version 4) OAuth 2.0 clients, codes and tokens of the OB 3.0 API.
//!
//! Invariants every backend keeps:
//! - `commit_part` advances an upload's offset only from the offset the caller read (a
//!   compare-and-set in one transaction), so two PATCHes racing on one upload — even from two
//!   server processes — can never both succeed, and the offset never claims a part not recorded.
//! - `accept` is one transaction: it either finds the same bundle (idempotent), finds another
//!   bundle for the assessment (conflict, flagged), or inserts the bundle with the next leaf index.
//!   Leaf indexes are dense from 0 and never change; rows are never updated or deleted.
//! - `remember_nonce` is an atomic insert-if-absent, so a replay is refused across processes.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

pub mod credentials;
pub mod events;
pub mod oauth;
pub mod postgres;
pub mod remediation;
pub mod review;
pub mod sqlite;

pub use credentials::{CredentialInsert, CredentialMeta, CredentialRow};
pub use events::{BookingRow, EventChange, EventHistoryRow, EventMeta, EventSnapshot, SlotRow};
pub use oauth::{ClientRow, CodeRow, OAuthMeta, Redeemed, TokenRow};
pub use remediation::{RemediationMeta, RemediationRow};
pub use review::{ReviewAccessRow, ReviewLinkRow, ReviewMeta};

/// A boxed future, so the trait stays object safe.
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = Result<T, MetaError>> + Send + 'a>>;

/// A metadata backend failed.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    #[error("the metadata worker stopped: {0}")]
    Join(String),
    #[error("stored metadata is inconsistent: {0}")]
    Corrupt(String),
}

/// An upload in progress (tus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Random UUID, the last path segment of its URL.
    pub id: String,
    /// Declared `Upload-Length`.
    pub length: u64,
    /// Bytes durably received (the `Upload-Offset` answered).
    pub offset: u64,
    /// Lowercase hex SHA-256 the station declared for the whole zip.
    pub sha256: String,
    /// The assessment id the station declared.
    pub assessment: String,
    pub filename: String,
    /// The raw `Upload-Metadata` header, echoed on HEAD.
    pub metadata: String,
    /// The station's `did:key`; only it may touch the upload.
    pub station: String,
    pub created_ms: i64,
    pub expires_ms: i64,
}

/// One stored chunk of an upload: bytes `[offset, offset + len)` are blob `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub offset: u64,
    pub len: u64,
    pub key: String,
}

/// An accepted bundle: one leaf of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleRow {
    pub sha256: String,
    pub assessment: String,
    pub leaf_index: u64,
    pub station: String,
    pub station_name: String,
    pub student: String,
    pub rubric: String,
    pub outcome: String,
    pub bytes: u64,
    pub received_ms: i64,
}

/// What `accept` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Stored as a new leaf.
    New(BundleRow),
    /// The same bytes were already held.
    Existing(BundleRow),
    /// Another bundle already holds the assessment; the conflict was recorded.
    Conflict(BundleRow),
}

/// A bundle refused by the verifier, kept for inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantineRow {
    pub key: String,
    pub sha256: String,
    pub assessment: String,
    pub station: String,
    pub check: String,
    pub reason: String,
    pub received_ms: i64,
}

/// A valid bundle that claimed an assessment another bundle holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictRow {
    pub key: String,
    pub sha256: String,
    pub assessment: String,
    pub held_sha256: String,
    pub station: String,
    pub received_ms: i64,
}

/// A station seen by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StationRow {
    pub did: String,
    pub name: String,
    pub last_contact_ms: i64,
}

/// The metadata backend. See the module docs for the invariants; credentials and review links
/// are [`CredentialMeta`], [`ReviewMeta`] and [`RemediationMeta`] (schema version 2); micro-events
/// are [`EventMeta`] (schema version 3); the OB 3.0 API's OAuth 2.0 is [`OAuthMeta`] (schema
/// version 4).
pub trait MetaStore:
    CredentialMeta + ReviewMeta + RemediationMeta + EventMeta + OAuthMeta + Send + Sync + std::fmt::Debug
{
    fn create_upload(&self, upload: Upload) -> BoxFut<'_, ()>;
    fn upload(&self, id: &str) -> BoxFut<'_, Option<Upload>>;
    /// Records `part` and moves the offset from `part.offset` to `part.offset + part.len`;
    /// `false` (nothing recorded) when the offset is no longer `part.offset`.
    fn commit_part(&self, id: &str, part: Part) -> BoxFut<'_, bool>;
    fn parts(&self, id: &str) -> BoxFut<'_, Vec<Part>>;
    /// Forgets an upload and returns its parts' keys, for the caller to delete.
    fn delete_upload(&self, id: &str) -> BoxFut<'_, Vec<String>>;
    /// Uploads whose expiry is before `now_ms`.
    fn expired_uploads(&self, now_ms: i64) -> BoxFut<'_, Vec<String>>;

    fn bundle(&self, sha256: &str) -> BoxFut<'_, Option<BundleRow>>;
    fn bundle_for_assessment(&self, assessment: &str) -> BoxFut<'_, Option<BundleRow>>;
    /// `row.leaf_index` is ignored: the next index is assigned inside the transaction.
    /// `conflict_key` is where the caller stored the bytes if this turns out a conflict.
    fn accept(&self, row: BundleRow, conflict_key: String) -> BoxFut<'_, Accepted>;
    fn record_conflict(&self, row: ConflictRow) -> BoxFut<'_, ()>;
    fn quarantine(&self, row: QuarantineRow) -> BoxFut<'_, ()>;
    /// Leaf digests (bundle SHA-256, raw) in log order.
    fn leaves(&self) -> BoxFut<'_, Vec<[u8; 32]>>;
    fn bundles(&self) -> BoxFut<'_, Vec<BundleRow>>;
    fn quarantined(&self) -> BoxFut<'_, Vec<QuarantineRow>>;
    fn conflicts(&self) -> BoxFut<'_, Vec<ConflictRow>>;

    /// `true` if the nonce was new (and is now remembered until `expires_ms`).
    fn remember_nonce(&self, nonce: &str, now_ms: i64, expires_ms: i64) -> BoxFut<'_, bool>;
    fn touch_station(&self, did: &str, name: &str, now_ms: i64) -> BoxFut<'_, ()>;
    fn stations(&self) -> BoxFut<'_, Vec<StationRow>>;

    fn set_admin(&self, user: &str, phc_hash: &str) -> BoxFut<'_, ()>;
    fn admin_hash(&self, user: &str) -> BoxFut<'_, Option<String>>;
    /// Stores a session by the SHA-256 (hex) of its token.
    fn create_session(&self, token_sha256: &str, user: &str, expires_ms: i64) -> BoxFut<'_, ()>;
    fn session_user(&self, token_sha256: &str, now_ms: i64) -> BoxFut<'_, Option<String>>;
    fn delete_session(&self, token_sha256: &str) -> BoxFut<'_, ()>;
}

/// Hex of a 32-byte digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses 64 hex characters.
pub fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}
