//! Rubric packs: how one department hands its public key and its rubrics to another.
//!
//! A pack is one JSON document (`BenchproofRubricPack`, format version 1) secured with a W3C Data
//! Integrity `eddsa-jcs-2022` proof by the department key it carries:
//!
//! ```json
//! { "type": "BenchproofRubricPack", "formatVersion": 1,
//!   "department": { "did": "did:key:z6Mk…", "name": "…", "url": "…", "didWeb": "bench.example.edu" },
//!   "issued": "2026-11-29T14:00:00Z",
//!   "rubrics": [ { "file": "x.toml", "id": "…", "version": "…", "sha256": "<hex>", "text": "…" } ],
//!   "revocations": { …the department's signed revocation list, if it has one… },
//!   "proof": { "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", … } }
//! ```
//!
//! Invariants: a pack verifies only if it is signed by the very key it carries, every rubric text
//! parses and hashes to the stated id, version and SHA-256, and an embedded revocation list is
//! signed by the same key. The fields are frozen; a change makes a new format version. `url` and
//! `didWeb` are the department's own claims (signed, but not checked against the web).

use benchproof_credential::issuer::{BadDomain, IssuerDid};
use benchproof_domain::rubric::{self, Rubric};
use benchproof_domain::{Sha256, Timestamp};
use benchproof_evidence::data_integrity::{secure_document, verify, ProofOptions, VerifyError, VerifyOptions};
use benchproof_evidence::enrolment::{RevocationList, TrustError};
use benchproof_evidence::{DidKey, XsdDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::rubrics::RubricSource;
use crate::trust::DepartmentKey;
use benchproof_bundle::seal::xsd;

pub const PACK_TYPE: &str = "BenchproofRubricPack";
pub const PACK_FORMAT_VERSION: u32 = 1;

/// A rubric pack as signed (without its proof).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RubricPack {
    #[serde(rename = "type")]
    pub kind: String,
    pub format_version: u32,
    pub department: PackDepartment,
    pub issued: XsdDateTime,
    pub rubrics: Vec<PackRubric>,
    /// The department's signed revocation list (`BenchproofRevocationList`), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocations: Option<Value>,
}

/// Who the pack is from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackDepartment {
    pub did: DidKey,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The `did:web` domain the department's server issues credentials under (same key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub did_web: Option<String>,
}

/// One rubric, with its exact text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackRubric {
    /// The file name the department keeps it under (a label; never used as a path).
    pub file: String,
    pub id: String,
    pub version: String,
    pub sha256: Sha256,
    pub text: String,
}

/// A pack whose proof, rubrics and revocations all checked.
#[derive(Debug, Clone)]
pub struct VerifiedPack {
    pub pack: RubricPack,
    /// The rubrics, parsed, in pack order.
    pub rubrics: Vec<Rubric>,
    pub revocations: Option<RevocationList>,
}

/// Why a pack is refused.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("not a rubric pack: {0}")]
    Malformed(String),
    #[error("unsupported rubric pack format version {0}; upgrade benchproof")]
    UnsupportedVersion(u32),
    #[error("the pack has no proof: ask the department for the signed pack `benchproof dept export-pack` writes")]
    Unsigned,
    #[error("the pack carries the key {carried} but is signed by {signer}: a pack must be signed by the key it carries (was the key swapped?)")]
    NotSignedByItsKey { carried: DidKey, signer: String },
    #[error("the pack's signature does not verify: it was changed after {department:?} signed it ({source})")]
    Signature { department: String, source: VerifyError },
    #[error("rubric {file}: its text does not hash to the SHA-256 the pack states ({stated}): the text was edited after the department signed the pack")]
    RubricEdited { file: String, stated: Sha256 },
    #[error("rubric {file}: not a valid rubric: {detail}")]
    RubricInvalid { file: String, detail: String },
    #[error("rubric {file}: the pack calls it {stated}, but its text is {actual}")]
    RubricMislabelled { file: String, stated: String, actual: String },
    #[error("the pack lists rubric {0} twice")]
    DuplicateRubric(String),
    #[error("the pack's revocation list is not the department's: {0}")]
    Revocations(TrustError),
    #[error("the pack's did:web domain: {0}")]
    DidWeb(BadDomain),
}

/// What a department adds to its pack besides key, name and rubrics.
#[derive(Debug, Clone, Default)]
pub struct PackOptions {
    /// The department's web address.
    pub url: Option<String>,
    /// The `did:web` domain its server issues under (`benchproof serve --did-web`).
    pub did_web: Option<String>,
}

/// Builds and signs the pack of `rubrics`, with the department's current revocation list.
pub fn export(
    dept: &DepartmentKey,
    rubrics: &[RubricSource],
    options: &PackOptions,
    at: Timestamp,
) -> Result<Value, crate::StationError> {
    // The exact signed list on file (checked against the key first), not a re-signed copy.
    let revocations = match dept.revocations()? {
        Some(_) => Some(super::read_json(&dept.dir.join("revocations.json"))?),
        None => None,
    };
    let pack = RubricPack {
        kind: PACK_TYPE.into(),
        format_version: PACK_FORMAT_VERSION,
        department: PackDepartment {
            did: dept.info.did.clone(),
            name: dept.info.name.clone(),
            url: options.url.clone(),
            did_web: options.did_web.clone(),
        },
        issued: xsd(at),
        rubrics: rubrics
            .iter()
            .map(|r| PackRubric {
                file: file_label(r),
                id: r.rubric.id.clone(),
                version: r.rubric.version.clone(),
                sha256: r.rubric.sha256,
                text: r.text.clone(),
            })
            .collect(),
        revocations,
    };
    // Refuse to sign what an importer would refuse (a bad domain, a rubric listed twice).
    check_content(&pack).map_err(super::TrustProblem::from)?;
    let doc = serde_json::to_value(&pack).expect("packs serialise");
    let key = dept.signing_key();
    secure_document(&doc, key, &ProofOptions::assertion(key).with_created(xsd(at)))
        .map_err(|e| super::TrustProblem::from(e).into())
}

fn file_label(r: &RubricSource) -> String {
    match &r.origin {
        crate::rubrics::Origin::Bundled(name) => name.clone(),
        crate::rubrics::Origin::File(path) | crate::rubrics::Origin::Imported(path) => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("{}.toml", r.rubric.id)),
    }
}

/// Checks a pack: structure, the key it carries against its proof's signer, each rubric text,
/// the revocation list, then the signature.
pub fn verify_pack(doc: &Value) -> Result<VerifiedPack, PackError> {
    let mut unsigned = doc.clone();
    let proof = unsigned.as_object_mut().and_then(|o| o.remove("proof"));
    let pack: RubricPack = serde_json::from_value(unsigned).map_err(|e| PackError::Malformed(e.to_string()))?;
    if pack.kind != PACK_TYPE {
        return Err(PackError::Malformed(format!("type is {:?}, not {PACK_TYPE:?}", pack.kind)));
    }
    if pack.format_version != PACK_FORMAT_VERSION {
        return Err(PackError::UnsupportedVersion(pack.format_version));
    }
    let rubrics = check_content(&pack)?;
    let revocations = match &pack.revocations {
        Some(list) => Some(RevocationList::verify(list, &pack.department.did).map_err(PackError::Revocations)?),
        None => None,
    };

    // Name a swapped key as such before the signature check (which it also fails).
    let proof = proof.ok_or(PackError::Unsigned)?;
    let method = proof.get("verificationMethod").and_then(Value::as_str).unwrap_or_default();
    if method != pack.department.did.verification_method_id() {
        return Err(PackError::NotSignedByItsKey { carried: pack.department.did.clone(), signer: method.to_owned() });
    }
    let options = VerifyOptions { expected_proof_purpose: Some("assertionMethod".into()), ..Default::default() };
    let signed = verify(doc, &options)
        .map_err(|source| PackError::Signature { department: pack.department.name.clone(), source })?;
    if signed.signer != pack.department.did {
        return Err(PackError::NotSignedByItsKey {
            carried: pack.department.did.clone(),
            signer: signed.signer.to_string(),
        });
    }
    Ok(VerifiedPack { pack, rubrics, revocations })
}

/// The checks that need no key: the did:web domain and every rubric against its stated labels.
fn check_content(pack: &RubricPack) -> Result<Vec<Rubric>, PackError> {
    if pack.department.name.trim().is_empty() {
        return Err(PackError::Malformed("the department has no name".into()));
    }
    if let Some(domain) = &pack.department.did_web {
        IssuerDid::web(domain, *pack.department.did.public_key()).map_err(PackError::DidWeb)?;
    }
    let mut parsed: Vec<Rubric> = Vec::new();
    for r in &pack.rubrics {
        let file = r.file.clone();
        if Sha256::of(r.text.as_bytes()) != r.sha256 {
            return Err(PackError::RubricEdited { file, stated: r.sha256 });
        }
        let rubric = rubric::parse(&format!("{} pack: {file}", pack.department.name), &r.text)
            .map_err(|e| PackError::RubricInvalid { file: file.clone(), detail: e.to_string() })?;
        if rubric.id != r.id || rubric.version != r.version {
            return Err(PackError::RubricMislabelled {
                file,
                stated: format!("{} {}", r.id, r.version),
                actual: format!("{} {}", rubric.id, rubric.version),
            });
        }
        if parsed.iter().any(|p| p.id == rubric.id && p.version == rubric.version) {
            return Err(PackError::DuplicateRubric(format!("{} {}", rubric.id, rubric.version)));
        }
        parsed.push(rubric);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use benchproof_evidence::SigningKey;

    use super::*;

    const RUBRIC: &str = include_str!("../../../../fixtures/rubrics/test-skill.toml");

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_seed_bytes(&[seed; 32]).unwrap()
    }

    fn pack(key: &SigningKey) -> RubricPack {
        RubricPack {
            kind: PACK_TYPE.into(),
            format_version: 1,
            department: PackDepartment { did: key.did_key(), name: "Lab B".into(), url: None, did_web: None },
            issued: XsdDateTime::parse_stamp("2026-11-29T10:00:00Z").unwrap(),
            rubrics: vec![PackRubric {
                file: "test-skill.toml".into(),
                id: "test-skill".into(),
                version: "1".into(),
                sha256: Sha256::of(RUBRIC.as_bytes()),
                text: RUBRIC.into(),
            }],
            revocations: None,
        }
    }

    fn sign(pack: &RubricPack, key: &SigningKey) -> Value {
        let doc = serde_json::to_value(pack).unwrap();
        secure_document(&doc, key, &ProofOptions::assertion(key)).unwrap()
    }

    #[test]
    fn a_signed_pack_verifies_and_each_defect_has_its_reason() {
        let k = key(7);
        let good = verify_pack(&sign(&pack(&k), &k)).unwrap();
        assert_eq!(good.rubrics[0].id, "test-skill");

        let mut unsigned = sign(&pack(&k), &k);
        unsigned.as_object_mut().unwrap().remove("proof");
        assert!(matches!(verify_pack(&unsigned), Err(PackError::Unsigned)));

        // Signed by another key than the one it carries (a forger re-signing someone's pack).
        assert!(matches!(verify_pack(&sign(&pack(&k), &key(8))), Err(PackError::NotSignedByItsKey { .. })));

        let mut p = pack(&k);
        p.rubrics[0].id = "other-skill".into();
        assert!(matches!(verify_pack(&sign(&p, &k)), Err(PackError::RubricMislabelled { .. })));

        let mut p = pack(&k);
        p.rubrics.push(p.rubrics[0].clone());
        assert!(matches!(verify_pack(&sign(&p, &k)), Err(PackError::DuplicateRubric(_))));

        let mut p = pack(&k);
        p.department.did_web = Some("https://not a domain".into());
        assert!(matches!(verify_pack(&sign(&p, &k)), Err(PackError::DidWeb(_))));

        let mut p = pack(&k);
        p.format_version = 2;
        assert!(matches!(verify_pack(&sign(&p, &k)), Err(PackError::UnsupportedVersion(2))));

        let mut extra = sign(&pack(&k), &k);
        extra["trustEverything"] = true.into();
        assert!(matches!(verify_pack(&extra), Err(PackError::Malformed(_))), "unknown fields are refused");
    }

    #[test]
    fn an_embedded_revocation_list_must_be_the_departments_own() {
        let (k, other) = (key(7), key(9));
        let at = XsdDateTime::parse_stamp("2026-11-29T10:00:00Z").unwrap();
        let mut p = pack(&k);
        p.revocations = Some(RevocationList::new(k.did_key(), at.clone()).issue(&k, at.clone()).unwrap());
        assert!(verify_pack(&sign(&p, &k)).unwrap().revocations.is_some());
        p.revocations = Some(RevocationList::new(other.did_key(), at.clone()).issue(&other, at).unwrap());
        assert!(matches!(verify_pack(&sign(&p, &k)), Err(PackError::Revocations(_))));
    }
}
