//! Content-addressed media beside the database.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use benchproof_domain::Sha256;
use benchproof_store::{MediaRef, Store, StoreError};

use crate::{files_under, open_store, t, XorShift};

/// Media files (everything under `media/`, temporaries included).
fn media_files(store: &Store) -> Vec<std::path::PathBuf> {
    files_under(&store.dir().join("media"))
}

fn tmp_files(store: &Store) -> Vec<std::path::PathBuf> {
    files_under(&store.dir().join("media").join("tmp"))
}

fn read_back(store: &Store, sha: &Sha256) -> Vec<u8> {
    let mut out = Vec::new();
    store.open_media(sha).unwrap().read_to_end(&mut out).unwrap();
    out
}

/// Hands out its bytes in small, uneven pieces, with `Interrupted` now and then.
struct Dribble<'a> {
    data: &'a [u8],
    rng: XorShift,
}

impl Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.rng.one_in(5) {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        let n = (self.rng.range(1, 70_000) as usize).min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Gives `good` bytes, then fails like a camera unplugged mid-recording.
struct FailsAfter<'a> {
    data: &'a [u8],
    good: usize,
}

impl Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.good == 0 {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "camera unplugged"));
        }
        let n = buf.len().min(self.good).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.good -= n;
        Ok(n)
    }
}

fn assert_stored(store: &Store, data: &[u8], got: MediaRef) {
    assert_eq!(got, MediaRef { sha256: Sha256::of(data), bytes: data.len() as u64 });
    let path = store.media_path(&got.sha256);
    let hex = got.sha256.to_hex();
    assert!(path.ends_with(Path::new("media").join(&hex[..2]).join(&hex)), "{}", path.display());
    assert_eq!(fs::metadata(&path).unwrap().len(), data.len() as u64);
    assert!(read_back(store, &got.sha256) == data, "the bytes read back differ");
    assert!(store.has_media(&got.sha256).unwrap());
}

#[test]
fn three_mebibytes_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open_store(tmp.path());
    let data = XorShift::new(3).bytes(3 << 20);
    let got = store.ingest_media(&data[..], t(0)).unwrap();
    assert_stored(&store, &data, got);
    assert_eq!(media_files(&store), vec![store.media_path(&got.sha256)]);

    // The same bytes again, this time in dribs and drabs: one file, the same answer.
    let again = store.ingest_media(Dribble { data: &data, rng: XorShift::new(4) }, t(1)).unwrap();
    assert_eq!(again, got);
    assert_eq!(media_files(&store), vec![store.media_path(&got.sha256)]);
    assert!(tmp_files(&store).is_empty());

    // Other bytes go to another file; both survive a reopen.
    let other = XorShift::new(5).bytes(100_000);
    let got_other = store.ingest_media(&other[..], t(2)).unwrap();
    assert_ne!(got_other.sha256, got.sha256);
    drop(store);
    let store = Store::open(tmp.path()).unwrap();
    assert_stored(&store, &data, got);
    assert_stored(&store, &other, got_other);
    assert_eq!(media_files(&store).len(), 2);
}

#[test]
fn sizes_around_the_chunk_boundary() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open_store(tmp.path());
    let mut rng = XorShift::new(6);
    for len in [1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 2 << 20] {
        let data = rng.bytes(len);
        let got = store.ingest_media(&data[..], t(0)).unwrap();
        assert_stored(&store, &data, got);
    }
}

#[test]
fn a_failing_reader_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open_store(tmp.path());
    let data = XorShift::new(8).bytes(3 << 20);
    for good in [0, 1000, (1 << 20) + 512 * 1024] {
        let err = store.ingest_media(FailsAfter { data: &data, good }, t(0)).unwrap_err();
        match &err {
            StoreError::Io { source, .. } => assert_eq!(source.kind(), io::ErrorKind::BrokenPipe, "{err}"),
            other => panic!("after {good} bytes: expected an Io error, got {other:?}"),
        }
        assert!(tmp_files(&store).is_empty(), "after {good} bytes: a temporary file was left behind");
        assert!(media_files(&store).is_empty(), "after {good} bytes: {:?}", media_files(&store));
        for sha in [Sha256::of(&data), Sha256::of(&data[..good])] {
            assert!(!store.media_path(&sha).exists());
            assert!(!store.has_media(&sha).unwrap());
        }
    }
    // The store is still usable afterwards.
    let got = store.ingest_media(&data[..], t(1)).unwrap();
    assert_stored(&store, &data, got);
}

#[test]
fn empty_input_is_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open_store(tmp.path());
    let got = store.ingest_media(io::empty(), t(0)).unwrap();
    assert_stored(&store, b"", got);
    assert_eq!(got.sha256.to_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(store.ingest_media(&b""[..], t(1)).unwrap(), got);
    assert_eq!(media_files(&store).len(), 1);
}

#[test]
fn missing_media_is_an_io_error() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open_store(tmp.path());
    let sha = Sha256::of(b"never stored");
    assert!(!store.has_media(&sha).unwrap());
    match store.open_media(&sha) {
        Err(StoreError::Io { path, source }) => {
            assert_eq!(path, store.media_path(&sha));
            assert_eq!(source.kind(), io::ErrorKind::NotFound);
        }
        other => panic!("expected Io, got {other:?}"),
    }
}

#[test]
fn leftover_temporaries_are_removed_at_open() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open_store(tmp.path());
    let kept = store.ingest_media(&b"kept"[..], t(0)).unwrap();
    let stray = tmp.path().join("media").join("tmp").join("ingest-1234-0-0");
    fs::write(&stray, b"half a recording").unwrap();
    drop(store);
    let store = Store::open(tmp.path()).unwrap();
    assert!(!stray.exists(), "an interrupted ingest's temporary file survives a reopen");
    assert_stored(&store, b"kept", kept);
}
