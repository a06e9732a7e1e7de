//! Handing sealed bundles to the department server: where the server is (`sync.toml` in the data
//! directory), and one pass of the sync worker as this station (its key and enrolment). The
//! worker itself — plan, tus, receipts — is `benchproof-sync`.

use std::path::{Path, PathBuf};

use benchproof_domain::AssessmentId;
use benchproof_sync::{StationIdentity, SyncConfig, SyncReport, SyncWorker};
use serde::{Deserialize, Serialize};

use crate::trust::{StationFiles, TrustProblem};
use crate::{Station, StationError};

/// Where this station sends its bundles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncSettings {
    /// The department server's base URL, e.g. `https://benchproof.dept.example.edu`.
    pub server: String,
    /// An optional cap in bytes per second, for a link shared with others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_limit: Option<u64>,
}

pub fn settings_path(data_dir: &Path) -> PathBuf {
    data_dir.join("sync.toml")
}

/// The saved settings, if the station has been told about a server.
pub fn load_settings(data_dir: &Path) -> Result<Option<SyncSettings>, StationError> {
    let path = settings_path(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(StationError::Io { path, source }),
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| StationError::Script { path, message: format!("{}; fix or delete the file", e.message().trim()) })
}

/// Saves the settings (the server URL must be http or https).
pub fn save_settings(data_dir: &Path, settings: &SyncSettings) -> Result<(), StationError> {
    let path = settings_path(data_dir);
    if !(settings.server.starts_with("http://") || settings.server.starts_with("https://")) {
        return Err(StationError::Script {
            path,
            message: format!("server {:?} must be an http:// or https:// URL", settings.server),
        });
    }
    let text = toml::to_string(settings).expect("settings serialise");
    std::fs::write(&path, text).map_err(|source| StationError::Io { path, source })
}

impl Station {
    /// One pass of the sync worker over the outbox: uploads what is due, resumes cut uploads,
    /// fetches and verifies receipts. `progress` hears (assessment, bytes sent, total).
    pub fn sync_once(
        &self,
        settings: &SyncSettings,
        progress: &mut dyn FnMut(AssessmentId, u64, u64),
    ) -> Result<SyncReport, StationError> {
        let worker = self.sync_worker(settings)?;
        let now = self.clock().now();
        let mut report = worker
            .run_once(self.store(), now, &mut |id, p| progress(id, p.sent, p.total))
            .map_err(StationError::from)?;
        // The schedule exchange (check-ins up, schedule down) after the bundles; offline, the
        // stored copy stays in use.
        if report.connectivity == Some(benchproof_sync::Connectivity::Offline) {
            report.schedule_error = Some("the server is unreachable; the stored schedule stays in use".into());
        } else {
            match worker.sync_schedule(self.store(), self.clock().now()) {
                Ok(s) => report.schedule = Some(s),
                Err(e) => report.schedule_error = Some(e.to_string()),
            }
        }
        Ok(report)
    }

    /// A worker signing as this station and trusting its department's key.
    pub fn sync_worker(&self, settings: &SyncSettings) -> Result<SyncWorker, StationError> {
        let files = StationFiles::in_dir(self.data_dir());
        let department = files.department()?.ok_or(TrustProblem::NotEnrolled)?;
        let identity = StationIdentity { key: files.station_key()?, enrolment: files.station_enrolment()? };
        let mut config = SyncConfig::new(settings.server.clone(), department.did);
        config.bandwidth_limit = settings.bandwidth_limit;
        let seed = u64::from_le_bytes(ring_seed());
        Ok(SyncWorker::new(config, identity, seed))
    }
}

fn ring_seed() -> [u8; 8] {
    use ring::rand::SecureRandom;
    let mut seed = [0u8; 8];
    // A failing system RNG only makes the jitter predictable, never wrong.
    let _ = ring::rand::SystemRandom::new().fill(&mut seed);
    seed
}
