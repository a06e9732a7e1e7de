//! The issuing department: its name, URL and DID (`did:key`, or `did:web` for a department with
//! a domain), the DID document a `did:web` department publishes at `/.well-known/did.json`, and
//! the trusted-issuer list a verifier resolves keys from.
//!
//! Invariant: a trusted issuer's keys are known in advance (a `did:key` is its own key; a
//! `did:web` DID document is handed over by the caller); nothing is fetched.

use benchproof_evidence::{DidKey, PublicKey, SigningKey};
use serde_json::{json, Value};

use crate::proof::{KeyResolver, ResolveError};

/// The key fragment of a `did:web` department's one key.
pub const DID_WEB_KEY_FRAGMENT: &str = "key-1";

/// How a department is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssuerDid {
    /// `did:key:z6Mk…`: works with no domain and no server.
    Key(DidKey),
    /// `did:web:<domain>` (a port is written `%3A`): the department publishes its DID document at
    /// `https://<domain>/.well-known/did.json`.
    Web {
        /// The domain, e.g. `physics.example.edu` or `localhost:8443`.
        domain: String,
        /// The department's public key.
        key: PublicKey,
    },
}

/// A `did:web` domain that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a usable did:web domain: give a host name such as physics.example.edu (optionally with :port), without scheme or path")]
pub struct BadDomain(pub String);

impl IssuerDid {
    /// The `did:web` name of `domain` for `key`.
    pub fn web(domain: &str, key: PublicKey) -> Result<IssuerDid, BadDomain> {
        let ok = !domain.is_empty()
            && domain.split(':').count() <= 2
            && domain.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            && !domain.starts_with(['.', '-', ':'])
            && domain
                .split_once(':')
                .is_none_or(|(_, port)| !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            return Err(BadDomain(domain.to_owned()));
        }
        Ok(IssuerDid::Web { domain: domain.to_ascii_lowercase(), key })
    }

    /// The DID.
    pub fn did(&self) -> String {
        match self {
            IssuerDid::Key(key) => key.did(),
            IssuerDid::Web { domain, .. } => format!("did:web:{}", domain.replace(':', "%3A")),
        }
    }

    /// The verification method that signs credentials.
    pub fn verification_method(&self) -> String {
        match self {
            IssuerDid::Key(key) => key.verification_method_id(),
            IssuerDid::Web { .. } => format!("{}#{DID_WEB_KEY_FRAGMENT}", self.did()),
        }
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            IssuerDid::Key(key) => *key.public_key(),
            IssuerDid::Web { key, .. } => *key,
        }
    }

    /// The DID document (`/.well-known/did.json` for `did:web`; the implied document for
    /// `did:key`): one Ed25519 Multikey, usable for `assertionMethod` and `authentication`.
    pub fn did_document(&self) -> Value {
        let did = self.did();
        let method = self.verification_method();
        json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": did,
            "verificationMethod": [{
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": self.public_key().to_multibase(),
            }],
            "assertionMethod": [method],
            "authentication": [method],
        })
    }
}

/// The issuing department as credentials name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// The DID (the `issuer.id`).
    pub did: IssuerDid,
    /// The department's name (`issuer.name`).
    pub name: String,
    /// The department's web page (`issuer.url`).
    pub url: String,
}

impl Issuer {
    /// The issuer for a `did:key` signing key.
    pub fn with_did_key(key: &SigningKey, name: impl Into<String>, url: impl Into<String>) -> Issuer {
        Issuer { did: IssuerDid::Key(key.did_key()), name: name.into(), url: url.into() }
    }
}

/// A DID document that cannot be trusted as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDidDocument {
    /// No string `id`.
    #[error("the DID document has no id")]
    NoId,
    /// No Ed25519 Multikey listed under `assertionMethod`.
    #[error("the DID document {0} lists no Ed25519 Multikey under assertionMethod")]
    NoAssertionKey(String),
}

/// Issuers a verifier trusts, with their assertion keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedIssuers {
    issuers: Vec<(String, Vec<(String, PublicKey)>)>,
}

impl TrustedIssuers {
    /// No issuer trusted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts a `did:key` issuer.
    pub fn with_did_key(mut self, key: &DidKey) -> Self {
        self.issuers.push((key.did(), vec![(key.verification_method_id(), *key.public_key())]));
        self
    }

    /// Trusts an issuer by its DID document (e.g. a department's `/.well-known/did.json`): every
    /// Ed25519 Multikey listed under `assertionMethod`.
    pub fn with_did_document(mut self, document: &Value) -> Result<Self, BadDidDocument> {
        let did = document.get("id").and_then(Value::as_str).ok_or(BadDidDocument::NoId)?.to_owned();
        let methods: Vec<&Value> = document
            .get("verificationMethod")
            .and_then(Value::as_array)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        let absolute = |id: &str| if id.starts_with('#') { format!("{did}{id}") } else { id.to_owned() };
        let mut keys = Vec::new();
        for reference in document.get("assertionMethod").and_then(Value::as_array).into_iter().flatten() {
            let method = match reference {
                Value::String(id) => methods
                    .iter()
                    .copied()
                    .find(|m| m.get("id").and_then(Value::as_str).map(absolute) == Some(absolute(id))),
                other => Some(other),
            };
            let Some(method) = method else { continue };
            let (Some(id), Some(multibase)) =
                (method.get("id").and_then(Value::as_str), method.get("publicKeyMultibase").and_then(Value::as_str))
            else {
                continue;
            };
            if let Ok(key) = PublicKey::from_multibase(multibase) {
                keys.push((absolute(id), key));
            }
        }
        if keys.is_empty() {
            return Err(BadDidDocument::NoAssertionKey(did));
        }
        self.issuers.push((did, keys));
        Ok(self)
    }

    /// Whether `did` is trusted.
    pub fn trusts(&self, did: &str) -> bool {
        self.issuers.iter().any(|(d, _)| d == did)
    }

    /// The DID a verification method belongs to (the part before `#`).
    pub fn controller_of(method: &str) -> &str {
        method.split_once('#').map_or(method, |(did, _)| did)
    }
}

impl KeyResolver for TrustedIssuers {
    fn resolve(&self, method: &str, purpose: &str) -> Result<PublicKey, ResolveError> {
        if purpose != "assertionMethod" {
            return Err(ResolveError::WrongPurpose { method: method.into(), purpose: purpose.into() });
        }
        self.issuers
            .iter()
            .flat_map(|(_, keys)| keys)
            .find(|(id, _)| id == method)
            .map(|(_, key)| *key)
            .ok_or_else(|| ResolveError::Untrusted(method.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_seed_bytes(&[7; 32]).unwrap()
    }

    #[test]
    fn did_web_names_and_document_round_trip_into_trust() {
        let did = IssuerDid::web("Physics.example.edu:8443", key().public_key()).unwrap();
        assert_eq!(did.did(), "did:web:physics.example.edu%3A8443");
        assert_eq!(did.verification_method(), "did:web:physics.example.edu%3A8443#key-1");
        let trusted = TrustedIssuers::new().with_did_document(&did.did_document()).unwrap();
        assert!(trusted.trusts(&did.did()));
        assert_eq!(trusted.resolve(&did.verification_method(), "assertionMethod"), Ok(key().public_key()));
        assert!(matches!(
            trusted.resolve(&did.verification_method(), "authentication"),
            Err(ResolveError::WrongPurpose { .. })
        ));
    }

    #[test]
    fn bad_domains_are_refused() {
        for bad in ["", "https://x.edu", "x.edu/path", "x.edu:", "x.edu:port", ":8443"] {
            assert!(IssuerDid::web(bad, key().public_key()).is_err(), "{bad}");
        }
    }

    #[test]
    fn did_key_trust_resolves_only_its_own_method() {
        let trusted = TrustedIssuers::new().with_did_key(&key().did_key());
        assert_eq!(trusted.resolve(&key().verification_method_id(), "assertionMethod"), Ok(key().public_key()));
        let other = SigningKey::from_seed_bytes(&[8; 32]).unwrap();
        assert!(matches!(
            trusted.resolve(&other.verification_method_id(), "assertionMethod"),
            Err(ResolveError::Untrusted(_))
        ));
    }
}
