//! OAuth 2.0 for the OB 3.0 API, against every backend: dynamic registration and its refusals,
//! the consent page, PKCE, single-use codes (a replay revokes the grant), refresh rotation,
//! revocation, expiry and scopes — all through HTTP on loopback. `oauth_python.rs` runs the
//! same flow with an independent client library.

use base64::Engine as _;
use serde_json::json;

use crate::assessments::{admin, bundle, get_with, post_form, sha, text, upload};
use crate::client::{b64, send, Res};
use crate::harness::{Env, Kind};

pub const READ: &str = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly";
const CB: &str = "http://127.0.0.1:9/callback";

fn challenge(verifier: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d.as_ref())
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn register(env: &Env, body: serde_json::Value) -> Res {
    let ct = [("content-type".to_string(), "application/json".to_string())];
    send(env.addr, "POST", "/ims/ob/v3p0/oauth/register", &ct, body.to_string().as_bytes()).await
}

fn basic(id: &str, secret: &str) -> Vec<(String, String)> {
    vec![("authorization".into(), format!("Basic {}", b64(format!("{id}:{secret}").as_bytes())))]
}

fn query(location: &str) -> std::collections::HashMap<String, String> {
    let u = url::Url::parse(location).unwrap();
    u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn auth_query(client: &str, verifier: &str, extra: &str) -> String {
    format!(
        "response_type=code&client_id={client}&redirect_uri={}&scope={}&state=s-1&code_challenge={}&code_challenge_method=S256{extra}",
        enc(CB),
        enc(&format!("{READ} offline_access")),
        challenge(verifier)
    )
}

/// Consents as the admin (user and password on the form) and returns the code.
async fn consent(env: &Env, client: &str, verifier: &str) -> String {
    let form = auth_query(client, verifier, "&decision=allow&user=admin&password=a+long+enough+password");
    let r = post_form(env, "/ims/ob/v3p0/oauth/authorize", &[], &form).await;
    assert_eq!(r.status, 303, "{}", text(&r));
    let q = query(r.header("location").unwrap());
    assert_eq!((q["state"].as_str(), q["scope"].as_str()), ("s-1", format!("{READ} offline_access").as_str()));
    q["code"].clone()
}

async fn token(env: &Env, auth: &[(String, String)], form: &str) -> Res {
    post_form(env, "/ims/ob/v3p0/oauth/token", auth, form).await
}

fn bearer(t: &str) -> Vec<(String, String)> {
    vec![("authorization".into(), format!("Bearer {t}"))]
}

pub async fn authorization_code_flow(kind: Kind) {
    let env = Env::start(kind).await;
    let zip = bundle(61, true, &[]);
    upload(&env, &zip).await;
    let cookie = admin(&env).await;
    assert_eq!(post_form(&env, &format!("/admin/bundles/{}/issue", sha(&zip)), &cookie, "").await.status, 303);

    let d = get_with(&env, "/ims/ob/v3p0/discovery", &[]).await.json();
    let scheme = &d["components"]["securitySchemes"]["OAuth2ACG"];
    assert_eq!(scheme["type"], "oauth2");
    let base = format!("http://{}/ims/ob/v3p0/oauth", env.addr);
    assert_eq!(scheme["x-imssf-registrationUrl"], format!("{base}/register"));
    assert_eq!(scheme["flows"]["authorizationCode"]["tokenUrl"], format!("{base}/token"));
    assert!(scheme["flows"]["authorizationCode"]["scopes"][READ].is_string());

    // Registration refusals, each with its RFC 7591 code.
    for (body, code) in [
        (json!({"client_name": "x", "redirect_uris": ["http://platform.example/cb"]}), "invalid_redirect_uri"),
        (json!({"client_name": "x"}), "invalid_redirect_uri"),
        (json!({"redirect_uris": [CB]}), "invalid_client_metadata"),
        (
            json!({"client_name": "x", "redirect_uris": [CB], "scope": "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"}),
            "invalid_client_metadata",
        ),
        (
            json!({"client_name": "x", "redirect_uris": [CB], "grant_types": ["client_credentials"]}),
            "invalid_client_metadata",
        ),
    ] {
        let r = register(&env, body.clone()).await;
        assert_eq!((r.status, r.json()["error"].as_str()), (400, Some(code)), "{body}");
    }
    let r = register(
        &env,
        json!({
            "client_name": "Employer Badge Wallet", "client_uri": "https://wallet.example/",
            "redirect_uris": [CB], "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "scope": format!("{READ} https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert offline_access")
        }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", text(&r));
    let reg = r.json();
    assert_eq!(reg["scope"], format!("{READ} offline_access"), "unsupported scopes are narrowed away");
    let (id, secret) =
        (reg["client_id"].as_str().unwrap().to_owned(), reg["client_secret"].as_str().unwrap().to_owned());
    let client = basic(&id, &secret);

    // The consent page, and what may not redirect.
    let v1 = "a".repeat(43);
    let page = get_with(&env, &format!("/ims/ob/v3p0/oauth/authorize?{}", auth_query(&id, &v1, "")), &[]).await;
    assert_eq!(page.status, 200);
    assert!(text(&page).contains("Employer Badge Wallet") && text(&page).contains("127.0.0.1"), "{}", text(&page));
    let wrong_uri = auth_query(&id, &v1, "").replace(&enc(CB), &enc("https://evil.example/cb"));
    let r = get_with(&env, &format!("/ims/ob/v3p0/oauth/authorize?{wrong_uri}"), &[]).await;
    assert_eq!((r.status, r.header("location")), (400, None), "an unregistered redirect URI is never used");
    let r = get_with(&env, &format!("/ims/ob/v3p0/oauth/authorize?{}", auth_query("nobody", &v1, "")), &[]).await;
    assert_eq!(r.status, 400);
    let no_pkce = auth_query(&id, &v1, "").replace("code_challenge_method=S256", "code_challenge_method=plain");
    let r = get_with(&env, &format!("/ims/ob/v3p0/oauth/authorize?{no_pkce}"), &[]).await;
    let q = query(r.header("location").unwrap());
    assert_eq!((q["error"].as_str(), q["state"].as_str()), ("invalid_request", "s-1"));
    let r = post_form(&env, "/ims/ob/v3p0/oauth/authorize", &[], &auth_query(&id, &v1, "&decision=deny")).await;
    assert_eq!(query(r.header("location").unwrap())["error"], "access_denied");
    let bad_pw = auth_query(&id, &v1, "&decision=allow&user=admin&password=wrong");
    assert_eq!(post_form(&env, "/ims/ob/v3p0/oauth/authorize", &[], &bad_pw).await.status, 401);
    // A logged-in admin's own browser needs no password.
    let r = post_form(&env, "/ims/ob/v3p0/oauth/authorize", &cookie, &auth_query(&id, &v1, "&decision=allow")).await;
    assert!(query(r.header("location").unwrap()).contains_key("code"));

    // Token requests: client authentication, PKCE, redirect URI, single use.
    let code = consent(&env, &id, &v1).await;
    let exchange = |code: &str, verifier: &str| {
        format!(
            "grant_type=authorization_code&code={}&redirect_uri={}&scope={}&code_verifier={verifier}",
            enc(code),
            enc(CB),
            enc(READ)
        )
    };
    assert_eq!(token(&env, &[], &exchange(&code, &v1)).await.status, 401, "no client authentication");
    assert_eq!(token(&env, &basic(&id, "wrong"), &exchange(&code, &v1)).await.status, 401);
    let r = token(&env, &client, &exchange(&code, &"b".repeat(43))).await;
    assert_eq!((r.status, r.json()["error"].as_str()), (400, Some("invalid_grant")), "wrong verifier");
    let r = token(&env, &client, &exchange(&code, &v1)).await;
    assert_eq!(r.json()["error"], "invalid_grant", "a code tried once is spent");

    let code = consent(&env, &id, &v1).await;
    let r = token(&env, &client, &exchange(&code, &v1)).await;
    assert_eq!((r.status, r.header("cache-control")), (200, Some("no-store")), "{}", text(&r));
    let t = r.json();
    assert_eq!(
        (t["token_type"].as_str(), t["scope"].as_str(), t["expires_in"].as_i64()),
        (Some("Bearer"), Some(READ), Some(3600))
    );
    let access = t["access_token"].as_str().unwrap().to_owned();
    let refresh = t["refresh_token"].as_str().unwrap().to_owned();
    let r = get_with(&env, "/ims/ob/v3p0/credentials", &bearer(&access)).await;
    assert_eq!((r.status, r.header("x-total-count")), (200, Some("1")), "{}", text(&r));

    // Replaying the code revokes what it gave.
    assert_eq!(token(&env, &client, &exchange(&code, &v1)).await.json()["error"], "invalid_grant");
    let r = get_with(&env, "/ims/ob/v3p0/credentials", &bearer(&access)).await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().contains("invalid_token"));
    let refresh_form = |t: &str| format!("grant_type=refresh_token&refresh_token={}", enc(t));
    assert_eq!(token(&env, &client, &refresh_form(&refresh)).await.json()["error"], "invalid_grant");

    // Refresh rotation, narrowing, expiry, revocation.
    let code = consent(&env, &id, &v1).await;
    let t = token(&env, &client, &exchange(&code, &v1).replace(&enc(READ), &enc(&format!("{READ} offline_access"))))
        .await
        .json();
    let (access, refresh) =
        (t["access_token"].as_str().unwrap().to_owned(), t["refresh_token"].as_str().unwrap().to_owned());
    env.clock.advance(std::time::Duration::from_secs(3601));
    let r = get_with(&env, "/ims/ob/v3p0/credentials", &bearer(&access)).await;
    assert!(r.header("www-authenticate").unwrap().contains("expired"), "{:?}", r.header("www-authenticate"));
    let r = token(&env, &client, &format!("{}&scope={}", refresh_form(&refresh), enc("offline_access"))).await;
    let narrowed = r.json();
    assert_eq!(narrowed["scope"], "offline_access");
    let r = get_with(&env, "/ims/ob/v3p0/credentials", &bearer(narrowed["access_token"].as_str().unwrap())).await;
    assert_eq!(r.status, 403, "a token without credential.readonly");
    assert!(r.header("www-authenticate").unwrap().contains("insufficient_scope"));
    assert_eq!(token(&env, &client, &refresh_form(&refresh)).await.json()["error"], "invalid_grant", "rotated");
    let next = narrowed["refresh_token"].as_str().unwrap().to_owned();
    let wider = format!("{}&scope={}", refresh_form(&next), enc(READ));
    assert_eq!(token(&env, &client, &wider).await.json()["error"], "invalid_scope", "scopes never widen");
    let fresh = token(&env, &client, &refresh_form(&next)).await.json();
    let (access, last) =
        (fresh["access_token"].as_str().unwrap().to_owned(), fresh["refresh_token"].as_str().unwrap().to_owned());
    assert_eq!(fresh["scope"], "offline_access");
    let revoke = post_form(
        &env,
        "/ims/ob/v3p0/oauth/revoke",
        &client,
        &format!("token={}&token_type_hint=refresh_token", enc(&last)),
    )
    .await;
    assert_eq!(revoke.status, 200);
    assert_eq!(
        get_with(&env, "/ims/ob/v3p0/credentials", &bearer(&access)).await.status,
        401,
        "the grant's access token too"
    );
    assert_eq!(token(&env, &client, &refresh_form(&last)).await.json()["error"], "invalid_grant");
    let unknown = post_form(&env, "/ims/ob/v3p0/oauth/revoke", &client, "token=never-issued").await;
    assert_eq!(unknown.status, 200, "RFC 7009: unknown tokens are not an error");
    let r = token(&env, &client, "grant_type=password&username=a&password=b").await;
    assert_eq!(r.json()["error"], "unsupported_grant_type");
    let r = token(&env, &client, "grant_type=refresh_token&grant_type=refresh_token").await;
    assert_eq!(r.json()["error"], "invalid_request");
}
