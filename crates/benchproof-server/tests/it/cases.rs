//! The cases, each an `async fn(Backend)`; `backend_tests!` runs each against every backend.

use std::io::Write as _;
use std::time::Duration;

use benchproof_evidence::enrolment::{Revocation, RevocationList, Role};
use benchproof_tlog::{ConsistencyResponse, InclusionResponse, Receipt};

use crate::client::{b64, metadata, send, sha256_hex, Station};
use crate::golden;
use crate::harness::{enrol, signed_as, stamp, Env, Kind};

fn valid() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/bundles/valid.zip")).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fixtures/bundles/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The golden assessment sealed for another student: valid, same assessment id, other bytes.
fn conflicting() -> Vec<u8> {
    let k = golden::keys();
    let (a, events, media) = golden::assessment("S-2026-0099");
    let se = golden::enrolment(&k, &k.station, Role::Station, 1, golden::t(86_400_000));
    let pe = golden::enrolment(&k, &k.proctor, Role::Proctor, 2, golden::t(86_400_000));
    golden::seal_with(&a, &events, &media, &k.station, &se, &k.proctor, &pe)
}

fn files_under(dir: &std::path::Path) -> usize {
    if !dir.exists() {
        return 0;
    }
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { files_under(&p) } else { 1 })
        .sum()
}

async fn receipt_of(env: &Env, res: &crate::client::Res) -> Receipt {
    let url = res.header("benchproof-receipt").expect("a receipt URL").to_owned();
    let r = env.signed("GET", &url, &[], &[], b"").await;
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_slice(&r.body).unwrap()
}

pub async fn happy_path_receipt_verifies(backend: Kind) {
    let env = Env::start(backend).await;
    let opt = send(env.addr, "OPTIONS", "/files/", &[], b"").await;
    assert_eq!(opt.status, 204);
    assert_eq!(opt.header("tus-extension"), Some("creation,checksum,termination,expiration"));
    assert_eq!(opt.header("tus-checksum-algorithm"), Some("sha1,sha256"));
    assert_eq!(opt.header("tus-max-size"), Some(crate::harness::MAX_SIZE.to_string().as_str()));

    let bundle = valid();
    let res = env.upload(&bundle, 3).await;
    assert_eq!(res.status, 204, "{res:?} {}", String::from_utf8_lossy(&res.body));
    let receipt = receipt_of(&env, &res).await;
    let digest: [u8; 32] = ring::digest::digest(&ring::digest::SHA256, &bundle).as_ref().try_into().unwrap();
    let k = golden::keys();
    let verified = receipt.verify(&digest, &k.department.did_key()).expect("the receipt verifies offline");
    assert_eq!(verified.leaf_index, 0);
    assert_eq!(receipt.assessment, golden::uuid7(1).to_string());

    let cp = env.get("/api/v1/log/checkpoint").await;
    assert_eq!(cp.status, 200);
    assert!(String::from_utf8(cp.body).unwrap().starts_with("benchproof.test/log\n1\n"));
    let inc = env.get(&format!("/api/v1/log/inclusion?leaf={}&size=1", sha256_hex(&bundle))).await;
    let inc: InclusionResponse = serde_json::from_slice(&inc.body).unwrap();
    assert_eq!((inc.leaf_index, inc.tree_size), (0, 1));
    let con = env.get("/api/v1/log/consistency?from=1&to=1").await;
    let con: ConsistencyResponse = serde_json::from_slice(&con.body).unwrap();
    assert!(con.proof.is_empty());
    let bad = env.get("/api/v1/log/consistency?from=2&to=1").await;
    assert_eq!((bad.status, bad.problem().as_str()), (400, "bad-tree-size"));

    // A second, different assessment grows the log; the old checkpoint is consistent with it.
    let k = golden::keys();
    let second = other_assessment_bundle(2);
    let res2 = env.upload(&second, 1).await;
    assert_eq!(res2.status, 204, "{}", String::from_utf8_lossy(&res2.body));
    let r2 = receipt_of(&env, &res2).await;
    assert_eq!(r2.leaf_index, 1);
    let con = env.get("/api/v1/log/consistency?from=1&to=2").await;
    let con: ConsistencyResponse = serde_json::from_slice(&con.body).unwrap();
    let proof = benchproof_tlog::decode_proof(&con.proof).unwrap();
    let old =
        benchproof_tlog::Checkpoint::verify_note_by_key(&receipt.checkpoint, &k.department.public_key(), None).unwrap();
    let new =
        benchproof_tlog::Checkpoint::verify_note_by_key(&r2.checkpoint, &k.department.public_key(), None).unwrap();
    benchproof_tlog::verify_consistency(old.size, new.size, &old.root, &new.root, &proof).expect("the log only grew");
}

/// A valid bundle for another assessment (id `uuid7(1000 + n)`): ticks every step and finishes.
pub fn other_assessment_bundle(n: u64) -> Vec<u8> {
    use benchproof_domain::{Assessment, AssessmentId, EventBody, StepId, Verdict};
    let k = golden::keys();
    let rubric = benchproof_domain::rubric::parse("test-skill.toml", golden::RUBRIC).unwrap();
    let id = AssessmentId::from_uuid(golden::uuid7(1000 + n)).unwrap();
    let (mut a, genesis) = Assessment::create(id, rubric, &format!("S-2026-{n:04}"), golden::t(0)).unwrap();
    let mut events = vec![genesis];
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
    golden::seal_with(&a, &events, &Default::default(), &k.station, &se, &k.proctor, &pe)
}

pub async fn same_bundle_twice_is_idempotent(backend: Kind) {
    let env = Env::start(backend).await;
    let bundle = valid();
    let a = env.upload(&bundle, 1).await;
    let b = env.upload(&bundle, 2).await;
    assert_eq!((a.status, b.status), (204, 204), "{b:?}");
    assert_eq!(a.header("benchproof-receipt"), b.header("benchproof-receipt"));
    assert_eq!(receipt_of(&env, &b).await.leaf_index, 0);
    let cp = String::from_utf8(env.get("/api/v1/log/checkpoint").await.body).unwrap();
    assert!(cp.starts_with("benchproof.test/log\n1\n"), "one leaf: {cp}");
}

pub async fn conflicting_bundle_is_409_and_flagged(backend: Kind) {
    let env = Env::start(backend).await;
    assert_eq!(env.upload(&valid(), 1).await.status, 204);
    let res = env.upload(&conflicting(), 1).await;
    assert_eq!((res.status, res.problem().as_str()), (409, "conflict"));
    let server = env.server.as_ref().unwrap();
    let conflicts = server.state().meta.conflicts().await.unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].held_sha256, sha256_hex(&valid()));
    assert_eq!(server.state().meta.leaves().await.unwrap().len(), 1, "the log is unchanged");
}

pub async fn invalid_bundles_are_422_and_quarantined(backend: Kind) {
    let env = Env::start(backend).await;
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    bomb.start_file("bag/data/zeros.bin", opts).unwrap();
    bomb.write_all(&vec![0u8; 16 << 20]).unwrap();
    let bomb = bomb.finish().unwrap().into_inner();
    for (name, bundle, check) in [
        ("verdict-edited", fixture("verdict-edited.zip"), None),
        ("station-not-enrolled", fixture("station-not-enrolled.zip"), Some("enrolment")),
        ("not a zip", b"this is not a zip file at all".to_vec(), Some("zip-safety")),
        ("zip bomb", bomb, Some("zip-safety")),
    ] {
        let res = env.upload(&bundle, 1).await;
        assert_eq!((res.status, res.problem().as_str()), (422, "invalid-bundle"), "{name}");
        if let Some(c) = check {
            assert_eq!(res.json()["check"], c, "{name}: {}", res.json());
        }
    }
    let state = env.server.as_ref().unwrap().state();
    assert_eq!(state.meta.quarantined().await.unwrap().len(), 4);
    assert!(state.meta.bundles().await.unwrap().is_empty(), "nothing in the archive");
}

pub async fn unknown_revoked_and_unsigned_stations_are_refused(backend: Kind) {
    let k = golden::keys();
    let station_enrolment = enrol(&k.department, &k.station, Role::Station, 1);
    let mut revoked = RevocationList::new(k.department.did_key(), stamp(chrono::Utc::now().timestamp_millis()));
    revoked.revoked.push(Revocation {
        enrolment: station_enrolment["id"].as_str().unwrap().into(),
        subject: k.station.did_key(),
        revoked_at: stamp(chrono::Utc::now().timestamp_millis() - 60_000),
        reason: Some("station reported stolen".into()),
    });
    let env = Env::start_with(backend, Some(revoked)).await;
    let bundle = valid();
    let tus = [
        ("upload-length", bundle.len().to_string()),
        ("upload-metadata", metadata(&bundle, &golden::uuid7(1).to_string())),
    ];

    let r = env.signed("POST", "/files/", &tus, &[], b"").await;
    assert_eq!(r.status, 403, "revoked: {r:?}");
    assert!(r.json()["detail"].as_str().unwrap().contains("station reported stolen"));

    // A key enrolled by some other "department".
    let stranger =
        Station { enrolment: enrol(&k.stranger, &k.stranger, Role::Station, 9), key: golden::keys().stranger };
    let r = signed_as(&stranger, &env, "POST", "/files/", &tus, &[], b"").await;
    assert_eq!((r.status, r.problem().as_str()), (403, "forbidden-station"));

    // A proctor enrolment is not a station enrolment.
    let proctor =
        Station { enrolment: enrol(&k.department, &k.proctor, Role::Proctor, 3), key: golden::keys().proctor };
    let r = signed_as(&proctor, &env, "POST", "/files/", &tus, &[], b"").await;
    assert_eq!(r.status, 403);

    // No signature at all.
    let r = send(env.addr, "POST", "/files/", &[("tus-resumable".into(), "1.0.0".into())], b"").await;
    assert_eq!((r.status, r.problem().as_str()), (401, "unauthorised-station"));
    assert_eq!(r.header("www-authenticate"), Some("Signature"));

    // A signature that does not cover Upload-Length, then a tampered one.
    let mut h = env.station.sign(env.addr, "POST", "/files/", &tus[1..], env.now());
    h.push(("upload-length".into(), bundle.len().to_string()));
    let r = send(env.addr, "POST", "/files/", &h, b"").await;
    assert_eq!(r.status, 401);
    let mut h = env.station.sign(env.addr, "POST", "/files/", &tus, env.now());
    h.iter_mut().find(|(k, _)| k == "upload-length").unwrap().1 = "1".into();
    let r = send(env.addr, "POST", "/files/", &h, b"").await;
    assert_eq!(r.status, 401);
    // Too old.
    let h = env.station.sign(env.addr, "POST", "/files/", &tus, env.now() - 301);
    assert_eq!(send(env.addr, "POST", "/files/", &h, b"").await.status, 401);

    let state = env.server.as_ref().unwrap().state();
    assert!(state.meta.expired_uploads(i64::MAX).await.unwrap().is_empty(), "no upload was created");
}

pub async fn replayed_signature_is_401(backend: Kind) {
    let env = Env::start(backend).await;
    let path = env.create(&valid()).await;
    let h = env.station.sign(env.addr, "HEAD", &path, &[], env.now());
    assert_eq!(send(env.addr, "HEAD", &path, &h, b"").await.status, 200);
    let again = send(env.addr, "HEAD", &path, &h, b"").await;
    assert_eq!(again.status, 401);
}

pub async fn offsets_checksums_and_sizes(backend: Kind) {
    let env = Env::start(backend).await;
    let bundle = valid();
    let path = env.create(&bundle).await;
    let r = env.patch(&path, 0, &bundle[..1000], None).await;
    assert_eq!((r.status, r.header("upload-offset")), (204, Some("1000")));
    // Stale offset.
    let r = env.patch(&path, 0, &bundle[..1000], None).await;
    assert_eq!((r.status, r.problem().as_str()), (409, "offset-mismatch"));
    // Bad checksum: 460, chunk discarded.
    let wrong = format!("sha1 {}", b64(&[0u8; 20]));
    let r = env.patch(&path, 1000, &bundle[1000..2000], Some(wrong)).await;
    assert_eq!((r.status, r.problem().as_str()), (460, "checksum-mismatch"));
    assert_eq!(env.offset(&path).await, Some(1000));
    // A good sha1 checksum.
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &bundle[1000..2000]);
    let r = env.patch(&path, 1000, &bundle[1000..2000], Some(format!("sha1 {}", b64(sha1.as_ref())))).await;
    assert_eq!(r.status, 204);
    // More than declared: 413, nothing kept.
    let mut too_much = bundle[2000..].to_vec();
    too_much.extend_from_slice(b"extra");
    let r = env.patch(&path, 2000, &too_much, None).await;
    assert_eq!((r.status, r.problem().as_str()), (413, "upload-too-large"));
    assert_eq!(env.offset(&path).await, Some(2000));
    // Declared too large at creation.
    let r = env
        .signed(
            "POST",
            "/files/",
            &[
                ("upload-length", (crate::harness::MAX_SIZE + 1).to_string()),
                ("upload-metadata", metadata(&bundle, &golden::uuid7(1).to_string())),
            ],
            &[],
            b"",
        )
        .await;
    assert_eq!(r.status, 413);
    // Missing metadata.
    let r = env.signed("POST", "/files/", &[("upload-length", "10".into())], &[], b"").await;
    assert_eq!((r.status, r.problem().as_str()), (400, "bad-request"));
    // Termination.
    let r = env.signed("DELETE", &path, &[], &[], b"").await;
    assert_eq!(r.status, 204);
    assert_eq!(env.offset(&path).await, None);
}

pub async fn cut_body_keeps_only_what_arrived(backend: Kind) {
    use tokio::io::AsyncWriteExt as _;
    let env = Env::start(backend).await;
    let bundle = valid();
    let path = env.create(&bundle).await;
    let mut h = env.station.sign(env.addr, "PATCH", &path, &[("upload-offset", "0".into())], env.now());
    h.push(("content-type".into(), "application/offset+octet-stream".into()));
    let mut s = tokio::net::TcpStream::connect(env.addr).await.unwrap();
    s.write_all(&crate::client::head(env.addr, "PATCH", &path, &h, bundle.len())).await.unwrap();
    s.write_all(&bundle[..5000]).await.unwrap();
    s.flush().await.unwrap();
    drop(s); // the client dies mid-chunk
             // The server either kept the fsynced 5000 bytes or nothing; never more than arrived, and the
             // upload is usable: resume from the offset it reports.
    let mut offset = None;
    for _ in 0..200 {
        offset = env.offset(&path).await;
        if offset == Some(5000) {
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let offset = offset.unwrap() as usize;
    assert!(offset == 0 || offset == 5000, "offset {offset}");
    let r = env.patch(&path, offset, &bundle[offset..], None).await;
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
}

pub async fn concurrent_patches_are_serialised(backend: Kind) {
    let env = Env::start(backend).await;
    let bundle = valid();
    let path = env.create(&bundle).await;
    let half = bundle.len() / 2;
    let (a, b) = tokio::join!(env.patch(&path, 0, &bundle[..half], None), env.patch(&path, 0, &bundle[..half], None));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [204, 409], "exactly one PATCH wins");
    assert_eq!(env.offset(&path).await, Some(half as u64));
    let r = env.patch(&path, half, &bundle[half..], None).await;
    assert_eq!(r.status, 204, "the upload assembles correctly: {}", String::from_utf8_lossy(&r.body));
}

pub async fn restart_mid_upload_resumes(backend: Kind) {
    let mut env = Env::start(backend).await;
    let bundle = valid();
    let path = env.create(&bundle).await;
    assert_eq!(env.patch(&path, 0, &bundle[..3000], None).await.status, 204);
    env.restart().await;
    assert_eq!(env.offset(&path).await, Some(3000));
    let r = env.patch(&path, 3000, &bundle[3000..], None).await;
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    let receipt = receipt_of(&env, &r).await;
    assert_eq!(receipt.bundle_sha256, sha256_hex(&bundle));
}

pub async fn expired_uploads_are_swept(backend: Kind) {
    let env = Env::start(backend).await;
    let bundle = valid();
    let path = env.create(&bundle).await;
    assert_eq!(env.patch(&path, 0, &bundle[..3000], None).await.status, 204);
    let state = env.server.as_ref().unwrap().state();
    assert_eq!(benchproof_server::server::sweep_expired(state).await.unwrap(), 0);
    env.clock.advance(Duration::from_secs(25 * 3600));
    assert_eq!(benchproof_server::server::sweep_expired(state).await.unwrap(), 1);
    assert_eq!(env.offset(&path).await, None);
    let blobs = match env.kind {
        Kind::Scale(_) => env._dir.path().join("s3/bundles/uploads"),
        _ => env.config.data_dir.join("blobs/uploads"),
    };
    assert_eq!(files_under(&blobs), 0, "parts deleted");
}

pub async fn admin_pages_need_a_login(backend: Kind) {
    let env = Env::start(backend).await;
    assert_eq!(env.upload(&valid(), 1).await.status, 204);
    let r = env.get("/admin").await;
    assert_eq!((r.status, r.header("location")), (303, Some("/admin/login")));
    assert!(benchproof_server::set_admin_password(&env.config.data_dir, &env.config.backend, "admin", "short")
        .await
        .is_err());
    let meta = env.server.as_ref().unwrap().state().meta.clone();
    benchproof_server::auth::admin::set_password(meta.as_ref(), "admin", "a long enough password").await.unwrap();
    let form = |pw: &str| format!("user=admin&password={}", pw.replace(' ', "+"));
    let ct = [("content-type".to_string(), "application/x-www-form-urlencoded".to_string())];
    let r = send(env.addr, "POST", "/admin/login", &ct, form("wrong password!!").as_bytes()).await;
    assert_eq!(r.status, 401);
    assert!(r.header("set-cookie").is_none());
    let r = send(env.addr, "POST", "/admin/login", &ct, form("a long enough password").as_bytes()).await;
    assert_eq!(r.status, 303);
    let cookie = r.header("set-cookie").unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let token = cookie.split(';').next().unwrap().to_owned();
    let with = [("cookie".to_string(), token.clone())];
    for page in ["/admin", "/admin/quarantine", "/admin/conflicts", "/admin/stations", "/admin/log"] {
        let r = send(env.addr, "GET", page, &with, b"").await;
        assert_eq!(r.status, 200, "{page}");
    }
    let home = String::from_utf8(send(env.addr, "GET", "/admin", &with, b"").await.body).unwrap();
    assert!(home.contains("S-2026-0042") && home.contains("verified"), "{home}");
    let stations = String::from_utf8(send(env.addr, "GET", "/admin/stations", &with, b"").await.body).unwrap();
    assert!(stations.contains(&golden::keys().station.did_key().to_string()));
    let r = send(env.addr, "POST", "/admin/logout", &with, b"").await;
    assert_eq!(r.status, 303);
    assert_eq!(send(env.addr, "GET", "/admin", &with, b"").await.status, 303, "the session ended");
}

/// Declares one `#[tokio::test]` per case, for the backend that `$backend().await` yields.
#[macro_export]
macro_rules! backend_tests {
    ($backend:ident) => {
        $crate::backend_tests!(@each $backend;
            happy_path_receipt_verifies,
            same_bundle_twice_is_idempotent,
            conflicting_bundle_is_409_and_flagged,
            invalid_bundles_are_422_and_quarantined,
            unknown_revoked_and_unsigned_stations_are_refused,
            replayed_signature_is_401,
            offsets_checksums_and_sizes,
            cut_body_keeps_only_what_arrived,
            concurrent_patches_are_serialised,
            restart_mid_upload_resumes,
            expired_uploads_are_swept,
            admin_pages_need_a_login,
        );
    };
    (@each $backend:ident; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(kind) = $backend().await else { return };
                $crate::cases::$case(kind).await;
            }
        )*
    };
}
