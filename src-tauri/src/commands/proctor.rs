//! Proctor sign-in.

use tauri::{AppHandle, Runtime};

use super::{announce_change, DeskState};
use crate::dto::ProctorInfo;
use crate::error::CommandResult;

#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    desk: DeskState<'_>,
    name: String,
    passphrase: String,
) -> CommandResult<ProctorInfo> {
    let proctor = desk.sign_in(&name, &passphrase)?;
    announce_change(&app);
    Ok(proctor.into())
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(app: AppHandle<R>, desk: DeskState<'_>) -> CommandResult<()> {
    desk.sign_out();
    announce_change(&app);
    Ok(())
}
