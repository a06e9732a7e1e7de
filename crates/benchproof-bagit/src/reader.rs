//! The safe reader: zip safety checks first (at [`open_bag`]), then the BagIt rules (tag files at
//! open, payload at [`Bag::validate`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::{self, Read, Seek};
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use zip::read::{ZipArchiveMetadata, ZipFile};
use zip::result::ZipError;
use zip::{ZipArchive, ZipReadOptions};

mod scan;

use crate::digest::{Sha256Digest, Sha256Hasher};
use crate::error::{BagError, Result};
use crate::shared_file::SharedFile;
use crate::tagfile::{
    check_bagit_txt, is_payload_manifest_name, is_tag_manifest_name, parse_bag_info, parse_manifest, payload_oxum,
    ManifestKind, ManifestLine,
};
use crate::writer::{PayloadEntry, TagEntry};
use crate::PayloadOxum;

/// Limits that keep a hostile zip from exhausting disk, memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes all entries may unpack to, together (declared sizes, which the reader
    /// then holds every entry to).
    pub max_total_bytes: u64,
    /// The most entries (files and directories) the zip may hold.
    pub max_entries: u64,
    /// The highest compression ratio (unpacked ÷ packed) an entry may have…
    pub max_ratio: u64,
    /// …once it unpacks to more than this many bytes (small, very compressible files such as a
    /// JSON document of zeros cannot do harm and are exempt).
    pub ratio_exempt_bytes: u64,
    /// The largest tag file the reader parses in memory (`bagit.txt`, `bag-info.txt`,
    /// `manifest-sha256.txt`, `tagmanifest-sha256.txt`).
    pub max_tag_file_bytes: u64,
}

impl Default for Limits {
    /// 64 GiB in at most 10 000 entries, ratio at most 200:1 above 1 MiB, tag files up to 16 MiB.
    fn default() -> Self {
        Self {
            max_total_bytes: 64 << 30,
            max_entries: 10_000,
            max_ratio: 200,
            ratio_exempt_bytes: 1 << 20,
            max_tag_file_bytes: 16 << 20,
        }
    }
}

/// Hashing progress, reported by [`Bag::validate`] about every 8 MiB and once at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Payload bytes hashed so far.
    pub bytes_done: u64,
    /// Payload bytes to hash in all.
    pub bytes_total: u64,
}

/// What [`Bag::validate`] verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBag {
    /// The bag name (the zip's top-level directory).
    pub name: String,
    /// Every payload file, in the order of `manifest-sha256.txt`.
    pub payload: Vec<PayloadEntry>,
    /// The tag files listed in `tagmanifest-sha256.txt` (digests verified), in its order.
    pub tag_files: Vec<TagEntry>,
    /// Tag files present but not listed in `tagmanifest-sha256.txt` (RFC 8493 §2.2.1 allows
    /// them; their contents are not verified and must not be trusted). `bagit.txt` and the
    /// tag manifest itself are never listed here.
    pub unlisted_tag_files: Vec<String>,
    /// `Payload-Oxum` of the payload (matched against `bag-info.txt` when it declares one).
    pub payload_oxum: PayloadOxum,
    /// SHA-256 of `manifest-sha256.txt`.
    pub manifest_sha256: Sha256Digest,
    /// SHA-256 of `tagmanifest-sha256.txt`, if the bag has one. Compare it with
    /// [`crate::SealedBag::tagmanifest_sha256`] to know the bag is the one that was sealed.
    pub tagmanifest_sha256: Option<Sha256Digest>,
    /// `bag-info.txt` as (label, value) pairs, in file order (empty if there is no bag-info.txt).
    pub bag_info: Vec<(String, String)>,
}

/// One file entry of the zip.
#[derive(Debug, Clone)]
struct Entry {
    index: usize,
    name: String,
    size: u64,
    crc32: u32,
}

/// A bag opened by [`open_bag`] or [`open_bag_path`]: its zip passed every safety check and its
/// tag files (bagit.txt, tag manifest, manifest, bag-info.txt) were read and checked. Call
/// [`Bag::validate`] to check the payload.
pub struct Bag<R> {
    reader: R,
    meta: Arc<ZipArchiveMetadata>,
    second_reader: Option<SharedFile>,
    name: String,
    /// Bag-relative path → entry, files only.
    files: BTreeMap<String, Entry>,
    manifest: Vec<ManifestLine>,
    manifest_sha256: Sha256Digest,
    tag_files: Vec<TagEntry>,
    unlisted_tag_files: Vec<String>,
    tagmanifest_sha256: Option<Sha256Digest>,
    bag_info: Vec<(String, String)>,
    declared_oxum: Option<PayloadOxum>,
    validated: bool,
}

impl<R> fmt::Debug for Bag<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bag")
            .field("name", &self.name)
            .field("entries", &self.files.len())
            .field("parallel", &self.second_reader.is_some())
            .field("validated", &self.validated)
            .finish_non_exhaustive()
    }
}

/// Opens a bag zip from any seekable reader: runs the zip safety checks, then reads and checks
/// the tag files. Payload is hashed by [`Bag::validate`] on this one reader.
pub fn open_bag<R: Read + Seek>(reader: R, limits: Limits) -> Result<Bag<R>> {
    open_with(reader, limits, None)
}

/// Opens a bag zip file by path, like [`open_bag`]; [`Bag::validate`] then hashes payload files
/// on two threads, each reading the one open file at its own position.
pub fn open_bag_path(path: impl AsRef<Path>, limits: Limits) -> Result<Bag<SharedFile>> {
    let file = SharedFile::open(path)?;
    let second = file.clone();
    open_with(file, limits, Some(second))
}

fn open_with<R: Read + Seek>(mut reader: R, limits: Limits, second_reader: Option<SharedFile>) -> Result<Bag<R>> {
    let scan = scan::scan_central_directory(&mut reader, &limits)?;
    let mut archive = ZipArchive::new(reader).map_err(archive_error)?;
    let same_listing = archive.len() == scan.raw_names.len()
        && archive.file_names_raw().zip(&scan.raw_names).all(|(a, b)| a == b.as_slice());
    if !same_listing {
        return Err(BagError::HeaderMismatch {
            detail: "two readings of the central directory list different entries".to_owned(),
        });
    }
    archive.validate_header_consistency().map_err(|error| match error {
        ZipError::Io(error) => BagError::Io(error),
        other => BagError::HeaderMismatch { detail: other.to_string() },
    })?;
    let meta = archive.metadata();
    let reader = archive.into_inner();
    let mut bag = Bag {
        reader,
        meta,
        second_reader,
        name: scan.top,
        files: scan.files,
        manifest: Vec::new(),
        manifest_sha256: Sha256Digest([0; 32]),
        tag_files: Vec::new(),
        unlisted_tag_files: Vec::new(),
        tagmanifest_sha256: None,
        bag_info: Vec::new(),
        declared_oxum: None,
        validated: false,
    };
    bag.read_tag_files(&limits, scan.has_data_dir)?;
    Ok(bag)
}

fn archive_error(error: ZipError) -> BagError {
    match error {
        ZipError::Io(error) if error.kind() != io::ErrorKind::UnexpectedEof => BagError::Io(error),
        ZipError::UnsupportedArchive(detail) => BagError::UnsupportedZip { detail: detail.to_owned() },
        other => BagError::CorruptZip {
            detail: other.to_string().replace("Could not find EOCD", "no end-of-central-directory record found"),
        },
    }
}

/// What reading one entry to its end gave.
struct EntryRead {
    sha256: Sha256Digest,
    crc_ok: bool,
}

const CHUNK: usize = 512 * 1024;

/// Reads one entry to its end through `sink`, counting the bytes (never trusting the header),
/// hashing with SHA-256 and checking CRC-32. A size that differs from the declared one is an
/// error here; a CRC mismatch is reported back so a digest mismatch can be named first. Entries
/// of [`PIPELINE_MIN_BYTES`] or more are hashed on a helper thread while this one reads.
fn read_entry<R: Read + Seek>(
    meta: &ZipArchiveMetadata,
    reader: &mut R,
    entry: &Entry,
    buffer: &mut [u8],
    sink: impl FnMut(&[u8]),
) -> Result<EntryRead> {
    let mut file = open_entry(meta, reader, entry)?;
    let (count, sha256, crc) = if entry.size >= PIPELINE_MIN_BYTES {
        pump_pipelined(&mut file, entry, sink)?
    } else {
        pump(&mut file, entry, buffer, sink)?
    };
    if count != entry.size {
        return Err(BagError::SizeMismatch {
            entry: entry.name.clone(),
            declared: entry.size,
            found: format!("{count} bytes"),
        });
    }
    Ok(EntryRead { sha256, crc_ok: crc == entry.crc32 })
}

/// Entries this large are read on one thread and hashed on another: the critical path is then
/// SHA-256 alone, not read + CRC-32 + SHA-256.
const PIPELINE_MIN_BYTES: u64 = 16 << 20;
const PIPELINE_BUFFERS: usize = 4;

/// Reads, CRCs and hashes on this thread: (bytes, SHA-256, CRC-32).
fn pump(
    file: &mut impl Read,
    entry: &Entry,
    buffer: &mut [u8],
    mut sink: impl FnMut(&[u8]),
) -> Result<(u64, Sha256Digest, u32)> {
    let mut hasher = Sha256Hasher::new();
    let mut crc = crc32fast::Hasher::new();
    let mut count = 0u64;
    loop {
        let n = match file.read(buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(read_error(entry, error)),
        };
        let chunk = &buffer[..n];
        hasher.update(chunk);
        crc.update(chunk);
        sink(chunk);
        count += n as u64;
    }
    Ok((count, hasher.finish(), crc.finalize()))
}

/// Like [`pump`], with SHA-256 on a helper thread fed through a few recycled buffers.
fn pump_pipelined(
    file: &mut impl Read,
    entry: &Entry,
    mut sink: impl FnMut(&[u8]),
) -> Result<(u64, Sha256Digest, u32)> {
    let (full_tx, full_rx) = mpsc::sync_channel::<(Vec<u8>, usize)>(PIPELINE_BUFFERS);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
    for _ in 0..PIPELINE_BUFFERS {
        empty_tx.send(vec![0; CHUNK]).map_err(|_| BagError::Io(io::Error::other("buffer channel closed")))?;
    }
    std::thread::scope(|scope| {
        let hashing = scope.spawn(move || {
            let mut hasher = Sha256Hasher::new();
            for (buffer, n) in full_rx {
                hasher.update(&buffer[..n]);
                if empty_tx.send(buffer).is_err() {
                    break;
                }
            }
            hasher.finish()
        });
        let mut crc = crc32fast::Hasher::new();
        let mut count = 0u64;
        let mut spare: Option<Vec<u8>> = None;
        let hasher_gone = || BagError::Io(io::Error::other("the hashing thread stopped"));
        let outcome = loop {
            let mut buffer = match spare.take().map_or_else(|| empty_rx.recv().ok(), Some) {
                Some(buffer) => buffer,
                None => break Err(hasher_gone()),
            };
            match file.read(&mut buffer) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    crc.update(&buffer[..n]);
                    sink(&buffer[..n]);
                    count += n as u64;
                    if full_tx.send((buffer, n)).is_err() {
                        break Err(hasher_gone());
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => spare = Some(buffer),
                Err(error) => break Err(read_error(entry, error)),
            }
        };
        drop(full_tx);
        let sha256 = hashing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        outcome.map(|()| (count, sha256, crc.finalize()))
    })
}

fn open_entry<'a, R: Read + Seek>(
    meta: &'a ZipArchiveMetadata,
    reader: &'a mut R,
    entry: &Entry,
) -> Result<ZipFile<'a, R>> {
    meta.entry(entry.index).and_then(|file| file.with_reader(reader, ZipReadOptions::new().ignore_crc32(true))).map_err(
        |error| match error {
            ZipError::Io(error) => read_error(entry, error),
            other => BagError::CorruptEntry { entry: entry.name.clone(), detail: other.to_string() },
        },
    )
}

fn read_error(entry: &Entry, error: io::Error) -> BagError {
    let detail = error.to_string();
    if detail.contains("larger than its declared") {
        BagError::SizeMismatch {
            entry: entry.name.clone(),
            declared: entry.size,
            found: "more bytes than that".to_owned(),
        }
    } else if error.kind() == io::ErrorKind::InvalidData || error.kind() == io::ErrorKind::UnexpectedEof {
        BagError::CorruptEntry { entry: entry.name.clone(), detail }
    } else {
        BagError::Io(io::Error::new(error.kind(), format!("reading {}: {detail}", entry.name)))
    }
}

fn crc_error(entry: &Entry) -> BagError {
    BagError::CorruptEntry {
        entry: entry.name.clone(),
        detail: "the content does not match the CRC-32 in the zip header".to_owned(),
    }
}

impl<R: Read + Seek> Bag<R> {
    /// The bag name (the zip's top-level directory).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `bag-info.txt` as (label, value) pairs in file order (empty if the bag has none). Not yet
    /// validated against the tag manifest unless the bag has one (checked at open).
    #[must_use]
    pub fn bag_info(&self) -> Vec<(String, String)> {
        self.bag_info.clone()
    }

    /// `Payload-Oxum` as declared in `bag-info.txt`, if it is there.
    #[must_use]
    pub fn declared_payload_oxum(&self) -> Option<PayloadOxum> {
        self.declared_oxum
    }

    fn entry(&self, relative: &str) -> Option<&Entry> {
        self.files.get(relative)
    }

    /// Reads a tag file that must be parsed, within the size limit.
    fn load(&mut self, relative: &str, limits: &Limits) -> Result<Option<(Vec<u8>, EntryRead)>> {
        let Some(entry) = self.entry(relative).cloned() else {
            return Ok(None);
        };
        if entry.size > limits.max_tag_file_bytes {
            return Err(BagError::TagFileTooLarge {
                file: relative.to_owned(),
                bytes: entry.size,
                limit: limits.max_tag_file_bytes,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0));
        let mut buffer = vec![0; 64 * 1024];
        let read =
            read_entry(&self.meta, &mut self.reader, &entry, &mut buffer, |chunk| bytes.extend_from_slice(chunk))?;
        Ok(Some((bytes, read)))
    }

    /// BagIt checks that need no payload: bagit.txt, the tag manifest (every listed tag file's
    /// digest), the payload manifest's syntax, bag-info.txt.
    fn read_tag_files(&mut self, limits: &Limits, has_data_dir: bool) -> Result<()> {
        let (bagit, bagit_read) =
            self.load("bagit.txt", limits)?.ok_or_else(|| BagError::MissingBagitTxt { top: self.name.clone() })?;
        check_bagit_txt(&bagit)?;
        if self.files.contains_key("fetch.txt") {
            return Err(BagError::FetchNotSupported);
        }
        let unsupported = self.files.keys().find(|path| {
            (is_payload_manifest_name(path) && *path != "manifest-sha256.txt")
                || (is_tag_manifest_name(path) && *path != "tagmanifest-sha256.txt")
        });
        if let Some(file) = unsupported {
            return Err(BagError::UnsupportedManifest { file: file.clone() });
        }
        if !self.files.contains_key("manifest-sha256.txt") {
            return Err(BagError::MissingManifest);
        }
        if !has_data_dir {
            return Err(BagError::MissingPayloadDirectory);
        }

        let mut loaded: HashMap<&'static str, (Vec<u8>, EntryRead)> = HashMap::new();
        loaded.insert("bagit.txt", (bagit, bagit_read));
        for file in ["manifest-sha256.txt", "bag-info.txt"] {
            if let Some(content) = self.load(file, limits)? {
                loaded.insert(file, content);
            }
        }

        let mut listed: HashSet<String> = HashSet::new();
        if let Some((bytes, read)) = self.load("tagmanifest-sha256.txt", limits)? {
            if !read.crc_ok {
                return Err(crc_error(&self.files["tagmanifest-sha256.txt"]));
            }
            self.tagmanifest_sha256 = Some(read.sha256);
            let lines = parse_manifest("tagmanifest-sha256.txt", &bytes, ManifestKind::Tag)?;
            if !lines.iter().any(|line| line.path == "manifest-sha256.txt") {
                return Err(BagError::TagManifestIncomplete);
            }
            let mut buffer = vec![0; CHUNK];
            for line in lines {
                let Some(entry) = self.entry(&line.path).cloned() else {
                    return Err(BagError::MissingTagFile { file: line.path, line: line.line });
                };
                let read = match loaded.get(line.path.as_str()) {
                    Some((_, read)) => EntryRead { sha256: read.sha256, crc_ok: read.crc_ok },
                    None => read_entry(&self.meta, &mut self.reader, &entry, &mut buffer, |_| {})?,
                };
                if read.sha256 != line.sha256 {
                    return Err(BagError::TagDigestMismatch { file: line.path });
                }
                if !read.crc_ok {
                    return Err(crc_error(&entry));
                }
                self.tag_files.push(TagEntry { path: line.path.clone(), bytes: entry.size, sha256: read.sha256 });
                listed.insert(line.path);
            }
        }
        for (file, (_, read)) in &loaded {
            if !read.crc_ok {
                return Err(crc_error(&self.files[*file]));
            }
        }
        self.unlisted_tag_files = self
            .files
            .keys()
            .filter(|path| !path.starts_with("data/"))
            .filter(|path| !listed.contains(*path) && *path != "bagit.txt" && *path != "tagmanifest-sha256.txt")
            .cloned()
            .collect();

        let (manifest, manifest_read) = loaded.remove("manifest-sha256.txt").ok_or(BagError::MissingManifest)?;
        self.manifest = parse_manifest("manifest-sha256.txt", &manifest, ManifestKind::Payload)?;
        self.manifest_sha256 = manifest_read.sha256;
        if let Some((bytes, _)) = loaded.remove("bag-info.txt") {
            let info = parse_bag_info(&bytes)?;
            self.declared_oxum = payload_oxum(&info)?;
            self.bag_info = info.into_iter().map(|element| (element.label, element.value)).collect();
        }
        Ok(())
    }

    /// Checks the payload: every manifest line names a payload file, every payload file is
    /// listed, `Payload-Oxum` (if declared) matches, and every payload file's SHA-256 matches
    /// its manifest line (streamed, never held in memory). Refuses with the first broken thing:
    /// the earliest manifest line at fault. `progress` may be called from two threads.
    pub fn validate<P: Fn(Progress) + Sync>(&mut self, progress: P) -> Result<ValidBag> {
        for line in &self.manifest {
            if !self.files.contains_key(&line.path) {
                return Err(BagError::MissingPayload { file: line.path.clone(), line: line.line });
            }
        }
        let listed: HashSet<&str> = self.manifest.iter().map(|line| line.path.as_str()).collect();
        if let Some(unlisted) =
            self.files.keys().find(|path| path.starts_with("data/") && !listed.contains(path.as_str()))
        {
            return Err(BagError::UnlistedPayload { file: unlisted.clone() });
        }
        let actual = PayloadOxum {
            octets: self.manifest.iter().map(|line| self.files[&line.path].size).sum(),
            streams: self.manifest.len() as u64,
        };
        if let Some(declared) = self.declared_oxum.filter(|declared| *declared != actual) {
            return Err(BagError::PayloadOxumMismatch { declared: declared.to_string(), actual: actual.to_string() });
        }

        let mut jobs: Vec<Job> = self
            .manifest
            .iter()
            .enumerate()
            .map(|(order, line)| Job { order, entry: self.files[&line.path].clone(), line: line.clone() })
            .collect();
        // Largest first, so two threads finish close together.
        jobs.sort_by(|a, b| b.entry.size.cmp(&a.entry.size).then(a.order.cmp(&b.order)));
        let shared = Shared {
            jobs: &jobs,
            next: AtomicUsize::new(0),
            first_failure: AtomicUsize::new(usize::MAX),
            done: AtomicU64::new(0),
            total: actual.octets,
            failures: Mutex::new(Vec::new()),
            progress: &progress,
        };
        let meta: &ZipArchiveMetadata = &self.meta;
        let reader = &mut self.reader;
        match self.second_reader.as_ref().filter(|_| jobs.len() > 1) {
            Some(second) => {
                let mut second = second.clone();
                std::thread::scope(|scope| {
                    scope.spawn(|| run_jobs(meta, &mut second, &shared));
                    run_jobs(meta, reader, &shared);
                });
            }
            None => run_jobs(meta, reader, &shared),
        }
        let failures = shared.failures.into_inner().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, error)) = failures.into_iter().min_by_key(|(order, _)| *order) {
            return Err(error);
        }
        progress(Progress { bytes_done: actual.octets, bytes_total: actual.octets });
        self.validated = true;
        let payload = self
            .manifest
            .iter()
            .map(|line| PayloadEntry {
                path: line.path["data/".len()..].to_owned(),
                bytes: self.files[&line.path].size,
                sha256: line.sha256,
            })
            .collect();
        Ok(ValidBag {
            name: self.name.clone(),
            payload,
            tag_files: self.tag_files.clone(),
            unlisted_tag_files: self.unlisted_tag_files.clone(),
            payload_oxum: actual,
            manifest_sha256: self.manifest_sha256,
            tagmanifest_sha256: self.tagmanifest_sha256,
            bag_info: self.bag_info.clone(),
        })
    }

    /// Streams one payload file, `data/<path_in_data>`, after a successful [`Bag::validate`]. The
    /// content is hashed again as it streams: at the end, a size or SHA-256 that differs from the
    /// manifest (the file changed since validation) is an `InvalidData` error carrying a
    /// [`BagError`], so read to the end before trusting what was read.
    pub fn read_payload(&mut self, path_in_data: &str) -> Result<PayloadReader<'_, R>> {
        if !self.validated {
            return Err(BagError::NotValidated);
        }
        let relative = format!("data/{path_in_data}");
        let unknown = || BagError::UnknownPayload { path: path_in_data.to_owned() };
        let expected = self.manifest.iter().find(|line| line.path == relative).ok_or_else(unknown)?.sha256;
        let entry = self.files.get(&relative).ok_or_else(unknown)?.clone();
        let file = open_entry(&self.meta, &mut self.reader, &entry)?;
        Ok(PayloadReader {
            file,
            relative,
            entry,
            expected,
            hasher: Some(Sha256Hasher::new()),
            crc: crc32fast::Hasher::new(),
            count: 0,
        })
    }
}

struct Job {
    order: usize,
    entry: Entry,
    line: ManifestLine,
}

struct Shared<'a, P> {
    jobs: &'a [Job],
    next: AtomicUsize,
    /// Lowest manifest order that failed so far: later jobs are skipped, earlier ones still run,
    /// so the reported failure does not depend on thread timing.
    first_failure: AtomicUsize,
    done: AtomicU64,
    total: u64,
    failures: Mutex<Vec<(usize, BagError)>>,
    progress: &'a P,
}

const PROGRESS_EVERY: u64 = 8 << 20;

fn run_jobs<R: Read + Seek, P: Fn(Progress) + Sync>(meta: &ZipArchiveMetadata, reader: &mut R, shared: &Shared<'_, P>) {
    let mut buffer = vec![0; CHUNK];
    loop {
        let index = shared.next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = shared.jobs.get(index) else {
            return;
        };
        if job.order > shared.first_failure.load(Ordering::Relaxed) {
            continue;
        }
        let mut unreported = 0u64;
        let read = read_entry(meta, reader, &job.entry, &mut buffer, |chunk| {
            unreported += chunk.len() as u64;
            if unreported >= PROGRESS_EVERY {
                let done = shared.done.fetch_add(unreported, Ordering::Relaxed) + unreported;
                unreported = 0;
                (shared.progress)(Progress { bytes_done: done, bytes_total: shared.total });
            }
        });
        shared.done.fetch_add(unreported, Ordering::Relaxed);
        let failure = match read {
            Ok(read) if read.sha256 != job.line.sha256 => {
                Some(BagError::DigestMismatch { file: job.line.path.clone() })
            }
            Ok(read) if !read.crc_ok => Some(crc_error(&job.entry)),
            Ok(_) => None,
            Err(error) => Some(error),
        };
        if let Some(error) = failure {
            shared.first_failure.fetch_min(job.order, Ordering::Relaxed);
            shared.failures.lock().unwrap_or_else(PoisonError::into_inner).push((job.order, error));
        }
    }
}

/// One payload file streaming out of a validated bag; see [`Bag::read_payload`].
pub struct PayloadReader<'a, R: Read> {
    file: ZipFile<'a, R>,
    relative: String,
    entry: Entry,
    expected: Sha256Digest,
    /// `None` once the end was reached and checked.
    hasher: Option<Sha256Hasher>,
    crc: crc32fast::Hasher,
    count: u64,
}

impl<R: Read> fmt::Debug for PayloadReader<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayloadReader")
            .field("path", &self.relative)
            .field("bytes_read", &self.count)
            .field("bytes", &self.entry.size)
            .finish_non_exhaustive()
    }
}

impl<R: Read> PayloadReader<'_, R> {
    fn check_end(&mut self, hasher: Sha256Hasher) -> io::Result<()> {
        let failure = if self.count != self.entry.size {
            Some(BagError::SizeMismatch {
                entry: self.entry.name.clone(),
                declared: self.entry.size,
                found: format!("{} bytes", self.count),
            })
        } else if hasher.finish() != self.expected {
            Some(BagError::DigestMismatch { file: self.relative.clone() })
        } else if self.crc.clone().finalize() != self.entry.crc32 {
            Some(crc_error(&self.entry))
        } else {
            None
        };
        failure.map_or(Ok(()), |error| Err(io::Error::new(io::ErrorKind::InvalidData, error)))
    }
}

impl<R: Read> Read for PayloadReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.file.read(buf).map_err(|error| match read_error(&self.entry, error) {
            BagError::Io(error) => error,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        })?;
        if n == 0 {
            if let Some(hasher) = self.hasher.take() {
                self.check_end(hasher)?;
            }
            return Ok(0);
        }
        if let Some(hasher) = self.hasher.as_mut() {
            hasher.update(&buf[..n]);
        }
        self.crc.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}
