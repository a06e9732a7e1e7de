//! Interoperability: `tus-js-client` (npm), an independent tus client, uploads a bundle to this
//! server, signing each request in its `onBeforeRequest` hook with Node's Ed25519
//! (`tests/interop/tus-client/upload.mjs`).

use std::path::PathBuf;
use std::process::Command;

use crate::client::sha256_hex;
use crate::harness::{Env, Kind};

fn client_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/tus-client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tus_js_client_uploads_a_bundle() {
    let dir = client_dir();
    assert!(
        dir.join("node_modules/tus-js-client").exists(),
        "tus-js-client is not installed: run scripts/setup (npm ci in tests/interop/tus-client)"
    );
    let env = Env::start(Kind::Embedded).await;
    let bundle = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/bundles/valid.zip")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (file, key, enrolment) =
        (tmp.path().join("bundle.zip"), tmp.path().join("station.pk8"), tmp.path().join("enrolment.json"));
    std::fs::write(&file, &bundle).unwrap();
    // RFC 8410 PKCS#8 v1 of the golden station seed ([2; 32]), the form every Ed25519 library reads.
    let mut der = vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    der.extend_from_slice(&[2u8; 32]);
    assert_eq!(
        benchproof_evidence::SigningKey::from_seed_bytes(&[2u8; 32]).unwrap().did_key(),
        env.station.key.did_key()
    );
    std::fs::write(&key, der).unwrap();
    std::fs::write(&enrolment, serde_json::to_vec(&env.station.enrolment).unwrap()).unwrap();
    let endpoint = format!("http://{}/files/", env.addr);
    let sha = sha256_hex(&bundle);
    let assessment = crate::golden::uuid7(1).to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(dir.join("upload.mjs"))
            .args([
                &endpoint,
                file.to_str().unwrap(),
                key.to_str().unwrap(),
                enrolment.to_str().unwrap(),
                &sha,
                &assessment,
                "4000",
            ])
            .output()
            .expect("node runs (install Node.js: scripts/setup)")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "tus-js-client failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    let result: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let receipt_url = result["receipt"].as_str().expect("the final PATCH carried Benchproof-Receipt");
    let r = env.signed("GET", receipt_url, &[], &[], b"").await;
    assert_eq!(r.status, 200);
    let receipt: benchproof_tlog::Receipt = serde_json::from_slice(&r.body).unwrap();
    let digest: [u8; 32] = ring::digest::digest(&ring::digest::SHA256, &bundle).as_ref().try_into().unwrap();
    receipt.verify(&digest, &crate::golden::keys().department.did_key()).unwrap();
}
