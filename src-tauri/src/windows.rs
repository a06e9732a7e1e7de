//! The app's windows: the proctor's `main` window and the student's `student` window.
//!
//! The UI opens the student view with `window.open("#/student")`; that request is turned into
//! the one `student` window (created, or focused if open), which its capability limits to
//! `student_view` and events. Every other new-window request is refused. Both get the station's
//! WebKit settings ([`webkit::apply`]).

use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

use crate::webkit;

/// Label of the student's window (see `capabilities/student.json`).
pub const STUDENT: &str = "student";

/// Creates the proctor's main window.
pub fn open_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let handle = app.clone();
    let window = WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
        .title("benchproof station")
        .inner_size(1280.0, 800.0)
        .min_inner_size(900.0, 600.0)
        .on_new_window(move |url, _features| {
            if url.fragment() == Some("/student") {
                let app = handle.clone();
                // Built off this callback: window creation goes through the event loop.
                std::thread::spawn(move || open_student(&app));
            }
            NewWindowResponse::Deny
        })
        .build()?;
    webkit::apply(&window)
}

/// Opens (or focuses) the student's window.
pub fn open_student<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(w) = app.get_webview_window(STUDENT) {
        return w.set_focus();
    }
    let window = WebviewWindowBuilder::new(app, STUDENT, WebviewUrl::App("index.html#/student".into()))
        .title("benchproof station: student view")
        .inner_size(1024.0, 700.0)
        .build()?;
    webkit::apply(&window)
}
