//! Independent check: the Library of Congress `bagit` Python package (bagit-python) must accept
//! a bag this crate wrote, once unpacked by Python's own `zipfile`, and must reject tampered
//! copies. Needs python3 with venv and pip (scripts/setup installs python3-venv); the package is
//! installed once into a venv under the target directory. Never skipped: a missing tool fails.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use benchproof_bagit::{BagWriter, Compression};

use crate::{info, noise};

const BAGIT_PACKAGE: &str = "bagit==1.9.0";

fn run(command: &mut Command, what: &str) -> Output {
    command.output().unwrap_or_else(|error| {
        panic!("{what}: could not run {command:?}: {error}. Install python3 and python3-venv (scripts/setup does).")
    })
}

/// The venv's python with `bagit` importable, creating the venv on first use. A file lock keeps
/// concurrent test runs from building it twice.
fn bagit_python() -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
    fs::create_dir_all(root).expect("target tmp dir");
    let lock = File::create(root.join("bagit-venv.lock")).expect("lock file");
    lock.lock().expect("lock the venv");
    let venv = root.join("bagit-venv");
    let python = venv.join("bin").join("python");
    let ready = || {
        python.exists()
            && Command::new(&python).args(["-c", "import bagit"]).output().is_ok_and(|out| out.status.success())
    };
    if !ready() {
        let out = run(Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv), "creating the venv");
        assert!(
            out.status.success(),
            "python3 -m venv failed (install python3-venv; scripts/setup does): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = run(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                BAGIT_PACKAGE,
            ]),
            "installing bagit",
        );
        assert!(out.status.success(), "pip install {BAGIT_PACKAGE} failed: {}", String::from_utf8_lossy(&out.stderr));
        assert!(ready(), "bagit is still not importable after pip install");
    }
    python
}

/// `python -m bagit --validate <dir>`: Ok(()) when valid, Err(log) when not.
fn python_validates(python: &Path, dir: &Path) -> Result<(), String> {
    let out = run(Command::new(python).args(["-m", "bagit", "--validate"]).arg(dir), "bagit --validate");
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        Ok(())
    } else {
        Err(log)
    }
}

#[test]
fn library_of_congress_bagit_accepts_ours_and_rejects_tampering() {
    let python = bagit_python();
    let work = tempfile::tempdir().expect("temp dir");

    // A bag with nested paths, spaces, unicode, stored and deflated entries, and a tag file of
    // the caller's. (No '%' in names: bagit-python 1.9 does not decode %25, see the crate docs.)
    let zip_path = work.path().join("bag.zip");
    let out = File::create(&zip_path).expect("zip file");
    let mut writer = BagWriter::new(out, info("evidence-bag")).expect("writer");
    writer.add_payload("assessment.json", &br#"{"score": 3}"#[..], Compression::Deflated).expect("json");
    writer.add_payload("media/clip one – ünï.mp4", &noise(1 << 20, 9)[..], Compression::Stored).expect("clip");
    writer.add_payload("notes/deep/log.txt", "ok\n".repeat(500).as_bytes(), Compression::Deflated).expect("log");
    writer.add_payload("empty.txt", &b""[..], Compression::Stored).expect("empty");
    writer.add_tag_file("signature.json", b"{\"sig\": \"test\"}").expect("tag file");
    writer.finish().expect("finish");

    // Unpack with Python's zipfile, not with this crate or the zip crate.
    let unpacked = work.path().join("unpacked");
    let out = run(Command::new(&python).args(["-m", "zipfile", "-e"]).arg(&zip_path).arg(&unpacked), "unzip");
    assert!(out.status.success(), "python -m zipfile -e failed: {}", String::from_utf8_lossy(&out.stderr));
    let bag_dir = unpacked.join("evidence-bag");
    assert!(bag_dir.join("bagit.txt").is_file(), "the zip unpacks to one directory named after the bag");

    if let Err(log) = python_validates(&python, &bag_dir) {
        panic!("bagit-python rejected a bag this crate wrote:\n{log}");
    }

    // Tampered payload: one byte changed, manifests untouched.
    let payload_copy = work.path().join("tampered-payload");
    copy_dir(&bag_dir, &payload_copy);
    let clip = payload_copy.join("data").join("media").join("clip one – ünï.mp4");
    let mut bytes = fs::read(&clip).expect("clip");
    bytes[1234] ^= 0x80;
    fs::write(&clip, bytes).expect("write clip");
    let log = python_validates(&python, &payload_copy).expect_err("bagit-python must reject a changed payload file");
    assert!(log.contains("clip one"), "the rejection names the file: {log}");

    // Tampered tag file: bag-info.txt changed, tag manifest untouched.
    let info_copy = work.path().join("tampered-info");
    copy_dir(&bag_dir, &info_copy);
    let bag_info = info_copy.join("bag-info.txt");
    let text = fs::read_to_string(&bag_info).expect("bag-info").replace("Example Lab", "Other Lab");
    fs::write(&bag_info, text).expect("write bag-info");
    python_validates(&python, &info_copy).expect_err("bagit-python must reject a changed bag-info.txt");
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
