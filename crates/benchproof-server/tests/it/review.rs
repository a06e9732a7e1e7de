//! Employer review links against every backend: what a link shows (and only its own evidence),
//! Range requests, one-time codes and lock-out, revocation, expiry, and the access log.

use std::time::Duration;

use crate::assessments::{admin, bundle, get_with, post_form, sha, text, upload, Media};
use crate::client::Res;
use crate::golden;
use crate::harness::{Env, Kind};

fn video() -> Vec<u8> {
    // Not a playable video: these cases check bytes and headers (the browser test plays one).
    (0..5000u32).flat_map(|i| i.to_le_bytes()).collect()
}

fn evidence() -> Vec<Media> {
    vec![
        ("joint closeup.png", "image/png", golden::PHOTO.to_vec()),
        ("scope-state.json", "application/json", golden::STATE.to_vec()),
        ("joint.mp4", "video/mp4", video()),
        ("notes.html", "text/html", b"<script>alert(1)</script>".to_vec()),
    ]
}

/// Creates a review link for `bundle_sha`; returns (path of the link, code if any).
pub async fn create_link(
    env: &Env,
    cookie: &[(String, String)],
    bundle_sha: &str,
    days: u32,
    with_code: bool,
) -> (String, Option<String>) {
    let form = format!("label=Acme+Ltd+hiring&days={days}{}", if with_code { "&with_code=on" } else { "" });
    let r = post_form(env, &format!("/admin/bundles/{bundle_sha}/review-links"), cookie, &form).await;
    assert_eq!(r.status, 201, "{}", text(&r));
    let html = text(&r);
    let url = html.split("id=\"review-url\" href=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let path = url.split_once(&env.addr.to_string()).unwrap().1.to_owned();
    assert!(path.starts_with("/review/") && path.len() == "/review/".len() + 43, "{path}");
    let code = html.split("id=\"review-code\">").nth(1).map(|s| s.split('<').next().unwrap().to_owned());
    assert_eq!(code.is_some(), with_code);
    (path, code)
}

fn range(r: &str) -> Vec<(String, String)> {
    vec![("range".into(), r.into())]
}

fn shows_no_evidence(r: &Res) {
    let t = text(r);
    for leak in ["Joint", "S-2026", "<video", "<img", "checkpoint", "Proficient"] {
        assert!(!t.contains(leak), "a closed link leaked {leak:?}: {t}");
    }
}

pub async fn links_show_only_their_own_evidence(kind: Kind) {
    let env = Env::start(kind).await;
    let mine = bundle(11, true, &evidence());
    let other_file = (
        "square.png",
        "image/png",
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/media/scope-square-wave.png")).unwrap(),
    );
    let theirs = bundle(12, false, std::slice::from_ref(&other_file));
    upload(&env, &mine).await;
    upload(&env, &theirs).await;
    let cookie = admin(&env).await;
    assert_eq!(
        post_form(&env, &format!("/admin/bundles/{}/review-links", sha(&mine)), &[], "label=x&days=3").await.status,
        303,
        "creating needs a login"
    );
    for bad in ["label=&days=3", "label=x&days=0", "label=x&days=91"] {
        assert_eq!(
            post_form(&env, &format!("/admin/bundles/{}/review-links", sha(&mine)), &cookie, bad).await.status,
            400,
            "{bad}"
        );
    }
    let (link, code) = create_link(&env, &cookie, &sha(&mine), 7, false).await;
    assert!(code.is_none());

    let page = get_with(&env, &link, &[]).await;
    assert_eq!(page.status, 200, "{}", text(&page));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let html = text(&page);
    for shown in [
        "S-2026-0011",
        "Joint",
        "Proficient",
        "Put on eye protection.",
        "zip-safety",
        "enrolment",
        "benchproof.test/log",
        "<video",
        "timebase_s_per_div",
    ] {
        assert!(html.contains(shown), "the review page lacks {shown:?}");
    }
    assert!(!html.contains("S-2026-0012") && !html.contains("/admin"), "nothing else of the department");

    // Media: exact bytes, the right type, Range support.
    let png = sha(golden::PHOTO);
    let r = get_with(&env, &format!("{link}/media/{png}"), &[]).await;
    assert_eq!(
        (r.status, r.header("content-type"), r.header("accept-ranges")),
        (200, Some("image/png"), Some("bytes"))
    );
    assert_eq!(r.body, golden::PHOTO);
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    let v = sha(&video());
    let r = get_with(&env, &format!("{link}/media/{v}"), &range("bytes=100-199")).await;
    assert_eq!((r.status, r.header("content-type")), (206, Some("video/mp4")));
    assert_eq!(r.header("content-range"), Some(format!("bytes 100-199/{}", video().len()).as_str()));
    assert_eq!(r.body, video()[100..200]);
    let r = get_with(&env, &format!("{link}/media/{v}"), &range("bytes=-10")).await;
    assert_eq!(r.body, video()[video().len() - 10..]);
    let r = get_with(&env, &format!("{link}/media/{v}"), &range("bytes=999999-")).await;
    assert_eq!((r.status, r.header("content-range")), (416, Some(format!("bytes */{}", video().len()).as_str())));
    let html_file = sha(b"<script>alert(1)</script>");
    let r = get_with(&env, &format!("{link}/media/{html_file}"), &[]).await;
    assert_eq!(
        (r.status, r.header("content-type"), r.header("content-disposition")),
        (200, Some("application/octet-stream"), Some("attachment"))
    );
    let receipt = get_with(&env, &format!("{link}/receipt.json"), &[]).await.json();
    let receipt: benchproof_tlog::Receipt = serde_json::from_value(receipt).unwrap();
    receipt
        .verify(
            &ring::digest::digest(&ring::digest::SHA256, &mine).as_ref().try_into().unwrap(),
            &golden::keys().department.did_key(),
        )
        .unwrap();

    // Never another assessment's files, nor anything by path.
    let theirs_png = sha(&other_file.2);
    for path in [
        format!("{link}/media/{theirs_png}"),
        format!("{link}/media/{}", sha(&theirs)),
        format!("{link}/media/{}", sha(&mine)),
        format!("{link}/media/..%2F..%2F{}%2Fbundle.zip", sha(&mine)),
        format!("{link}/media/{}", "0".repeat(64)),
    ] {
        let r = get_with(&env, &path, &[]).await;
        assert_eq!(r.status, 404, "{path}: {}", text(&r));
        shows_no_evidence(&r);
    }
    let r = get_with(&env, "/review/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &[]).await;
    assert_eq!(r.status, 404);
    shows_no_evidence(&r);
}

pub async fn codes_expiry_revocation_and_the_log(kind: Kind) {
    let env = Env::start(kind).await;
    let zip = bundle(21, true, &evidence());
    upload(&env, &zip).await;
    let cookie = admin(&env).await;
    let (short, _) = create_link(&env, &cookie, &sha(&zip), 1, false).await;
    let (coded, code) = create_link(&env, &cookie, &sha(&zip), 30, true).await;
    let code = code.unwrap();
    let (revoked, _) = create_link(&env, &cookie, &sha(&zip), 30, false).await;
    let meta = env.server.as_ref().unwrap().state().meta.clone();
    let links = meta.review_links().await.unwrap();
    assert_eq!(links.len(), 3);
    assert!(
        links.iter().all(|l| !l.token_sha256.is_empty() && !short.contains(&l.token_sha256)),
        "only hashes are stored"
    );
    let id_of = |label_path: &str| {
        let token = label_path.trim_start_matches("/review/");
        let h = benchproof_server::review::sha256_hex(token);
        links.iter().find(|l| l.token_sha256 == h).unwrap().id.clone()
    };
    let (short_id, coded_id, revoked_id) = (id_of(&short), id_of(&coded), id_of(&revoked));

    // The code: required before anything shows, wrong ones refused, the right one opens it.
    let r = get_with(&env, &coded, &[]).await;
    assert_eq!(r.status, 401);
    shows_no_evidence(&r);
    assert!(text(&r).contains("name=\"code\""));
    assert_eq!(get_with(&env, &format!("{coded}/media/{}", sha(golden::PHOTO)), &[]).await.status, 401);
    let r = post_form(&env, &coded, &[], "code=NOTTHECODE").await;
    assert_eq!(r.status, 401);
    assert!(text(&r).contains("not right"));
    let r = post_form(&env, &coded, &[], &format!("code={}", code.to_lowercase())).await;
    assert_eq!(r.status, 303, "codes are case-insensitive: {}", text(&r));
    let set = r.header("set-cookie").unwrap().to_owned();
    assert!(set.contains(&format!("Path={coded}")) && set.contains("HttpOnly"), "{set}");
    let session = vec![("cookie".to_string(), set.split(';').next().unwrap().to_owned())];
    assert_eq!(get_with(&env, &coded, &session).await.status, 200);
    assert_eq!(get_with(&env, &format!("{coded}/media/{}", sha(golden::PHOTO)), &session).await.status, 200);
    let forged = vec![("cookie".to_string(), format!("bp_review={}", "0".repeat(64)))];
    assert_eq!(get_with(&env, &coded, &forged).await.status, 401);

    // Revoked: 410 and nothing shown, also for media.
    assert_eq!(post_form(&env, &format!("/admin/reviews/{revoked_id}/revoke"), &[], "").await.status, 303);
    assert_eq!(get_with(&env, &revoked, &[]).await.status, 200, "revoking needs a login");
    assert_eq!(post_form(&env, &format!("/admin/reviews/{revoked_id}/revoke"), &cookie, "").await.status, 303);
    assert_eq!(post_form(&env, &format!("/admin/reviews/{revoked_id}/revoke"), &cookie, "").await.status, 409);
    let r = get_with(&env, &revoked, &[]).await;
    assert_eq!(r.status, 410);
    assert!(text(&r).contains("withdrawn"));
    shows_no_evidence(&r);
    assert_eq!(get_with(&env, &format!("{revoked}/media/{}", sha(golden::PHOTO)), &[]).await.status, 410);

    // Expired: a day and a bit later the one-day link is gone, the 30-day one still works.
    env.clock.advance(Duration::from_secs(86_400 + 60));
    let r = get_with(&env, &short, &[]).await;
    assert_eq!(r.status, 410);
    assert!(text(&r).contains("expired"));
    shows_no_evidence(&r);
    assert_eq!(get_with(&env, &format!("{short}/receipt.json"), &[]).await.status, 410);
    assert_eq!(get_with(&env, &coded, &session).await.status, 200);

    // Five wrong codes lock the link, even for the browser that had the code.
    for _ in 0..4 {
        assert_eq!(post_form(&env, &coded, &[], "code=WRONGWRONG").await.status, 401);
    }
    let r = get_with(&env, &coded, &session).await;
    assert_eq!(r.status, 403);
    assert!(text(&r).contains("locked"));
    shows_no_evidence(&r);

    // Every access is in the log, with its outcome; the admin page shows it.
    let outcomes = |id: &str| {
        let meta = meta.clone();
        let id = id.to_owned();
        async move {
            meta.review_accesses(Some(&id))
                .await
                .unwrap()
                .into_iter()
                .map(|a| (a.resource, a.outcome))
                .collect::<Vec<_>>()
        }
    };
    let coded_log = outcomes(&coded_id).await;
    for want in [
        ("page", "code-required"),
        ("code", "code-refused"),
        ("code", "code-accepted"),
        ("page", "granted"),
        ("page", "locked"),
    ] {
        assert!(coded_log.iter().any(|(r, o)| (r.as_str(), o.as_str()) == want), "{want:?} missing from {coded_log:?}");
    }
    assert!(coded_log.iter().any(|(r, o)| r.starts_with("media ") && o == "granted"), "{coded_log:?}");
    assert!(outcomes(&short_id).await.iter().any(|(_, o)| o == "expired"));
    assert!(outcomes(&revoked_id).await.iter().any(|(_, o)| o == "revoked"));
    assert!(
        meta.review_accesses(None).await.unwrap().iter().all(|a| a.client.starts_with("127.0.0.1")),
        "the client address is logged"
    );
    let cookie = admin(&env).await; // the old session expired with the clock
    let page = text(&get_with(&env, "/admin/reviews", &cookie).await);
    for shown in ["Acme Ltd hiring", "expired", "revoked", "code-refused", "locked", "media "] {
        assert!(page.contains(shown), "the admin's log lacks {shown:?}");
    }
}
