//! verify_credential: a good credential verifies, and each kind of bad input is refused with its
//! own error.

use std::cell::RefCell;

use benchproof_credential::badge;
use benchproof_credential::digest::sha256;
use benchproof_credential::issuer::{IssuerDid, TrustedIssuers};
use benchproof_credential::proof::{ResolveError, VerifyError};
use benchproof_credential::rdfc::CanonError;
use benchproof_credential::status::{self, StatusList};
use benchproof_credential::verify::{EvidenceFile, RevocationCheck, StatusResolver};
use benchproof_credential::{verify_credential, verify_credential_json, CredentialError, Issuer, VerifyPolicy};
use benchproof_evidence::SigningKey;
use serde_json::Value;

use crate::common::{at, department_key, input, BUNDLE_BYTES, LIST_URL, SNIPPET_BYTES};

fn issued() -> (Value, TrustedIssuers) {
    let key = department_key();
    (badge::issue(&input(&key), &key).unwrap(), TrustedIssuers::new().with_did_key(&key.did_key()))
}

fn policy(trusted: &TrustedIssuers) -> VerifyPolicy<'_> {
    VerifyPolicy::new(trusted, at("2027-01-01T00:00:00Z"))
}

/// A status list server the test controls.
struct Lists(RefCell<StatusList>);
impl Lists {
    fn credential(&self) -> Value {
        let key = department_key();
        let issuer = Issuer::with_did_key(&key, "Physics Teaching Lab", "https://physics.example.edu/");
        status::issue_list_credential(LIST_URL, &issuer, &at("2026-06-01T00:00:00Z"), &self.0.borrow(), &key).unwrap()
    }
}
impl StatusResolver for Lists {
    fn status_list(&self, url: &str) -> Option<Value> {
        (url == LIST_URL).then(|| self.credential())
    }
}

#[test]
fn a_good_credential_verifies_with_every_check() {
    let (vc, trusted) = issued();
    let lists = Lists(RefCell::new(StatusList::default()));
    let mut p = policy(&trusted);
    p.status = Some(&lists);
    p.evidence = vec![
        EvidenceFile { id: None, label: "bundle.zip".into(), sha256: sha256(BUNDLE_BYTES) },
        EvidenceFile {
            id: Some("https://physics.example.edu/review/4f1c2d/snippets/1".into()),
            label: "snippet.mp4".into(),
            sha256: sha256(SNIPPET_BYTES),
        },
    ];
    let ok = verify_credential(&vc, &p).unwrap();
    assert_eq!(ok.id, "urn:uuid:0193f6a0-0000-7000-8000-000000000001");
    assert_eq!(ok.issuer, department_key().did_key().did());
    assert_eq!(ok.revocation, RevocationCheck::NotRevoked);
    assert_eq!(ok.evidence_checked, 2);
    let text = serde_json::to_string_pretty(&vc).unwrap();
    assert_eq!(verify_credential_json(&text, &p).unwrap(), ok);
    // Without a resolver the status is reported as not checked, not silently fine.
    assert_eq!(verify_credential(&vc, &policy(&trusted)).unwrap().revocation, RevocationCheck::NotChecked);
}

#[test]
fn a_changed_field_is_refused() {
    let (vc, trusted) = issued();
    for edit in [
        |v: &mut Value| v["credentialSubject"]["result"][0]["value"] = "fail".into(),
        |v: &mut Value| v["name"] = "Brain surgery".into(),
        |v: &mut Value| v["evidence"][0]["digestMultibase"] = "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA".into(),
        |v: &mut Value| v["credentialSubject"]["identifier"][0]["salt"] = "00".into(),
    ] {
        let mut tampered = vc.clone();
        edit(&mut tampered);
        assert_eq!(
            verify_credential(&tampered, &policy(&trusted)),
            Err(CredentialError::Proof(VerifyError::BadSignature))
        );
    }
}

#[test]
fn a_proof_from_another_key_is_refused() {
    let (vc, trusted) = issued();
    let intruder = SigningKey::from_seed_bytes(&[1; 32]).unwrap();
    // Signed by another key but claiming the department as issuer: the key is not the issuer's.
    let mut i = input(&department_key());
    i.issuer.did = IssuerDid::Key(department_key().did_key());
    let mut forged = badge::build(&i).unwrap();
    forged = benchproof_credential::proof::sign(
        &forged,
        &intruder,
        &benchproof_credential::proof::ProofOptions::assertion(
            intruder.verification_method_id(),
            at("2026-03-01T09:30:00Z"),
        ),
        benchproof_credential::contexts::ContextSet::standard(),
    )
    .unwrap();
    assert!(matches!(verify_credential(&forged, &policy(&trusted)), Err(CredentialError::KeyNotIssuers { .. })));
    // The department's verification method, but the intruder's signature.
    let mut swapped = forged.clone();
    swapped["proof"]["verificationMethod"] = vc["proof"]["verificationMethod"].clone();
    assert_eq!(verify_credential(&swapped, &policy(&trusted)), Err(CredentialError::Proof(VerifyError::BadSignature)));
    // A credential entirely by the intruder (its own issuer): not trusted.
    let own = badge::issue(&input(&intruder), &intruder).unwrap();
    assert_eq!(
        verify_credential(&own, &policy(&trusted)),
        Err(CredentialError::UntrustedIssuer(intruder.did_key().did()))
    );
    // Trusted issuer list knows the DID but not this method id.
    let mut odd = vc.clone();
    odd["proof"]["verificationMethod"] = format!("{}#other", department_key().did_key().did()).into();
    assert!(matches!(
        verify_credential(&odd, &policy(&trusted)),
        Err(CredentialError::Proof(VerifyError::Key(ResolveError::Untrusted(_))))
    ));
}

#[test]
fn an_unknown_context_is_refused() {
    let (mut vc, trusted) = issued();
    vc["@context"].as_array_mut().unwrap().push("https://evil.example/ctx.json".into());
    match verify_credential(&vc, &policy(&trusted)) {
        Err(CredentialError::Proof(VerifyError::Canon(CanonError::UnknownContext(e)))) => {
            assert_eq!(e.url, "https://evil.example/ctx.json")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_added_undefined_term_is_refused_by_name() {
    let (mut vc, trusted) = issued();
    vc["credentialSubject"]["achievement"]["secretLevel"] = "gold".into();
    assert_eq!(
        verify_credential(&vc, &policy(&trusted)),
        Err(CredentialError::Proof(VerifyError::Canon(CanonError::UndefinedTerm { term: "secretLevel".into() })))
    );
}

#[test]
fn validity_dates_are_enforced() {
    let (vc, trusted) = issued();
    let early = VerifyPolicy::new(&trusted, at("2026-02-28T00:00:00Z"));
    assert_eq!(verify_credential(&vc, &early), Err(CredentialError::NotYetValid("2026-03-01T09:30:00Z".into())));
    let late = VerifyPolicy::new(&trusted, at("2031-03-01T09:30:00Z"));
    assert_eq!(verify_credential(&vc, &late), Err(CredentialError::Expired("2031-03-01T09:30:00Z".into())));
}

#[test]
fn revocation_flips_the_verdict() {
    let (vc, trusted) = issued();
    let lists = Lists(RefCell::new(StatusList::default()));
    let mut p = policy(&trusted);
    p.status = Some(&lists);
    verify_credential(&vc, &p).unwrap();
    lists.0.borrow_mut().set(94_567, true).unwrap();
    assert_eq!(verify_credential(&vc, &p), Err(CredentialError::Revoked { list: LIST_URL.into(), index: 94_567 }));
    // A neighbouring bit does not affect it.
    lists.0.borrow_mut().set(94_567, false).unwrap();
    lists.0.borrow_mut().set(94_568, true).unwrap();
    verify_credential(&vc, &p).unwrap();
}

#[test]
fn a_status_list_that_cannot_be_trusted_is_not_used() {
    let (vc, trusted) = issued();
    let none = |_: &str| -> Option<Value> { None };
    let mut p = policy(&trusted);
    p.status = Some(&none);
    assert!(matches!(verify_credential(&vc, &p), Err(CredentialError::StatusUnavailable(_))));
    // A list with every bit clear but a tampered signature is refused, not believed.
    let lists = Lists(RefCell::new(StatusList::default()));
    let tampered = move |_: &str| -> Option<Value> {
        let mut list = lists.credential();
        list["validFrom"] = "2026-06-02T00:00:00Z".into();
        Some(list)
    };
    p.status = Some(&tampered);
    assert!(matches!(verify_credential(&vc, &p), Err(CredentialError::StatusUnavailable(m)) if m.contains("proof")));
}

#[test]
fn an_evidence_file_that_does_not_match_is_refused() {
    let (vc, trusted) = issued();
    let mut p = policy(&trusted);
    p.evidence = vec![EvidenceFile { id: None, label: "bundle.zip".into(), sha256: sha256(b"a different bundle") }];
    assert_eq!(
        verify_credential(&vc, &p),
        Err(CredentialError::EvidenceMismatch { label: "bundle.zip".into(), target: String::new() })
    );
    p.evidence = vec![EvidenceFile {
        id: Some("https://physics.example.edu/review/4f1c2d/snippets/1".into()),
        label: "snippet.mp4".into(),
        sha256: sha256(BUNDLE_BYTES),
    }];
    assert!(matches!(verify_credential(&vc, &p), Err(CredentialError::EvidenceMismatch { .. })));
}

#[test]
fn did_web_issuers_verify_through_their_did_document() {
    let key = department_key();
    let mut i = input(&key);
    i.issuer.did = IssuerDid::web("physics.example.edu", key.public_key()).unwrap();
    let vc = badge::issue(&i, &key).unwrap();
    assert_eq!(vc["issuer"]["id"], "did:web:physics.example.edu");
    let trusted = TrustedIssuers::new().with_did_document(&i.issuer.did.did_document()).unwrap();
    verify_credential(&vc, &policy(&trusted)).unwrap();
}

#[test]
fn not_json_is_refused() {
    let trusted = TrustedIssuers::new();
    assert!(matches!(verify_credential_json("{", &policy(&trusted)), Err(CredentialError::NotJson(_))));
}
