//! How every command fails across the IPC boundary: `{ code, message }`, never a bare string.

use benchproof_station::desk::DeskError;
use serde::Serialize;
use ts_rs::TS;

/// Error as it crosses the IPC boundary. `code` is stable (`StationError::code()`,
/// `DeskError::code()` or a shell code); the UI reacts to it, never to `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    /// An error with a shell-level code.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into() }
    }
}

impl From<DeskError> for CommandError {
    fn from(e: DeskError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

impl From<benchproof_station::StationError> for CommandError {
    fn from(e: benchproof_station::StationError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

/// What every command returns.
pub type CommandResult<T> = Result<T, CommandError>;
