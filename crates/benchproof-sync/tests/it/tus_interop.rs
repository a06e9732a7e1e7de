//! The project's tus client against the independent `@tus/server` + `@tus/file-store`: plain
//! uploads, resumption by a fresh client, and ≥ 20 trials through a proxy that cuts or stalls
//! the connection at random byte offsets. Every upload must arrive byte for byte, and a cut may
//! cost at most one chunk of re-sent bytes.

use std::fs::File;
use std::io::Write;
use std::time::Duration;

use benchproof_sync::{Progress, StationIdentity, TusClient, TusConfig, TusError};

use crate::proxy::{Fault, Proxy};
use crate::tus_server::TusServer;
use crate::{identity, Rng};

/// A temp file of `len` pseudo-random bytes.
fn bundle(len: usize, rng: &mut Rng) -> (tempfile::NamedTempFile, Vec<u8>) {
    let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(&bytes).expect("write");
    (file, bytes)
}

fn client(files_url: String, chunk: usize, identity: Option<StationIdentity>) -> TusClient {
    let mut config = TusConfig::new(files_url);
    config.chunk_size = chunk;
    config.io_timeout = Duration::from_secs(2);
    config.connect_timeout = Duration::from_secs(2);
    TusClient::new(config, identity)
}

#[test]
fn capabilities_of_an_independent_server() {
    let server = TusServer::start();
    let caps = client(server.files_url(), 1024, None).capabilities().expect("OPTIONS");
    assert!(caps.extensions.iter().any(|e| e == "creation"), "{caps:?}");
    assert_eq!(caps.max_size, Some(2 * 1024 * 1024 * 1024));
    // An HTTP server that is not a tus server is named as such.
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = plain.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = plain.accept() {
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let bad = client(format!("http://127.0.0.1:{port}/files/"), 1024, None).capabilities();
    assert!(matches!(bad, Err(TusError::NotTus { .. })), "{bad:?}");
}

#[test]
fn signed_upload_of_a_few_mib_arrives_byte_for_byte() {
    let server = TusServer::start();
    let mut rng = Rng(0x5eed_0001);
    let (file, bytes) = bundle(5 * 1024 * 1024 + 123, &mut rng);
    let tus = client(server.files_url(), 1024 * 1024, Some(identity()));
    let sha = benchproof_tlog::to_hex(&benchproof_tlog::sha256(&bytes));
    let url = tus
        .create(bytes.len() as u64, &[("filename", "benchproof-x.zip"), ("sha256", &sha), ("assessment", "x")])
        .expect("creation");
    assert!(url.starts_with(&server.files_url()), "{url}");
    let mut seen: Vec<Progress> = Vec::new();
    let done = tus
        .upload(&url, &mut File::open(file.path()).unwrap(), bytes.len() as u64, &mut |p| seen.push(p))
        .expect("upload");
    assert_eq!(server.stored(&url), bytes);
    assert_eq!((done.resumed_from, done.bytes_sent), (0, bytes.len() as u64));
    assert_eq!(seen.last(), Some(&Progress { sent: bytes.len() as u64, total: bytes.len() as u64 }));
    assert!(seen.windows(2).all(|w| w[0].sent <= w[1].sent), "progress went backwards");
    assert_eq!(tus.offset(&url).unwrap(), bytes.len() as u64);
    // @tus/file-store keeps the metadata beside the upload: it arrived decoded.
    let info =
        std::fs::read_to_string(server.dir.path().join(format!("{}.json", url.rsplit('/').next().unwrap()))).unwrap();
    assert!(info.contains(&sha) && info.contains("benchproof-x.zip"), "{info}");
}

#[test]
fn a_fresh_client_resumes_from_the_servers_offset() {
    let server = TusServer::start();
    let proxy = Proxy::start(server.port);
    let mut rng = Rng(0x5eed_0002);
    let chunk = 256 * 1024;
    let (file, bytes) = bundle(2 * 1024 * 1024, &mut rng);
    let first = client(proxy.url("/files/"), chunk, None);
    let url = first.create(bytes.len() as u64, &[("filename", "a.zip")]).expect("creation");
    // Cut the link for good after ~1 MiB (every request from then on is cut): the first client
    // gives up part way.
    let cuts: Vec<(u64, Fault)> = (0..20).map(|i| (1024 * 1024 + i, Fault::Cut)).collect();
    proxy.plan(&cuts);
    let _ = first.upload(&url, &mut File::open(file.path()).unwrap(), bytes.len() as u64, &mut |_| {});
    // The link is back (the upload URL leads through the proxy).
    proxy.plan(&[]);
    let second = client(server.files_url(), chunk, None);
    let held = second.offset(&url).expect("HEAD");
    assert!(held < bytes.len() as u64, "the cut did not interrupt the upload");
    let done =
        second.upload(&url, &mut File::open(file.path()).unwrap(), bytes.len() as u64, &mut |_| {}).expect("resume");
    assert_eq!(done.resumed_from, held);
    assert_eq!(done.bytes_sent, bytes.len() as u64 - held, "only the missing bytes are sent");
    assert_eq!(server.stored(&url), bytes);
}

/// Uploads through the proxy with `faults` planned, retrying like the worker does, and checks
/// the bytes and the cost of each fault.
fn trial(server: &TusServer, proxy: &Proxy, rng: &mut Rng, faults: usize, stall: bool) {
    let chunk = 64 * 1024 * (1 + (rng.next_u64() % 4) as usize);
    let len = 256 * 1024 + (rng.next_u64() % (2 * 1024 * 1024)) as usize;
    let (file, bytes) = bundle(len, rng);
    let tus = client(proxy.url("/files/"), chunk, None);
    let url = tus.create(len as u64, &[("filename", "t.zip")]).expect("creation");
    let fired_before = proxy.faults_fired.load(std::sync::atomic::Ordering::SeqCst);
    let planned: Vec<(u64, Fault)> = (0..faults)
        .map(|_| {
            let at = rng.next_u64() % (len as u64);
            (at, if stall { Fault::Stall(Duration::from_secs(3)) } else { Fault::Cut })
        })
        .collect();
    proxy.plan(&planned);
    let mut calls = 0;
    loop {
        calls += 1;
        match tus.upload(&url, &mut File::open(file.path()).unwrap(), len as u64, &mut |_| {}) {
            Ok(_) => break,
            // The worker would retry later; so do we, at once.
            Err(_) if calls < 10 => {}
            Err(e) => panic!("upload of {len} bytes never completed: {e}"),
        }
    }
    proxy.plan(&[]);
    assert!(server.stored(&url) == bytes, "stored bytes differ ({len} bytes, chunk {chunk}, faults {planned:?})");
    let fired = proxy.faults_fired.load(std::sync::atomic::Ordering::SeqCst) - fired_before;
    assert_eq!(fired, faults as u64, "every planned fault hit the upload");
    let resent = tus.body_bytes_sent() - len as u64;
    assert!(
        resent <= fired * chunk as u64,
        "{resent} bytes re-sent after {fired} faults with {chunk}-byte chunks: more than one chunk per fault"
    );
}

#[test]
fn cuts_at_random_offsets_never_lose_or_duplicate_a_byte() {
    let server = TusServer::start();
    let proxy = Proxy::start(server.port);
    // Seed 0x5eed_0003: change it to explore other offsets.
    let mut rng = Rng(0x5eed_0003);
    for n in 0..24 {
        trial(&server, &proxy, &mut rng, 1 + n % 3, false);
    }
}

#[test]
fn a_stalled_link_times_out_and_resumes() {
    let server = TusServer::start();
    let proxy = Proxy::start(server.port);
    let mut rng = Rng(0x5eed_0004);
    for _ in 0..2 {
        trial(&server, &proxy, &mut rng, 1, true);
    }
}

#[test]
fn a_bandwidth_cap_still_delivers_every_byte() {
    let server = TusServer::start();
    let mut rng = Rng(0x5eed_0005);
    let (file, bytes) = bundle(300 * 1024, &mut rng);
    let mut config = TusConfig::new(server.files_url());
    config.chunk_size = 128 * 1024;
    config.bandwidth_limit = Some(2 * 1024 * 1024);
    let tus = TusClient::new(config, None);
    let url = tus.create(bytes.len() as u64, &[]).unwrap();
    tus.upload(&url, &mut File::open(file.path()).unwrap(), bytes.len() as u64, &mut |_| {}).unwrap();
    assert_eq!(server.stored(&url), bytes);
}
