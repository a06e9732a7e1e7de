//! The department server's disk fills up, for real: the server keeps its data on a small tmpfs
//! mounted in a private mount namespace (`unshare --mount`), and a ballast file takes the room.
//! The station must get a clear 507, keep its bundle, and deliver it exactly once when space is
//! freed: when the disk is full before the upload, when it fills mid-upload (the acknowledged
//! bytes stay), and when it fills between the last byte and the server's verdict, which leaves an
//! upload holding every byte but never finished (here the filesystem runs out of inodes: the
//! server appends chunks in place and finishes with hard links, so only a new file needs room).
//!
//! The test re-runs itself inside the namespace (the mount must not touch the host), so it needs
//! root or unprivileged user namespaces, as CI and the development machines have.

use std::path::{Path, PathBuf};
use std::process::Command;

use benchproof_store::DeliveryState;

use crate::proxy::Proxy;
use crate::sealed;
use crate::server_faults::{assert_exactly_once, Department, Station};
use crate::Rng;

const INSIDE: &str = "BENCHPROOF_TEST_IN_MOUNT_NAMESPACE";
const TEST: &str = "disk_full::a_full_server_disk_refuses_cleanly_and_delivers_once_space_is_freed";

#[test]
fn a_full_server_disk_refuses_cleanly_and_delivers_once_space_is_freed() {
    if std::env::var_os(INSIDE).is_some() {
        return scenario();
    }
    let exe = std::env::current_exe().expect("the test binary");
    let attempts: [&[&str]; 2] = [&["--mount"], &["--mount", "--map-root-user"]];
    let mut errors = Vec::new();
    for flags in attempts {
        let out = Command::new("unshare")
            .args(flags)
            .args(["--propagation", "private", "--"])
            .arg(&exe)
            .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
            .env(INSIDE, "1")
            .output()
            .expect("unshare (util-linux) runs");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if out.status.success() && text.contains("1 passed") {
            return;
        }
        if !text.contains("unshare failed") {
            panic!("the scenario failed inside its mount namespace:\n{text}");
        }
        errors.push(text);
    }
    panic!("cannot make a private mount namespace (needs root or user namespaces): {errors:?}");
}

/// A tmpfs of `mib` MiB and at most 1024 files at `dir` (in this process's private mount
/// namespace).
fn mount_tmpfs(dir: &Path, mib: u64) {
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={mib}m,nr_inodes=1024"), "tmpfs"])
        .arg(dir)
        .status()
        .expect("mount runs");
    assert!(status.success(), "mount -t tmpfs failed");
}

fn free_bytes(dir: &Path) -> u64 {
    df(dir, "--output=avail")
}

fn df(dir: &Path, column: &str) -> u64 {
    let out = Command::new("df").args([column, "-B1"]).arg(dir).output().expect("df runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().nth(1).and_then(|l| l.trim().parse().ok()).expect("df prints the free bytes")
}

/// Fills the disk under `dir` until `leave` bytes are free; returns the ballast file.
fn ballast(dir: &Path, leave: u64) -> PathBuf {
    let path = dir.join("ballast");
    let free = free_bytes(dir) + std::fs::metadata(&path).map_or(0, |m| m.len());
    let size = free.checked_sub(leave).expect("the disk has room for the test");
    std::fs::write(&path, vec![0u8; size as usize]).expect("write the ballast");
    path
}

/// Uses up every free inode under `dir` with empty files; returns their folder.
fn inode_ballast(dir: &Path) -> PathBuf {
    let folder = dir.join("inode-ballast");
    std::fs::create_dir(&folder).expect("ballast folder");
    for i in 0.. {
        if std::fs::File::create(folder.join(i.to_string())).is_err() {
            break;
        }
    }
    assert_eq!(df(dir, "--output=iavail"), 0, "every inode is taken");
    folder
}

fn scenario() {
    let keys = sealed::keys();
    let disk = tempfile::tempdir().expect("temp dir");
    mount_tmpfs(disk.path(), 32);
    let dept = Department::start_in(&keys, disk);
    let data = dept.config.data_dir.clone();
    let proxy = Proxy::start(dept.port());
    let mut station = Station::new(&proxy);
    let mut rng = Rng(0x5eed_00f1);

    // 1. Too little room for the bundle: refused up front with a 507 that says what to do.
    let (a, zip_a) = station.queue(3 << 20, &mut rng);
    let len_a = zip_a.len() as u64;
    let weight = ballast(&data, len_a + len_a / 2);
    let report = station.pass(&mut |_| {});
    assert_eq!(report.failed.len(), 1, "{report:?}");
    let message = &report.failed[0].1;
    assert!(message.contains("507") && message.contains("free space"), "{message}");
    let item = station.store.sync_item(a).expect("item");
    assert_eq!(item.state, DeliveryState::Pending, "retried later, not given up");
    assert!(item.next_attempt_at.is_some(), "with a backoff");
    assert!(item.upload_url.is_none(), "nothing was created on the server");
    assert!(Path::new(&item.bundle_path).exists(), "the station keeps its bundle");
    std::fs::remove_file(&weight).expect("free the space");
    assert_eq!(station.deliver(a, len_a, &mut |_| {}), 0, "nothing re-sent");
    station.verify_receipt(a, &zip_a);

    // 2. The disk fills between the last byte and the verdict: every byte is stored, but there is
    // no room left to finish the upload.
    let (b, zip_b) = station.queue(3 << 20, &mut rng);
    let len_b = zip_b.len() as u64;
    let mut full = None;
    let report = station.pass(&mut |p| {
        // After the first chunk, the upload's file exists on the server.
        if full.is_none() && p.sent > 2 * crate::server_faults::CHUNK as u64 {
            full = Some(inode_ballast(&data));
        }
    });
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(report.failed[0].1.contains("insufficient-storage"), "{}", report.failed[0].1);
    assert_eq!(station.held(b), len_b, "the server holds every byte but could not finish");
    std::fs::remove_dir_all(full.expect("ballast")).expect("free the inodes");
    // The next attempt asks the server to finish (an empty PATCH) instead of waiting forever.
    assert_eq!(station.deliver(b, len_b, &mut |_| {}), 0, "nothing re-sent");
    station.verify_receipt(b, &zip_b);

    // 3. The disk fills mid-upload: a 507, and what was acknowledged stays.
    let (c, zip_c) = station.queue(3 << 20, &mut rng);
    let len_c = zip_c.len() as u64;
    let (mut weight, mut sent) = (None, 0);
    let report = station.pass(&mut |p| {
        if weight.is_none() && p.sent > 0 {
            weight = Some(ballast(&data, (len_c - p.sent) / 2));
        }
        sent = sent.max(p.sent);
    });
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(report.failed[0].1.contains("insufficient-storage"), "{}", report.failed[0].1);
    let held = station.held(c);
    assert!(held > 0 && held < len_c, "the server kept {held} of {len_c} bytes");
    std::fs::remove_file(weight.expect("ballast")).expect("free the space");
    assert!(sent - held <= crate::server_faults::CHUNK as u64, "{} bytes were lost", sent - held);
    let mut resumed_at = None;
    station.deliver(c, len_c, &mut |p| {
        resumed_at.get_or_insert(p.sent);
    });
    assert!(resumed_at.is_some_and(|r| r > held), "resumed from the {held} bytes held, not at {resumed_at:?}");
    station.verify_receipt(c, &zip_c);
    assert_exactly_once(&dept, &[(a, zip_a), (b, zip_b), (c, zip_c)]);
}
