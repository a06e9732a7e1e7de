//! Credentials on the server, against every backend: issue for a passed archived bundle (and
//! refusals), verify with the library verifier fetching the status list over HTTP, revoke and
//! see the verifier refuse, exports, `did:web`, and the schema upgrade from version 1.

use benchproof_credential::verify::{EvidenceFile, RevocationCheck};
use benchproof_credential::{verify_credential_json, CredentialError, TrustedIssuers, VerifyPolicy};
use benchproof_evidence::XsdDateTime;

use crate::assessments::{admin, bundle, bundle_for, get_with, post_form, sha, text, upload};
use crate::client::send;
use crate::golden;
use crate::harness::{Env, Kind};

fn now() -> XsdDateTime {
    crate::harness::stamp(chrono::Utc::now().timestamp_millis())
}

fn passed() -> Vec<u8> {
    bundle(1, true, &[("joint closeup.png", "image/png", golden::PHOTO.to_vec())])
}

/// Verifies `credential` with the library verifier, the status list fetched from the server.
async fn verify(
    env: &Env,
    credential: &str,
    trusted: &TrustedIssuers,
    zip: &[u8],
) -> Result<RevocationCheck, CredentialError> {
    let list = get_with(env, "/status/1", &[]).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.header("content-type"), Some("application/json"));
    let list = list.json();
    let list_url = list["id"].as_str().unwrap().to_owned();
    let resolver = move |url: &str| (url == list_url).then(|| list.clone());
    let mut policy = VerifyPolicy::new(trusted, now());
    policy.status = Some(&resolver);
    policy.evidence.push(EvidenceFile { id: None, label: "bundle.zip".into(), sha256: ring_sha(zip) });
    verify_credential_json(credential, &policy).map(|v| {
        assert_eq!(v.evidence_checked, 1, "the bundle's digest matched");
        v.revocation
    })
}

fn ring_sha(bytes: &[u8]) -> [u8; 32] {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().try_into().unwrap()
}

pub async fn issue_verify_revoke_export(kind: Kind) {
    let env = Env::start(kind).await;
    let zip = passed();
    let failed = bundle(2, false, &[]);
    upload(&env, &zip).await;
    upload(&env, &failed).await;
    let (s, f) = (sha(&zip), sha(&failed));

    let r = post_form(&env, &format!("/admin/bundles/{s}/issue"), &[], "").await;
    assert_eq!((r.status, r.header("location")), (303, Some("/admin/login")), "issuing needs a login");
    let cookie = admin(&env).await;
    let page = get_with(&env, &format!("/admin/bundles/{s}"), &cookie).await;
    assert!(text(&page).contains(&format!("/admin/bundles/{s}/issue")), "a passed bundle offers the button");
    let r = post_form(&env, &format!("/admin/bundles/{f}/issue"), &cookie, "").await;
    assert_eq!(r.status, 409);
    assert!(text(&r).contains("only passed assessments get a credential"), "{}", text(&r));
    let r = post_form(&env, &format!("/admin/bundles/{}/issue", "0".repeat(64)), &cookie, "").await;
    assert_eq!(r.status, 404, "{}", text(&r));
    let r = post_form(&env, "/admin/bundles/..%2F..%2Fetc/issue", &cookie, "").await;
    assert_eq!(r.status, 404);

    let r = post_form(&env, &format!("/admin/bundles/{s}/issue"), &cookie, "").await;
    assert_eq!(r.status, 303, "{}", text(&r));
    let meta = env.server.as_ref().unwrap().state().meta.clone();
    let issued = meta.credentials().await.unwrap();
    assert_eq!(issued.len(), 1);
    let c = issued[0].clone();
    let again = post_form(&env, &format!("/admin/bundles/{s}/issue"), &cookie, "").await;
    assert_eq!(again.status, 409);
    assert!(text(&again).contains(&c.id), "names the live credential");

    // The exported JSON is the stored, signed credential; it verifies, status checked over HTTP.
    let json = get_with(&env, &format!("/admin/credentials/{}/credential.json", c.id), &cookie).await;
    assert_eq!(json.status, 200);
    let credential = text(&json);
    assert_eq!(credential, c.document);
    let doc: serde_json::Value = serde_json::from_str(&credential).unwrap();
    assert_eq!(doc["credentialStatus"]["statusListCredential"], format!("http://{}/status/1", env.addr));
    assert_eq!(doc["credentialStatus"]["statusListIndex"], c.status_index.to_string());
    assert_eq!(doc["issuer"]["id"], golden::keys().department.did_key().to_string());
    let evidence_id = doc["evidence"][0]["id"].as_str().unwrap();
    assert!(evidence_id.ends_with(&format!("/evidence/{}/{s}", c.assessment)), "{evidence_id}");
    let trusted = TrustedIssuers::new().with_did_key(&golden::keys().department.did_key());
    assert_eq!(verify(&env, &credential, &trusted, &zip).await, Ok(RevocationCheck::NotRevoked));
    let stranger = TrustedIssuers::new().with_did_key(&golden::keys().stranger.did_key());
    assert!(verify(&env, &credential, &stranger, &zip).await.is_err(), "another department's key is not trusted");

    // What the credential points at is served.
    let evidence = get_with(&env, &format!("/evidence/{}/{s}", c.assessment), &[]).await;
    assert!(evidence.status == 200 && text(&evidence).contains("review link"));
    let rubric = get_with(&env, "/rubrics/test-skill/1", &[]).await;
    assert_eq!(rubric.status, 200);
    assert!(text(&rubric).contains("id = \"test-skill\""));
    assert_eq!(get_with(&env, "/rubrics/test-skill/9", &[]).await.status, 404);
    let did = get_with(&env, "/.well-known/did.json", &[]).await;
    assert_eq!((did.status, did.problem().as_str()), (404, "no-did-web"));

    // Exports.
    let png = get_with(&env, &format!("/admin/credentials/{}/badge.png", c.id), &cookie).await;
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert_eq!(benchproof_credential::bake::unbake_png(&png.body).unwrap(), doc);
    let svg = get_with(&env, &format!("/admin/credentials/{}/badge.svg", c.id), &cookie).await;
    assert_eq!(benchproof_credential::bake::unbake_svg(&text(&svg)).unwrap(), doc);
    assert_eq!(get_with(&env, &format!("/admin/credentials/{}/badge.gif", c.id), &cookie).await.status, 404);
    let csv = text(&get_with(&env, "/admin/report.csv", &cookie).await);
    assert!(csv.starts_with("student,rubric,outcome,date,credential_id\r\n"), "{csv}");
    assert!(csv.contains("S-2026-0001,test-skill@1,passed,") && csv.contains(&c.id), "{csv}");
    assert!(csv.contains("S-2026-0002,test-skill@1,not-yet-competent,"), "{csv}");
    let report: serde_json::Value = get_with(&env, "/admin/report.json", &cookie).await.json();
    assert_eq!(report.as_array().unwrap().len(), 2);
    let zip_export = get_with(&env, &format!("/admin/bundles/{s}/bundle.zip"), &cookie).await;
    assert_eq!((zip_export.header("content-type"), zip_export.body == zip), (Some("application/zip"), true));
    assert_eq!(get_with(&env, "/admin/report.csv", &[]).await.status, 303, "exports need a login");

    // Revocation flips the bit; the re-signed list makes the verifier refuse.
    let before = get_with(&env, "/status/1", &[]).await.body;
    let revoke = format!("/admin/credentials/{}/revoke", c.id);
    assert_eq!(post_form(&env, &revoke, &cookie, "reason=").await.status, 400, "a reason is required");
    assert_eq!(post_form(&env, &revoke, &[], "reason=x").await.status, 303, "revoking needs a login");
    assert!(meta.credential(&c.id).await.unwrap().unwrap().revoked_ms.is_none());
    let r = post_form(&env, &revoke, &cookie, "reason=issued+in+error").await;
    assert_eq!(r.status, 303, "{}", text(&r));
    assert_eq!(post_form(&env, &revoke, &cookie, "reason=twice").await.status, 409);
    let after = get_with(&env, "/status/1", &[]).await.body;
    assert_ne!(before, after, "the list was re-signed");
    assert_eq!(after, get_with(&env, "/status/1", &[]).await.body, "and is stable until the next change");
    match verify(&env, &credential, &trusted, &zip).await {
        Err(CredentialError::Revoked { index, .. }) => assert_eq!(index as u64, c.status_index),
        other => panic!("a revoked credential must be refused, got {other:?}"),
    }
    let listed = text(&get_with(&env, "/admin/credentials", &cookie).await);
    assert!(listed.contains("revoked") && listed.contains("issued in error"), "{listed}");

    // A new credential may follow a revoked one; it gets another bit and verifies.
    assert_eq!(post_form(&env, &format!("/admin/bundles/{s}/issue"), &cookie, "").await.status, 303);
    let all = meta.credentials().await.unwrap();
    assert_eq!(all.len(), 2);
    let fresh = all.iter().find(|x| x.id != c.id).unwrap();
    assert_ne!(fresh.status_index, c.status_index);
    assert_eq!(verify(&env, &fresh.document, &trusted, &zip).await, Ok(RevocationCheck::NotRevoked));
}

pub async fn did_web_department(kind: Kind) {
    let env = Env::start_configured(kind, None, |c| {
        c.issuer.did_web = Some("bench.example.edu".into());
        c.issuer.name = "Dept. of Electrical Engineering".into();
    })
    .await;
    let zip = passed();
    upload(&env, &zip).await;
    let cookie = admin(&env).await;
    let did = get_with(&env, "/.well-known/did.json", &[]).await;
    assert_eq!((did.status, did.header("content-type")), (200, Some("application/did+json")));
    let document = did.json();
    assert_eq!(document["id"], "did:web:bench.example.edu");
    assert_eq!(post_form(&env, &format!("/admin/bundles/{}/issue", sha(&zip)), &cookie, "").await.status, 303);
    let meta = env.server.as_ref().unwrap().state().meta.clone();
    let c = meta.credentials().await.unwrap().remove(0);
    let doc: serde_json::Value = serde_json::from_str(&c.document).unwrap();
    assert_eq!(doc["issuer"]["id"], "did:web:bench.example.edu");
    assert_eq!(doc["issuer"]["name"], "Dept. of Electrical Engineering");
    assert_eq!(doc["credentialStatus"]["statusListCredential"], "https://bench.example.edu/status/1");
    let trusted = TrustedIssuers::new().with_did_document(&document).unwrap();
    assert_eq!(verify(&env, &c.document, &trusted, &zip).await, Ok(RevocationCheck::NotRevoked));
    let by_key = TrustedIssuers::new().with_did_key(&golden::keys().department.did_key());
    assert!(verify(&env, &c.document, &by_key, &zip).await.is_err(), "the did:web issuer is not the did:key");
}

pub async fn admin_pages_link_everything(kind: Kind) {
    let env = Env::start(kind).await;
    let zip = passed();
    upload(&env, &zip).await;
    let cookie = admin(&env).await;
    let home = text(&send(env.addr, "GET", "/admin", &cookie, b"").await);
    assert!(home.contains(&format!("href=\"/admin/bundles/{}\"", sha(&zip))), "{home}");
    assert!(home.contains("href=\"/admin/credentials\"") && home.contains("href=\"/admin/reviews\""));
    for page in ["/admin/credentials", "/admin/reviews", &format!("/admin/bundles/{}", sha(&zip))] {
        assert_eq!(get_with(&env, page, &cookie).await.status, 200, "{page}");
        assert_eq!(get_with(&env, page, &[]).await.status, 303, "{page} needs a login");
    }
    assert_eq!(get_with(&env, &format!("/admin/bundles/{}", "f".repeat(64)), &cookie).await.status, 404);
}

pub async fn reassessment_keeps_the_history(kind: Kind) {
    let env = Env::start(kind).await;
    let first = bundle_for(41, "S-2026-7777", false, &[]);
    let second = bundle_for(42, "S-2026-7777", true, &[]);
    let stranger = bundle_for(43, "S-2026-8888", false, &[]);
    for b in [&first, &second, &stranger] {
        upload(&env, b).await;
    }
    let cookie = admin(&env).await;
    let note = format!("/admin/bundles/{}/remediation", sha(&first));
    assert_eq!(post_form(&env, &note, &[], "note=x").await.status, 303, "notes need a login");
    assert_eq!(post_form(&env, &note, &cookie, "note=").await.status, 400);
    let r = post_form(&env, &note, &cookie, "note=Practise+eye+protection+before+soldering").await;
    assert_eq!(r.status, 303, "{}", text(&r));
    assert_eq!(
        post_form(&env, &format!("/admin/bundles/{}/remediation", sha(&second)), &cookie, "note=x").await.status,
        409,
        "a pass needs no remediation"
    );
    assert_eq!(post_form(&env, &format!("/admin/bundles/{}/issue", sha(&first)), &cookie, "").await.status, 409);
    assert_eq!(post_form(&env, &format!("/admin/bundles/{}/issue", sha(&second)), &cookie, "").await.status, 303);
    let page = text(&get_with(&env, &format!("/admin/bundles/{}", sha(&second)), &cookie).await);
    let attempts = page.split("id=\"attempts\"").nth(1).expect("an attempts section");
    assert!(attempts.contains(&format!("/admin/bundles/{}", sha(&first))), "the failed attempt is linked");
    assert!(attempts.contains("attempt 2</a> (this one)"), "{attempts}");
    assert!(attempts.contains("Safety"), "the failed critical step is named: {attempts}");
    assert!(attempts.contains("Practise eye protection before soldering"), "{attempts}");
    assert!(attempts.contains("urn:uuid:"), "the pass's credential is shown");
    assert!(!attempts.contains(&sha(&stranger)), "another student's attempt is not");
}

pub async fn ob_api_subset(kind: Kind) {
    let env = Env::start(kind).await;
    let (a, b) = (bundle(51, true, &[]), bundle(52, true, &[]));
    upload(&env, &a).await;
    upload(&env, &b).await;
    let discovery = get_with(&env, "/ims/ob/v3p0/discovery", &[]).await.json();
    assert_eq!(discovery["paths"]["/credentials"]["get"]["operationId"], "getCredentials");
    let r = get_with(&env, "/ims/ob/v3p0/credentials", &[]).await;
    assert_eq!((r.status, r.header("www-authenticate")), (401, Some("Bearer")));
    assert_eq!(r.json()["imsx_codeMajor"], "failure");
    let cookie = admin(&env).await;
    for z in [&a, &b] {
        assert_eq!(post_form(&env, &format!("/admin/bundles/{}/issue", sha(z)), &cookie, "").await.status, 303);
    }
    let token = cookie[0].1.trim_start_matches("bp_admin=").to_owned();
    let bearer = vec![("authorization".to_string(), format!("Bearer {token}"))];
    let r = get_with(&env, "/ims/ob/v3p0/credentials?limit=1", &bearer).await;
    assert_eq!((r.status, r.header("x-total-count")), (200, Some("2")));
    assert!(r.header("link").unwrap().contains("offset=1>; rel=\"next\""), "{:?}", r.header("link"));
    let page = r.json();
    assert_eq!(page["credential"].as_array().unwrap().len(), 1);
    let meta = env.server.as_ref().unwrap().state().meta.clone();
    let newest = meta.credentials().await.unwrap().remove(0);
    assert_eq!(page["credential"][0]["id"], newest.id.as_str());
    assert_eq!(
        post_form(&env, &format!("/admin/credentials/{}/revoke", newest.id), &cookie, "reason=test").await.status,
        303
    );
    let r = get_with(&env, "/ims/ob/v3p0/credentials", &cookie).await;
    assert_eq!((r.status, r.header("x-total-count")), (200, Some("1")), "revoked credentials are not listed");
    assert_eq!(get_with(&env, "/ims/ob/v3p0/credentials?limit=0", &bearer).await.status, 400);
    let wrong = vec![("authorization".to_string(), "Bearer nottoken".to_string())];
    assert_eq!(get_with(&env, "/ims/ob/v3p0/credentials", &wrong).await.status, 401);
}

/// Declares one `#[tokio::test]` per credential and review case for a backend.
#[macro_export]
macro_rules! credential_tests {
    ($backend:ident) => {
        $crate::credential_tests!(@each $backend;
            credentials::issue_verify_revoke_export,
            credentials::did_web_department,
            credentials::admin_pages_link_everything,
            credentials::reassessment_keeps_the_history,
            credentials::ob_api_subset,
            oauth::authorization_code_flow,
            review::links_show_only_their_own_evidence,
            review::codes_expiry_revocation_and_the_log,
        );
    };
    (@each $backend:ident; $($module:ident::$case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(kind) = $backend().await else { return };
                $crate::$module::$case(kind).await;
            }
        )*
    };
}

/// Every case against each backend, as `cases.rs` does for the upload cases.
mod embedded {
    async fn embedded() -> Option<crate::harness::Kind> {
        Some(crate::harness::Kind::Embedded)
    }
    crate::credential_tests!(embedded);
}

mod pg {
    async fn pg() -> Option<crate::harness::Kind> {
        Some(crate::harness::Kind::Postgres(crate::postgres::database().await.expect("PostgreSQL for the tests")))
    }
    crate::credential_tests!(pg);
}

mod scale {
    async fn scale() -> Option<crate::harness::Kind> {
        Some(crate::harness::Kind::Scale(crate::postgres::database().await.expect("PostgreSQL for the tests")))
    }
    crate::credential_tests!(scale);
}

/// A version-1 database (as released before credentials) is upgraded in place, keeping its rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_v1_is_upgraded() {
    use benchproof_server::meta::{sqlite::SqliteMeta, CredentialMeta, MetaStore, ReviewMeta};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.sqlite");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(benchproof_server::meta::sqlite::SCHEMA_V1).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute("INSERT INTO admins (username, phc) VALUES ('old', 'x')", []).unwrap();
    }
    let meta = SqliteMeta::open(&path).unwrap();
    assert_eq!(meta.admin_hash("old").await.unwrap().as_deref(), Some("x"));
    assert!(meta.credentials().await.unwrap().is_empty());
    drop(meta);
    let c = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(c.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(), 4);
    c.pragma_update(None, "user_version", 5).unwrap();
    drop(c);
    let err = SqliteMeta::open(&path).unwrap_err().to_string();
    assert!(err.contains("newer than this server"), "{err}");

    // PostgreSQL: a database holding only version 1 gains the version 2 tables.
    let url = crate::postgres::database().await.expect("PostgreSQL for the tests");
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client.batch_execute(benchproof_server::meta::sqlite::SCHEMA_V1).await.unwrap();
    let pg = benchproof_server::meta::postgres::PgMeta::connect(&url).await.unwrap();
    assert!(pg.credentials().await.unwrap().is_empty());
    assert!(pg.review_links().await.unwrap().is_empty());
}
