//! The streaming writer: payload streams into the zip while it is hashed; the tag files are
//! written by [`BagWriter::finish`].

use std::fmt;
use std::io::{self, Read, Seek, Write};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::digest::{Sha256Digest, Sha256Hasher};
use crate::error::{BagError, Result};
use crate::info::{parse_date, BagInfo};
use crate::path::{encode_manifest_path, relative_path_problem, Collision, PathRegistry};
use crate::tagfile::{is_payload_manifest_name, is_tag_manifest_name, BAGIT_TXT};
use crate::PayloadOxum;

/// How one zip entry is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// As is: for media that is already compressed (video, JPEG, PNG, …). Fastest to write and to
    /// verify.
    Stored,
    /// Deflate: for text (JSON, CSV, logs).
    Deflated,
}

/// A payload file as sealed (by [`BagWriter`]) or as verified (by [`crate::Bag::validate`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayloadEntry {
    /// The path inside `data/` (the manifest line says `data/<path>`).
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content.
    pub sha256: Sha256Digest,
}

/// A tag file (a file outside `data/`) with its size and digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagEntry {
    /// The path relative to the bag's base directory (`bagit.txt`, `bag-info.txt`, …).
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content.
    pub sha256: Sha256Digest,
}

/// What [`BagWriter::finish`] sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedBag {
    /// The bag name (the zip's top-level directory).
    pub name: String,
    /// The payload, in the order it was added (the order of `manifest-sha256.txt`).
    pub payload: Vec<PayloadEntry>,
    /// Every tag file listed in `tagmanifest-sha256.txt`, in its order: `bagit.txt`,
    /// `bag-info.txt`, `manifest-sha256.txt`, then the caller's tag files in the order added.
    pub tag_files: Vec<TagEntry>,
    /// `Payload-Oxum` as written to `bag-info.txt`.
    pub payload_oxum: PayloadOxum,
    /// SHA-256 of `tagmanifest-sha256.txt`. It covers `manifest-sha256.txt`, which covers every
    /// payload file, so this one digest identifies the whole bag.
    pub tagmanifest_sha256: Sha256Digest,
    /// Size of the zip in bytes.
    pub zip_bytes: u64,
}

const CHUNK: usize = 256 * 1024;

/// Once a stream has passed this many bytes, SHA-256 moves to a helper thread fed through a few
/// recycled buffers, so reading, CRC-32 and writing the zip overlap with hashing. Small files
/// never start a thread.
const PIPELINE_AFTER: u64 = 8 << 20;
const PIPELINE_BUFFERS: usize = 4;

/// Writes one bag as one zip, streaming each payload file through SHA-256 into the zip. Memory
/// use does not grow with file sizes. Past 8 MiB, a stream is hashed on a helper thread while
/// this one reads and writes.
///
/// Zip layout: every entry lies under `<bag name>/`; `bagit.txt` comes first (written by
/// [`BagWriter::new`]), then the payload and the caller's tag files in the order added, then
/// `bag-info.txt`, `manifest-sha256.txt` and `tagmanifest-sha256.txt`. Entry timestamps are the
/// bagging date at 00:00 (no clock is read, so equal input gives equal bytes).
///
/// If reading a payload stream or writing the zip fails, the writer is poisoned: later calls
/// return [`BagError::WriterPoisoned`] and the output must be discarded. Refused paths and labels
/// are checked before anything is written and do not poison the writer.
pub struct BagWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    info: BagInfo,
    prefix: String,
    start: u64,
    modified: zip::DateTime,
    payload: Vec<PayloadEntry>,
    tag_files: Vec<TagEntry>,
    paths: PathRegistry,
    poisoned: bool,
    buffer: Vec<u8>,
}

impl<W: Write + Seek> fmt::Debug for BagWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BagWriter")
            .field("name", &self.info.bag_name())
            .field("payload_files", &self.payload.len())
            .field("tag_files", &self.tag_files.len())
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

impl<W: Write + Seek> BagWriter<W> {
    /// Starts a bag in `out` and writes `bagit.txt`. Refuses a bad bag name, bagging date or
    /// label (see [`BagInfo`]).
    pub fn new(mut out: W, info: BagInfo) -> Result<Self> {
        info.check()?;
        let start = out.stream_position()?;
        let modified = parse_date(info.bagging_date())
            .and_then(|(year, month, day)| zip::DateTime::from_date_and_time(year, month, day, 0, 0, 0).ok())
            .unwrap_or_default();
        let prefix = format!("{}/", info.bag_name());
        let mut paths = PathRegistry::default();
        for own in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"] {
            paths.insert(own, false).map_err(|_| BagError::WriterPoisoned)?;
        }
        let mut writer = Self {
            zip: ZipWriter::new(out),
            info,
            prefix,
            start,
            modified,
            payload: Vec::new(),
            tag_files: Vec::new(),
            paths,
            poisoned: false,
            buffer: vec![0; CHUNK],
        };
        let entry = writer.write_entry("bagit.txt", BAGIT_TXT.as_bytes(), Compression::Deflated, false)?;
        writer.tag_files.push(entry);
        Ok(writer)
    }

    /// Streams one payload file into `data/<path_in_data>` while hashing it, and returns its size
    /// and SHA-256. `path_in_data` is relative, uses `/`, and has no empty, `.` or `..` segments,
    /// no backslash and no NUL; it may not repeat (nor differ only in letter case from) an earlier
    /// path. CR, LF and `%` are allowed and are percent-encoded in the manifest.
    pub fn add_payload(
        &mut self,
        path_in_data: &str,
        reader: impl Read,
        compression: Compression,
    ) -> Result<PayloadEntry> {
        self.check_usable()?;
        if let Some(reason) = relative_path_problem(path_in_data) {
            return Err(BagError::InvalidPayloadPath { path: path_in_data.to_owned(), reason });
        }
        let relative = format!("data/{path_in_data}");
        self.register(&relative)?;
        let entry = self.write_entry(&relative, reader, compression, true)?;
        let entry = PayloadEntry { path: path_in_data.to_owned(), bytes: entry.bytes, sha256: entry.sha256 };
        self.payload.push(entry.clone());
        Ok(entry)
    }

    /// Adds a tag file of the caller's (any file outside `data/`, e.g. `signature.json` or
    /// `meta/notes.txt`). It is listed in `tagmanifest-sha256.txt`. The names the writer
    /// generates, other manifests and `fetch.txt` are refused.
    pub fn add_tag_file(&mut self, path: &str, bytes: &[u8]) -> Result<TagEntry> {
        self.check_usable()?;
        let refuse = |reason| Err(BagError::InvalidTagPath { path: path.to_owned(), reason });
        if let Some(reason) = relative_path_problem(path) {
            return refuse(reason);
        }
        if path == "data" || path.starts_with("data/") {
            return refuse("is inside data/, which holds the payload (use add_payload)");
        }
        if path == "fetch.txt" || is_payload_manifest_name(path) || is_tag_manifest_name(path) {
            return refuse("is a name reserved for manifests and fetch.txt");
        }
        if ["bagit.txt", "bag-info.txt"].contains(&path) {
            return refuse("is written by the bag writer itself");
        }
        self.register(path)?;
        let entry = self.write_entry(path, bytes, Compression::Deflated, false)?;
        self.tag_files.push(entry.clone());
        Ok(entry)
    }

    /// Writes `bag-info.txt`, `manifest-sha256.txt` and `tagmanifest-sha256.txt`, closes the zip
    /// and returns what was sealed. The output is flushed and dropped; use
    /// [`BagWriter::finish_into_inner`] to get it back (to `sync_all` a file, say).
    pub fn finish(self) -> Result<SealedBag> {
        self.finish_into_inner().map(|(sealed, _)| sealed)
    }

    /// Like [`BagWriter::finish`], and returns the output too.
    pub fn finish_into_inner(mut self) -> Result<(SealedBag, W)> {
        self.check_usable()?;
        if self.payload.is_empty() {
            // A bag always has data/, even with no payload (RFC 8493 §2.1.2).
            let options = self.options(Compression::Stored, false);
            let name = format!("{}data/", self.prefix);
            self.zip.add_directory(name, options).map_err(|error| self.fail(error))?;
        }
        let oxum = PayloadOxum {
            octets: self.payload.iter().map(|entry| entry.bytes).sum(),
            streams: self.payload.len() as u64,
        };
        let bag_info = self.info.render(oxum);
        let entry = self.write_entry("bag-info.txt", bag_info.as_bytes(), Compression::Deflated, false)?;
        self.tag_files.insert(1, entry);

        let mut manifest = String::new();
        for entry in &self.payload {
            manifest.push_str(&format!("{}  data/{}\n", entry.sha256, encode_manifest_path(&entry.path)));
        }
        let entry = self.write_entry("manifest-sha256.txt", manifest.as_bytes(), Compression::Deflated, false)?;
        self.tag_files.insert(2, entry);

        let mut tag_manifest = String::new();
        for entry in &self.tag_files {
            tag_manifest.push_str(&format!("{}  {}\n", entry.sha256, encode_manifest_path(&entry.path)));
        }
        let tag_manifest_entry =
            self.write_entry("tagmanifest-sha256.txt", tag_manifest.as_bytes(), Compression::Deflated, false)?;

        let mut out = self.zip.finish().map_err(|error| BagError::ZipWrite { detail: error.to_string() })?;
        out.flush()?;
        let end = out.stream_position()?;
        let sealed = SealedBag {
            name: self.info.bag_name().to_owned(),
            payload: self.payload,
            tag_files: self.tag_files,
            payload_oxum: oxum,
            tagmanifest_sha256: tag_manifest_entry.sha256,
            zip_bytes: end - self.start,
        };
        Ok((sealed, out))
    }

    fn check_usable(&self) -> Result<()> {
        if self.poisoned {
            Err(BagError::WriterPoisoned)
        } else {
            Ok(())
        }
    }

    fn register(&mut self, relative: &str) -> Result<()> {
        self.paths.insert(relative, false).map_err(|collision| {
            let reason = match collision {
                Collision::Duplicate => "it was already added".to_owned(),
                Collision::Case(other) => {
                    format!("it differs from {other} only in letter case (they would collide when unpacked)")
                }
                Collision::FileAndDirectory(file) => format!("{file} would be both a file and a directory"),
            };
            BagError::PathCollision { path: relative.to_owned(), reason }
        })
    }

    fn options(&self, compression: Compression, large: bool) -> SimpleFileOptions {
        let method = match compression {
            Compression::Stored => CompressionMethod::Stored,
            Compression::Deflated => CompressionMethod::Deflated,
        };
        SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(self.modified)
            .unix_permissions(0o644)
            .large_file(large)
    }

    fn fail(&mut self, error: impl fmt::Display) -> BagError {
        self.poisoned = true;
        BagError::ZipWrite { detail: error.to_string() }
    }

    /// Streams `reader` into the zip entry `<bag>/<relative>`, hashing on the way. `large`
    /// writes ZIP64 sizes so the entry may exceed 4 GiB.
    fn write_entry(
        &mut self,
        relative: &str,
        mut reader: impl Read,
        compression: Compression,
        large: bool,
    ) -> Result<TagEntry> {
        let options = self.options(compression, large);
        let name = format!("{}{relative}", self.prefix);
        self.zip.start_file(name, options).map_err(|error| self.fail(error))?;
        let mut hasher = Sha256Hasher::new();
        let mut bytes = 0u64;
        loop {
            if bytes >= PIPELINE_AFTER {
                let (sha256, bytes) = self.pump_pipelined(relative, &mut reader, hasher, bytes)?;
                return Ok(TagEntry { path: relative.to_owned(), bytes, sha256 });
            }
            let n = match reader.read(&mut self.buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    self.poisoned = true;
                    return Err(BagError::Io(io::Error::new(error.kind(), format!("reading {relative}: {error}"))));
                }
            };
            let chunk = &self.buffer[..n];
            hasher.update(chunk);
            if let Err(error) = self.zip.write_all(chunk) {
                self.poisoned = true;
                return Err(BagError::Io(error));
            }
            bytes += n as u64;
        }
        Ok(TagEntry { path: relative.to_owned(), bytes, sha256: hasher.finish() })
    }

    /// The rest of a long stream: read and write on this thread, SHA-256 (already fed `bytes`
    /// bytes) on a helper thread. Returns the digest and the total size.
    fn pump_pipelined(
        &mut self,
        relative: &str,
        reader: &mut impl Read,
        hasher: Sha256Hasher,
        mut bytes: u64,
    ) -> Result<(Sha256Digest, u64)> {
        let (full_tx, full_rx) = mpsc::sync_channel::<(Vec<u8>, usize)>(PIPELINE_BUFFERS);
        let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
        for _ in 0..PIPELINE_BUFFERS {
            empty_tx.send(vec![0; CHUNK]).map_err(|_| BagError::Io(io::Error::other("buffer channel closed")))?;
        }
        let zip = &mut self.zip;
        let outcome = std::thread::scope(|scope| {
            let hashing = scope.spawn(move || {
                let mut hasher = hasher;
                for (buffer, n) in full_rx {
                    hasher.update(&buffer[..n]);
                    if empty_tx.send(buffer).is_err() {
                        break;
                    }
                }
                hasher
            });
            let hasher_gone = || BagError::Io(io::Error::other("the hashing thread stopped"));
            let outcome = loop {
                let Ok(mut buffer) = empty_rx.recv() else {
                    break Err(hasher_gone());
                };
                let n = loop {
                    match reader.read(&mut buffer) {
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                match n {
                    Ok(0) => break Ok(()),
                    Ok(n) => {
                        if let Err(error) = zip.write_all(&buffer[..n]) {
                            break Err(BagError::Io(error));
                        }
                        bytes += n as u64;
                        if full_tx.send((buffer, n)).is_err() {
                            break Err(hasher_gone());
                        }
                    }
                    Err(error) => {
                        break Err(BagError::Io(io::Error::new(error.kind(), format!("reading {relative}: {error}"))))
                    }
                }
            };
            drop(full_tx);
            let hasher = hashing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            outcome.map(|()| (hasher.finish(), bytes))
        });
        if outcome.is_err() {
            self.poisoned = true;
        }
        outcome
    }
}
