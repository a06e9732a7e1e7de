//! Metadata of employer review links and their access log.
//!
//! Invariants every backend keeps: only the SHA-256 of a link's token is stored (the token itself
//! is shown to the admin once); a link is revoked at most once; access rows are only appended.

use serde::Serialize;

use super::BoxFut;

/// One review link: a capability for one archived bundle, until it expires or is revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewLinkRow {
    /// A public id (UUID) for the admin pages; not the token.
    pub id: String,
    /// Hex SHA-256 of the token in the link's URL.
    #[serde(skip)]
    pub token_sha256: String,
    pub bundle_sha256: String,
    pub assessment: String,
    /// Whom the link is for, as the admin wrote it.
    pub label: String,
    /// Argon2id PHC hash of the one-time code, when the link needs one.
    #[serde(skip)]
    pub code_phc: Option<String>,
    pub created_ms: i64,
    pub created_by: String,
    pub expires_ms: i64,
    pub revoked_ms: Option<i64>,
    pub revoked_by: Option<String>,
}

/// One access to a review link (granted or refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewAccessRow {
    /// The link's id.
    pub link: String,
    pub at_ms: i64,
    /// What was asked for: `page`, `code`, or `media <sha256>`.
    pub resource: String,
    /// `granted`, `expired`, `revoked`, `code-required`, `code-refused`, `locked`, `not-found`.
    pub outcome: String,
    /// The client's address and user agent.
    pub client: String,
}

/// Review link metadata (part of [`super::MetaStore`]).
pub trait ReviewMeta {
    fn create_review_link(&self, row: ReviewLinkRow) -> BoxFut<'_, ()>;
    fn review_link_by_token(&self, token_sha256: &str) -> BoxFut<'_, Option<ReviewLinkRow>>;
    /// Every link, newest first.
    fn review_links(&self) -> BoxFut<'_, Vec<ReviewLinkRow>>;
    /// Revokes a live link; `false` if it is unknown or already revoked.
    fn revoke_review_link(&self, id: &str, by: &str, now_ms: i64) -> BoxFut<'_, bool>;
    fn log_review_access(&self, row: ReviewAccessRow) -> BoxFut<'_, ()>;
    /// The accesses of one link (or of every link with `None`), newest first.
    fn review_accesses(&self, link: Option<&str>) -> BoxFut<'_, Vec<ReviewAccessRow>>;
}
