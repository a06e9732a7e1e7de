//! The outbox and history.
//!
//! The queue shows each bundle's recorded delivery state and whether the department server
//! answers a short probe; the probe and any sync pass run on blocking threads, never on the UI
//! thread and never under the desk's lock.

use super::DeskState;
use crate::dto::{HistoryItem, QueueStatus};
use crate::error::{CommandError, CommandResult};

/// Runs `f` with the desk on a blocking thread (it may wait on the network).
async fn blocking<T: Send + 'static>(
    desk: DeskState<'_>,
    f: impl FnOnce(&benchproof_station::desk::Desk) -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    let desk = desk.inner().clone();
    tauri::async_runtime::spawn_blocking(move || f(&desk))
        .await
        .map_err(|e| CommandError::new("internal", format!("the queue worker stopped: {e}")))?
}

#[tauri::command]
pub async fn queue(desk: DeskState<'_>) -> CommandResult<QueueStatus> {
    blocking(desk, |d| Ok(QueueStatus::new(d.queue()?, d.server_status()))).await
}

#[tauri::command]
pub async fn retry(desk: DeskState<'_>, assessment: String) -> CommandResult<QueueStatus> {
    blocking(desk, move |d| Ok(QueueStatus::new(d.retry(&assessment)?, d.server_status()))).await
}

#[tauri::command]
pub async fn history(desk: DeskState<'_>) -> CommandResult<Vec<HistoryItem>> {
    Ok(desk.history()?.into_iter().map(Into::into).collect())
}
