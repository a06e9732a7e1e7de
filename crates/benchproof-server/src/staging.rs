//! Where a `PATCH` body is kept before `Upload-Offset` moves past it, and the running SHA-256 of
//! each upload.
//!
//! The blob backend chooses one of two strategies ([`crate::blob::BlobStore::in_place`]):
//! - **In place** (the files backend): all of an upload's bytes live in one local file. A chunk is
//!   written at its offset after the file is truncated to that offset, which drops whatever a cut,
//!   refused or crashed earlier `PATCH` left past the committed offset; every part row names the
//!   same key. Finishing hard-links the file instead of copying it. Like the embedded metadata
//!   store, this is for one server process per data directory (the per-upload lock in
//!   [`AppState`] serialises its `PATCH`es).
//! - **Parts** (object stores): each chunk is spooled to a local temp file, fsynced and stored as
//!   its own blob, so that any server process can resume the upload; finishing concatenates them.
//!
//! Durability: a part blob is durable before [`Chunk::keep`] returns its key. An in-place chunk
//! is handed to the kernel and its write-back started, not waited for: its offset survives a
//! crash of the server process, not a power cut. After a power cut the file may be shorter than
//! the committed offset; the next `PATCH` then discards the upload (404) and the station starts
//! it again. Bytes the kernel lost without shortening the file fail the whole-bundle SHA-256 at
//! the end (460, discarded, sent again). Finishing fsyncs the file before the verifier reads it,
//! so no receipt is ever given for a bundle that is not on disk. (`@tus/server`'s and tusd's file
//! stores do not fsync at all; fsyncing each chunk made uploads 2× slower, see
//! `docs/performance.md` §7.)

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use ring::digest;

use crate::blob::Put;
use crate::problem::Problem;
use crate::state::AppState;

/// One chunk being received.
#[derive(Debug)]
pub enum Chunk {
    InPlace { key: String, file: std::fs::File },
    Spool { file: tempfile::NamedTempFile },
}

impl Chunk {
    /// Prepares to receive the chunk of upload `id` that starts at `offset`.
    pub async fn open(state: &AppState, id: &str, offset: u64) -> Result<Chunk, Problem> {
        let Some((key, path)) = state.blobs.in_place(id) else {
            let file = tempfile::NamedTempFile::new_in(&state.spool)
                .map_err(|e| Problem::io("cannot create a spool file", &e))?;
            return Ok(Chunk::Spool { file });
        };
        match blocking(move || open_at(&path, offset)).await? {
            Ok(file) => Ok(Chunk::InPlace { key, file }),
            Err(held) => {
                crate::tus::discard_upload(state, id).await?;
                Err(Problem::not_found(format!(
                    "upload {id} lost its last bytes (the server held {held} of {offset}, after a power cut or crash); create a new upload"
                )))
            }
        }
    }

    /// A handle to write the chunk's bytes to, positioned where they belong.
    pub fn writer(&self) -> Result<std::fs::File, Problem> {
        let file = match self {
            Chunk::InPlace { file, .. } => file.try_clone(),
            Chunk::Spool { file } => file.reopen(),
        };
        file.map_err(|e| Problem::io("cannot open the upload's file", &e))
    }

    /// Forgets a refused chunk: an in-place file goes back to the committed `offset` (a spooled
    /// chunk is deleted when dropped). Best effort: the next `PATCH` truncates it anyway.
    pub fn discard(self, offset: u64) {
        if let Chunk::InPlace { file, .. } = self {
            let _ = file.set_len(offset);
        }
    }

    /// Whether [`self::writer`] must sync the chunk before it may be kept.
    pub fn sync_each(&self) -> bool {
        matches!(self, Chunk::Spool { .. })
    }

    /// Stores the received chunk and returns the key its part row names.
    pub async fn keep(self, state: &AppState, id: &str, offset: u64) -> Result<String, Problem> {
        match self {
            Chunk::InPlace { key, .. } => Ok(key),
            Chunk::Spool { file } => {
                let key = format!("uploads/{id}/{offset:020}-{}", uuid::Uuid::now_v7().simple());
                state.blobs.put(&key, &file.into_temp_path(), Put::Replace).await?;
                Ok(key)
            }
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, Problem> + Send + 'static) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Problem::internal(e.to_string()))?
}

/// Opens (creating) the in-place file, drops whatever lies past the committed `offset` and
/// positions the file there; `Err(len)` if it holds fewer bytes than that (a power cut lost the
/// tail).
fn open_at(path: &Path, offset: u64) -> Result<Result<std::fs::File, u64>, Problem> {
    use std::io::{Seek as _, SeekFrom};
    let what = |verb: &str| format!("cannot {verb} the upload file {}", path.display());
    let dir = path.parent().expect("upload files live in a directory");
    std::fs::create_dir_all(dir).map_err(|e| Problem::io(&format!("cannot create {}", dir.display()), &e))?;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Problem::io(&what("open"), &e))?;
    let len = file.metadata().map_err(|e| Problem::io(&what("read"), &e))?.len();
    if len < offset {
        return Ok(Err(len));
    }
    file.set_len(offset).map_err(|e| Problem::io(&what("truncate"), &e))?;
    file.seek(SeekFrom::Start(offset)).map_err(|e| Problem::io(&what("seek in"), &e))?;
    Ok(Ok(file))
}

/// What a chunk's writer hands back once the chunk ended and its bytes are on disk.
#[allow(missing_debug_implementations)] // ring's digest context has no Debug
pub struct Written {
    /// The `Upload-Checksum` digest of the chunk.
    pub checksum: Option<digest::Digest>,
    /// The upload's running hash, advanced by the chunk.
    pub running: Option<digest::Context>,
}

/// Writes and hashes a chunk on a blocking thread, so that the request task only receives.
/// Bytes go in through the returned sender, in order; dropping the sender ends the chunk, and the
/// handle then resolves once the bytes are written (and synced, if `sync` is set). While the
/// chunk arrives, write-back is started in the background every [`WRITEBACK_EVERY`] bytes, which
/// keeps the final sync (here or when finishing the upload) short.
pub fn writer(
    file: std::fs::File,
    sync: bool,
    checksum: Option<digest::Context>,
    running: Option<digest::Context>,
) -> (tokio::sync::mpsc::Sender<Bytes>, tokio::task::JoinHandle<std::io::Result<Written>>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let handle = tokio::task::spawn_blocking(move || {
        let (mut checksum, mut running) = (checksum, running);
        let file = Arc::new(file);
        let mut out = std::io::BufWriter::with_capacity(256 << 10, &*file);
        let mut unsynced = 0u64;
        let mut in_flight: Option<std::thread::JoinHandle<std::io::Result<()>>> = None;
        while let Some(bytes) = rx.blocking_recv() {
            for ctx in [checksum.as_mut(), running.as_mut()].into_iter().flatten() {
                ctx.update(&bytes);
            }
            out.write_all(&bytes)?;
            unsynced += bytes.len() as u64;
            if unsynced >= WRITEBACK_EVERY && in_flight.as_ref().is_none_or(|h| h.is_finished()) {
                out.flush()?;
                if let Some(done) = in_flight.take() {
                    done.join().map_err(|_| std::io::Error::other("a background sync panicked"))??;
                }
                let f = file.clone();
                in_flight = Some(std::thread::spawn(move || f.sync_data()));
                unsynced = 0;
            }
        }
        out.flush()?;
        drop(out);
        if sync {
            if let Some(done) = in_flight.take() {
                done.join().map_err(|_| std::io::Error::other("a background sync panicked"))??;
            }
            file.sync_data()?;
        }
        Ok(Written { checksum: checksum.map(|c| c.finish()), running })
    });
    (tx, handle)
}

/// Bytes written before a background sync starts.
const WRITEBACK_EVERY: u64 = 1 << 20;

/// The SHA-256 of each upload's committed bytes, kept in memory while its `PATCH`es arrive in
/// order, so finishing need not read the whole upload again. Lost on restart or after a refused
/// chunk; finishing then hashes the bytes it holds.
#[derive(Clone, Default)]
pub struct RunningHashes(Arc<Mutex<HashMap<String, (u64, digest::Context)>>>);

impl std::fmt::Debug for RunningHashes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningHashes").field("uploads", &self.map().len()).finish()
    }
}

impl RunningHashes {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, digest::Context)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The hash of the first `offset` bytes of upload `id`, if known (a fresh one at offset 0).
    pub fn take(&self, id: &str, offset: u64) -> Option<digest::Context> {
        match self.map().remove(id) {
            Some((at, ctx)) if at == offset => Some(ctx),
            _ if offset == 0 => Some(digest::Context::new(&digest::SHA256)),
            _ => None,
        }
    }

    /// Records the hash of the first `offset` bytes of upload `id`.
    pub fn put(&self, id: &str, offset: u64, ctx: digest::Context) {
        self.map().insert(id.to_owned(), (offset, ctx));
    }

    /// The upload's SHA-256 if all `length` bytes went through [`RunningHashes::put`].
    pub fn finish(&self, id: &str, length: u64) -> Option<[u8; 32]> {
        let (at, ctx) = self.map().get(id)?.clone();
        (at == length).then(|| ctx.finish().as_ref().try_into().expect("SHA-256 has 32 bytes"))
    }

    pub fn forget(&self, id: &str) {
        self.map().remove(id);
    }
}

/// Hard-links an in-place upload's file to `dest` (replacing it) for the verifier; `false` when
/// the backend keeps parts. The link, not the upload's own file, is what gets archived or
/// quarantined, so a finish that fails half-way can be run again from the same bytes.
pub fn link_in_place(state: &AppState, id: &str, dest: &Path) -> Result<bool, Problem> {
    let Some((_, path)) = state.blobs.in_place(id) else { return Ok(false) };
    let _ = std::fs::remove_file(dest);
    std::fs::hard_link(&path, dest)
        .map_err(|e| Problem::io(&format!("cannot link {} for verification", path.display()), &e))?;
    Ok(true)
}
