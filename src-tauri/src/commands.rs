//! Tauri commands, one module per concern. Each parses its arguments, calls one [`Desk`]
//! method and maps the error to [`CommandError`]; none holds logic.
//!
//! Commands are `async` so that they run on the async runtime's threads, not the UI thread;
//! long work (sealing) additionally moves to a blocking thread.

pub mod assessment;
pub mod devices;
pub mod outbox;
pub mod proctor;
pub mod schedule;
pub mod station;

use std::sync::Arc;

use benchproof_station::desk::Desk;
use tauri::{Emitter, Runtime};

/// The desk as commands receive it.
pub type DeskState<'a> = tauri::State<'a, Arc<Desk>>;

/// Event telling every window (the student view included) that station data changed.
pub const STATION_CHANGED: &str = "station-changed";

/// Tells every window to refresh after a change.
pub fn announce_change<R: Runtime>(app: &tauri::AppHandle<R>) {
    // Emitting fails only while the app shuts down; there is nobody left to tell then.
    let _ = app.emit(STATION_CHANGED, ());
}
