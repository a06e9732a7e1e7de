//! The zip safety pass: one walk over the central directory that refuses anything unsafe before
//! a byte of content is read.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use zip::read::Config;
use zip::unstable::read::ZipIterable;
use zip::CompressionMethod;

use super::{archive_error, Entry, Limits};
use crate::error::{BagError, Result};
use crate::path::{relative_path_problem, Collision, PathRegistry};

pub(super) struct Scan {
    pub(super) top: String,
    pub(super) files: BTreeMap<String, Entry>,
    pub(super) raw_names: Vec<Vec<u8>>,
    pub(super) has_data_dir: bool,
}

const UTF8_FLAG: u16 = 1 << 11;
const FILE_TYPE_MASK: u32 = 0o170_000;
const TYPE_REGULAR: u32 = 0o100_000;
const TYPE_DIRECTORY: u32 = 0o040_000;
const TYPE_SYMLINK: u32 = 0o120_000;

/// Walks the central directory once, entry by entry (memory bounded by `max_entries`), and
/// refuses anything unsafe before a byte of content is read.
pub(super) fn scan_central_directory<R: Read + Seek>(reader: &mut R, limits: &Limits) -> Result<Scan> {
    let mut iterable = ZipIterable::try_new(reader, Config::default()).map_err(archive_error)?;
    let count = iterable.len() as u64;
    if count > limits.max_entries {
        return Err(BagError::TooManyEntries { count, limit: limits.max_entries });
    }
    if count == 0 {
        return Err(BagError::EmptyZip);
    }
    let mut top: Option<String> = None;
    let mut files = BTreeMap::new();
    let mut raw_names = Vec::new();
    let mut paths = PathRegistry::default();
    let mut total = 0u64;
    let mut seen_top_entry = false;
    let entries = iterable.files().map_err(archive_error)?;
    for (index, entry) in entries.enumerate() {
        let entry = entry.map_err(archive_error)?;
        let raw = entry.name_raw();
        let name = match std::str::from_utf8(raw) {
            Ok(name) if name.is_ascii() || entry.flags().as_u16() & UTF8_FLAG != 0 => name.to_owned(),
            _ => return Err(BagError::NonUtf8EntryName { entry: String::from_utf8_lossy(raw).into_owned() }),
        };
        raw_names.push(raw.to_vec());
        let is_dir = name.ends_with('/');
        let path = name.strip_suffix('/').unwrap_or(&name);
        if let Some(reason) = relative_path_problem(path) {
            return Err(BagError::UnsafeEntryName { entry: name, reason });
        }
        if let Some(mode) = entry.unix_mode() {
            match mode & FILE_TYPE_MASK {
                TYPE_SYMLINK => return Err(BagError::Symlink { entry: name }),
                0 | TYPE_REGULAR | TYPE_DIRECTORY => {}
                _ => return Err(BagError::SpecialFile { entry: name, mode }),
            }
        }
        if entry.encrypted() {
            return Err(BagError::Encrypted { entry: name });
        }
        let method = entry.compression();
        if method != CompressionMethod::Stored && method != CompressionMethod::Deflated {
            return Err(BagError::UnsupportedCompression { entry: name, method: format!("{method:?}") });
        }
        let (first, relative) = path.split_once('/').unwrap_or((path, ""));
        if relative.is_empty() && !is_dir {
            return Err(BagError::NotInDirectory { entry: name });
        }
        let top = top.get_or_insert_with(|| first.to_owned());
        if first != top.as_str() {
            return Err(BagError::OutsideTopDirectory { entry: name, top: top.clone() });
        }
        if relative.is_empty() {
            if seen_top_entry {
                return Err(BagError::DuplicateEntry { entry: name });
            }
            seen_top_entry = true;
        } else {
            paths.insert(relative, is_dir).map_err(|collision| match collision {
                Collision::Duplicate => BagError::DuplicateEntry { entry: name.clone() },
                Collision::Case(other) => {
                    BagError::CaseCollision { first: format!("{top}/{other}"), second: name.clone() }
                }
                Collision::FileAndDirectory(file) => BagError::FileDirectoryConflict { entry: format!("{top}/{file}") },
            })?;
        }
        let size = entry.size();
        let packed = entry.compressed_size();
        if is_dir {
            if size != 0 {
                return Err(BagError::CorruptEntry {
                    entry: name,
                    detail: format!("a directory entry declares {size} bytes of content"),
                });
            }
            continue;
        }
        if method == CompressionMethod::Stored && packed != size {
            return Err(BagError::SizeMismatch {
                entry: name,
                declared: size,
                found: format!("{packed} stored bytes (a stored entry's sizes must be equal)"),
            });
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(BagError::TooLarge { entry: name, total, limit: limits.max_total_bytes });
        }
        if size > limits.ratio_exempt_bytes && u128::from(size) > u128::from(packed) * u128::from(limits.max_ratio) {
            return Err(BagError::CompressionRatio {
                entry: name,
                ratio: size / packed.max(1),
                limit: limits.max_ratio,
            });
        }
        files.insert(relative.to_owned(), Entry { index, name, size, crc32: entry.crc32() });
    }
    let top = top.unwrap_or_default();
    Ok(Scan { top, files, raw_names, has_data_dir: paths.is_dir("data") })
}
