//! Capture devices and instruments.

use std::sync::Arc;

use super::DeskState;
use crate::dto::{DeviceInfo, InstrumentTest};
use crate::error::{CommandError, CommandResult};

#[tauri::command]
pub async fn list_devices(desk: DeskState<'_>) -> CommandResult<Vec<DeviceInfo>> {
    Ok(desk.devices()?.into_iter().map(Into::into).collect())
}

/// Asks the instrument at `address` (`HOST[:PORT]`) for `*IDN?`, on a blocking thread: the
/// station's deadlines bound the wait to a few seconds.
#[tauri::command]
pub async fn test_instrument(desk: DeskState<'_>, address: String) -> CommandResult<InstrumentTest> {
    let desk = Arc::clone(&desk);
    let check = tauri::async_runtime::spawn_blocking(move || desk.test_instrument(&address))
        .await
        .map_err(|e| CommandError::new("internal", format!("the connection test stopped unexpectedly: {e}")))??;
    Ok(check.into())
}

/// Now on the station clock in milliseconds (what the simulated camera burns into its frames),
/// or `null` while nothing is capturing; for measuring preview latency.
#[tauri::command]
pub async fn station_clock(desk: DeskState<'_>) -> CommandResult<Option<f64>> {
    Ok(desk.clock_now().map(|t| t.0 as f64 / 1000.0))
}
