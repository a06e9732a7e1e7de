//! Write → open → validate, by reader and by path, plus the writer's own refusals.

use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

use benchproof_bagit::{open_bag_path, BagError, BagInfo, BagWriter, Compression, Limits, PayloadOxum, Sha256Digest};

use crate::{check, info, noise, open, seal};

const UNICODE: &str = "media/clip 1 – ünïcödé ✓.bin";

fn payload() -> Vec<(&'static str, Vec<u8>, Compression)> {
    vec![
        ("assessment.json", br#"{"score": 7, "notes": "fine"}"#.to_vec(), Compression::Deflated),
        ("media/big.mp4", noise(20 << 20, 1), Compression::Stored),
        (UNICODE, noise(70_000, 2), Compression::Stored),
        ("logs/run log.txt", "line\n".repeat(10_000).into_bytes(), Compression::Deflated),
        ("empty.txt", Vec::new(), Compression::Deflated),
        ("odd/100% sure\r\nname.txt", b"percent, CR and LF in a name".to_vec(), Compression::Deflated),
    ]
}

fn seal_payload() -> (benchproof_bagit::SealedBag, Vec<u8>) {
    let files = payload();
    let borrowed: Vec<(&str, &[u8], Compression)> =
        files.iter().map(|(path, content, compression)| (*path, content.as_slice(), *compression)).collect();
    seal("bag-0001", &borrowed)
}

#[test]
fn round_trip_in_memory() {
    let (sealed, zip) = seal_payload();
    let files = payload();
    assert_eq!(sealed.name, "bag-0001");
    assert_eq!(sealed.zip_bytes, zip.len() as u64);
    let octets: u64 = files.iter().map(|(_, content, _)| content.len() as u64).sum();
    assert_eq!(sealed.payload_oxum, PayloadOxum { octets, streams: files.len() as u64 });
    for ((path, content, _), entry) in files.iter().zip(&sealed.payload) {
        assert_eq!(entry.path, *path);
        assert_eq!(entry.bytes, content.len() as u64);
        assert_eq!(entry.sha256, Sha256Digest::of(content));
    }
    let tag_paths: Vec<&str> = sealed.tag_files.iter().map(|tag| tag.path.as_str()).collect();
    assert_eq!(tag_paths, ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]);

    let mut bag = open(zip, Limits::default()).expect("opens");
    assert_eq!(bag.name(), "bag-0001");
    assert!(matches!(bag.read_payload("assessment.json"), Err(BagError::NotValidated)));
    let calls = Mutex::new(Vec::new());
    let valid = bag.validate(|progress| calls.lock().expect("lock").push(progress)).expect("valid");
    let calls = calls.into_inner().expect("lock");
    assert!(calls.len() >= 2, "progress every 8 MiB and at the end: {calls:?}");
    assert_eq!(calls.last().map(|p| (p.bytes_done, p.bytes_total)), Some((octets, octets)));

    assert_eq!(valid.payload, sealed.payload);
    assert_eq!(valid.tag_files, sealed.tag_files);
    assert_eq!(valid.tagmanifest_sha256, Some(sealed.tagmanifest_sha256));
    assert_eq!(valid.payload_oxum, sealed.payload_oxum);
    assert!(valid.unlisted_tag_files.is_empty());
    let labels: Vec<(&str, &str)> = valid.bag_info.iter().map(|(l, v)| (l.as_str(), v.as_str())).collect();
    assert_eq!(
        labels,
        [
            ("Source-Organization", "Example Lab"),
            ("External-Identifier", "run-42"),
            ("Bag-Software-Agent", "benchproof-bagit tests"),
            ("X-Station", "bench 3"),
            ("Bagging-Date", "2024-05-01"),
            ("Payload-Oxum", format!("{octets}.6").as_str()),
        ]
    );
    assert_eq!(bag.bag_info(), valid.bag_info);

    for (path, content, _) in &files {
        let mut read = Vec::new();
        bag.read_payload(path).expect("payload").read_to_end(&mut read).expect("reads");
        assert_eq!(&read, content, "{path}");
    }
    assert!(matches!(bag.read_payload("nope.txt"), Err(BagError::UnknownPayload { .. })));
}

#[test]
fn manifest_text_is_exact() {
    let (_, zip) = seal("b", &[("x y.txt", b"x", Compression::Stored), ("p%\n.txt", b"p", Compression::Stored)]);
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("zip");
    let names: Vec<String> = archive.file_names().map(|name| name.expect("name").into_owned()).collect();
    assert_eq!(
        names,
        [
            "b/bagit.txt",
            "b/data/x y.txt",
            "b/data/p%\n.txt",
            "b/bag-info.txt",
            "b/manifest-sha256.txt",
            "b/tagmanifest-sha256.txt"
        ]
    );
    let mut text = String::new();
    archive.by_name("b/manifest-sha256.txt").expect("manifest").read_to_string(&mut text).expect("utf-8");
    let expected = format!("{}  data/x y.txt\n{}  data/p%25%0A.txt\n", Sha256Digest::of(b"x"), Sha256Digest::of(b"p"));
    assert_eq!(text, expected);
    let mut text = String::new();
    archive.by_name("b/bagit.txt").expect("bagit").read_to_string(&mut text).expect("utf-8");
    assert_eq!(text, "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
    let mut text = String::new();
    archive.by_name("b/tagmanifest-sha256.txt").expect("tm").read_to_string(&mut text).expect("utf-8");
    let listed: Vec<&str> = text.lines().map(|line| line.split_once("  ").expect("two spaces").1).collect();
    assert_eq!(listed, ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]);
}

#[test]
fn output_is_deterministic_and_empty_bags_have_data_dir() {
    let files: [(&str, &[u8], Compression); 1] = [("a.txt", b"a", Compression::Deflated)];
    assert_eq!(seal("same", &files).1, seal("same", &files).1);

    let (sealed, zip) = seal("empty", &[]);
    assert_eq!(sealed.payload_oxum, PayloadOxum { octets: 0, streams: 0 });
    let valid = check(zip, Limits::default()).expect("an empty bag is valid");
    assert!(valid.payload.is_empty());
}

#[test]
fn extra_tag_files_are_listed_and_verified() {
    let mut writer = BagWriter::new(Cursor::new(Vec::new()), info("t")).expect("writer");
    writer.add_payload("a.txt", &b"a"[..], Compression::Stored).expect("payload");
    let signature = writer.add_tag_file("meta/signature.json", b"{\"sig\":1}").expect("tag file");
    assert_eq!(signature.sha256, Sha256Digest::of(b"{\"sig\":1}"));
    let (sealed, out) = writer.finish_into_inner().expect("finish");
    let valid = check(out.into_inner(), Limits::default()).expect("valid");
    assert_eq!(valid.tag_files, sealed.tag_files);
    assert_eq!(valid.tag_files.last().map(|tag| tag.path.as_str()), Some("meta/signature.json"));
}

#[test]
fn validates_by_path_on_two_threads_and_notices_later_changes() {
    let (sealed, zip) = seal_payload();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bag.zip");
    std::fs::write(&path, &zip).expect("write zip");

    let mut bag = open_bag_path(&path, Limits::default()).expect("opens");
    let valid = bag.validate(|_| {}).expect("valid");
    assert_eq!(valid.payload, sealed.payload);
    assert_eq!(valid.tagmanifest_sha256, Some(sealed.tagmanifest_sha256));
    let mut read = Vec::new();
    bag.read_payload(UNICODE).expect("payload").read_to_end(&mut read).expect("reads");
    assert_eq!(read, noise(70_000, 2));

    // Change one byte of the stored unicode-named file in place, after validation: streaming it
    // again must fail at the end.
    let needle = &noise(70_000, 2)[1000..1032];
    let offset = zip.windows(needle.len()).position(|window| window == needle).expect("stored bytes");
    let mut file = std::fs::OpenOptions::new().write(true).open(&path).expect("reopen");
    file.seek(SeekFrom::Start(offset as u64)).expect("seek");
    file.write_all(&[!needle[0]]).expect("flip");
    drop(file);
    let mut reader = bag.read_payload(UNICODE).expect("payload");
    let error = reader.read_to_end(&mut Vec::new()).expect_err("changed after validation");
    assert_eq!(
        error.to_string(),
        format!("data/{UNICODE}: SHA-256 does not match manifest-sha256.txt (the file was changed after sealing)")
    );
    drop(reader);
    let again = open_bag_path(&path, Limits::default()).expect("opens").validate(|_| {});
    assert!(matches!(again, Err(BagError::DigestMismatch { file }) if file == format!("data/{UNICODE}")));
}

#[test]
fn writer_refuses_bad_paths_and_collisions() {
    let mut writer = BagWriter::new(Cursor::new(Vec::new()), info("w")).expect("writer");
    for bad in ["", "/etc/x", "../x", "a/../b", "a\\b", "a//b", "a/", "./a", "C:/x"] {
        let result = writer.add_payload(bad, &b""[..], Compression::Stored);
        assert!(matches!(result, Err(BagError::InvalidPayloadPath { .. })), "{bad:?}: {result:?}");
    }
    writer.add_payload("a.txt", &b"a"[..], Compression::Stored).expect("first");
    let duplicate = writer.add_payload("a.txt", &b"a"[..], Compression::Stored).expect_err("duplicate");
    assert_eq!(duplicate.to_string(), "data/a.txt cannot be added: it was already added");
    let case = writer.add_payload("A.TXT", &b"a"[..], Compression::Stored).expect_err("case twin");
    assert!(matches!(case, BagError::PathCollision { .. }), "{case}");
    let nested = writer.add_payload("a.txt/b", &b"a"[..], Compression::Stored).expect_err("file as dir");
    assert!(nested.to_string().contains("both a file and a directory"), "{nested}");
    for bad in
        ["bagit.txt", "bag-info.txt", "manifest-md5.txt", "tagmanifest-sha256.txt", "fetch.txt", "data/x", "../x"]
    {
        let result = writer.add_tag_file(bad, b"");
        assert!(matches!(result, Err(BagError::InvalidTagPath { .. })), "{bad:?}: {result:?}");
    }
    // None of that poisoned the writer.
    writer.add_payload("b.txt", &b"b"[..], Compression::Stored).expect("still usable");
    let valid = check(writer.finish_into_inner().expect("finish").1.into_inner(), Limits::default()).expect("valid");
    assert_eq!(valid.payload.len(), 2);

    assert!(matches!(
        BagWriter::new(Cursor::new(Vec::new()), BagInfo::new("x", "2024-02-30")),
        Err(BagError::InvalidBagInfo { .. })
    ));
    assert!(matches!(
        BagWriter::new(Cursor::new(Vec::new()), BagInfo::new("../x", DATE)),
        Err(BagError::InvalidBagName { .. })
    ));
}

use crate::DATE;

struct FailingReader;

impl Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("camera unplugged"))
    }
}

#[test]
fn a_failing_payload_stream_poisons_the_writer() {
    let mut writer = BagWriter::new(Cursor::new(Vec::new()), info("p")).expect("writer");
    let error = writer.add_payload("clip.mp4", FailingReader, Compression::Stored).expect_err("fails");
    assert!(error.to_string().contains("reading data/clip.mp4: camera unplugged"), "{error}");
    assert!(matches!(writer.add_payload("b", &b""[..], Compression::Stored), Err(BagError::WriterPoisoned)));
    assert!(matches!(writer.finish(), Err(BagError::WriterPoisoned)));
}

/// Gives `left` zero bytes, then fails: past the point where hashing moves to a helper thread.
struct FailsLate {
    left: usize,
}

impl Read for FailsLate {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::other("camera unplugged"));
        }
        let n = buf.len().min(self.left);
        buf[..n].fill(0);
        self.left -= n;
        Ok(n)
    }
}

#[test]
fn a_long_stream_failing_late_poisons_the_writer() {
    let mut writer = BagWriter::new(Cursor::new(Vec::new()), info("p")).expect("writer");
    let error = writer.add_payload("clip.mp4", FailsLate { left: 12 << 20 }, Compression::Stored).expect_err("fails");
    assert!(error.to_string().contains("reading data/clip.mp4: camera unplugged"), "{error}");
    assert!(matches!(writer.add_payload("b", &b""[..], Compression::Stored), Err(BagError::WriterPoisoned)));
    assert!(matches!(writer.finish(), Err(BagError::WriterPoisoned)));
}
