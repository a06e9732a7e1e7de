//! Integration tests: round trips, every refusal class with a crafted zip, and an independent
//! check with the Library of Congress `bagit` Python package.

mod python_bagit;
mod refusals;
mod round_trip;

use std::io::{Cursor, Write};

use benchproof_bagit::{
    open_bag, Bag, BagError, BagInfo, BagWriter, Compression, Limits, SealedBag, Sha256Digest, ValidBag,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

pub const DATE: &str = "2024-05-01";

/// Deterministic pseudo-random bytes (xorshift), so media-like payload does not compress.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

pub fn info(name: &str) -> BagInfo {
    BagInfo::new(name, DATE)
        .source_organization("Example Lab")
        .external_identifier("run-42")
        .bag_software_agent("benchproof-bagit tests")
        .label("X-Station", "bench 3")
}

/// Seals `files` (path in data/, content, compression) into an in-memory zip.
pub fn seal(name: &str, files: &[(&str, &[u8], Compression)]) -> (SealedBag, Vec<u8>) {
    let mut writer = BagWriter::new(Cursor::new(Vec::new()), info(name)).expect("new writer");
    for (path, content, compression) in files {
        writer.add_payload(path, *content, *compression).expect("add payload");
    }
    let (sealed, out) = writer.finish_into_inner().expect("finish");
    (sealed, out.into_inner())
}

pub fn open(bytes: Vec<u8>, limits: Limits) -> Result<Bag<Cursor<Vec<u8>>>, BagError> {
    open_bag(Cursor::new(bytes), limits)
}

/// Opens and validates.
pub fn check(bytes: Vec<u8>, limits: Limits) -> Result<ValidBag, BagError> {
    open(bytes, limits)?.validate(|_| {})
}

/// One entry of a hand-made zip.
#[derive(Debug)]
pub enum Item<'a> {
    File(&'a str, &'a [u8], CompressionMethod),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
}

/// Writes exactly the given entries with the zip crate, no questions asked.
pub fn craft(items: &[Item<'_>]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for item in items {
        match item {
            Item::File(name, content, method) => {
                zip.start_file(*name, SimpleFileOptions::default().compression_method(*method)).expect("start");
                zip.write_all(content).expect("write");
            }
            Item::Dir(name) => zip.add_directory(*name, SimpleFileOptions::default()).expect("dir"),
            Item::Symlink(name, target) => zip.add_symlink(*name, *target, SimpleFileOptions::default()).expect("link"),
        }
    }
    zip.finish().expect("finish").into_inner()
}

/// A bag built by hand from parts, so single rules can be broken while the rest stays consistent.
#[derive(Debug)]
pub struct Parts {
    pub name: String,
    pub bagit_txt: String,
    pub bag_info: Option<String>,
    pub payload: Vec<(String, Vec<u8>)>,
    /// Extra payload lines (path, content the digest is computed over) listed but not stored.
    pub manifest_extra: Vec<(String, Vec<u8>)>,
    /// Payload files stored but not listed.
    pub unlisted: Vec<(String, Vec<u8>)>,
    pub extra_tag_files: Vec<(String, Vec<u8>)>,
    pub tag_manifest: bool,
    pub other_files: Vec<(String, Vec<u8>)>,
}

impl Default for Parts {
    fn default() -> Self {
        Self::new()
    }
}

impl Parts {
    pub fn new() -> Self {
        Self {
            name: "bag".to_owned(),
            bagit_txt: "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_owned(),
            bag_info: Some("Source-Organization: Example Lab\nBagging-Date: 2024-05-01\n".to_owned()),
            payload: vec![
                ("data/a.txt".to_owned(), b"alpha\n".to_vec()),
                ("data/sub/b.bin".to_owned(), noise(5000, 7)),
            ],
            manifest_extra: Vec::new(),
            unlisted: Vec::new(),
            extra_tag_files: Vec::new(),
            tag_manifest: true,
            other_files: Vec::new(),
        }
    }

    /// Adds the correct Payload-Oxum to bag-info.txt.
    pub fn with_oxum(mut self) -> Self {
        let octets: usize = self.payload.iter().map(|(_, content)| content.len()).sum();
        let line = format!("Payload-Oxum: {octets}.{}\n", self.payload.len());
        self.bag_info = Some(format!("{}{line}", self.bag_info.unwrap_or_default()));
        self
    }

    pub fn manifest(&self) -> String {
        self.payload
            .iter()
            .chain(&self.manifest_extra)
            .map(|(path, content)| format!("{}  {path}\n", Sha256Digest::of(content)))
            .collect()
    }

    /// (bag-relative path, content) of every file, tag manifest last.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = vec![("bagit.txt".to_owned(), self.bagit_txt.clone().into_bytes())];
        files.extend(self.payload.iter().cloned());
        files.extend(self.unlisted.iter().cloned());
        if let Some(info) = &self.bag_info {
            files.push(("bag-info.txt".to_owned(), info.clone().into_bytes()));
        }
        files.push(("manifest-sha256.txt".to_owned(), self.manifest().into_bytes()));
        files.extend(self.extra_tag_files.iter().cloned());
        if self.tag_manifest {
            let listed: String = files
                .iter()
                .filter(|(path, _)| !path.starts_with("data/"))
                .map(|(path, content)| format!("{}  {path}\n", Sha256Digest::of(content)))
                .collect();
            files.push(("tagmanifest-sha256.txt".to_owned(), listed.into_bytes()));
        }
        files.extend(self.other_files.iter().cloned());
        files
    }

    pub fn zip(&self) -> Vec<u8> {
        self.zip_with(CompressionMethod::Stored)
    }

    pub fn zip_with(&self, method: CompressionMethod) -> Vec<u8> {
        let files = self.files();
        let names: Vec<String> = files.iter().map(|(path, _)| format!("{}/{path}", self.name)).collect();
        let items: Vec<Item<'_>> =
            files.iter().zip(&names).map(|((_, content), name)| Item::File(name, content, method)).collect();
        craft(&items)
    }
}

/// Replaces every occurrence of `from` by `to` (same length) in the zip's bytes: both the local
/// header and the central directory copy of a name change together.
pub fn replace_bytes(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len());
    let mut count = 0;
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(from.len()).position(|window| window == from) {
        let start = at + found;
        bytes[start..start + to.len()].copy_from_slice(to);
        at = start + to.len();
        count += 1;
    }
    count
}

const LOCAL_SIGNATURE: [u8; 4] = [0x50, 0x4b, 0x03, 0x04];
const CENTRAL_SIGNATURE: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];

/// Rewrites a 32-bit field of entry `name` in both its local header (field at `local_offset`)
/// and its central directory header (`central_offset`).
pub fn patch_header_field(bytes: &mut [u8], name: &str, local_offset: usize, central_offset: usize, value: &[u8]) {
    let name = name.as_bytes();
    let mut patched = 0;
    for at in 0..bytes.len().saturating_sub(name.len()) {
        if &bytes[at..at + name.len()] != name {
            continue;
        }
        if at >= 30 && bytes[at - 30..at - 26] == LOCAL_SIGNATURE {
            let field = at - 30 + local_offset;
            bytes[field..field + value.len()].copy_from_slice(value);
            patched += 1;
        }
        if at >= 46 && bytes[at - 46..at - 42] == CENTRAL_SIGNATURE {
            let field = at - 46 + central_offset;
            bytes[field..field + value.len()].copy_from_slice(value);
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "expected one local and one central header for {name:?}");
}

/// Rewrites the declared uncompressed size of `name`.
pub fn patch_declared_size(bytes: &mut [u8], name: &str, size: u32) {
    patch_header_field(bytes, name, 22, 24, &size.to_le_bytes());
}

/// Rewrites the CRC-32 of `name`.
pub fn patch_crc(bytes: &mut [u8], name: &str, crc: u32) {
    patch_header_field(bytes, name, 14, 16, &crc.to_le_bytes());
}

/// Rewrites the compression method of `name`.
pub fn patch_method(bytes: &mut [u8], name: &str, method: u16) {
    patch_header_field(bytes, name, 8, 10, &method.to_le_bytes());
}
