//! Remediation notes: what a student was told to work on after an attempt that did not pass.
//! Notes are only appended, never changed, so the history of attempts stays intact.

use serde::Serialize;

use super::BoxFut;

/// One note on one attempt (bundle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemediationRow {
    pub bundle_sha256: String,
    pub note: String,
    pub created_ms: i64,
    pub created_by: String,
}

/// Remediation metadata (part of [`super::MetaStore`]).
pub trait RemediationMeta {
    fn add_remediation_note(&self, row: RemediationRow) -> BoxFut<'_, ()>;
    /// The notes on the given bundles, oldest first.
    fn remediation_notes(&self, bundles: Vec<String>) -> BoxFut<'_, Vec<RemediationRow>>;
}
