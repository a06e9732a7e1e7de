//! The state every handler shares.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::blob::BlobStore;
use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::meta::MetaStore;
use crate::staging::RunningHashes;

/// Shared by all handlers; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<ServerConfig>,
    pub meta: Arc<dyn MetaStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub clock: Clock,
    /// Local scratch space for chunks in flight and bundles being verified.
    pub spool: PathBuf,
    /// One async lock per upload, held only for the duration of one PATCH.
    pub locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Bounds the uploads being assembled, hashed and verified at once ([`MAX_FINISHING`]), so
    /// the server's memory does not grow with the number of stations finishing together; the
    /// others wait with their bytes on disk.
    pub finishing: Arc<tokio::sync::Semaphore>,
    /// The SHA-256 of each upload's bytes so far, while its chunks arrive in order.
    pub running: RunningHashes,
    /// Recent verifications of archived bundles, reused by the pages that show them.
    pub verifications: crate::credentials::archive::Verifications,
}

/// How many uploads may be finished (assembled and verified) at once.
pub const MAX_FINISHING: usize = 4;

impl AppState {
    /// The lock of upload `id` (created on first use).
    pub fn upload_lock(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(id.to_owned()).or_default().clone()
    }

    /// Forgets the lock and running hash of a finished or deleted upload.
    pub fn forget_upload(&self, id: &str) {
        self.locks.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
        self.running.forget(id);
    }

    /// An absolute URL for `path` when a public URL is configured, else the path.
    pub fn url(&self, path: &str) -> String {
        match &self.config.public_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => path.to_owned(),
        }
    }
}
