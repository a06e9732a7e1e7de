//! Every refusal class, each with a zip crafted to break exactly one rule.

use std::io::{Cursor, Write};

use benchproof_bagit::{open_bag_path, BagError, Compression, Limits};
use zip::unstable::write::FileOptionsExt;
use zip::write::SimpleFileOptions;
use zip::CompressionMethod::{Deflated, Stored};
use zip::ZipWriter;

use crate::{
    check, craft, noise, open, patch_crc, patch_declared_size, patch_method, replace_bytes, seal, Item, Parts,
};

const BAGIT: &[u8] = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

fn refused(bytes: Vec<u8>) -> BagError {
    refused_with(bytes, Limits::default())
}

fn refused_with(bytes: Vec<u8>, limits: Limits) -> BagError {
    check(bytes, limits).expect_err("the bag must be refused")
}

fn good_bag() -> Vec<u8> {
    seal(
        "bag",
        &[("a.txt", b"alpha", Compression::Deflated), ("media/clip.mp4", &noise(100_000, 3), Compression::Stored)],
    )
    .1
}

#[test]
fn a_sound_bag_passes() {
    check(good_bag(), Limits::default()).expect("valid");
    check(Parts::new().with_oxum().zip(), Limits::default()).expect("hand-made bag is valid");
    check(Parts::new().zip_with(Deflated), Limits::default()).expect("without oxum too");
}

#[test]
fn truncated_zip() {
    let mut bytes = good_bag();
    bytes.truncate(bytes.len() / 2);
    let error = refused(bytes);
    assert!(matches!(error, BagError::CorruptZip { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "the file is not a readable zip archive (it may be truncated or corrupt): invalid Zip archive: no \
         end-of-central-directory record found"
    );
    assert!(matches!(refused(b"not a zip at all".to_vec()), BagError::CorruptZip { .. }));
    assert!(matches!(refused(Vec::new()), BagError::CorruptZip { .. }));
}

#[test]
fn entry_cut_short_inside_a_complete_directory() {
    // Drop the last bytes of the deflated bag-info.txt data while keeping the central directory:
    // headers now point into the wrong places.
    let mut bytes = good_bag();
    let at = bytes.windows(4).rposition(|w| w == [0x50, 0x4b, 0x01, 0x02]).expect("central header");
    bytes.drain(at - 200..at - 190);
    let error = refused(bytes);
    assert!(matches!(error, BagError::CorruptZip { .. } | BagError::HeaderMismatch { .. }), "{error}");
}

#[test]
fn duplicate_entry_names() {
    let mut bytes = craft(&[
        Item::File("bag/bagit.txt", BAGIT, Stored),
        Item::File("bag/data/one.txt", b"1", Stored),
        Item::File("bag/data/two.txt", b"2", Stored),
    ]);
    assert_eq!(replace_bytes(&mut bytes, b"data/two.txt", b"data/one.txt"), 2);
    let error = refused(bytes);
    assert_eq!(
        error.to_string(),
        "zip entry \"bag/data/one.txt\" appears more than once (a later copy would overwrite the first on extraction)"
    );

    let mut bytes = craft(&[Item::Dir("bag/"), Item::Dir("bxg/"), Item::File("bag/bagit.txt", BAGIT, Stored)]);
    assert_eq!(replace_bytes(&mut bytes, b"bxg/", b"bag/"), 2);
    assert!(matches!(refused(bytes), BagError::DuplicateEntry { entry } if entry == "bag/"));
}

#[test]
fn names_that_differ_only_in_case() {
    let bytes = craft(&[
        Item::File("bag/bagit.txt", BAGIT, Stored),
        Item::File("bag/data/Clip.txt", b"1", Stored),
        Item::File("bag/data/clip.txt", b"2", Stored),
    ]);
    assert!(
        matches!(refused(bytes), BagError::CaseCollision { first, second } if first == "bag/data/Clip.txt" && second == "bag/data/clip.txt")
    );
}

#[test]
fn parent_traversal_absolute_and_backslash_names() {
    let cases: [(&str, &str); 5] = [
        ("bag/../evil", "contains a '..' segment"),
        ("../evil", "contains a '..' segment"),
        ("/etc/x", "is absolute"),
        ("bag\\data\\x", "contains a backslash"),
        ("bag//x", "contains an empty segment"),
    ];
    for (name, reason) in cases {
        let bytes = craft(&[Item::File("bag/bagit.txt", BAGIT, Stored), Item::File(name, b"x", Stored)]);
        let error = refused(bytes);
        assert!(matches!(error, BagError::UnsafeEntryName { ref entry, .. } if entry == name), "{name}: {error}");
        assert!(error.to_string().contains(reason), "{name}: {error}");
    }
}

#[test]
fn symlink_entry() {
    let bytes = craft(&[Item::File("bag/bagit.txt", BAGIT, Stored), Item::Symlink("bag/data/passwd", "/etc/passwd")]);
    let error = refused(bytes);
    assert_eq!(
        error.to_string(),
        "zip entry \"bag/data/passwd\" is a symbolic link; a bag may hold only regular files and directories"
    );
}

#[test]
fn entries_outside_the_single_top_directory() {
    let bytes = craft(&[Item::File("bag/bagit.txt", BAGIT, Stored), Item::File("other/x.txt", b"x", Stored)]);
    assert!(
        matches!(refused(bytes), BagError::OutsideTopDirectory { entry, top } if entry == "other/x.txt" && top == "bag")
    );
    let bytes = craft(&[Item::File("bagit.txt", BAGIT, Stored)]);
    assert!(matches!(refused(bytes), BagError::NotInDirectory { .. }));
}

#[test]
fn non_utf8_entry_name() {
    let mut bytes = craft(&[Item::File("bag/bagit.txt", BAGIT, Stored), Item::File("bag/data/zz.txt", b"x", Stored)]);
    assert_eq!(replace_bytes(&mut bytes, b"data/zz.txt", b"data/\xff\xfe.txt"), 2);
    assert!(matches!(refused(bytes), BagError::NonUtf8EntryName { .. }));
}

#[test]
fn encrypted_entry_and_unsupported_compression() {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("bag/bagit.txt", SimpleFileOptions::default()).expect("start");
    zip.write_all(BAGIT).expect("write");
    let secret = SimpleFileOptions::default().with_deprecated_encryption(b"pw").expect("zipcrypto");
    zip.start_file("bag/data/secret.txt", secret).expect("start");
    zip.write_all(b"hidden").expect("write");
    let bytes = zip.finish().expect("finish").into_inner();
    assert!(matches!(refused(bytes), BagError::Encrypted { entry } if entry == "bag/data/secret.txt"));

    let mut bytes = craft(&[Item::File("bag/bagit.txt", BAGIT, Stored), Item::File("bag/data/b.bz2", b"x", Stored)]);
    patch_method(&mut bytes, "bag/data/b.bz2", 12);
    let error = refused(bytes);
    assert!(
        matches!(error, BagError::UnsupportedCompression { ref entry, .. } if entry == "bag/data/b.bz2"),
        "{error}"
    );
}

#[test]
fn total_size_and_entry_count_limits() {
    let limits = Limits { max_total_bytes: 50_000, ..Limits::default() };
    let error = refused_with(good_bag(), limits);
    assert!(matches!(error, BagError::TooLarge { ref entry, .. } if entry == "bag/data/media/clip.mp4"), "{error}");
    let limits = Limits { max_entries: 3, ..Limits::default() };
    assert!(matches!(refused_with(good_bag(), limits), BagError::TooManyEntries { count: 6, limit: 3 }));
}

#[test]
fn zip_bomb_by_compression_ratio() {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("bag/bagit.txt", SimpleFileOptions::default()).expect("start");
    zip.write_all(BAGIT).expect("write");
    zip.start_file(
        "bag/data/zeros.bin",
        SimpleFileOptions::default().compression_method(Deflated).compression_level(Some(1)),
    )
    .expect("start");
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        zip.write_all(&zeros).expect("write");
    }
    let bytes = zip.finish().expect("finish").into_inner();
    assert!(bytes.len() < 2 << 20, "200 MiB of zeros deflate small ({} bytes)", bytes.len());
    let limits = Limits { max_ratio: 100, ..Limits::default() };
    let error = refused_with(bytes, limits);
    assert!(
        matches!(error, BagError::CompressionRatio { ref entry, limit: 100, .. } if entry == "bag/data/zeros.bin"),
        "{error}"
    );
    assert!(error.to_string().contains("a possible zip bomb"));
}

#[test]
fn declared_size_differs_from_what_unpacks() {
    // No Payload-Oxum, so the lie reaches the reading step.
    let parts = Parts::new();
    let clean = parts.zip_with(Deflated);
    let real = parts.payload[1].1.len() as u32;

    let mut smaller = clean.clone();
    patch_declared_size(&mut smaller, "bag/data/sub/b.bin", real - 10);
    let error = refused(smaller);
    assert_eq!(
        error.to_string(),
        format!(
            "bag/data/sub/b.bin: the zip header declares {} bytes but unpacking gave more bytes than that",
            real - 10
        )
    );

    let mut larger = clean;
    patch_declared_size(&mut larger, "bag/data/sub/b.bin", real + 10);
    let error = refused(larger);
    assert_eq!(
        error.to_string(),
        format!("bag/data/sub/b.bin: the zip header declares {} bytes but unpacking gave {real} bytes", real + 10)
    );
}

#[test]
fn crc_mismatch_with_intact_content() {
    let mut bytes = Parts::new().zip();
    patch_crc(&mut bytes, "bag/data/a.txt", 0x1234_5678);
    let error = refused(bytes);
    assert_eq!(
        error.to_string(),
        "bag/data/a.txt: the zip entry is damaged: the content does not match the CRC-32 in the zip header"
    );
}

#[test]
fn flipped_byte_in_a_payload_file() {
    let clip = noise(100_000, 3);
    let mut bytes = good_bag();
    let needle = &clip[5000..5032];
    let at = bytes.windows(needle.len()).position(|window| window == needle).expect("stored bytes");
    bytes[at] ^= 0x01;
    let error = refused(bytes);
    assert_eq!(
        error.to_string(),
        "data/media/clip.mp4: SHA-256 does not match manifest-sha256.txt (the file was changed after sealing)"
    );
}

#[test]
fn flipped_byte_in_a_large_payload_file_hashed_on_a_helper_thread() {
    let big = noise(20 << 20, 11);
    let (_, mut bytes) = seal("bag", &[("a.txt", b"a", Compression::Stored), ("big.mov", &big, Compression::Stored)]);
    let needle = &big[(19 << 20)..(19 << 20) + 32];
    let at = bytes.windows(needle.len()).position(|window| window == needle).expect("stored bytes");
    bytes[at + 7] ^= 0x40;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bag.zip");
    std::fs::write(&path, &bytes).expect("write");
    for error in
        [refused(bytes), open_bag_path(&path, Limits::default()).expect("opens").validate(|_| {}).expect_err("refused")]
    {
        assert_eq!(
            error.to_string(),
            "data/big.mov: SHA-256 does not match manifest-sha256.txt (the file was changed after sealing)"
        );
    }
}

#[test]
fn unlisted_extra_payload_file() {
    let mut parts = Parts::new();
    parts.unlisted.push(("data/extra.txt".to_owned(), b"smuggled".to_vec()));
    let error = refused(parts.zip());
    assert_eq!(
        error.to_string(),
        "data/extra.txt: payload file is not listed in manifest-sha256.txt (it was added after sealing)"
    );
}

#[test]
fn manifest_line_for_a_missing_file() {
    let mut parts = Parts::new();
    parts.manifest_extra.push(("data/gone.txt".to_owned(), b"was here".to_vec()));
    let error = refused(parts.zip());
    assert_eq!(error.to_string(), "data/gone.txt: listed in manifest-sha256.txt line 3 but missing from the payload");
}

#[test]
fn wrong_payload_oxum() {
    let mut parts = Parts::new();
    parts.bag_info = Some("Payload-Oxum: 5006.3\n".to_owned());
    let octets = parts.payload.iter().map(|(_, content)| content.len()).sum::<usize>();
    let error = refused(parts.zip());
    assert_eq!(
        error.to_string(),
        format!("bag-info.txt declares Payload-Oxum 5006.3 but the payload holds {octets}.2 (octets.files)")
    );
}

#[test]
fn bagit_version_0_97() {
    let mut parts = Parts::new();
    parts.bagit_txt = "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n".to_owned();
    let error = refused(parts.zip());
    assert_eq!(error.to_string(), "bagit.txt declares BagIt-Version \"0.97\"; only version 1.0 (RFC 8493) is accepted");
}

#[test]
fn missing_required_tag_files_and_foreign_manifests() {
    let bytes = craft(&[Item::File("bag/data/a.txt", b"a", Stored)]);
    assert!(matches!(refused(bytes), BagError::MissingBagitTxt { top } if top == "bag"));

    let mut parts = Parts::new();
    parts.tag_manifest = false;
    parts.other_files.push(("manifest-md5.txt".to_owned(), b"".to_vec()));
    assert!(matches!(refused(parts.zip()), BagError::UnsupportedManifest { file } if file == "manifest-md5.txt"));

    let mut parts = Parts::new();
    parts.other_files.push(("fetch.txt".to_owned(), b"".to_vec()));
    assert!(matches!(refused(parts.zip()), BagError::FetchNotSupported));

    let bytes = craft(&[Item::File("bag/bagit.txt", BAGIT, Stored), Item::File("bag/data/a.txt", b"a", Stored)]);
    assert!(matches!(refused(bytes), BagError::MissingManifest));

    let mut parts = Parts::new();
    parts.payload.clear();
    assert!(matches!(refused(parts.zip()), BagError::MissingPayloadDirectory));
}

#[test]
fn tag_manifest_rules() {
    // A tag file changed after sealing.
    let parts = Parts::new();
    let mut files = parts.files();
    let info = files.iter_mut().find(|(path, _)| path == "bag-info.txt").expect("bag-info");
    info.1 = b"Source-Organization: Someone Else\nBagging-Date: 2024-05-01\n".to_vec();
    let names: Vec<String> = files.iter().map(|(path, _)| format!("bag/{path}")).collect();
    let items: Vec<Item<'_>> = files.iter().zip(&names).map(|((_, c), n)| Item::File(n, c, Stored)).collect();
    let error = refused(craft(&items));
    assert_eq!(
        error.to_string(),
        "bag-info.txt: SHA-256 does not match tagmanifest-sha256.txt (the tag file was changed after sealing)"
    );

    // Unlisted tag files are allowed but reported.
    let mut parts = Parts::new();
    parts.other_files.push(("notes/extra.txt".to_owned(), b"later".to_vec()));
    let valid = check(parts.zip(), Limits::default()).expect("unlisted tag files are allowed");
    assert_eq!(valid.unlisted_tag_files, ["notes/extra.txt"]);

    // A tag manifest must list the payload manifest.
    let mut files = Parts::new().files();
    let tm = files.iter_mut().find(|(path, _)| path == "tagmanifest-sha256.txt").expect("tm");
    let text = String::from_utf8(tm.1.clone()).expect("utf-8");
    tm.1 = text
        .lines()
        .filter(|line| !line.ends_with("manifest-sha256.txt"))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes();
    let names: Vec<String> = files.iter().map(|(path, _)| format!("bag/{path}")).collect();
    let items: Vec<Item<'_>> = files.iter().zip(&names).map(|((_, c), n)| Item::File(n, c, Stored)).collect();
    assert!(matches!(refused(craft(&items)), BagError::TagManifestIncomplete));
}

#[test]
fn malformed_manifest_line_names_the_line() {
    let parts = Parts::new();
    let mut files = parts.files();
    files.retain(|(path, _)| path != "tagmanifest-sha256.txt");
    let manifest = files.iter_mut().find(|(path, _)| path == "manifest-sha256.txt").expect("manifest");
    manifest.1.extend_from_slice(b"deadbeef data/short.txt\n");
    let names: Vec<String> = files.iter().map(|(path, _)| format!("bag/{path}")).collect();
    let items: Vec<Item<'_>> = files.iter().zip(&names).map(|((_, c), n)| Item::File(n, c, Stored)).collect();
    let error = refused(craft(&items));
    assert_eq!(error.to_string(), "manifest-sha256.txt line 3: \"deadbeef\" is not a SHA-256 checksum (64 hex digits)");
}

#[test]
fn zip_problems_stop_open_before_any_bagit_reading() {
    let mut bytes = good_bag();
    bytes.truncate(100);
    assert!(matches!(open(bytes, Limits::default()), Err(BagError::CorruptZip { .. })));
}
