//! Starts the independent tus server (`tests/interop/tus/server.mjs`: `@tus/server` with
//! `@tus/file-store`) on a free loopback port, for as long as the handle lives.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The folder holding the node packages (installed by `scripts/setup`).
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/tus")
}

/// A running `@tus/server`.
#[derive(Debug)]
pub struct TusServer {
    child: Child,
    _stdin: ChildStdin,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl TusServer {
    pub fn start() -> TusServer {
        let interop = interop_dir();
        assert!(
            interop.join("node_modules/@tus/server").is_dir(),
            "the independent tus server is not installed: run scripts/setup (npm ci in {})",
            interop.display()
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new("node")
            .arg("server.mjs")
            .arg("0")
            .arg(dir.path())
            .current_dir(&interop)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting node (is Node.js installed? run scripts/setup)");
        let stdin = child.stdin.take().expect("piped stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout")).read_line(&mut line).expect("reading the port");
        let port = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("@tus/server did not start: {line:?}"));
        TusServer { child, _stdin: stdin, port, dir }
    }

    pub fn files_url(&self) -> String {
        format!("http://127.0.0.1:{}/files/", self.port)
    }

    /// The bytes the server stored for `upload_url`.
    pub fn stored(&self, upload_url: &str) -> Vec<u8> {
        let id = upload_url.rsplit('/').next().expect("an upload id");
        std::fs::read(self.dir.path().join(id)).expect("the stored upload")
    }
}

impl Drop for TusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
