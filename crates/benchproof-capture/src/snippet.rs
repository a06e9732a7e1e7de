//! Cutting a snippet out of encoded packets and muxing it to a browser-playable MP4.
//!
//! Invariants of a [`Cut`]: video starts at a keyframe, the last keyframe at or before the
//! window's start (or the first one held, if the pre-roll does not reach back that far); video
//! timestamps strictly increase; audio is the run of packets whose start is nearest the first
//! video frame onwards, so that audio and video begin together within half an Opus packet (10 ms).
//! MP4 timestamps are rebased: the keyframe is at 0.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use muxide::api::{AudioCodec, MuxerBuilder, VideoCodec};
use sha2::{Digest, Sha256};

use crate::{ClockTime, Packet, Track};

/// What to cut: `pre` before and `post` after the tick at `at` (from the rubric step).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub at: ClockTime,
    pub pre: Duration,
    pub post: Duration,
}

impl Window {
    /// A window with no end, for whole-session recording.
    pub fn open_ended(from: ClockTime) -> Window {
        Window { at: from, pre: Duration::ZERO, post: Duration::MAX }
    }

    /// The earliest time wanted.
    pub fn start(&self) -> ClockTime {
        ClockTime(self.at.0.saturating_sub(u64::try_from(self.pre.as_micros()).unwrap_or(u64::MAX)))
    }

    /// The latest time wanted (saturating: an open-ended window never ends).
    pub fn end(&self) -> ClockTime {
        self.at.checked_add(self.post).unwrap_or(ClockTime(u64::MAX))
    }
}

/// The packets of one snippet, ready to mux.
#[derive(Clone, Debug, Default)]
pub struct Cut {
    pub video: Vec<Packet>,
    pub audio: Vec<Packet>,
}

impl Cut {
    /// Selects the packets of `window` from `packets` (any order of arrival; per track in order).
    pub fn from_packets<'a>(packets: impl IntoIterator<Item = &'a Packet>, window: Window) -> Cut {
        let (start, end) = (window.start(), window.end());
        let mut video: Vec<&Packet> = Vec::new();
        let mut audio: Vec<&Packet> = Vec::new();
        for p in packets {
            match p.track {
                Track::Video => {
                    if p.at > end {
                        continue;
                    }
                    // A keyframe at or before the start restarts the cut; so does the first
                    // keyframe when nothing usable came before it.
                    if p.keyframe && (p.at <= start || video.is_empty()) {
                        video.clear();
                    }
                    if (!video.is_empty() || p.keyframe) && video.last().is_none_or(|last| p.at > last.at) {
                        video.push(p);
                    }
                }
                Track::Audio => audio.push(p),
            }
        }
        let Some(first) = video.first().map(|p| p.at) else { return Cut::default() };
        let last = video.last().map_or(first, |p| p.at);
        // Opus packets are 20 ms: begin with the one whose start is nearest the keyframe.
        let half = 10_000;
        let audio =
            audio.into_iter().filter(|p| p.at.0 + half > first.0 && p.at.0 <= last.0 + 2 * half).cloned().collect();
        Cut { video: video.into_iter().cloned().collect(), audio }
    }

    /// True when there is no video to show.
    pub fn is_empty(&self) -> bool {
        self.video.is_empty()
    }

    /// Playing time of the video: first to last frame plus one frame.
    pub fn duration(&self) -> Duration {
        match (self.video.first(), self.video.last()) {
            (Some(a), Some(b)) => {
                let n = self.video.len() as u64;
                let frame = if n > 1 { b.at.saturating_sub(a.at) / (n as u32 - 1) } else { Duration::from_millis(33) };
                b.at.saturating_sub(a.at) + frame
            }
            _ => Duration::ZERO,
        }
    }
}

/// Why a snippet could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SnippetError {
    #[error("no video was captured in the snippet's window; check that the camera delivers frames")]
    NoVideo,
    #[error("cannot write the snippet to {path}: {source}; free disk space or choose another folder")]
    Io { path: PathBuf, source: io::Error },
    #[error("the snippet's media could not be muxed into MP4: {0}")]
    Mux(String),
    #[error("the snippet recorder has stopped; start it again to record snippets")]
    Stopped,
    #[error("the spill file {path} is unreadable: {reason}")]
    Spill { path: PathBuf, reason: String },
}

/// A snippet written to disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetFile {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    pub bytes: u64,
    pub duration: Duration,
}

/// Muxes `cut` (video `width`×`height`) as MP4 into `out`; returns the SHA-256 and byte count of
/// what was written.
pub fn write_mp4<W: Write>(cut: &Cut, width: u32, height: u32, out: W) -> Result<(String, u64), MuxFailure> {
    let first = cut.video.first().ok_or(MuxFailure::NoVideo)?.at;
    let fps =
        if cut.video.len() > 1 { (cut.video.len() - 1) as f64 / cut.duration().as_secs_f64().max(1e-3) } else { 30.0 };
    let mut hashing = HashingWriter { inner: out, hasher: Sha256::new(), bytes: 0 };
    {
        let mut builder = MuxerBuilder::new(&mut hashing).video(VideoCodec::H264, width, height, fps.round());
        if !cut.audio.is_empty() {
            builder = builder.audio(AudioCodec::Opus, crate::encode::AUDIO_RATE, 1);
        }
        let mut muxer = builder.build().map_err(MuxFailure::from)?;
        let audio_first = cut.audio.first().map_or(first, |p| p.at);
        let mut audio = cut.audio.iter().peekable();
        for v in &cut.video {
            let pts = v.at.saturating_sub(first).as_secs_f64();
            muxer.write_video(pts, &v.data, v.keyframe).map_err(MuxFailure::from)?;
            // Interleave: audio up to this video frame's time.
            while let Some(a) = audio.next_if(|a| a.at.saturating_sub(audio_first).as_secs_f64() <= pts) {
                muxer.write_audio(a.at.saturating_sub(audio_first).as_secs_f64(), &a.data).map_err(MuxFailure::from)?;
            }
        }
        for a in audio {
            muxer.write_audio(a.at.saturating_sub(audio_first).as_secs_f64(), &a.data).map_err(MuxFailure::from)?;
        }
        muxer.finish().map_err(MuxFailure::from)?;
    }
    hashing.inner.flush().map_err(MuxFailure::Io)?;
    Ok((hex(&hashing.hasher.finalize()), hashing.bytes))
}

/// Writes `cut` to `path` durably: into `path.part`, fsynced, then renamed into place.
pub fn write_mp4_file(cut: &Cut, width: u32, height: u32, path: &Path) -> Result<SnippetFile, SnippetError> {
    let io_err = |source| SnippetError::Io { path: path.to_path_buf(), source };
    let part = path.with_extension("mp4.part");
    let result = (|| {
        let file = std::fs::File::create(&part).map_err(io_err)?;
        let mut buffered = io::BufWriter::new(file);
        let (sha256, bytes) = write_mp4(cut, width, height, &mut buffered).map_err(|e| match e {
            MuxFailure::NoVideo => SnippetError::NoVideo,
            MuxFailure::Io(source) => io_err(source),
            MuxFailure::Mux(m) => SnippetError::Mux(m),
        })?;
        let file = buffered.into_inner().map_err(|e| io_err(e.into_error()))?;
        file.sync_all().map_err(io_err)?;
        std::fs::rename(&part, path).map_err(io_err)?;
        if let Some(dir) = path.parent() {
            // Make the rename itself durable; failure to open a directory is not fatal.
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(SnippetFile { path: path.to_path_buf(), sha256, bytes, duration: cut.duration() })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

/// Why [`write_mp4`] failed.
#[derive(Debug, thiserror::Error)]
pub enum MuxFailure {
    #[error("no video to mux")]
    NoVideo,
    #[error(transparent)]
    Io(io::Error),
    #[error("{0}")]
    Mux(String),
}

impl From<muxide::api::MuxerError> for MuxFailure {
    fn from(e: muxide::api::MuxerError) -> Self {
        match e {
            muxide::api::MuxerError::Io(io) => MuxFailure::Io(io),
            other => MuxFailure::Mux(other.to_string()),
        }
    }
}

struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(ms: u64, key: bool) -> Packet {
        Packet { track: Track::Video, at: ClockTime(ms * 1000), keyframe: key, data: vec![1] }
    }
    fn a(ms: u64) -> Packet {
        Packet { track: Track::Audio, at: ClockTime(ms * 1000), keyframe: false, data: vec![2] }
    }

    #[test]
    fn cut_starts_at_the_last_keyframe_before_the_pre_roll() {
        let mut packets: Vec<Packet> = (0..100).map(|i| v(i * 100, i % 10 == 0)).collect();
        packets.extend((0..500).map(|i| a(i * 20 + 5)));
        let window =
            Window { at: ClockTime(5_500_000), pre: Duration::from_millis(2200), post: Duration::from_millis(1000) };
        let cut = Cut::from_packets(&packets, window);
        // Start 3.3 s → keyframe at 3.0 s; end 6.5 s.
        assert_eq!(cut.video.first().unwrap().at, ClockTime(3_000_000));
        assert!(cut.video.first().unwrap().keyframe);
        assert_eq!(cut.video.last().unwrap().at, ClockTime(6_500_000));
        // Audio packets start at 2.985, 3.005, …: the cut begins with the nearest, 3.005 s.
        assert_eq!(cut.audio.first().unwrap().at, ClockTime(3_005_000));
        assert!(cut.audio.last().unwrap().at <= ClockTime(6_540_000));
        assert_eq!(cut.duration(), Duration::from_millis(3600));
    }

    #[test]
    fn a_short_pre_roll_starts_at_the_first_keyframe_held() {
        let packets: Vec<Packet> = vec![v(1000, false), v(1100, true), v(1200, false)];
        let window = Window { at: ClockTime(1_150_000), pre: Duration::from_secs(10), post: Duration::from_secs(1) };
        let cut = Cut::from_packets(&packets, window);
        assert_eq!(cut.video.iter().map(|p| p.at.0 / 1000).collect::<Vec<_>>(), vec![1100, 1200]);
        assert!(Cut::from_packets(&[v(0, false)], window).is_empty());
    }

    struct FullDisk;
    impl Write for FullDisk {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::StorageFull, "No space left on device"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_full_disk_is_an_io_error_and_no_video_is_refused() {
        assert!(matches!(write_mp4(&Cut::default(), 64, 48, Vec::new()), Err(MuxFailure::NoVideo)));
        let mut enc = crate::encode::VideoEncoder::new(crate::encode::VideoSettings::default()).unwrap();
        let frame = crate::VideoFrame {
            at: ClockTime::ZERO,
            seq: 0,
            width: 64,
            height: 48,
            format: crate::PixelFormat::I420,
            data: vec![100; crate::convert::i420_len(64, 48)],
        };
        let cut = Cut { video: vec![enc.encode(&frame).unwrap().unwrap()], audio: vec![] };
        let err = write_mp4(&cut, 64, 48, FullDisk).unwrap_err();
        assert!(matches!(&err, MuxFailure::Io(e) if e.kind() == io::ErrorKind::StorageFull), "{err}");
        let (sha, bytes) = write_mp4(&cut, 64, 48, Vec::new()).unwrap();
        assert_eq!(sha.len(), 64);
        assert!(bytes > 100);
    }
}
