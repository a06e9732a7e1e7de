//! Spill files: the packets of a snippet whose post-roll is still pending, appended to disk so
//! that a crash loses at most about a second of media; [`recover`] finishes them on the next start.
//!
//! Format (all integers little-endian): the magic `BPSPILL1`, a header record, then records until
//! the end of the file. A record is `kind: u8, len: u32, body`. A torn record at the end (the
//! crash case) is ignored; everything before it is used.
//! - kind 0, header: `ticket u64, at u64, pre_us u64, post_us u64 (u64::MAX = open), tag_len u32,
//!   tag, path bytes (UTF-8 on all platforms we write)`;
//! - kind 1, size: `width u32, height u32`;
//! - kind 2, video packet / kind 3, audio packet: `at u64, keyframe u8, data`.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::snippet::{self, Cut, SnippetError, SnippetFile, Window};
use crate::{ClockTime, Packet, Track};

const MAGIC: &[u8; 8] = b"BPSPILL1";
/// How often appended packets are flushed and synced to disk.
pub const SYNC_EVERY: Duration = Duration::from_secs(1);

/// What a spill file is for: the request, and where its MP4 goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpillHeader {
    pub ticket: u64,
    pub tag: String,
    pub window: Window,
    pub output: PathBuf,
}

/// An open spill file. Appends are buffered and made durable every [`SYNC_EVERY`].
#[derive(Debug)]
pub struct SpillWriter {
    path: PathBuf,
    file: BufWriter<File>,
    last_sync: Instant,
    size: Option<(u32, u32)>,
}

impl SpillWriter {
    /// Creates `dir/<ticket>.spill` and writes the header durably.
    pub fn create(dir: &Path, header: &SpillHeader) -> io::Result<SpillWriter> {
        let path = dir.join(format!("{}.spill", header.ticket));
        let mut file = BufWriter::new(File::create(&path)?);
        file.write_all(MAGIC)?;
        let mut body = Vec::new();
        body.extend_from_slice(&header.ticket.to_le_bytes());
        body.extend_from_slice(&header.window.at.0.to_le_bytes());
        body.extend_from_slice(&micros(header.window.pre).to_le_bytes());
        body.extend_from_slice(&micros(header.window.post).to_le_bytes());
        body.extend_from_slice(&(header.tag.len() as u32).to_le_bytes());
        body.extend_from_slice(header.tag.as_bytes());
        body.extend_from_slice(header.output.to_string_lossy().as_bytes());
        write_record(&mut file, 0, &[&body])?;
        let mut writer = SpillWriter { path, file, last_sync: Instant::now(), size: None };
        writer.sync()?;
        Ok(writer)
    }

    /// Where the spill file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records the video size (once, and again whenever it changes).
    pub fn set_size(&mut self, width: u32, height: u32) -> io::Result<()> {
        if self.size != Some((width, height)) {
            self.size = Some((width, height));
            let mut body = width.to_le_bytes().to_vec();
            body.extend_from_slice(&height.to_le_bytes());
            write_record(&mut self.file, 1, &[&body])?;
        }
        Ok(())
    }

    /// Appends `packet`; flushes and syncs when a second has passed since the last sync.
    pub fn append(&mut self, packet: &Packet) -> io::Result<()> {
        let kind = if packet.track == Track::Video { 2 } else { 3 };
        let mut head = packet.at.0.to_le_bytes().to_vec();
        head.push(u8::from(packet.keyframe));
        write_record(&mut self.file, kind, &[&head, &packet.data])?;
        if self.last_sync.elapsed() >= SYNC_EVERY {
            self.sync()?;
        }
        Ok(())
    }

    /// Flushes buffered records and syncs the file's data.
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.flush()?;
        self.file.get_ref().sync_data()?;
        self.last_sync = Instant::now();
        Ok(())
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn write_record(w: &mut impl Write, kind: u8, parts: &[&[u8]]) -> io::Result<()> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let len = u32::try_from(len).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "record over 4 GiB"))?;
    w.write_all(&[kind])?;
    w.write_all(&len.to_le_bytes())?;
    for p in parts {
        w.write_all(p)?;
    }
    Ok(())
}

/// The contents of a spill file.
#[derive(Debug)]
pub struct Spilled {
    pub header: SpillHeader,
    pub size: Option<(u32, u32)>,
    pub packets: Vec<Packet>,
}

/// Reads a spill file, ignoring a torn record at its end.
pub fn read(path: &Path) -> Result<Spilled, SnippetError> {
    let bad = |reason: &str| SnippetError::Spill { path: path.to_path_buf(), reason: reason.to_string() };
    let mut bytes = Vec::new();
    File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(|e| bad(&e.to_string()))?;
    if !bytes.starts_with(MAGIC) {
        return Err(bad("not a benchproof spill file (bad magic)"));
    }
    let mut rest = &bytes[MAGIC.len()..];
    let mut records = Vec::new();
    while rest.len() >= 5 {
        let kind = rest[0];
        let len = u32::from_le_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        if rest.len() < 5 + len {
            break; // torn at the end
        }
        records.push((kind, &rest[5..5 + len]));
        rest = &rest[5 + len..];
    }
    let Some((0, h)) = records.first().copied() else { return Err(bad("the header record is missing or torn")) };
    let header = parse_header(h).ok_or_else(|| bad("the header record is malformed"))?;
    let mut spilled = Spilled { header, size: None, packets: Vec::new() };
    for (kind, body) in records.into_iter().skip(1) {
        match kind {
            1 if body.len() == 8 => spilled.size = Some((u32_at(body, 0), u32_at(body, 4))),
            2 | 3 if body.len() >= 9 => spilled.packets.push(Packet {
                track: if kind == 2 { Track::Video } else { Track::Audio },
                at: ClockTime(u64_at(body, 0)),
                keyframe: body[8] == 1,
                data: body[9..].to_vec(),
            }),
            _ => return Err(bad(&format!("record of kind {kind} and {} bytes is malformed", body.len()))),
        }
    }
    Ok(spilled)
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

fn parse_header(h: &[u8]) -> Option<SpillHeader> {
    if h.len() < 36 {
        return None;
    }
    let tag_len = u32_at(h, 32) as usize;
    let tag = std::str::from_utf8(h.get(36..36 + tag_len)?).ok()?.to_string();
    let output = std::str::from_utf8(h.get(36 + tag_len..)?).ok()?;
    let post = u64_at(h, 24);
    Some(SpillHeader {
        ticket: u64_at(h, 0),
        tag,
        window: Window {
            at: ClockTime(u64_at(h, 8)),
            pre: Duration::from_micros(u64_at(h, 16)),
            post: if post == u64::MAX { Duration::MAX } else { Duration::from_micros(post) },
        },
        output: PathBuf::from(output),
    })
}

/// Turns a spill file into its MP4 (cut to the header's window) and removes the spill file once
/// the MP4 is durable. On failure the spill file is kept for another try.
pub fn finish(path: &Path) -> (SpillHeader, Result<SnippetFile, SnippetError>) {
    let spilled = match read(path) {
        Ok(s) => s,
        Err(e) => {
            let header = SpillHeader {
                ticket: 0,
                tag: String::new(),
                window: Window::open_ended(ClockTime::ZERO),
                output: PathBuf::new(),
            };
            return (header, Err(e));
        }
    };
    let cut = Cut::from_packets(&spilled.packets, spilled.header.window);
    let result = match spilled.size {
        _ if cut.is_empty() => Err(SnippetError::NoVideo),
        None => Err(SnippetError::NoVideo),
        Some((w, h)) => snippet::write_mp4_file(&cut, w, h, &spilled.header.output),
    };
    if result.is_ok() || matches!(result, Err(SnippetError::NoVideo)) {
        // Nothing more can come of this spill file.
        let _ = std::fs::remove_file(path);
    }
    (spilled.header, result)
}

/// Every spill file in `dir`, oldest ticket first.
pub fn pending(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "spill") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_a_torn_tail_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let header = SpillHeader {
            ticket: 42,
            tag: "step:solder-joint".into(),
            window: Window { at: ClockTime(5_000_000), pre: Duration::from_secs(3), post: Duration::MAX },
            output: dir.path().join("42.mp4"),
        };
        let mut w = SpillWriter::create(dir.path(), &header).unwrap();
        w.set_size(64, 48).unwrap();
        let p1 = Packet { track: Track::Video, at: ClockTime(1), keyframe: true, data: vec![1, 2, 3] };
        let p2 = Packet { track: Track::Audio, at: ClockTime(2), keyframe: false, data: vec![9; 40] };
        w.append(&p1).unwrap();
        w.append(&p2).unwrap();
        w.sync().unwrap();
        let path = w.path().to_path_buf();
        drop(w);
        // Simulate a crash mid-record.
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[2, 100, 0, 0, 0, 1, 2]).unwrap();
        let s = read(&path).unwrap();
        assert_eq!(s.header, header);
        assert_eq!(s.size, Some((64, 48)));
        assert_eq!(s.packets, vec![p1, p2]);
        assert_eq!(pending(dir.path()).unwrap(), vec![path]);
    }

    #[test]
    fn garbage_is_refused_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("1.spill");
        std::fs::write(&path, b"hello").unwrap();
        let err = read(&path).unwrap_err();
        assert!(err.to_string().contains("1.spill"), "{err}");
    }
}
