//! Loopback upload of one large sealed bundle, three ways in the same run, same file, same
//! chunk size:
//! 1. the project's client → the project's department server (embedded backend, in-process;
//!    the time includes its verify-on-receipt of the whole bundle before the last answer);
//! 2. the project's client → the independent `@tus/server` + `@tus/file-store`;
//! 3. the peer: `tus-js-client` → `@tus/server`.
//!
//! Prints throughput and the ratios of 1 and 2 to 3 (≥ 1.0 means at least as fast).
//! `BENCH_MIB` overrides the media size (default 256), `BENCH_ROUNDS` the rounds (default 3);
//! the ratios are reported per round and as the median.
//!
//! `cargo bench -p benchproof-sync --bench upload` (needs `scripts/setup` for the node packages).
#![allow(clippy::print_stdout)]

#[allow(dead_code)]
#[path = "../tests/it/sealed.rs"]
mod sealed;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use benchproof_sync::{TusClient, TusConfig};

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
    let keys = sealed::keys();
    let sealed = sealed::bundle(&keys, (mib * 1024 * 1024) as usize, &mut sealed::Rng(0x5eed_b0b0));
    let bundle = work.path().join("bundle.zip");
    std::fs::write(&bundle, &sealed.zip).expect("write the bundle");
    let len = sealed.zip.len() as u64;
    let hex = benchproof_tlog::to_hex(&benchproof_tlog::sha256(&sealed.zip));
    let metadata = [("filename", "bench.zip"), ("sha256", hex.as_str()), ("assessment", &sealed.id.to_string())];
    drop(sealed);
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);

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

    let mb = len as f64 / 1e6;
    println!("upload of a {:.1} MB sealed bundle over loopback, {} MiB chunks, {rounds} rounds", mb, CHUNK >> 20);
    println!("{:<58} {:>9} {:>10}", "client → server", "seconds", "MB/s");
    let row = |name: &str, secs: f64| println!("{name:<58} {secs:>9.2} {:>10.1}", mb / secs);
    let (mut to_ours, mut to_peer) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        // The three runs of a round back to back, so load from elsewhere hits them alike.
        let ours_to_ours = to_our_server(&keys, &bundle, len, &metadata, &work.path().join(format!("ours-{round}")));
        row("benchproof-sync → benchproof-server (verify on receipt)", ours_to_ours);
        let ours = to_node_server(&keys, &endpoint, &bundle, len, &store);
        row("benchproof-sync → @tus/server 2.4.5 + file-store", ours);
        let theirs = node_client(&interop, &endpoint, &bundle);
        row("tus-js-client 4.3.1 (Node) → @tus/server (peer)", theirs);
        // Throughput ratio: the peer's seconds over ours.
        to_ours.push(theirs / ours_to_ours);
        to_peer.push(theirs / ours);
    }
    drop(server.stdin.take());
    let _ = server.kill();
    let _ = server.wait();
    println!("ratio, ours → ours / peer throughput, per round: {}; median {:.2}x", list(&to_ours), median(&to_ours));
    println!(
        "ratio, ours → @tus/server / peer throughput, per round: {}; median {:.2}x",
        list(&to_peer),
        median(&to_peer)
    );
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn list(v: &[f64]) -> String {
    v.iter().map(|r| format!("{r:.2}x")).collect::<Vec<_>>().join(", ")
}

/// The project's client, signing every request as a station would, to `@tus/server`.
fn to_node_server(keys: &sealed::Keys, endpoint: &str, bundle: &Path, len: u64, store: &Path) -> f64 {
    let mut config = TusConfig::new(endpoint.to_owned());
    config.chunk_size = CHUNK;
    let client = TusClient::new(config, Some(sealed::station_identity(keys)));
    let started = Instant::now();
    let url = client.create(len, &[("filename", "bench.zip")]).expect("creation");
    client.upload(&url, &mut File::open(bundle).expect("bundle"), len, &mut |_| {}).expect("upload");
    let secs = started.elapsed().as_secs_f64();
    let id = url.rsplit('/').next().expect("id");
    assert_eq!(std::fs::metadata(store.join(id)).expect("stored").len(), len);
    secs
}

/// The peer: tus-js-client in Node, timed by itself from its first request to its last answer.
fn node_client(interop: &Path, endpoint: &str, bundle: &Path) -> f64 {
    let out = Command::new("node")
        .arg("client.mjs")
        .arg(endpoint)
        .arg(bundle)
        .arg(CHUNK.to_string())
        .current_dir(interop)
        .output()
        .expect("node client");
    let text = String::from_utf8_lossy(&out.stdout);
    let peer_ms: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("DONE "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("tus-js-client failed: {text} {}", String::from_utf8_lossy(&out.stderr)));
    peer_ms / 1000.0
}

/// Uploads `bundle` to the project's department server (SQLite + files under `dir`), returning
/// the seconds from creation to the final answer (which carries the receipt URL).
fn to_our_server(keys: &sealed::Keys, bundle: &Path, len: u64, metadata: &[(&str, &str)], dir: &Path) -> f64 {
    let trust = benchproof_bundle::Trust { department: keys.department.did_key(), revocations: None };
    let department = benchproof_evidence::SigningKey::from_seed_bytes(&[1; 32]).expect("seed");
    let mut config = benchproof_server::ServerConfig::embedded(
        dir.join("server"),
        "127.0.0.1:0".parse().expect("addr"),
        department,
        trust,
    );
    config.max_size = 4 << 30;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let server = rt.block_on(benchproof_server::serve(config)).expect("the server starts");
    let mut tus = TusConfig::new(format!("http://{}/files/", server.addr()));
    tus.chunk_size = CHUNK;
    let client = TusClient::new(tus, Some(sealed::station_identity(keys)));
    let started = Instant::now();
    let url = client.create(len, metadata).expect("creation");
    let done = client.upload(&url, &mut File::open(bundle).expect("bundle"), len, &mut |_| {}).expect("upload");
    let secs = started.elapsed().as_secs_f64();
    assert!(done.receipt_url.is_some(), "the server accepted the bundle and named its receipt");
    rt.block_on(server.stop());
    secs
}
