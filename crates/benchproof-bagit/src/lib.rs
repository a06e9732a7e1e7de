//! BagIt 1.0 ([RFC 8493]) bags serialised as one zip file: a streaming writer and a safe reader
//! that validates. Generic: it knows nothing of what the payload means.
//!
//! # Main types
//!
//! - [`BagWriter`]: `new(out, BagInfo)` writes `bagit.txt`; [`BagWriter::add_payload`] streams a
//!   file into `data/…` while hashing it ([`Compression::Stored`] for media that is already
//!   compressed, [`Compression::Deflated`] for text); [`BagWriter::add_tag_file`] adds a tag file
//!   of the caller's; [`BagWriter::finish`] writes `bag-info.txt`, `manifest-sha256.txt`,
//!   `tagmanifest-sha256.txt` and returns a [`SealedBag`].
//! - [`BagInfo`]: bag name (the zip's top-level directory), bagging date (`YYYY-MM-DD`, given by
//!   the caller; nothing here reads a clock) and `bag-info.txt` labels.
//! - [`open_bag`] (any `Read + Seek`) and [`open_bag_path`] (a file, hashed on two threads) run
//!   the zip safety checks and read the tag files, giving a [`Bag`]; [`Bag::validate`] checks
//!   the payload and gives a [`ValidBag`]; [`Bag::read_payload`] then streams one payload file,
//!   re-hashing it on the way.
//! - [`Limits`]: bounds on entries, unpacked bytes, compression ratio and tag file size.
//! - [`BagError`]: every failure, as a sentence naming the first broken thing.
//! - [`Sha256Digest`], [`PayloadEntry`], [`TagEntry`], [`PayloadOxum`].
//!
//! ```
//! use std::io::Cursor;
//! use benchproof_bagit::{open_bag, BagInfo, BagWriter, Compression, Limits};
//!
//! # fn main() -> Result<(), benchproof_bagit::BagError> {
//! let info = BagInfo::new("bag-0001", "2024-05-01").source_organization("Example Lab");
//! let mut writer = BagWriter::new(Cursor::new(Vec::new()), info)?;
//! writer.add_payload("assessment.json", &b"{}"[..], Compression::Deflated)?;
//! let (sealed, zip) = writer.finish_into_inner()?;
//!
//! let mut bag = open_bag(Cursor::new(zip.into_inner()), Limits::default())?;
//! let valid = bag.validate(|_progress| {})?;
//! assert_eq!(valid.tagmanifest_sha256, Some(sealed.tagmanifest_sha256));
//! # Ok(()) }
//! ```
//!
//! # Format notes (how this crate reads RFC 8493)
//!
//! - **Serialisation.** One zip; every entry lies under one top-level directory, the bag name
//!   (`bag-0001/bagit.txt`, `bag-0001/data/…`), so the zip unpacks to a single directory named
//!   after the bag (RFC 8493 §4 serialization, as the Library of Congress tools expect). The
//!   writer puts `bagit.txt` first, then the payload and caller tag files in the order added,
//!   then `bag-info.txt`, `manifest-sha256.txt`, `tagmanifest-sha256.txt`. Payload entries carry
//!   ZIP64 sizes so a file may exceed 4 GiB. Entry timestamps are the bagging date at 00:00.
//! - **bagit.txt** (§2.1.1) is exactly `BagIt-Version: 1.0` LF `Tag-File-Character-Encoding:
//!   UTF-8` LF. The reader accepts only version 1.0 and UTF-8 (the encoding name in any case),
//!   exactly two lines, no byte-order mark.
//! - **Line endings.** Written as LF. Read: LF, CR and CRLF all end a line (§2.1); a missing
//!   final line ending is tolerated.
//! - **Manifests** (§2.1.3, §2.2.1). Only SHA-256: the writer writes `manifest-sha256.txt`
//!   and `tagmanifest-sha256.txt`; the reader requires `manifest-sha256.txt` and refuses any
//!   other `manifest-*.txt` / `tagmanifest-*.txt` (it could not verify them, and a bag is valid
//!   only when every manifest verifies). Lines are `<64 lowercase hex>` + two spaces + path: the
//!   RFC asks for "one or more linear whitespace characters", two spaces is the convention of
//!   `sha256sum` and the LoC tools. The reader takes any run of spaces/tabs, hex in either case.
//!   In paths, and only there, `%` → `%25`, CR → `%0D`, LF → `%0A`; the reader decodes those
//!   three escapes and refuses any other `%` (a conforming writer never leaves a bare `%`).
//!   (bagit-python 1.9 decodes `%0D` and `%0A` but not `%25`, so it misreads names holding a
//!   `%`; keep `%` out of names meant for it.)
//!   Manifest paths obey the same rules as zip names (below), each path once; the payload
//!   manifest lists only `data/…`, the tag manifest never lists `data/…` nor a tag manifest.
//! - **Tag manifest coverage.** The writer lists `bagit.txt`, `bag-info.txt`,
//!   `manifest-sha256.txt` and every tag file added with [`BagWriter::add_tag_file`]: every tag
//!   file but the tag manifest itself. The tag manifest is optional for the reader (RFC 8493
//!   makes it OPTIONAL); when present it MUST list `manifest-sha256.txt` (§2.2.1) and every file
//!   it lists must exist and match. Tag files it does not list are allowed (§2.2.1: it SHOULD
//!   list them) but their contents are not verified; [`ValidBag::unlisted_tag_files`] names
//!   them, and [`ValidBag::tagmanifest_sha256`] is `None` for a bag without tag manifest. A
//!   caller that seals bags with this writer should insist the digest equals the sealed one.
//! - **bag-info.txt** (§2.2.2) is optional for the reader. Written as `Label: value` lines: the
//!   caller's labels in order, then `Bagging-Date`, then `Payload-Oxum` (octets.files, computed).
//!   Read: labels in order, repeats kept, indented continuation lines joined with LF;
//!   `Payload-Oxum`, when present, must be well formed, appear once and match the payload.
//! - **fetch.txt** is refused: only complete, self-contained bags are accepted.
//! - **Paths and zip names.** Relative, `/`-separated, UTF-8 (non-ASCII names must carry the
//!   zip UTF-8 flag), no empty, `.` or `..` segment, no backslash, no NUL, no drive letter; no
//!   two equal, nor equal but for letter case, nor a file that is also a directory.
//!
//! # Reader checks, in order
//!
//! [`open_bag`]: zip safety first — a readable central directory (a truncated zip has none),
//! entry count ≤ [`Limits::max_entries`], then per entry in central-directory order: name
//! (UTF-8, safe path), type (no symlinks or special files), not encrypted, Stored or Deflated,
//! inside the single top directory, no duplicate / case twin / file-directory clash, declared
//! total ≤ [`Limits::max_total_bytes`], ratio ≤ [`Limits::max_ratio`]; then local headers must
//! agree with the central directory with no overlaps or hidden entries. Then BagIt: `bagit.txt`,
//! no `fetch.txt` or foreign manifests, `manifest-sha256.txt` and `data/` present, the tag
//! manifest (each listed file's digest), the payload manifest's syntax, `bag-info.txt`.
//! [`Bag::validate`]: each manifest line names a file, each payload file is listed,
//! `Payload-Oxum` matches, then each payload file's SHA-256, reading entries on two threads for
//! [`open_bag_path`]. Every entry is read with its bytes counted (the declared size is never
//! trusted) and its CRC-32 checked; a digest mismatch is named before a CRC mismatch, so a byte
//! flipped in a stored file reads as "changed after sealing".
//!
//! [RFC 8493]: https://www.rfc-editor.org/rfc/rfc8493

mod digest;
mod error;
mod info;
mod path;
mod reader;
mod shared_file;
mod tagfile;
mod writer;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use digest::{ParseDigestError, Sha256Digest};
pub use error::{BagError, Result};
pub use info::BagInfo;
pub use reader::{open_bag, open_bag_path, Bag, Limits, PayloadReader, Progress, ValidBag};
pub use shared_file::SharedFile;
pub use writer::{BagWriter, Compression, PayloadEntry, SealedBag, TagEntry};

/// `Payload-Oxum` (RFC 8493 §2.2.2): total payload octets and number of payload files, written
/// `octets.streams`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PayloadOxum {
    /// Total payload size in bytes.
    pub octets: u64,
    /// Number of payload files.
    pub streams: u64,
}

impl fmt::Display for PayloadOxum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.octets, self.streams)
    }
}
