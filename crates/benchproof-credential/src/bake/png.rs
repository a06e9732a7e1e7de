//! PNG baking: walk the chunks (checking each CRC), refuse or reuse an existing
//! `openbadgecredential` iTXt chunk, insert a new one before `IEND`.

use std::io::Read;

use serde_json::Value;

use super::{credential_id, BakeError, PNG_KEYWORD};

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
/// The largest baked text read back (a credential is a few KiB).
const MAX_TEXT: u64 = 16 * 1024 * 1024;

struct Chunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
    /// Offset of the chunk's length field.
    start: usize,
}

fn chunks(png: &[u8]) -> Result<Vec<Chunk<'_>>, BakeError> {
    if !png.starts_with(&SIGNATURE) {
        return Err(BakeError::NotPng("the PNG signature is missing"));
    }
    let mut out = Vec::new();
    let mut at = SIGNATURE.len();
    loop {
        let header = png.get(at..at + 8).ok_or(BakeError::NotPng("truncated before IEND"))?;
        let len = u32::from_be_bytes(header[..4].try_into().expect("4 bytes")) as usize;
        let kind: [u8; 4] = header[4..8].try_into().expect("4 bytes");
        let data = png.get(at + 8..at + 8 + len).ok_or(BakeError::NotPng("a chunk runs past the end of the file"))?;
        let crc = png.get(at + 8 + len..at + 12 + len).ok_or(BakeError::NotPng("a chunk's CRC is missing"))?;
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&kind);
        hasher.update(data);
        if hasher.finalize().to_be_bytes() != crc {
            return Err(BakeError::NotPng("a chunk's CRC does not match its data"));
        }
        out.push(Chunk { kind, data, start: at });
        at += 12 + len;
        if &kind == b"IEND" {
            return Ok(out);
        }
    }
}

/// The text of an iTXt chunk if its keyword is `openbadgecredential`.
fn baked_text(chunk: &Chunk<'_>) -> Result<Option<String>, BakeError> {
    if &chunk.kind != b"iTXt" {
        return Ok(None);
    }
    let data = chunk.data;
    let Some(nul) = data.iter().position(|&b| b == 0) else { return Ok(None) };
    if &data[..nul] != PNG_KEYWORD.as_bytes() {
        return Ok(None);
    }
    let bad = || BakeError::NotPng("the openbadgecredential iTXt chunk is malformed");
    let flag = *data.get(nul + 1).ok_or_else(bad)?;
    let rest = data.get(nul + 3..).ok_or_else(bad)?;
    let lang_end = rest.iter().position(|&b| b == 0).ok_or_else(bad)?;
    let rest = &rest[lang_end + 1..];
    let tk_end = rest.iter().position(|&b| b == 0).ok_or_else(bad)?;
    let text = &rest[tk_end + 1..];
    let bytes = if flag == 1 {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(text).take(MAX_TEXT).read_to_end(&mut out).map_err(|_| bad())?;
        out
    } else {
        text.to_vec()
    };
    String::from_utf8(bytes).map(Some).map_err(|_| bad())
}

/// The credential baked into `png`.
pub fn unbake_png(png: &[u8]) -> Result<Value, BakeError> {
    for chunk in chunks(png)? {
        if let Some(text) = baked_text(&chunk)? {
            return serde_json::from_str(&text).map_err(|e| BakeError::NotJson(e.to_string()));
        }
    }
    Err(BakeError::NotBaked)
}

/// `png` with `credential` baked in (compact JSON in an uncompressed iTXt chunk before IEND).
pub fn bake_png(png: &[u8], credential: &Value) -> Result<Vec<u8>, BakeError> {
    let list = chunks(png)?;
    for chunk in &list {
        if let Some(text) = baked_text(chunk)? {
            let existing: Option<Value> = serde_json::from_str(&text).ok();
            if existing.as_ref() == Some(credential) {
                return Ok(png.to_vec());
            }
            return Err(BakeError::AlreadyBaked(existing.as_ref().map_or_else(|| "unreadable".into(), credential_id)));
        }
    }
    let iend = list.last().expect("chunks() ends at IEND").start;
    let text = credential.to_string();
    let mut data = Vec::with_capacity(PNG_KEYWORD.len() + 5 + text.len());
    data.extend_from_slice(PNG_KEYWORD.as_bytes());
    data.extend_from_slice(&[0, 0, 0, 0, 0]); // NUL, not compressed, method 0, no language, no translated keyword
    data.extend_from_slice(text.as_bytes());
    let mut out = Vec::with_capacity(png.len() + data.len() + 12);
    out.extend_from_slice(&png[..iend]);
    write_chunk(&mut out, b"iTXt", &data);
    out.extend_from_slice(&png[iend..]);
    Ok(out)
}

/// Appends one chunk (length, type, data, CRC).
pub(super) fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).expect("chunk under 4 GiB").to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(kind);
    hasher.update(data);
    out.extend_from_slice(&hasher.finalize().to_be_bytes());
}

/// The PNG signature.
pub(super) fn signature() -> [u8; 8] {
    SIGNATURE
}
