//! Sealed bundles for the credential and review tests: the golden test rubric, passed or failed,
//! with chosen evidence files on the "joint" step; and an admin session on a test server.

use std::collections::HashMap;

use benchproof_domain::{Assessment, AssessmentId, EventBody, Sha256, SnippetId, StepId, Verdict};
use benchproof_evidence::enrolment::Role;

use crate::client::send;
use crate::golden;
use crate::harness::Env;

/// One evidence file: (name, media type, bytes).
pub type Media = (&'static str, &'static str, Vec<u8>);

/// Assessment `n` (id `uuid7(2000 + n)`, student `S-2026-<n>`), sealed with the golden keys.
/// `passed` ticks every critical step pass; otherwise the critical "safety" step fails.
pub fn bundle(n: u64, passed: bool, media: &[Media]) -> Vec<u8> {
    bundle_for(n, &format!("S-2026-{n:04}"), passed, media)
}

/// Like [`bundle`], for the given student.
pub fn bundle_for(n: u64, student: &str, passed: bool, media: &[Media]) -> Vec<u8> {
    let k = golden::keys();
    let rubric = benchproof_domain::rubric::parse("test-skill.toml", golden::RUBRIC).unwrap();
    let id = AssessmentId::from_uuid(golden::uuid7(2000 + n)).unwrap();
    let (mut a, genesis) = Assessment::create(id, rubric, student, golden::t(0)).unwrap();
    let mut events = vec![genesis];
    let mut files = HashMap::new();
    let tick = |step: &str, verdict, level: Option<&str>| EventBody::StepTicked {
        step: StepId::new(step),
        verdict,
        level: level.map(str::to_owned),
        note: None,
    };
    let mut bodies = vec![
        (1_000, EventBody::Started {}),
        (20_000, tick("safety", if passed { Verdict::Pass } else { Verdict::Fail }, None)),
        (60_000, tick("joint", Verdict::Pass, Some("Proficient"))),
    ];
    for (i, (name, media_type, bytes)) in media.iter().enumerate() {
        let sha = Sha256::of(bytes);
        files.insert(sha, bytes.clone());
        bodies.push((
            61_000 + i as i64,
            EventBody::SnippetSaved {
                snippet: SnippetId::from_uuid(golden::uuid7(3000 + 10 * n + i as u64)).unwrap(),
                step: Some(StepId::new("joint")),
                name: (*name).into(),
                media_type: (*media_type).into(),
                sha256: sha,
                bytes: bytes.len() as u64,
                captured_at: golden::t(60_000),
            },
        ));
    }
    bodies.push((120_000, tick("tidy", Verdict::Pass, None)));
    bodies.push((130_000, tick("label", Verdict::NotApplicable, None)));
    bodies.push((140_000, EventBody::Finished {}));
    for (ms, body) in bodies {
        let r = a.next_record(golden::t(ms), body).unwrap();
        a.apply(&r).unwrap();
        events.push(r);
    }
    let se = golden::enrolment(&k, &k.station, Role::Station, 1, golden::t(86_400_000));
    let pe = golden::enrolment(&k, &k.proctor, Role::Proctor, 2, golden::t(86_400_000));
    golden::seal_with(&a, &events, &files, &k.station, &se, &k.proctor, &pe)
}

/// Uploads `bundle` (the env's station signs it for the assessment it carries).
pub async fn upload(env: &Env, bundle: &[u8]) {
    let assessment = assessment_of(bundle);
    let path = {
        let r = env
            .signed(
                "POST",
                "/files/",
                &[
                    ("upload-length", bundle.len().to_string()),
                    ("upload-metadata", crate::client::metadata(bundle, &assessment)),
                ],
                &[],
                b"",
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        r.header("location").unwrap().to_owned()
    };
    let r = env.patch(&path, 0, bundle, None).await;
    assert_eq!(r.status, 204, "{r:?} {}", String::from_utf8_lossy(&r.body));
}

/// The assessment id inside a bundle zip (its bag is named `benchproof-<id>`).
pub fn assessment_of(bundle: &[u8]) -> String {
    let (name, _) = golden::unzip(bundle);
    name.trim_start_matches("benchproof-").to_owned()
}

/// Sets an admin password and logs in; returns the cookie header to send.
pub async fn admin(env: &Env) -> Vec<(String, String)> {
    let meta = env.server.as_ref().unwrap().state().meta.clone();
    benchproof_server::auth::admin::set_password(meta.as_ref(), "admin", "a long enough password").await.unwrap();
    let ct = [("content-type".to_string(), "application/x-www-form-urlencoded".to_string())];
    let r = send(env.addr, "POST", "/admin/login", &ct, b"user=admin&password=a+long+enough+password").await;
    assert_eq!(r.status, 303, "{r:?}");
    let cookie = r.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
    vec![("cookie".to_string(), cookie)]
}

/// A form POST with `headers` (e.g. the admin cookie).
pub async fn post_form(env: &Env, path: &str, headers: &[(String, String)], form: &str) -> crate::client::Res {
    let mut h = headers.to_vec();
    h.push(("content-type".into(), "application/x-www-form-urlencoded".into()));
    send(env.addr, "POST", path, &h, form.as_bytes()).await
}

/// A GET with `headers`.
pub async fn get_with(env: &Env, path: &str, headers: &[(String, String)]) -> crate::client::Res {
    send(env.addr, "GET", path, headers, b"").await
}

/// Hex SHA-256.
pub fn sha(bytes: &[u8]) -> String {
    crate::client::sha256_hex(bytes)
}

/// The text of a response.
pub fn text(r: &crate::client::Res) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}
