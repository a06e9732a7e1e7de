//! HTTP Message Signatures (RFC 9421) with Ed25519, as `docs/sync-protocol.md` ("Station
//! authentication") fixes them: label `bp`, components `@method`, `@target-uri` and whichever of
//! `upload-offset`, `upload-length`, `upload-checksum`, `upload-metadata` the request carries (in
//! that order), parameters `created`, `nonce`, `keyid` (the station's did:key) and `alg="ed25519"`.
//!
//! Invariant: [`signature_base`] is the only place the signed bytes are built, and both
//! [`sign_request`] and [`verify_request`] use it, so signer and verifier cannot drift apart.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use benchproof_evidence::{DidKey, SigningKey};

/// The signature label.
pub const LABEL: &str = "bp";
/// The header fields that are covered when present, in signing order.
pub const COVERED_FIELDS: [&str; 4] = ["upload-offset", "upload-length", "upload-checksum", "upload-metadata"];

/// The request parts a signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestParts<'a> {
    /// `GET`, `HEAD`, `POST`, `PATCH`…, uppercase.
    pub method: &'a str,
    /// The absolute URI the client used (scheme, host, port, path, query).
    pub target_uri: &'a str,
    /// `(lowercase name, value)` of the request's header fields; only [`COVERED_FIELDS`] matter.
    pub fields: Vec<(&'a str, &'a str)>,
}

/// The signature parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParams {
    /// Unix seconds.
    pub created: i64,
    /// 16 random bytes as lowercase hex.
    pub nonce: String,
    /// The station's `did:key`.
    pub keyid: DidKey,
}

/// The three headers a signed station request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    /// `Signature-Input`.
    pub signature_input: String,
    /// `Signature`.
    pub signature: String,
    /// `Benchproof-Enrolment`.
    pub enrolment: String,
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The `Signature-Input` header is not the form this protocol uses.
    #[error("Signature-Input is malformed: {0}")]
    MalformedInput(&'static str),
    /// The `Signature` header is not `bp=:<base64>:`.
    #[error("Signature is malformed: expected bp=:<base64>:")]
    MalformedSignature,
    /// The signature does not verify with the `keyid`'s key.
    #[error("the signature does not verify with key {0}")]
    BadSignature(String),
}

/// The covered components of `parts`, in order.
fn components<'a>(parts: &RequestParts<'a>) -> Vec<(&'static str, &'a str)> {
    let mut out = vec![("@method", parts.method), ("@target-uri", parts.target_uri)];
    for name in COVERED_FIELDS {
        if let Some((_, value)) = parts.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            out.push((name, value.trim()));
        }
    }
    out
}

/// The `@signature-params` value: `("@method" …);created=…;nonce="…";keyid="…";alg="ed25519"`.
pub fn signature_params(names: &[&str], params: &SignatureParams) -> String {
    let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    format!(
        "({});created={};nonce=\"{}\";keyid=\"{}\";alg=\"ed25519\"",
        list.join(" "),
        params.created,
        params.nonce,
        params.keyid.did()
    )
}

/// The RFC 9421 §2.5 signature base of `parts` under `params`.
pub fn signature_base(parts: &RequestParts<'_>, params: &SignatureParams) -> String {
    let components = components(parts);
    let names: Vec<&str> = components.iter().map(|(n, _)| *n).collect();
    let mut base = String::new();
    for (name, value) in &components {
        base.push_str(&format!("\"{name}\": {value}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {}", signature_params(&names, params)));
    base
}

/// Signs `parts` with the station `key` and attaches its `enrolment` (the department-signed JSON).
pub fn sign_request(
    parts: &RequestParts<'_>,
    key: &SigningKey,
    created: i64,
    nonce: &str,
    enrolment: &serde_json::Value,
) -> SignatureHeaders {
    let params = SignatureParams { created, nonce: nonce.to_owned(), keyid: key.did_key() };
    let base = signature_base(parts, &params);
    let names: Vec<&str> = components(parts).iter().map(|(n, _)| *n).collect();
    let signature = key.sign(base.as_bytes());
    let enrolment = serde_json::to_vec(enrolment).expect("a JSON value always serialises");
    SignatureHeaders {
        signature_input: format!("{LABEL}={}", signature_params(&names, &params)),
        signature: format!("{LABEL}=:{}:", STANDARD.encode(signature)),
        enrolment: URL_SAFE_NO_PAD.encode(enrolment),
    }
}

/// Verifies a request's `Signature-Input` and `Signature` headers (for servers and tests):
/// parses the parameters, rebuilds the base from `parts` and checks the Ed25519 signature with
/// the `keyid`'s key. Returns the parameters; checking `created` against a clock and the nonce
/// against replays is the caller's job.
pub fn verify_request(
    parts: &RequestParts<'_>,
    signature_input: &str,
    signature: &str,
) -> Result<SignatureParams, SignatureError> {
    let params = parse_params(signature_input)?;
    let expected_input = format!("{LABEL}={}", {
        let names: Vec<&str> = components(parts).iter().map(|(n, _)| *n).collect();
        signature_params(&names, &params)
    });
    if expected_input != signature_input {
        return Err(SignatureError::MalformedInput(
            "the covered components or parameters are not exactly the ones this protocol signs",
        ));
    }
    let encoded =
        signature.strip_prefix("bp=:").and_then(|s| s.strip_suffix(':')).ok_or(SignatureError::MalformedSignature)?;
    let raw = STANDARD.decode(encoded).map_err(|_| SignatureError::MalformedSignature)?;
    let base = signature_base(parts, &params);
    params
        .keyid
        .public_key()
        .verify(base.as_bytes(), &raw)
        .map_err(|_| SignatureError::BadSignature(params.keyid.did()))?;
    Ok(params)
}

/// Reads `created`, `nonce` and `keyid` out of `bp=(…);created=…;nonce="…";keyid="…";alg="ed25519"`.
fn parse_params(input: &str) -> Result<SignatureParams, SignatureError> {
    let rest = input.strip_prefix("bp=(").ok_or(SignatureError::MalformedInput("it must start with bp=("))?;
    let (_, params) = rest.split_once(')').ok_or(SignatureError::MalformedInput("the component list is not closed"))?;
    let (mut created, mut nonce, mut keyid) = (None, None, None);
    for param in params.split(';').skip(1) {
        let (name, value) = param.split_once('=').ok_or(SignatureError::MalformedInput("a parameter has no value"))?;
        let quoted = || value.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
        match name {
            "created" => created = value.parse::<i64>().ok(),
            "nonce" => nonce = quoted().map(str::to_owned),
            "keyid" => keyid = quoted().and_then(|k| DidKey::parse(k).ok()),
            "alg" if value == "\"ed25519\"" => {}
            _ => return Err(SignatureError::MalformedInput("unknown parameter or algorithm")),
        }
    }
    Ok(SignatureParams {
        created: created.ok_or(SignatureError::MalformedInput("missing or invalid created"))?,
        nonce: nonce.ok_or(SignatureError::MalformedInput("missing nonce"))?,
        keyid: keyid.ok_or(SignatureError::MalformedInput("missing or invalid keyid (a did:key)"))?,
    })
}

#[cfg(test)]
mod tests {
    use benchproof_evidence::SecretSeed;

    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_seed(&SecretSeed::from_bytes([3; 32])).unwrap()
    }

    fn parts() -> RequestParts<'static> {
        RequestParts {
            method: "PATCH",
            target_uri: "https://dept.example.edu:8443/files/abc?x=1",
            fields: vec![("upload-checksum", "sha256 AAAA"), ("upload-offset", "0"), ("content-length", "9")],
        }
    }

    #[test]
    fn base_lists_present_fields_in_protocol_order() {
        let params = SignatureParams { created: 1_764_403_200, nonce: "00ff".into(), keyid: key().did_key() };
        let base = signature_base(&parts(), &params);
        let did = key().did_key().did();
        assert_eq!(
            base,
            format!(
                "\"@method\": PATCH\n\"@target-uri\": https://dept.example.edu:8443/files/abc?x=1\n\
                 \"upload-offset\": 0\n\"upload-checksum\": sha256 AAAA\n\
                 \"@signature-params\": (\"@method\" \"@target-uri\" \"upload-offset\" \"upload-checksum\");\
                 created=1764403200;nonce=\"00ff\";keyid=\"{did}\";alg=\"ed25519\""
            )
        );
    }

    #[test]
    fn sign_then_verify_and_refuse_changes() {
        let headers = sign_request(&parts(), &key(), 1_764_403_200, "ab", &serde_json::json!({"a": 1}));
        assert!(headers.signature_input.starts_with("bp=(\"@method\""));
        let params = verify_request(&parts(), &headers.signature_input, &headers.signature).unwrap();
        assert_eq!((params.created, params.nonce.as_str()), (1_764_403_200, "ab"));
        assert_eq!(URL_SAFE_NO_PAD.decode(&headers.enrolment).unwrap(), b"{\"a\":1}");

        let mut moved = parts();
        moved.fields[1] = ("upload-offset", "5");
        assert!(matches!(
            verify_request(&moved, &headers.signature_input, &headers.signature),
            Err(SignatureError::BadSignature(_))
        ));
        let mut added = parts();
        added.fields.push(("upload-length", "9"));
        assert!(verify_request(&added, &headers.signature_input, &headers.signature).is_err());
        assert!(verify_request(&parts(), &headers.signature_input, "bp=:AAAA:").is_err());
        assert!(verify_request(&parts(), "sig1=()", &headers.signature).is_err());
    }
}
