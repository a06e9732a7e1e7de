use std::fs::{self, OpenOptions};
use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use benchproof_instrument::folder::FileError;
use benchproof_instrument::{sha256_hex, watch, FolderEvent, FolderImporter, PictureError, WatchEvent};

fn screenshot(format: image::ImageFormat) -> Vec<u8> {
    let img = benchproof_instrument::sim::render_screen();
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut out), format).unwrap();
    out
}

fn names(events: &[FolderEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            FolderEvent::Imported(i) => format!("imported {}", i.path.file_name().unwrap().to_string_lossy()),
            FolderEvent::Duplicate { path, .. } => format!("duplicate {}", path.file_name().unwrap().to_string_lossy()),
            FolderEvent::Failed { path, .. } => format!("failed {}", path.file_name().unwrap().to_string_lossy()),
        })
        .collect()
}

#[test]
fn a_file_still_being_written_is_imported_once_it_is_complete() {
    let dir = tempfile::tempdir().unwrap();
    let bmp = screenshot(image::ImageFormat::Bmp);
    let path = dir.path().join("SDS00001.BMP");
    let mut importer = FolderImporter::new(dir.path());

    fs::write(&path, &bmp[..bmp.len() / 3]).unwrap();
    assert!(importer.poll().unwrap().is_empty(), "first sight: not yet stable");
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(&bmp[bmp.len() / 3..bmp.len() / 2]).unwrap();
    assert!(importer.poll().unwrap().is_empty(), "it grew: still being written");
    file.write_all(&bmp[bmp.len() / 2..]).unwrap();
    drop(file);
    assert!(importer.poll().unwrap().is_empty(), "it grew again");
    assert!(importer.poll().unwrap().is_empty(), "stable for one poll only");
    let events = importer.poll().unwrap();
    assert_eq!(names(&events), ["imported SDS00001.BMP"]);
    let FolderEvent::Imported(imported) = &events[0] else { unreachable!() };
    assert_eq!(imported.sha256, sha256_hex(&bmp));
    assert_eq!((imported.picture.width, imported.picture.height), (800, 480));
    assert!(imported.picture.png.starts_with(b"\x89PNG"));
    assert!(importer.poll().unwrap().is_empty(), "nothing is imported twice");
}

#[test]
fn duplicates_are_recognised_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let png = screenshot(image::ImageFormat::Png);
    fs::write(dir.path().join("a.png"), &png).unwrap();
    fs::create_dir(dir.path().join("DCIM")).unwrap();
    fs::write(dir.path().join("DCIM/copy.PNG"), &png).unwrap();
    fs::write(dir.path().join("notes.txt"), "not an image").unwrap();
    fs::write(dir.path().join(".hidden.png"), &png).unwrap();
    let mut importer = FolderImporter::new(dir.path()).settle_polls(1);
    assert!(importer.poll().unwrap().is_empty());
    assert_eq!(names(&importer.poll().unwrap()), expected_order(dir.path()));

    // An importer that remembers earlier imports (e.g. after a restart) imports nothing again.
    let known: Vec<String> = importer.imported().map(str::to_owned).collect();
    let mut restarted = FolderImporter::new(dir.path()).settle_polls(1).with_imported(known);
    restarted.poll().unwrap();
    let again = restarted.poll().unwrap();
    assert_eq!(again.len(), 2);
    assert!(again.iter().all(|e| matches!(e, FolderEvent::Duplicate { .. })), "{again:?}");
}

/// Events come in path order; `DCIM/copy.PNG` sorts before `a.png` (upper case first).
fn expected_order(dir: &std::path::Path) -> Vec<String> {
    let mut paths = [dir.join("a.png"), dir.join("DCIM/copy.PNG")];
    paths.sort();
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if i == 0 {
                format!("imported {name}")
            } else {
                format!("duplicate {name}")
            }
        })
        .collect()
}

#[test]
fn a_bad_image_is_reported_once_and_does_not_stop_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let png = screenshot(image::ImageFormat::Png);
    fs::write(dir.path().join("1-broken.png"), &png[..png.len() / 2]).unwrap();
    fs::write(dir.path().join("2-text.bmp"), b"hello").unwrap();
    fs::write(dir.path().join("3-good.jpg"), screenshot(image::ImageFormat::Jpeg)).unwrap();
    let mut importer = FolderImporter::new(dir.path()).settle_polls(1);
    importer.poll().unwrap();
    let events = importer.poll().unwrap();
    assert_eq!(names(&events), ["failed 1-broken.png", "failed 2-text.bmp", "imported 3-good.jpg"]);
    assert!(matches!(
        &events[0],
        FolderEvent::Failed { error: FileError::Image(PictureError::Decode { format: "png", .. }), .. }
    ));
    assert!(matches!(
        &events[1],
        FolderEvent::Failed { error: FileError::Image(PictureError::UnknownFormat { len: 5, .. }), .. }
    ));
    assert!(importer.poll().unwrap().is_empty(), "failures are reported once");

    // Once the broken file is rewritten whole, it is imported.
    fs::write(dir.path().join("1-broken.png"), &png).unwrap();
    let mut events = importer.poll().unwrap();
    events.extend(importer.poll().unwrap());
    assert_eq!(names(&events), ["imported 1-broken.png"]);
}

#[test]
fn a_missing_folder_is_an_error_that_says_what_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut importer = FolderImporter::new(dir.path().join("usb"));
    let err = importer.poll().unwrap_err();
    assert!(err.to_string().contains("check that the USB stick is mounted"), "{err}");
}

#[test]
fn the_watcher_thread_reports_imports_and_an_unplugged_folder() {
    let root = tempfile::tempdir().unwrap();
    let usb = root.path().join("usb");
    fs::create_dir(&usb).unwrap();
    let (tx, rx) = mpsc::sync_channel(4);
    let watcher = watch(FolderImporter::new(&usb).settle_polls(1), Duration::from_millis(5), tx).unwrap();

    fs::write(usb.join("shot.png"), screenshot(image::ImageFormat::Png)).unwrap();
    let wait = Duration::from_secs(30);
    match rx.recv_timeout(wait).unwrap() {
        WatchEvent::File(FolderEvent::Imported(i)) => assert!(i.path.ends_with("shot.png")),
        other => panic!("expected an import, got {other:?}"),
    }
    fs::remove_dir_all(&usb).unwrap();
    assert!(matches!(rx.recv_timeout(wait).unwrap(), WatchEvent::Unavailable(_)));
    fs::create_dir(&usb).unwrap();
    assert!(matches!(rx.recv_timeout(wait).unwrap(), WatchEvent::Available(_)));

    let importer = watcher.stop().unwrap();
    assert_eq!(importer.imported().count(), 1);
}
