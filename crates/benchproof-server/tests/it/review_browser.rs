//! The employer review pages in a real browser: Debian's headless Chromium, driven by
//! `tests/review/check.mjs` (playwright-core), against this server with a bundle whose snippet is
//! a real H.264 MP4 (made by Debian's ffmpeg). A live link asks for its code and then plays the
//! snippet to `canplaythrough`; an expired and a revoked link show their clear page; every
//! access lands in the log.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::assessments::{admin, bundle, post_form, sha, upload};
use crate::harness::{Env, Kind};
use crate::review::create_link;

fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/review")
}

/// A 2-second 160×120 H.264 MP4 (faststart), made with ffmpeg.
fn snippet(dir: &std::path::Path) -> Vec<u8> {
    let out = dir.join("snippet.mp4");
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=15", "-t", "2"])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-y"])
        .arg(&out)
        .status()
        .expect("ffmpeg runs (Debian package ffmpeg: run scripts/setup)");
    assert!(status.success(), "ffmpeg could not make the test snippet");
    std::fs::read(out).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_browser() {
    let dir = script_dir();
    assert!(
        dir.join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: run scripts/setup (npm ci in tests/review)"
    );
    assert!(std::path::Path::new("/usr/bin/chromium").exists(), "Debian's chromium is missing: run scripts/setup");
    let tmp = tempfile::tempdir().unwrap();
    let env = Env::start(Kind::Embedded).await;
    let mp4 = snippet(tmp.path());
    let zip = bundle(31, true, &[("joint.mp4", "video/mp4", mp4.clone())]);
    let other = bundle(32, true, &[("other.mp4", "video/mp4", b"another assessment's video".to_vec())]);
    upload(&env, &zip).await;
    upload(&env, &other).await;

    let cookie = admin(&env).await;
    let (expired, _) = create_link(&env, &cookie, &sha(&zip), 1, false).await;
    env.clock.advance(Duration::from_secs(2 * 86_400));
    let cookie = admin(&env).await;
    let (live, code) = create_link(&env, &cookie, &sha(&zip), 14, true).await;
    let (revoked, _) = create_link(&env, &cookie, &sha(&zip), 14, false).await;
    let meta = env.server.as_ref().unwrap().state().meta.clone();
    let id_of = |path: &str| {
        let h = benchproof_server::review::sha256_hex(path.trim_start_matches("/review/"));
        async move { meta.review_links().await.unwrap().into_iter().find(|l| l.token_sha256 == h).unwrap().id }
    };
    let revoked_id = id_of(&revoked).await;
    assert_eq!(post_form(&env, &format!("/admin/reviews/{revoked_id}/revoke"), &cookie, "").await.status, 303);

    let base = format!("http://{}", env.addr);
    let config = serde_json::json!({
        "live": format!("{base}{live}"),
        "code": code.unwrap(),
        "expired": format!("{base}{expired}"),
        "revoked": format!("{base}{revoked}"),
        "other_media": format!("{base}{live}/media/{}", sha(b"another assessment's video")),
    });
    let config_path = tmp.path().join("config.json");
    std::fs::write(&config_path, config.to_string()).unwrap();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(dir.join("check.mjs")).arg(&config_path).output().expect("node runs (scripts/setup)")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the browser check failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(seen["playback"]["duration"].as_f64().unwrap() > 1.5, "{seen}");

    // Every access the browser made is in the log.
    let meta = env.server.as_ref().unwrap().state().meta.clone();
    let live_id = {
        let h = benchproof_server::review::sha256_hex(live.trim_start_matches("/review/"));
        meta.review_links().await.unwrap().into_iter().find(|l| l.token_sha256 == h).unwrap().id
    };
    let log = meta.review_accesses(Some(&live_id)).await.unwrap();
    let has =
        |resource: &str, outcome: &str| log.iter().any(|a| a.resource.starts_with(resource) && a.outcome == outcome);
    assert!(has("page", "code-required") && has("code", "code-refused") && has("code", "code-accepted"), "{log:?}");
    assert!(has("page", "granted") && has(&format!("media {}", sha(&mp4)), "granted"), "{log:?}");
    assert!(log.iter().any(|a| a.client.contains("Chrome")), "the user agent is logged: {log:?}");
    let all = meta.review_accesses(None).await.unwrap();
    assert!(all.iter().any(|a| a.outcome == "expired") && all.iter().any(|a| a.outcome == "revoked"), "{all:?}");
}
