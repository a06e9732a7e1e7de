//! Capture devices and instruments.

use super::DeskState;
use crate::dto::{DeviceInfo, InstrumentTest};
use crate::error::{CommandError, CommandResult};

#[tauri::command]
pub async fn list_devices(desk: DeskState<'_>) -> CommandResult<Vec<DeviceInfo>> {
    Ok(desk.devices()?.into_iter().map(Into::into).collect())
}

/// Instruments are not wired into the station yet: say so rather than pretend.
#[tauri::command]
pub async fn test_instrument(device: String) -> CommandResult<InstrumentTest> {
    Err(CommandError::new(
        "not_supported",
        format!("{device}: instrument connections are not available in this build of the station app"),
    ))
}
