//! 50 simulated stations each upload a ~50 MiB sealed bundle at once to one server (SQLite +
//! files, its own process so its peak RSS can be read): failures, time to all receipts, server
//! peak RSS. Peer, same run, same disk: writing the same bytes to files with `fsync` (the floor
//! for any server that stores bundles durably).
//!
//! `cargo bench -p benchproof-server --bench stations` (`BP_STATIONS`, `BP_MIB` to change the load).

#![allow(clippy::print_stdout)]

#[allow(dead_code)]
#[path = "../../benchproof-bundle/tests/it/golden.rs"]
mod golden;

#[allow(dead_code)]
#[path = "../tests/it/client.rs"]
mod client;

use std::io::Write as _;
use std::time::{Duration, Instant};

use benchproof_evidence::enrolment::Role;

const SERVE_ENV: &str = "BP_BENCH_SERVE_DIR";

fn stamp(ms: i64) -> benchproof_evidence::XsdDateTime {
    benchproof_evidence::XsdDateTime::parse_stamp(
        &chrono::DateTime::from_timestamp_millis(ms).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
    .unwrap()
}

fn serve(dir: &str) {
    let k = golden::keys();
    let trust = benchproof_bundle::Trust { department: k.department.did_key(), revocations: None };
    let mut c =
        benchproof_server::ServerConfig::embedded(dir.into(), "127.0.0.1:0".parse().unwrap(), k.department, trust);
    c.max_size = 1 << 30;
    benchproof_server::run(c, |addr| {
        println!("ADDR {addr}");
        std::io::stdout().flush().unwrap();
    })
    .unwrap();
}

/// A sealed bundle for assessment `n` with one `media` attachment.
fn bundle(n: u64, media: &[u8]) -> Vec<u8> {
    use benchproof_domain::{Assessment, AssessmentId, EventBody, Sha256, SnippetId, StepId, Verdict};
    let k = golden::keys();
    let rubric = benchproof_domain::rubric::parse("test-skill.toml", golden::RUBRIC).unwrap();
    let id = AssessmentId::from_uuid(golden::uuid7(5000 + n)).unwrap();
    let (mut a, genesis) = Assessment::create(id, rubric, &format!("S-{n:04}"), golden::t(0)).unwrap();
    let mut events = vec![genesis];
    let sha = Sha256::of(media);
    let tick = |step: &str, verdict, level: Option<&str>| EventBody::StepTicked {
        step: StepId::new(step),
        verdict,
        level: level.map(str::to_owned),
        note: None,
    };
    for (ms, body) in [
        (1_000, EventBody::Started {}),
        (20_000, tick("safety", Verdict::Pass, None)),
        (60_000, tick("joint", Verdict::Pass, Some("Proficient"))),
        (
            61_000,
            EventBody::SnippetSaved {
                snippet: SnippetId::from_uuid(golden::uuid7(9000 + n)).unwrap(),
                step: Some(StepId::new("joint")),
                name: "bench.mp4".into(),
                media_type: "video/mp4".into(),
                sha256: sha,
                bytes: media.len() as u64,
                captured_at: golden::t(60_000),
            },
        ),
        (120_000, tick("tidy", Verdict::Pass, None)),
        (130_000, tick("label", Verdict::NotApplicable, None)),
        (140_000, EventBody::Finished {}),
    ] {
        let r = a.next_record(golden::t(ms), body).unwrap();
        a.apply(&r).unwrap();
        events.push(r);
    }
    let se = golden::enrolment(&k, &k.station, Role::Station, 1, golden::t(86_400_000));
    let pe = golden::enrolment(&k, &k.proctor, Role::Proctor, 2, golden::t(86_400_000));
    let mut m = std::collections::HashMap::new();
    m.insert(sha, media.to_vec());
    golden::seal_with(&a, &events, &m, &k.station, &se, &k.proctor, &pe)
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
        })
        .unwrap_or(0)
}

async fn upload_one(
    addr: std::net::SocketAddr,
    station: &client::Station,
    path: std::path::PathBuf,
) -> Result<(), String> {
    let bytes = tokio::fs::read(&path).await.map_err(|e| e.to_string())?;
    let now = || chrono::Utc::now().timestamp();
    let sha = client::sha256_hex(&bytes);
    let meta = format!(
        "filename {},sha256 {},assessment {}",
        client::b64(b"b.zip"),
        client::b64(sha.as_bytes()),
        client::b64(b"00000000-0000-7000-8000-000000000000")
    );
    let h = station.sign(
        addr,
        "POST",
        "/files/",
        &[("upload-length", bytes.len().to_string()), ("upload-metadata", meta)],
        now(),
    );
    let r = client::send(addr, "POST", "/files/", &h, b"").await;
    if r.status != 201 {
        return Err(format!("create: {}", r.status));
    }
    let loc = r.header("location").unwrap().to_owned();
    let chunk = 8 << 20;
    for (i, c) in bytes.chunks(chunk).enumerate() {
        let mut h = station.sign(addr, "PATCH", &loc, &[("upload-offset", (i * chunk).to_string())], now());
        h.push(("content-type".into(), "application/offset+octet-stream".into()));
        let r = client::send(addr, "PATCH", &loc, &h, c).await;
        if r.status != 204 {
            return Err(format!("PATCH {}: {}", r.status, String::from_utf8_lossy(&r.body)));
        }
        if r.header("benchproof-receipt").is_some() {
            return Ok(());
        }
    }
    Err("no receipt".into())
}

fn main() {
    if let Ok(dir) = std::env::var(SERVE_ENV) {
        return serve(&dir);
    }
    let stations: u64 = std::env::var("BP_STATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let mib: usize = std::env::var("BP_MIB").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let tmp = tempfile::tempdir().unwrap();
    let mut media = vec![0u8; mib << 20];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut media).unwrap();
    let paths: Vec<_> = (0..stations)
        .map(|n| {
            let p = tmp.path().join(format!("b{n}.zip"));
            std::fs::write(&p, bundle(n, &media)).unwrap();
            p
        })
        .collect();
    let total: u64 = paths.iter().map(|p| std::fs::metadata(p).unwrap().len()).sum();

    // Peer: the same bytes written to files and fsynced, all at once.
    let peer_dir = tmp.path().join("peer");
    std::fs::create_dir(&peer_dir).unwrap();
    let t = Instant::now();
    std::thread::scope(|s| {
        for (i, p) in paths.iter().enumerate() {
            let dest = peer_dir.join(format!("{i}.zip"));
            s.spawn(move || {
                let bytes = std::fs::read(p).unwrap();
                let mut f = std::fs::File::create(dest).unwrap();
                f.write_all(&bytes).unwrap();
                f.sync_all().unwrap();
            });
        }
    });
    let peer = t.elapsed();
    std::fs::remove_dir_all(&peer_dir).unwrap();

    let data = tmp.path().join("server");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .env(SERVE_ENV, &data)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    let addr: std::net::SocketAddr = line.trim().strip_prefix("ADDR ").unwrap().parse().unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let k = golden::keys();
    let now = chrono::Utc::now().timestamp_millis();
    let enrolment = benchproof_evidence::enrolment::Enrolment {
        kind: benchproof_evidence::enrolment::ENROLMENT_TYPE.into(),
        format_version: 1,
        id: "urn:uuid:0193f6a0-0000-7000-8000-00000000b0b0".into(),
        department: benchproof_evidence::enrolment::Department { did: k.department.did_key(), name: "bench".into() },
        subject: k.station.did_key(),
        role: Role::Station,
        name: "bench station".into(),
        valid_from: stamp(now - 86_400_000),
        valid_until: stamp(now + 86_400_000),
    }
    .issue(&k.department, stamp(now - 86_400_000))
    .unwrap();
    let station = std::sync::Arc::new(client::Station { key: k.station, enrolment });
    let t = Instant::now();
    let results: Vec<Result<(), String>> = rt.block_on(async {
        let tasks: Vec<_> = paths
            .iter()
            .cloned()
            .map(|p| {
                let s = station.clone();
                tokio::spawn(async move { upload_one(addr, &s, p).await })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    });
    let took = t.elapsed();
    let rss = peak_rss_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let failures: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let secs = |d: Duration| d.as_secs_f64();
    println!(
        "stations: {stations} × {:.1} MiB ({:.0} MiB total)",
        total as f64 / stations as f64 / 1048576.0,
        total as f64 / 1048576.0
    );
    println!("failures: {} {:?}", failures.len(), failures.iter().take(3).collect::<Vec<_>>());
    println!("time to all receipts: {:.2} s ({:.1} MiB/s)", secs(took), total as f64 / 1048576.0 / secs(took));
    println!("peer (write + fsync the same bytes, {stations} threads): {:.2} s", secs(peer));
    println!("ratio (benchproof-server / peer): {:.2}× the peer's time", secs(took) / secs(peer));
    println!("server peak RSS: {:.1} MiB (goal ≤ 200 MB)", rss as f64 / 1024.0);
}
