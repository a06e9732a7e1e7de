//! Tauri commands: the whole surface the front end can call.

use std::path::PathBuf;

use serde::Serialize;

/// Error as it crosses the IPC boundary.
#[derive(Debug, Serialize)]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into() }
    }
}

/// Static facts about the running app.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
}

/// The station's data directory, chosen exactly as the CLI chooses it.
fn data_dir() -> Result<PathBuf, CommandError> {
    benchproof_station::default_data_dir()
        .ok_or_else(|| CommandError::new("no_home", "no home directory to place data in; set BENCHPROOF_HOME"))
}

#[tauri::command]
pub fn app_info() -> Result<AppInfo, CommandError> {
    Ok(AppInfo { version: env!("CARGO_PKG_VERSION").to_owned(), data_dir: data_dir()?.display().to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_info_reports_the_crate_version_and_a_data_dir() {
        let info = app_info().expect("app_info");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert!(!info.data_dir.is_empty());
    }

    #[test]
    fn errors_cross_the_boundary_as_code_and_message() {
        let json = serde_json::to_value(CommandError::new("no_home", "nope")).expect("serialise");
        assert_eq!(json, serde_json::json!({ "code": "no_home", "message": "nope" }));
    }
}
