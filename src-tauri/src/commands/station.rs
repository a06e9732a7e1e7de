//! Station set-up: status, department files, demo mode.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::{announce_change, DeskState};
use crate::dto::{AppInfo, FilePurpose, SetupRequest, StationStatus};
use crate::error::CommandResult;

#[tauri::command]
pub async fn app_info(desk: DeskState<'_>) -> CommandResult<AppInfo> {
    Ok(AppInfo { version: env!("CARGO_PKG_VERSION").to_owned(), data_dir: desk.data_dir().display().to_string() })
}

/// When the app started, and whether the UI has reported its first screen.
#[derive(Debug)]
pub struct Startup {
    at: Instant,
    reported: AtomicBool,
}

impl Startup {
    pub fn now() -> Self {
        Startup { at: Instant::now(), reported: AtomicBool::new(false) }
    }
}

/// The UI calls this once its first screen has rendered. The first call is noted on stderr
/// (`benchproof-app: first screen rendered N ms after start`), so start-up can be measured from
/// outside without a driver (`tests/window/bench.mjs`); later calls are ignored.
#[tauri::command]
#[allow(clippy::print_stderr)] // The one line meant for whoever started the app.
pub async fn ui_ready(startup: State<'_, Startup>) -> CommandResult<()> {
    if !startup.reported.swap(true, Ordering::SeqCst) {
        eprintln!("benchproof-app: first screen rendered {} ms after start", startup.at.elapsed().as_millis());
    }
    Ok(())
}

#[tauri::command]
pub async fn station_status(desk: DeskState<'_>) -> CommandResult<StationStatus> {
    Ok(desk.status()?.into())
}

/// Opens a native file dialog; `None` when the proctor cancels.
#[tauri::command]
pub async fn pick_file<R: Runtime>(app: AppHandle<R>, purpose: FilePurpose) -> CommandResult<Option<String>> {
    let title = match purpose {
        FilePurpose::Enrolment => "Choose this station's enrolment file",
        FilePurpose::Trust => "Choose the department's trust file (department.json)",
    };
    let picked = app.dialog().file().set_title(title).add_filter("JSON", &["json"]).blocking_pick_file();
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}

#[tauri::command]
pub async fn setup_station<R: Runtime>(
    app: AppHandle<R>,
    desk: DeskState<'_>,
    request: SetupRequest,
) -> CommandResult<StationStatus> {
    let status = desk.setup(Path::new(&request.enrolment_path), Path::new(&request.trust_path), request.devices)?;
    announce_change(&app);
    Ok(status.into())
}

#[tauri::command]
pub async fn start_demo<R: Runtime>(app: AppHandle<R>, desk: DeskState<'_>) -> CommandResult<StationStatus> {
    let status = desk.start_demo()?;
    announce_change(&app);
    Ok(status.into())
}
