//! A file handle that many readers can share, each with its own position (positioned reads, no
//! shared seek pointer), so two threads can hash different zip entries of one open file.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

/// A cheaply clonable reader over one open file. Every clone reads the same open file (the same
/// inode, even if the path is replaced meanwhile) at its own position, using positioned reads
/// (`pread` on Unix, `seek_read` on Windows). Returned by [`crate::open_bag_path`].
#[derive(Debug, Clone)]
pub struct SharedFile {
    file: Arc<File>,
    position: u64,
    len: u64,
}

impl SharedFile {
    /// Opens `path` for reading.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        Self::new(File::open(path)?)
    }

    /// Wraps an open file.
    pub fn new(file: File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(Self { file: Arc::new(file), position: 0, len })
    }

    /// The file's length when it was opened.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file was empty when it was opened.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[cfg(unix)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(&*self.file, buf, offset)
    }

    #[cfg(windows)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(&*self.file, buf, offset)
    }
}

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.read_at(buf, self.position)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        let target = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek to a negative or overflowing offset"))?;
        self.position = target;
        Ok(target)
    }

    fn stream_position(&mut self) -> io::Result<u64> {
        Ok(self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn clones_keep_their_own_positions() {
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(b"0123456789").expect("write");
        let mut a = SharedFile::new(file).expect("wrap");
        let mut b = a.clone();
        let mut two = [0u8; 2];
        a.seek(SeekFrom::Start(4)).expect("seek");
        a.read_exact(&mut two).expect("read");
        assert_eq!(&two, b"45");
        b.read_exact(&mut two).expect("read");
        assert_eq!(&two, b"01");
        assert_eq!(b.seek(SeekFrom::End(-1)).expect("seek"), 9);
        assert_eq!(b.seek(SeekFrom::Current(-9)).expect("seek"), 0);
        assert!(b.seek(SeekFrom::Current(-1)).is_err());
        assert_eq!(a.len(), 10);
    }
}
