//! Content-addressed media files beside the database.
//!
//! Bytes are streamed into a temporary file in `media/tmp/` while a second thread hashes them,
//! then fsynced, renamed to `media/ab/abcdef…` (the SHA-256) and the directory fsynced, and only
//! then recorded in the `media` table. A crash at any moment leaves either no file, a stray
//! temporary file (removed at the next open), or a complete file; never a row pointing at a
//! partial file. Media live beside the database rather than inside it so that a 1 GiB
//! recording costs one sequential write, not a WAL copy and a checkpoint copy.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;

use benchproof_domain::digest::Sha256Hasher;
use benchproof_domain::{Sha256, Timestamp};
use rusqlite::params;
use serde::Serialize;

use crate::{OpenError, Store, StoreError};

const CHUNK: usize = 1 << 20;

/// A stored blob: its digest and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MediaRef {
    pub sha256: Sha256,
    pub bytes: u64,
}

pub(crate) fn prepare_dirs(dir: &Path) -> Result<(), OpenError> {
    let tmp = dir.join("media").join("tmp");
    fs::create_dir_all(&tmp).map_err(|source| OpenError::Io { path: tmp.clone(), source })?;
    // Leftovers of ingests interrupted by a crash: never referenced by any row.
    if let Ok(entries) = fs::read_dir(&tmp) {
        for e in entries.flatten() {
            let _ = fs::remove_file(e.path());
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

impl Store {
    /// Where the bytes with this digest live (whether or not they are stored yet).
    pub fn media_path(&self, sha256: &Sha256) -> PathBuf {
        let hex = sha256.to_hex();
        self.dir.join("media").join(&hex[..2]).join(&hex)
    }

    /// Whether these bytes are stored (their row exists; the file was durable before it).
    pub fn has_media(&self, sha256: &Sha256) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS(SELECT 1 FROM media WHERE sha256 = ?1)", [sha256.to_hex()], |r| r.get(0))?)
    }

    /// Streams `reader` into the media store and returns its digest. Durable on return.
    /// Storing the same bytes twice keeps one copy.
    pub fn ingest_media(&self, reader: impl Read, at: Timestamp) -> Result<MediaRef, StoreError> {
        let tmp_dir = self.dir.join("media").join("tmp");
        let mut tmp = tempfile_in(&tmp_dir)?;
        let (sha256, bytes) = match copy_hashing(reader, &mut tmp.file) {
            Ok(v) => v,
            Err(e) => return Err(StoreError::io(&tmp.path, e)),
        };
        tmp.file.sync_all().map_err(|e| StoreError::io(&tmp.path, e))?;
        let final_path = self.media_path(&sha256);
        let parent = final_path.parent().expect("media paths have a parent");
        fs::create_dir_all(parent).map_err(|e| StoreError::io(parent, e))?;
        if !final_path.exists() {
            fs::rename(&tmp.path, &final_path).map_err(|e| StoreError::io(&final_path, e))?;
            tmp.kept = true;
            sync_dir(parent).map_err(|e| StoreError::io(parent, e))?;
        }
        self.conn.execute(
            "INSERT INTO media (sha256, bytes, stored_at) VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO NOTHING",
            params![sha256.to_hex(), bytes as i64, at.to_string()],
        )?;
        Ok(MediaRef { sha256, bytes })
    }

    /// Opens stored bytes for reading.
    pub fn open_media(&self, sha256: &Sha256) -> Result<File, StoreError> {
        let path = self.media_path(sha256);
        File::open(&path).map_err(|e| StoreError::io(path, e))
    }
}

/// A temporary file removed on drop unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    file: File,
    kept: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn tempfile_in(dir: &Path) -> Result<TempFile, StoreError> {
    for attempt in 0..100u32 {
        let name = format!("ingest-{}-{}-{attempt}", std::process::id(), unique());
        let path = dir.join(name);
        match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok(TempFile { path, file, kept: false }),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(StoreError::io(path, e)),
        }
    }
    Err(StoreError::io(dir, io::Error::other("could not create a temporary file")))
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Copies `reader` to `out` while a second thread hashes the same chunks, so hashing and
/// writing overlap instead of adding up.
fn copy_hashing(mut reader: impl Read, out: &mut File) -> io::Result<(Sha256, u64)> {
    let (tx, rx) = mpsc::sync_channel::<Arc<Vec<u8>>>(4);
    let hasher = std::thread::spawn(move || {
        let mut h = Sha256Hasher::new();
        for chunk in rx {
            h.update(&chunk);
        }
        h.finish()
    });
    let mut total = 0u64;
    let result = (|| loop {
        let mut buf = vec![0u8; CHUNK];
        let mut filled = 0;
        while filled < CHUNK {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if filled == 0 {
            return Ok(());
        }
        buf.truncate(filled);
        out.write_all(&buf)?;
        total += filled as u64;
        if tx.send(Arc::new(buf)).is_err() {
            return Err(io::Error::other("hashing thread stopped"));
        }
    })();
    drop(tx);
    let digest = hasher.join().map_err(|_| io::Error::other("hashing thread panicked"))?;
    result.map(|()| (digest, total))
}
