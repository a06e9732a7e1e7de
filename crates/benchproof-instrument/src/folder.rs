//! Importing screenshots that instruments save to a folder or USB stick.
//!
//! [`FolderImporter::poll`] scans a directory (and its subdirectories, a few levels deep) for
//! PNG, BMP and JPEG files. A file is imported only once its size and modification time have
//! stayed the same for `settle_polls` consecutive polls after it was first seen, because a
//! scope may still be writing it. [`watch`] runs the polling on a thread and sends events over
//! a bounded channel.
//!
//! Invariants: the same content (by SHA-256) is imported at most once per importer, whatever
//! its file name; a bad file is reported once (until it changes) and never stops the scan;
//! files are only read, never moved or deleted.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use crate::picture::{self, Picture, PictureError};
use crate::sha256_hex;

/// Largest file considered, far above any screenshot.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// How deep below the watched folder files are looked for (scopes use `/BMP`, `/DCIM/...`).
const MAX_DEPTH: usize = 3;

/// One imported screenshot.
#[derive(Debug, Clone)]
pub struct ImportedImage {
    /// Where it was found.
    pub path: PathBuf,
    /// SHA-256 (hex) of the file as the instrument wrote it.
    pub sha256: String,
    /// The normalised PNG and thumbnail.
    pub picture: Picture,
}

/// Why one file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read.
    #[error("cannot read it: {0}")]
    Read(#[source] io::Error),
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("it is {0} bytes, larger than any screenshot; it was skipped")]
    TooLarge(u64),
    /// The file is not a usable image.
    #[error(transparent)]
    Image(#[from] PictureError),
}

/// What one poll found.
#[derive(Debug)]
pub enum FolderEvent {
    /// A new screenshot.
    Imported(ImportedImage),
    /// A file whose content was already imported (under this or another name).
    Duplicate {
        /// The file.
        path: PathBuf,
        /// Its SHA-256 (hex).
        sha256: String,
    },
    /// A file that could not be imported; reported again only if it changes.
    Failed {
        /// The file.
        path: PathBuf,
        /// Why.
        error: FileError,
    },
}

/// The watched folder itself could not be read (e.g. the USB stick was pulled).
#[derive(Debug, thiserror::Error)]
#[error("cannot read the folder {}: {source}; check that the USB stick is mounted", dir.display())]
pub struct FolderError {
    /// The folder.
    pub dir: PathBuf,
    /// Why.
    #[source]
    pub source: io::Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    len: u64,
    modified: Option<SystemTime>,
    /// Consecutive polls with this size and time.
    stable: u32,
    /// Imported, duplicate or failed: nothing more to do until it changes.
    settled: bool,
}

/// Scans one folder for new screenshots.
#[derive(Debug)]
pub struct FolderImporter {
    dir: PathBuf,
    settle_polls: u32,
    imported: HashSet<String>,
    files: BTreeMap<PathBuf, Seen>,
}

impl FolderImporter {
    /// An importer for `dir` that waits for 2 unchanged polls before importing a file.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into(), settle_polls: 2, imported: HashSet::new(), files: BTreeMap::new() }
    }

    /// Sets how many consecutive unchanged polls make a file complete (at least 1).
    pub fn settle_polls(mut self, polls: u32) -> Self {
        self.settle_polls = polls.max(1);
        self
    }

    /// Remembers content imported earlier (SHA-256 hex digests), e.g. across restarts.
    pub fn with_imported(mut self, digests: impl IntoIterator<Item = String>) -> Self {
        self.imported.extend(digests);
        self
    }

    /// The folder being watched.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Digests of everything imported so far.
    pub fn imported(&self) -> impl Iterator<Item = &str> {
        self.imported.iter().map(String::as_str)
    }

    /// Scans once and returns what became ready since the last scan, in path order.
    pub fn poll(&mut self) -> Result<Vec<FolderEvent>, FolderError> {
        let mut found = Vec::new();
        list_images(&self.dir, 0, &mut found).map_err(|source| FolderError { dir: self.dir.clone(), source })?;
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let present: HashSet<&PathBuf> = found.iter().map(|(p, _)| p).collect();
        self.files.retain(|p, _| present.contains(p));

        let mut events = Vec::new();
        for (path, meta) in &found {
            let (len, modified) = (meta.len(), meta.modified().ok());
            let Some(seen) = self.files.get_mut(path) else {
                // First sight: the file may have just been created.
                self.files.insert(path.clone(), Seen { len, modified, stable: 0, settled: false });
                continue;
            };
            if seen.len != len || seen.modified != modified {
                *seen = Seen { len, modified, stable: 0, settled: false };
                continue;
            }
            if seen.settled {
                continue;
            }
            seen.stable += 1;
            if seen.stable < self.settle_polls || len == 0 {
                continue;
            }
            let event = import_file(path, len, &mut self.imported);
            let seen = self.files.get_mut(path).expect("inserted above");
            match event {
                // The file changed while it was read: wait for it to settle again.
                None => *seen = Seen { len: u64::MAX, modified: None, stable: 0, settled: false },
                Some(event) => {
                    seen.settled = true;
                    events.push(event);
                }
            }
        }
        Ok(events)
    }
}

fn import_file(path: &Path, len: u64, imported: &mut HashSet<String>) -> Option<FolderEvent> {
    let failed = |error| Some(FolderEvent::Failed { path: path.to_owned(), error });
    if len > MAX_FILE_BYTES {
        return failed(FileError::TooLarge(len));
    }
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => return failed(FileError::Read(e)),
    };
    if bytes.len() as u64 != len {
        return None;
    }
    let sha256 = sha256_hex(&bytes);
    if imported.contains(&sha256) {
        return Some(FolderEvent::Duplicate { path: path.to_owned(), sha256 });
    }
    match picture::normalise(&bytes) {
        Ok(picture) => {
            imported.insert(sha256.clone());
            Some(FolderEvent::Imported(ImportedImage { path: path.to_owned(), sha256, picture }))
        }
        Err(e) => failed(FileError::Image(e)),
    }
}

/// Whether a file name looks like a screenshot (by extension; hidden files are skipped).
fn is_image_name(path: &Path) -> bool {
    let hidden = path.file_name().and_then(|n| n.to_str()).is_none_or(|n| n.starts_with('.'));
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    !hidden && matches!(ext.as_deref(), Some("png" | "bmp" | "jpg" | "jpeg"))
}

fn list_images(dir: &Path, depth: usize, out: &mut Vec<(PathBuf, fs::Metadata)>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        // An entry that vanished or cannot be read is skipped, not fatal: the folder is live.
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let Ok(meta) = fs::metadata(&path) else { continue };
        if meta.is_dir() {
            let hidden = entry.file_name().to_str().is_none_or(|n| n.starts_with('.'));
            if depth < MAX_DEPTH && !hidden {
                // A subfolder that cannot be listed is skipped like an unreadable entry.
                let _ = list_images(&path, depth + 1, out);
            }
        } else if meta.is_file() && is_image_name(&path) {
            out.push((path, meta));
        }
    }
    Ok(())
}

/// What a [`Watcher`] reports.
#[derive(Debug)]
pub enum WatchEvent {
    /// Something happened to one file.
    File(FolderEvent),
    /// The folder cannot be read (reported once until it comes back).
    Unavailable(FolderError),
    /// The folder can be read again.
    Available(PathBuf),
}

/// A polling thread started by [`watch`].
#[derive(Debug)]
pub struct Watcher {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<FolderImporter>>,
}

impl Watcher {
    /// Stops polling and returns the importer (with what it imported).
    pub fn stop(mut self) -> Option<FolderImporter> {
        self.signal_stop();
        self.thread.take().and_then(|t| t.join().ok())
    }

    fn signal_stop(&self) {
        *self.stop.0.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.stop.1.notify_all();
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.signal_stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Polls `importer` every `interval` on a thread and sends events to `events`. The thread ends
/// when the watcher is stopped or dropped, or when the receiver is dropped. A full channel
/// delays polling rather than losing events.
pub fn watch(mut importer: FolderImporter, interval: Duration, events: SyncSender<WatchEvent>) -> io::Result<Watcher> {
    let stop = Arc::new((Mutex::new(false), Condvar::new()));
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new().name("instrument-folder".into()).spawn(move || {
        let mut available = true;
        loop {
            let batch = match importer.poll() {
                Ok(found) => {
                    let mut batch: Vec<WatchEvent> = Vec::new();
                    if !available {
                        available = true;
                        batch.push(WatchEvent::Available(importer.dir().to_owned()));
                    }
                    batch.extend(found.into_iter().map(WatchEvent::File));
                    batch
                }
                Err(e) if available => {
                    available = false;
                    vec![WatchEvent::Unavailable(e)]
                }
                Err(_) => Vec::new(),
            };
            for event in batch {
                if !deliver(&events, event, &flag, interval) {
                    return importer;
                }
            }
            if !wait(&flag, interval) {
                return importer;
            }
        }
    })?;
    Ok(Watcher { stop, thread: Some(thread) })
}

/// Sends one event, waiting while the channel is full. False when stopping or disconnected.
fn deliver(
    events: &SyncSender<WatchEvent>,
    mut event: WatchEvent,
    stop: &(Mutex<bool>, Condvar),
    interval: Duration,
) -> bool {
    loop {
        match events.try_send(event) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(back)) => {
                event = back;
                if !wait(stop, interval) {
                    return false;
                }
            }
        }
    }
}

/// Waits `interval` or until stopped. False when stopped.
fn wait(stop: &(Mutex<bool>, Condvar), interval: Duration) -> bool {
    let guard = stop.0.lock().unwrap_or_else(PoisonError::into_inner);
    let (guard, _) = stop.1.wait_timeout_while(guard, interval, |s| !*s).unwrap_or_else(PoisonError::into_inner);
    !*guard
}
