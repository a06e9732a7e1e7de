//! Loopback upload of one large bundle to the independent `@tus/server` + `@tus/file-store`:
//! the project's client against `tus-js-client` (the peer), same server, same file, same chunk
//! size, in the same run. Prints throughput of both and their ratio (ours / peer; ≥ 1.0 means at
//! least as fast). `BENCH_MIB` overrides the size (default 256).
//!
//! `cargo bench -p benchproof-sync --bench upload` (needs `scripts/setup` for the node packages).
#![allow(clippy::print_stdout)]

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use benchproof_evidence::{SecretSeed, SigningKey};
use benchproof_sync::{StationIdentity, TusClient, TusConfig};

const CHUNK: usize = 4 * 1024 * 1024;

fn main() {
    let mib: u64 = std::env::var("BENCH_MIB").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    let interop = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/tus");
    assert!(
        interop.join("node_modules/@tus/server").is_dir(),
        "run scripts/setup first (npm ci in {})",
        interop.display()
    );
    let work = tempfile::tempdir().expect("temp dir");
    let store = work.path().join("store");
    std::fs::create_dir(&store).expect("store dir");
    let bundle = work.path().join("bundle.zip");
    write_bundle(&bundle, mib * 1024 * 1024);
    let len = mib * 1024 * 1024;

    let mut server = Command::new("node")
        .args(["server.mjs", "0"])
        .arg(&store)
        .current_dir(&interop)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout")).read_line(&mut line).expect("port");
    let port: u16 = line.trim().trim_start_matches("LISTENING ").parse().expect("a port");
    let endpoint = format!("http://127.0.0.1:{port}/files/");

    // The project's client, signing every request as a station would.
    let mut config = TusConfig::new(endpoint.clone());
    config.chunk_size = CHUNK;
    let key = SigningKey::from_seed(&SecretSeed::from_bytes([7; 32])).expect("key");
    let client = TusClient::new(config, Some(StationIdentity { key, enrolment: serde_json::json!({"bench": true}) }));
    let started = Instant::now();
    let url = client.create(len, &[("filename", "bench.zip")]).expect("creation");
    client.upload(&url, &mut File::open(&bundle).expect("bundle"), len, &mut |_| {}).expect("upload");
    let ours = started.elapsed().as_secs_f64();
    let id = url.rsplit('/').next().expect("id");
    assert_eq!(std::fs::metadata(store.join(id)).expect("stored").len(), len);

    // The peer: tus-js-client in Node, timed by itself from its first request to its last answer.
    let out = Command::new("node")
        .arg("client.mjs")
        .arg(&endpoint)
        .arg(&bundle)
        .arg(CHUNK.to_string())
        .current_dir(&interop)
        .output()
        .expect("node client");
    let text = String::from_utf8_lossy(&out.stdout);
    let peer_ms: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("DONE "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("tus-js-client failed: {text} {}", String::from_utf8_lossy(&out.stderr)));
    let peer = peer_ms / 1000.0;
    drop(server.stdin.take());
    let _ = server.kill();
    let _ = server.wait();

    let mb = len as f64 / 1e6;
    println!("upload of {mib} MiB over loopback to @tus/server 2.4.5 + @tus/file-store, {} MiB chunks", CHUNK >> 20);
    println!("{:<36} {:>9} {:>10}", "client", "seconds", "MB/s");
    println!("{:<36} {:>9.2} {:>10.1}", "benchproof-sync (signed requests)", ours, mb / ours);
    println!("{:<36} {:>9.2} {:>10.1}", "tus-js-client 4.3.1 (Node)", peer, mb / peer);
    println!("ratio (ours / peer throughput): {:.2}x", peer / ours);
}

/// Writes `len` pseudo-random bytes (incompressible, like a zip).
fn write_bundle(path: &Path, len: u64) {
    let mut file = std::io::BufWriter::new(File::create(path).expect("bundle"));
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut block = vec![0u8; 1024 * 1024];
    let mut left = len;
    while left > 0 {
        for b in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        file.write_all(&block[..n]).expect("write");
        left -= n as u64;
    }
    file.flush().expect("flush");
}
