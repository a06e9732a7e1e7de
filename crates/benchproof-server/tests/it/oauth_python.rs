//! An independent OAuth 2.0 client (Authlib, Debian's `python3-authlib`, run by Debian's
//! `/usr/bin/python3`) registers, gets an admin's consent through the real consent form, exchanges
//! the code with PKCE, lists the credentials, refreshes and revokes (`tests/interop/oauth/client.py`).
//! Never skipped: a missing tool fails with what to install.

use crate::assessments::{admin, bundle, post_form, sha, upload};
use crate::harness::{Env, Kind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authlib_completes_the_ob_api_flow() {
    let env = Env::start(Kind::Embedded).await;
    let zip = bundle(71, true, &[]);
    upload(&env, &zip).await;
    let cookie = admin(&env).await;
    assert_eq!(post_form(&env, &format!("/admin/bundles/{}/issue", sha(&zip)), &cookie, "").await.status, 303);
    let issued = env.server.as_ref().unwrap().state().meta.credentials().await.unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/interop/oauth/client.py");
    let base = format!("http://{}", env.addr);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("/usr/bin/python3").args([script, &base, "admin", "a long enough password"]).output()
    })
    .await
    .unwrap()
    .unwrap_or_else(|e| panic!("/usr/bin/python3: {e}; install python3 and python3-authlib (scripts/setup does)"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the Authlib client failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(seen["credentials"], serde_json::json!([issued[0].id]));
    assert_eq!(seen["after_revocation"], 401, "revoking the refresh token ends the grant's access");
}
