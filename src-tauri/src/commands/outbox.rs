//! The outbox and history.
//!
//! Sync is wired in later: until then the queue shows each bundle's stored delivery state and
//! the department server as unreachable (no server is configured in this build).

use super::DeskState;
use crate::dto::{HistoryItem, QueueStatus};
use crate::error::CommandResult;

#[tauri::command]
pub async fn queue(desk: DeskState<'_>) -> CommandResult<QueueStatus> {
    let items = desk.queue()?.into_iter().map(Into::into).collect();
    Ok(QueueStatus { server_reachable: false, server_url: None, items })
}

#[tauri::command]
pub async fn retry(desk: DeskState<'_>, assessment: String) -> CommandResult<QueueStatus> {
    let items = desk.retry(&assessment)?.into_iter().map(Into::into).collect();
    Ok(QueueStatus { server_reachable: false, server_url: None, items })
}

#[tauri::command]
pub async fn history(desk: DeskState<'_>) -> CommandResult<Vec<HistoryItem>> {
    Ok(desk.history()?.into_iter().map(Into::into).collect())
}
