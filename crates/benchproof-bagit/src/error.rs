//! The one error type of this crate.

use std::io;

/// Everything that can go wrong while writing, opening or validating a bag.
///
/// Each message is a sentence that names the first broken thing: the zip entry (full name inside
/// the zip, e.g. `bag/data/x`) for zip-level problems, the bag-relative path (e.g.
/// `data/media/clip.mp4`) and, where one exists, the line number for BagIt-level problems.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BagError {
    // ----------------------------------------------------------------------------- writing
    /// A payload path given to the writer breaks the path rules.
    #[error("payload path {path:?} is not allowed: it {reason}")]
    InvalidPayloadPath {
        /// The path as given (relative to `data/`).
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// A tag file path given to the writer breaks the path rules or names a reserved file.
    #[error("tag file path {path:?} is not allowed: it {reason}")]
    InvalidTagPath {
        /// The path as given (relative to the bag's base directory).
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// The writer was given the same path twice (or two paths that only differ in letter case, or
    /// a path that is both a file and a directory).
    #[error("{path} cannot be added: {reason}")]
    PathCollision {
        /// The bag-relative path (e.g. `data/a.txt`).
        path: String,
        /// Why.
        reason: String,
    },
    /// The bag name (the zip's top-level directory) is not a safe single directory name.
    #[error("bag name {name:?} is not allowed: it {reason}")]
    InvalidBagName {
        /// The name as given.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A bag-info.txt label or value, or the bagging date, is not allowed.
    #[error("bag-info.txt label {label:?} is not allowed: {reason}")]
    InvalidBagInfo {
        /// The label.
        label: String,
        /// Why.
        reason: String,
    },
    /// An earlier I/O error left the zip being written in an unknown state.
    #[error("the bag writer stopped after an earlier error; discard the output and start a new bag")]
    WriterPoisoned,

    // ----------------------------------------------------------------------------- zip safety
    /// The file is not a zip archive that can be read: truncated, corrupt, or not a zip at all.
    #[error("the file is not a readable zip archive (it may be truncated or corrupt): {detail}")]
    CorruptZip {
        /// What the zip reader said.
        detail: String,
    },
    /// The zip uses a feature this reader refuses (multi-disk archives and the like).
    #[error("the zip archive uses a feature that is not supported: {detail}")]
    UnsupportedZip {
        /// What the zip reader said.
        detail: String,
    },
    /// One zip entry's data cannot be read or does not match its own header (CRC-32).
    #[error("{entry}: the zip entry is damaged: {detail}")]
    CorruptEntry {
        /// The zip entry name.
        entry: String,
        /// What went wrong.
        detail: String,
    },
    /// The local file headers disagree with the central directory, entries overlap, or data is
    /// hidden between entries (zip smuggling).
    #[error("the zip's local headers disagree with its central directory: {detail}")]
    HeaderMismatch {
        /// What the zip reader said.
        detail: String,
    },
    /// More entries than `Limits::max_entries`.
    #[error("the zip holds {count} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// Entries declared by the central directory.
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// The declared unpacked size is above `Limits::max_total_bytes`.
    #[error("{entry}: the zip would unpack to more than the limit of {limit} bytes ({total} bytes so far)")]
    TooLarge {
        /// The entry that crossed the limit.
        entry: String,
        /// The running total including that entry.
        total: u64,
        /// The limit.
        limit: u64,
    },
    /// An entry's compression ratio is above `Limits::max_ratio` (a zip bomb, or a very unusual
    /// file).
    #[error("{entry}: compression ratio {ratio}:1 is above the limit of {limit}:1 (a possible zip bomb)")]
    CompressionRatio {
        /// The zip entry name.
        entry: String,
        /// Declared unpacked size divided by compressed size, rounded down.
        ratio: u64,
        /// The limit.
        limit: u64,
    },
    /// The bytes actually unpacked differ from the size the zip header declares.
    #[error("{entry}: the zip header declares {declared} bytes but unpacking gave {found}")]
    SizeMismatch {
        /// The zip entry name.
        entry: String,
        /// The declared uncompressed size.
        declared: u64,
        /// What was found, in words ("12 bytes", "more than that").
        found: String,
    },
    /// An entry name is absolute, climbs with `..`, uses backslashes, has empty segments, ….
    #[error("zip entry {entry:?} has an unsafe name: it {reason}")]
    UnsafeEntryName {
        /// The zip entry name.
        entry: String,
        /// Why.
        reason: &'static str,
    },
    /// An entry name is not UTF-8, or is non-ASCII without the zip's UTF-8 flag (other tools would
    /// read it as CP437 and see a different name).
    #[error("zip entry {entry:?} has a name that is not marked and encoded as UTF-8")]
    NonUtf8EntryName {
        /// The name, decoded lossily.
        entry: String,
    },
    /// Two entries with the same name.
    #[error("zip entry {entry:?} appears more than once (a later copy would overwrite the first on extraction)")]
    DuplicateEntry {
        /// The zip entry name.
        entry: String,
    },
    /// Two entries whose names differ only in letter case.
    #[error(
        "zip entries {first:?} and {second:?} differ only in letter case and would overwrite each \
         other on a case-insensitive file system"
    )]
    CaseCollision {
        /// The earlier entry name.
        first: String,
        /// The later entry name.
        second: String,
    },
    /// A name used both as a file and as a directory.
    #[error("zip entry {entry:?} is a file but other entries use it as a directory")]
    FileDirectoryConflict {
        /// The zip entry name.
        entry: String,
    },
    /// A symbolic link entry.
    #[error("zip entry {entry:?} is a symbolic link; a bag may hold only regular files and directories")]
    Symlink {
        /// The zip entry name.
        entry: String,
    },
    /// A device, FIFO or other special file entry.
    #[error(
        "zip entry {entry:?} is a special file (unix mode {mode:o}); a bag may hold only regular files and directories"
    )]
    SpecialFile {
        /// The zip entry name.
        entry: String,
        /// The unix mode from the external attributes.
        mode: u32,
    },
    /// An encrypted entry.
    #[error("zip entry {entry:?} is encrypted; bags must be readable without a password")]
    Encrypted {
        /// The zip entry name.
        entry: String,
    },
    /// A compression method other than Stored or Deflated.
    #[error("zip entry {entry:?} uses compression method {method}; only Stored and Deflated are accepted")]
    UnsupportedCompression {
        /// The zip entry name.
        entry: String,
        /// The method, in words.
        method: String,
    },
    /// An entry outside the single top-level directory.
    #[error("zip entry {entry:?} lies outside the bag directory {top:?}; a bag zip must unpack to one directory")]
    OutsideTopDirectory {
        /// The zip entry name.
        entry: String,
        /// The top-level directory named by the first entry (empty if none yet).
        top: String,
    },

    /// A file entry at the root of the zip, outside any directory.
    #[error(
        "zip entry {entry:?} is not inside a directory; a bag zip must unpack to one directory named after the bag"
    )]
    NotInDirectory {
        /// The zip entry name.
        entry: String,
    },

    // ----------------------------------------------------------------------------- BagIt
    /// The zip holds no entries at all.
    #[error("the zip archive is empty; a bag needs at least bagit.txt, a manifest and data/")]
    EmptyZip,
    /// No `bagit.txt` at the base of the bag.
    #[error("bagit.txt is missing from the bag directory {top:?}, so this is not a bag")]
    MissingBagitTxt {
        /// The bag directory.
        top: String,
    },
    /// `bagit.txt` declares a version other than 1.0.
    #[error("bagit.txt declares BagIt-Version {found:?}; only version 1.0 (RFC 8493) is accepted")]
    UnsupportedVersion {
        /// The declared version.
        found: String,
    },
    /// `bagit.txt` declares an encoding other than UTF-8.
    #[error("bagit.txt declares Tag-File-Character-Encoding {found:?}; only UTF-8 is accepted")]
    UnsupportedEncoding {
        /// The declared encoding.
        found: String,
    },
    /// No `data/` directory.
    #[error("the bag has no data/ payload directory")]
    MissingPayloadDirectory,
    /// No `manifest-sha256.txt`.
    #[error("manifest-sha256.txt is missing; this reader needs a SHA-256 payload manifest")]
    MissingManifest,
    /// A manifest for an algorithm other than SHA-256, which this reader cannot verify.
    #[error("{file} uses a checksum algorithm this reader does not verify; only SHA-256 manifests are accepted")]
    UnsupportedManifest {
        /// The manifest file name.
        file: String,
    },
    /// A `fetch.txt` (a bag that is completed by downloading) is present.
    #[error("fetch.txt is present; this reader accepts only complete, self-contained bags")]
    FetchNotSupported,
    /// A tag file that must be parsed is larger than `Limits::max_tag_file_bytes`.
    #[error("{file} is {bytes} bytes, above the limit of {limit} bytes for a tag file")]
    TagFileTooLarge {
        /// The bag-relative path.
        file: String,
        /// Its declared size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A tag file or manifest line does not follow RFC 8493.
    #[error("{file} line {line}: {reason}")]
    Malformed {
        /// The bag-relative path of the file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong, in words.
        reason: String,
    },
    /// `tagmanifest-sha256.txt` does not list `manifest-sha256.txt` (RFC 8493 §2.2.1 requires it).
    #[error("tagmanifest-sha256.txt does not list manifest-sha256.txt, which every tag manifest must list")]
    TagManifestIncomplete,
    /// The tag manifest lists a file the bag does not have.
    #[error("{file}: listed in tagmanifest-sha256.txt line {line} but missing from the bag")]
    MissingTagFile {
        /// The bag-relative path.
        file: String,
        /// 1-based line in the tag manifest.
        line: usize,
    },
    /// A tag file's digest differs from the tag manifest.
    #[error("{file}: SHA-256 does not match tagmanifest-sha256.txt (the tag file was changed after sealing)")]
    TagDigestMismatch {
        /// The bag-relative path.
        file: String,
    },
    /// The payload manifest lists a file the bag does not have.
    #[error("{file}: listed in manifest-sha256.txt line {line} but missing from the payload")]
    MissingPayload {
        /// The bag-relative path (`data/…`).
        file: String,
        /// 1-based line in the manifest.
        line: usize,
    },
    /// A payload file that the manifest does not list.
    #[error("{file}: payload file is not listed in manifest-sha256.txt (it was added after sealing)")]
    UnlistedPayload {
        /// The bag-relative path (`data/…`).
        file: String,
    },
    /// `Payload-Oxum` in bag-info.txt differs from the payload.
    #[error("bag-info.txt declares Payload-Oxum {declared} but the payload holds {actual} (octets.files)")]
    PayloadOxumMismatch {
        /// The declared value.
        declared: String,
        /// The value computed from the payload.
        actual: String,
    },
    /// A payload file's digest differs from the manifest.
    #[error("{file}: SHA-256 does not match manifest-sha256.txt (the file was changed after sealing)")]
    DigestMismatch {
        /// The bag-relative path (`data/…`).
        file: String,
    },
    /// `read_payload` before a successful `validate`.
    #[error("the bag must be validated before its payload is read")]
    NotValidated,
    /// `read_payload` for a path that is not in the payload.
    #[error("data/{path} is not a payload file of this bag")]
    UnknownPayload {
        /// The path relative to `data/`.
        path: String,
    },

    // ----------------------------------------------------------------------------- plumbing
    /// An I/O error from the underlying file or stream.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The zip writer refused an operation.
    #[error("the zip writer failed: {detail}")]
    ZipWrite {
        /// What the zip writer said.
        detail: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = BagError> = std::result::Result<T, E>;
