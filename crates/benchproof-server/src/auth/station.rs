//! Station authentication: HTTP Message Signatures (RFC 9421) with Ed25519, as
//! `docs/sync-protocol.md` specifies.
//!
//! Invariants: a request is authenticated only if (1) the covered components are exactly
//! `@method`, `@target-uri` and each tus header the request carries, in protocol order, so no
//! header that matters can be added or changed unsigned; (2) the Ed25519 signature over the
//! RFC 9421 §2.5 signature base verifies with the key named by `keyid`; (3) `created` is within
//! [`MAX_SKEW_SECS`] of the server clock; (4) the nonce was not seen in the last
//! [`NONCE_TTL_SECS`] (remembered in the metadata store, so all server processes share it);
//! (5) the enrolment header is a department-signed station enrolment for that key, valid now
//! and not revoked. Signature checks come before the nonce is remembered, so garbage cannot
//! fill the cache.

use axum::http::request::Parts;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use benchproof_evidence::enrolment::{Enrolment, Role};
use benchproof_evidence::{DidKey, XsdDateTime};

use crate::clock::rfc3339;
use crate::problem::Problem;
use crate::state::AppState;

/// Largest accepted difference between `created` and the server clock.
pub const MAX_SKEW_SECS: i64 = 300;
/// How long a nonce is remembered.
pub const NONCE_TTL_SECS: i64 = 600;
/// The tus headers that must be covered when present, in protocol order.
pub const SIGNED_HEADERS: [&str; 4] = ["upload-offset", "upload-length", "upload-checksum", "upload-metadata"];

/// An authenticated, enrolled station.
#[derive(Debug, Clone)]
pub struct Station {
    pub did: DidKey,
    pub name: String,
}

/// The parsed `Signature-Input` member.
#[derive(Debug, PartialEq, Eq)]
struct SignatureInput<'a> {
    label: &'a str,
    components: Vec<&'a str>,
    /// The member value exactly as sent (`("@method" …);created=…`): `@signature-params`.
    params_text: &'a str,
    created: Option<i64>,
    nonce: Option<&'a str>,
    keyid: Option<&'a str>,
    alg: Option<&'a str>,
}

fn parse_input(header: &str) -> Result<SignatureInput<'_>, String> {
    let (label, rest) = header.split_once('=').ok_or("Signature-Input has no label")?;
    let label = label.trim();
    let params_text = rest.trim();
    let inner = params_text.strip_prefix('(').ok_or("Signature-Input must start with a component list")?;
    let (list, params) = inner.split_once(')').ok_or("Signature-Input's component list is not closed")?;
    let components = list
        .split_whitespace()
        .map(|c| c.strip_prefix('"').and_then(|c| c.strip_suffix('"')).ok_or(format!("component {c} is not quoted")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = SignatureInput { label, components, params_text, created: None, nonce: None, keyid: None, alg: None };
    for p in params.split(';').filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=').ok_or(format!("signature parameter {p} has no value"))?;
        let unq =
            || v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).ok_or(format!("parameter {k} must be quoted"));
        match k {
            "created" => out.created = Some(v.parse().map_err(|_| format!("created={v} is not an integer"))?),
            "nonce" => out.nonce = Some(unq()?),
            "keyid" => out.keyid = Some(unq()?),
            "alg" => out.alg = Some(unq()?),
            _ => {}
        }
    }
    Ok(out)
}

/// The `@target-uri` the client used: `public_url` (behind a proxy) or `http://<Host>`, plus
/// the path and query.
pub fn target_uri(parts: &Parts, public_url: Option<&str>) -> Result<String, Problem> {
    let pq = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    match public_url {
        Some(base) => Ok(format!("{}{pq}", base.trim_end_matches('/'))),
        None => {
            let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).ok_or_else(|| {
                Problem::unauthorised("the request has no Host header, so @target-uri cannot be checked")
            })?;
            Ok(format!("http://{host}{pq}"))
        }
    }
}

/// The RFC 9421 §2.5 signature base.
pub fn signature_base(method: &str, target_uri: &str, headers: &[(&str, &str)], params_text: &str) -> String {
    let mut base = format!("\"@method\": {method}\n\"@target-uri\": {target_uri}\n");
    for (name, value) in headers {
        base.push_str(&format!("\"{name}\": {}\n", value.trim()));
    }
    base.push_str(&format!("\"@signature-params\": {params_text}"));
    base
}

/// Checks the request's signature and enrolment; see the module invariants.
pub async fn authenticate(state: &AppState, parts: &Parts) -> Result<Station, Problem> {
    let h = |n: &str| {
        parts.headers.get(n).map(|v| v.to_str().map_err(|_| Problem::bad_request(format!("header {n} is not text"))))
    };
    let input = h("signature-input").transpose()?.ok_or_else(|| {
        Problem::unauthorised("sign the request with the station key (Signature-Input and Signature headers, RFC 9421)")
    })?;
    let input = parse_input(input).map_err(|e| Problem::unauthorised(format!("{e}; see docs/sync-protocol.md")))?;
    let signature =
        h("signature").transpose()?.ok_or_else(|| Problem::unauthorised("the Signature header is missing"))?;
    let sig_b64 = signature
        .split_once('=')
        .filter(|(l, _)| l.trim() == input.label)
        .and_then(|(_, v)| v.trim().strip_prefix(':')?.strip_suffix(':'))
        .ok_or_else(|| {
            Problem::unauthorised(format!("the Signature header has no :base64: value labelled {}", input.label))
        })?;
    let sig = STANDARD.decode(sig_b64).map_err(|_| Problem::unauthorised("the signature is not base64"))?;

    // Exactly the components the protocol names, for the headers this request carries.
    let mut expected = vec!["@method", "@target-uri"];
    let mut headers = Vec::new();
    for name in SIGNED_HEADERS {
        if let Some(v) = h(name).transpose()? {
            expected.push(name);
            headers.push((name, v));
        }
    }
    if input.components != expected {
        return Err(Problem::unauthorised(format!(
            "the signature covers {:?} but must cover exactly {expected:?} for this request",
            input.components
        )));
    }
    if input.alg != Some("ed25519") {
        return Err(Problem::unauthorised("alg must be \"ed25519\""));
    }
    let keyid = input.keyid.ok_or_else(|| Problem::unauthorised("keyid (the station's did:key) is missing"))?;
    let did = DidKey::parse(keyid).map_err(|e| Problem::unauthorised(format!("keyid is not a did:key: {e}")))?;
    let created = input.created.ok_or_else(|| Problem::unauthorised("created is missing"))?;
    let nonce = input
        .nonce
        .filter(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .ok_or_else(|| Problem::unauthorised("nonce must be 16 random bytes as 32 lowercase hex digits"))?;

    let base = signature_base(
        parts.method.as_str(),
        &target_uri(parts, state.config.public_url.as_deref())?,
        &headers,
        input.params_text,
    );
    did.public_key().verify(base.as_bytes(), &sig).map_err(|_| {
        Problem::unauthorised(
            "the signature does not verify with the keyid's key (check the signed @target-uri and headers)",
        )
    })?;

    let now_ms = state.clock.now_ms();
    let skew = created - now_ms.div_euclid(1000);
    if skew.abs() > MAX_SKEW_SECS {
        return Err(Problem::unauthorised(format!(
            "the signature was created {skew} s from the server's clock (limit ±{MAX_SKEW_SECS} s); set the station's clock and retry"
        )));
    }

    let station = check_enrolment(state, parts, &did, now_ms)?;

    if !state.meta.remember_nonce(nonce, now_ms, now_ms + NONCE_TTL_SECS * 1000).await? {
        return Err(Problem::unauthorised(
            "this signature's nonce was already used (a replayed request); sign each request afresh",
        ));
    }
    state.meta.touch_station(&station.did.to_string(), &station.name, now_ms).await?;
    Ok(station)
}

fn check_enrolment(state: &AppState, parts: &Parts, did: &DidKey, now_ms: i64) -> Result<Station, Problem> {
    let header = parts.headers.get("benchproof-enrolment").and_then(|v| v.to_str().ok()).ok_or_else(|| {
        Problem::forbidden("send the station's enrolment in Benchproof-Enrolment (base64url of the signed JSON)")
    })?;
    let json = URL_SAFE_NO_PAD
        .decode(header.trim())
        .map_err(|_| Problem::forbidden("Benchproof-Enrolment is not base64url without padding"))?;
    let doc: serde_json::Value = serde_json::from_slice(&json)
        .map_err(|e| Problem::forbidden(format!("Benchproof-Enrolment is not JSON: {e}")))?;
    let trust = &state.config.trust;
    let enrolment = Enrolment::verify(&doc, &trust.department)
        .map_err(|e| Problem::forbidden(format!("the enrolment is not trusted by this department: {e}")))?;
    if enrolment.role != Role::Station {
        return Err(Problem::forbidden(format!("the enrolment is for a {}, not a station", enrolment.role.as_str())));
    }
    if &enrolment.subject != did {
        return Err(Problem::forbidden(format!(
            "the enrolment is for {}, but the request is signed by {did}",
            enrolment.subject
        )));
    }
    let now = XsdDateTime::parse_stamp(&rfc3339(now_ms)).map_err(|e| Problem::internal(format!("clock: {e}")))?;
    enrolment.check_covers(&now, &now, trust.revocations.as_ref()).map_err(|e| {
        Problem::forbidden(format!(
            "the station enrolment of {:?} is {e}; ask the department to re-enrol it",
            enrolment.name
        ))
    })?;
    Ok(Station { did: did.clone(), name: enrolment.name })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_protocol_example() {
        let h = r#"bp=("@method" "@target-uri" "upload-offset");created=1764403200;nonce="00112233445566778899aabbccddeeff";keyid="did:key:z6Mk";alg="ed25519""#;
        let i = parse_input(h).unwrap();
        assert_eq!(i.label, "bp");
        assert_eq!(i.components, ["@method", "@target-uri", "upload-offset"]);
        assert_eq!(i.created, Some(1_764_403_200));
        assert_eq!(i.keyid, Some("did:key:z6Mk"));
        assert_eq!(i.params_text, &h[3..]);
        assert!(parse_input("bp=\"@method\"").is_err());
    }

    #[test]
    fn base_matches_rfc_9421_layout() {
        let b = signature_base("PATCH", "http://h/files/x", &[("upload-offset", "0")], "(\"@method\")");
        assert_eq!(b, "\"@method\": PATCH\n\"@target-uri\": http://h/files/x\n\"upload-offset\": 0\n\"@signature-params\": (\"@method\")");
    }
}
