//! Credentials the department server issues verify with Digital Bazaar's JavaScript stack
//! (`@digitalbazaar/vc` + `data-integrity` + `eddsa-rdfc-2022-cryptosuite`, contexts offline,
//! `tests/interop/credentials/verify.mjs`), issued under `did:key` and under `did:web` (the
//! server's `/.well-known/did.json` handed to the offline loader); tampered copies are refused.
//! Needs `node` and `tests/interop/credentials/node_modules` (`scripts/setup`): without them
//! these tests fail with that message, they never skip.

use std::path::PathBuf;

use serde_json::Value;

use crate::assessments::{admin, bundle, get_with, post_form, sha, text, upload};
use crate::harness::{Env, Kind};

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/credentials")
}

/// Issues the credential of a passed bundle through the admin pages; returns its JSON.
async fn issue(env: &Env, n: u64) -> Value {
    let zip = bundle(n, true, &[]);
    upload(env, &zip).await;
    let cookie = admin(env).await;
    let r = post_form(env, &format!("/admin/bundles/{}/issue", sha(&zip)), &cookie, "").await;
    assert_eq!(r.status, 303, "{}", text(&r));
    let meta = env.server.as_ref().unwrap().state().meta.clone();
    let issued = meta.credentials().await.unwrap().remove(0);
    serde_json::from_str(&issued.document).unwrap()
}

/// The same credential with one claim changed after signing.
fn tampered(credential: &Value) -> Value {
    let mut t = credential.clone();
    t["credentialSubject"]["achievement"]["name"] = "Something else entirely".into();
    assert_ne!(&t, credential);
    t
}

/// Runs verify.mjs on `credentials` (with `did_document` for the loader, if given): one result
/// `{file, verified, error}` per credential.
async fn js_verify(credentials: Vec<Value>, did_document: Option<Value>) -> Vec<Value> {
    let dir = interop_dir();
    assert!(
        dir.join("node_modules/@digitalbazaar/vc").is_dir(),
        "{} has no node_modules: run scripts/setup (npm ci in tests/interop/credentials)",
        dir.display()
    );
    tokio::task::spawn_blocking(move || {
        let tmp = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = vec!["verify.mjs".into()];
        if let Some(doc) = did_document {
            let file = tmp.path().join("did.json");
            std::fs::write(&file, doc.to_string()).unwrap();
            args.extend(["--did-document".into(), file.display().to_string()]);
        }
        for (i, vc) in credentials.iter().enumerate() {
            let file = tmp.path().join(format!("vc{i}.json"));
            std::fs::write(&file, vc.to_string()).unwrap();
            args.push(file.display().to_string());
        }
        let out = std::process::Command::new("node")
            .args(&args)
            .current_dir(&dir)
            .output()
            .expect("node is installed (scripts/setup)");
        assert!(out.status.success(), "node verify.mjs failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn did_key_credentials_from_the_server_verify_with_digital_bazaar() {
    let env = Env::start(Kind::Embedded).await;
    let credential = issue(&env, 61).await;
    assert!(credential["issuer"]["id"].as_str().unwrap().starts_with("did:key:z6Mk"));
    let bad = tampered(&credential);
    let results = js_verify(vec![credential, bad], None).await;
    assert_eq!(results[0]["verified"], true, "{}", results[0]);
    assert_eq!(results[1]["verified"], false, "a tampered copy is refused: {}", results[1]);
    assert_eq!(results[1]["error"], "Invalid signature.", "refused for its signature: {}", results[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn did_web_credentials_from_the_server_verify_with_digital_bazaar() {
    let env = Env::start_configured(Kind::Embedded, None, |c| {
        c.issuer.did_web = Some("bench.example.edu".into());
    })
    .await;
    let credential = issue(&env, 62).await;
    assert_eq!(credential["issuer"]["id"], "did:web:bench.example.edu");
    let did = get_with(&env, "/.well-known/did.json", &[]).await;
    assert_eq!(did.status, 200);
    let document = did.json();
    let bad = tampered(&credential);
    let results = js_verify(vec![credential.clone(), bad], Some(document)).await;
    assert_eq!(results[0]["verified"], true, "{}", results[0]);
    assert_eq!(results[1]["verified"], false, "a tampered copy is refused: {}", results[1]);
    assert_eq!(results[1]["error"], "Invalid signature.", "refused for its signature: {}", results[1]);

    // The loader resolves the did:web DID only from the document it was given: nothing is fetched.
    let unresolved = js_verify(vec![credential], None).await;
    assert_eq!(unresolved[0]["verified"], false);
    assert!(
        unresolved[0]["error"].as_str().unwrap_or_default().contains("did:web:bench.example.edu"),
        "{}",
        unresolved[0]
    );
}
