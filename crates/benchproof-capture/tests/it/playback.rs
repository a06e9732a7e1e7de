//! The snippet plays in a real browser: Debian's headless Chromium, driven by `playwright-core`
//! from `tests/interop/playback`, loads it from a loopback HTTP server (with Range support, as
//! browsers need for seeking) and reports duration, decoded tracks and a seek.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;

use benchproof_capture::ClockTime;

use crate::support::{feed, outcomes, recorder, request};

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/playback")
}

/// Serves `/` (an empty page) and `/snippet.mp4` (from `file`) until the process ends.
fn serve(file: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let file = file.clone();
            std::thread::spawn(move || {
                let _ = answer(stream, &file);
            });
        }
    });
    format!("http://{addr}/snippet.mp4")
}

fn answer(stream: TcpStream, file: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut range = None;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            if line.trim().is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                let (a, b) = v.trim().split_once('-').unwrap_or(("0", ""));
                range = Some((a.parse::<usize>().unwrap_or(0), b.parse::<usize>().ok()));
            }
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("/");
        if path != "/snippet.mp4" {
            let body = b"<!doctype html><title>playback</title>";
            write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n", body.len())?;
            stream.write_all(body)?;
            continue;
        }
        let bytes = std::fs::read(file)?;
        let len = bytes.len();
        match range {
            Some((start, end)) if start < len => {
                let end = end.unwrap_or(len - 1).min(len - 1);
                write!(
                    stream,
                    "HTTP/1.1 206 Partial Content\r\nContent-Type: video/mp4\r\nAccept-Ranges: bytes\r\nContent-Range: bytes {start}-{end}/{len}\r\nContent-Length: {}\r\n\r\n",
                    end - start + 1
                )?;
                stream.write_all(&bytes[start..=end])?;
            }
            Some(_) => write!(
                stream,
                "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\n\r\n"
            )?,
            None => {
                write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nAccept-Ranges: bytes\r\nContent-Length: {len}\r\n\r\n")?;
                stream.write_all(&bytes)?;
            }
        }
    }
}

#[test]
fn the_snippet_plays_in_headless_chromium() {
    let interop = interop_dir();
    assert!(
        interop.join("node_modules/playwright-core").is_dir(),
        "{} has no node_modules: run scripts/setup (it installs playwright-core there)",
        interop.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let (rec, tx) = recorder(dir.path(), false);
    feed(&rec, &tx, 7, None, vec![(ClockTime(4_000_000), request(4000, 2000, 2000, "play"))]);
    let got = outcomes(&rec, 1);
    let file = got[0].result.as_ref().expect("snippet written").clone();
    let url = serve(file.path.clone());
    let expected = format!("{:.3}", file.duration.as_secs_f64());
    let out = Command::new("node")
        .arg(interop.join("check.mjs"))
        .args([&url, &expected])
        .output()
        .expect("node runs (run scripts/setup)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Chromium could not play the snippet: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"width\":320"), "{stdout}");
}
