use std::path::PathBuf;

use benchproof_domain::{AssessmentId, ChainBreak, LifecycleState};

/// Why a data directory could not be opened. Each says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot use data directory {path}: {source}; check that it exists and is writable")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the database {path} is damaged or not a benchproof database ({detail}). Nothing was changed. Restore it from a backup, or move it aside to start an empty station cache")]
    Corrupt { path: PathBuf, detail: String },
    #[error("the database {path} was written by a newer benchproof (schema {found}, this version understands up to {supported}). Nothing was changed. Upgrade benchproof to open it")]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("could not upgrade the database {path} to schema {version}: {source}. Nothing was changed")]
    Migration { path: PathBuf, version: i64, source: rusqlite::Error },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the disk holding {path} is full: capture stopped before anything was damaged. Free some space (or prune delivered bundles) and try again")]
    DiskFull { path: PathBuf },
    #[error("no assessment {0} in this station cache")]
    NotFound(AssessmentId),
    #[error("assessment {0} already exists")]
    AlreadyExists(AssessmentId),
    #[error("no rubric with SHA-256 {0} in this station cache")]
    RubricNotFound(String),
    #[error("assessment {id} moved on (now at event {stored}) while event {offered} was being added; reload it and try again")]
    Conflict { id: AssessmentId, stored: u64, offered: u64 },
    #[error("assessment {id} is {state}: its event log is closed")]
    Closed { id: AssessmentId, state: LifecycleState },
    #[error("booking {booking} was already checked in (assessment {assessment}); continue that assessment instead")]
    AlreadyCheckedIn { booking: String, assessment: String },
    #[error("stored data for {what} cannot be read: {detail}")]
    Decode { what: String, detail: String },
    #[error("the stored event log of {id} is broken: {source}")]
    Chain { id: AssessmentId, source: ChainBreak },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        let path = path.into();
        if source.raw_os_error() == Some(28) || source.kind() == std::io::ErrorKind::StorageFull {
            StoreError::DiskFull { path }
        } else {
            StoreError::Io { path, source }
        }
    }

    pub(crate) fn decode(what: impl Into<String>, detail: impl ToString) -> StoreError {
        StoreError::Decode { what: what.into(), detail: detail.to_string() }
    }
}
