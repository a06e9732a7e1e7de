//! Keys and the trust chain on disk: a department (its sealed key and public identity), the
//! station's own key and enrolment, proctors' sealed keys and enrolments, revocations.
//!
//! ```text
//! DEPT_DIR/department.key          sealed with the department passphrase
//! DEPT_DIR/department.json         {"did": …, "name": …}   (public; give it to stations)
//! DEPT_DIR/enrolments/<id>.json    every enrolment the department signed
//! DEPT_DIR/revocations.json        the signed revocation list
//! DATA_DIR/keys/station.pk8        the station's key (PKCS#8, mode 0600)
//! DATA_DIR/trust/department.json   the department this station trusts
//! DATA_DIR/trust/station-enrolment.json
//! DATA_DIR/trust/revocations.json  latest revocation list known here (optional)
//! DATA_DIR/proctors/<slug>.key     a proctor's key, sealed with their passphrase or PIN
//! DATA_DIR/proctors/<slug>.enrolment.json
//! DATA_DIR/trust/departments/<z6Mk…>.json  imported departments' signed rubric packs
//! ```
//!
//! Trusting other departments: [`packs`] (the signed rubric pack a department exports),
//! [`departments`] (the trust list: own and imported departments), [`verify`] (which trusted
//! department vouches for a bundle or credential).

pub mod departments;
pub mod packs;
pub mod verify;

use std::path::{Path, PathBuf};

use benchproof_bundle::keyfile::{self, KeyFileError, Protection, DEFAULT_ITERATIONS};
use benchproof_bundle::seal::xsd;
use benchproof_domain::Timestamp;
use benchproof_evidence::data_integrity::ProofError;
use benchproof_evidence::enrolment::{
    Department, Enrolment, Revocation, RevocationList, Role, TrustError, ENROLMENT_TYPE,
};
use benchproof_evidence::{DidKey, SigningKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::StationError;

/// What can be wrong with keys, enrolments and the trust root.
#[derive(Debug, thiserror::Error)]
pub enum TrustProblem {
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    #[error("{path}: not a usable Ed25519 key: {detail}")]
    BadKey { path: PathBuf, detail: String },
    #[error("{0} already exists: this folder already holds a department")]
    DepartmentExists(PathBuf),
    #[error("the department needs a name")]
    NoName,
    #[error("{0}: the key does not match department.json")]
    KeyMismatch(PathBuf),
    #[error("signing failed: {0}")]
    Signing(#[from] ProofError),
    #[error("{what} is not trusted: {source}")]
    Untrusted { what: String, source: TrustError },
    #[error("the department has enrolled nothing matching {0:?}")]
    UnknownEnrolment(String),
    #[error("this enrolment is for {subject} as {role}, not for this station's key {key}")]
    WrongEnrolment { subject: String, role: &'static str, key: String },
    #[error("this station is not enrolled: run `benchproof enrol station` with the department's key")]
    NotEnrolled,
    #[error("no proctor {0:?} on this station; enrol them with `benchproof enrol proctor`")]
    UnknownProctor(String),
    #[error("{path}: rubric pack refused: {source}")]
    BadPack { path: PathBuf, source: Box<packs::PackError> },
    #[error("rubric pack refused: {0}")]
    Pack(Box<packs::PackError>),
    #[error("{0}: this pack is filed under another department's key; remove it and import the pack again")]
    Misfiled(PathBuf),
    #[error("{0} is this data directory's own department: it is always trusted, and is not imported or removed")]
    OwnDepartment(String),
    #[error("{0:?} is not an imported department; `benchproof trust list` shows the trust list")]
    NotImported(String),
}

impl From<packs::PackError> for TrustProblem {
    fn from(e: packs::PackError) -> TrustProblem {
        TrustProblem::Pack(Box::new(e))
    }
}

fn bad_key(path: &Path) -> impl Fn(benchproof_evidence::keys::KeyError) -> StationError + '_ {
    move |e| TrustProblem::BadKey { path: path.to_owned(), detail: e.to_string() }.into()
}

/// A department's public identity, as stations and verifiers keep it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentInfo {
    pub did: DidKey,
    pub name: String,
}

/// An unlocked department: its identity and signing key.
#[derive(Debug)]
pub struct DepartmentKey {
    pub info: DepartmentInfo,
    key: SigningKey,
    dir: PathBuf,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> StationError + '_ {
    move |source| StationError::Io { path: path.to_owned(), source }
}

fn key_err(e: KeyFileError) -> StationError {
    TrustProblem::KeyFile(e).into()
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), StationError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut bytes = serde_json::to_vec_pretty(value).expect("serialises");
    bytes.push(b'\n');
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, &bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, StationError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    serde_json::from_slice(&bytes).map_err(|e| StationError::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
    })
}

fn new_key() -> SigningKey {
    SigningKey::generate(&ring::rand::SystemRandom::new()).expect("the system has a random number generator")
}

/// A new key, written to `path` sealed with `passphrase` (department and proctor keys).
fn new_sealed_key(path: &Path, passphrase: &str) -> Result<SigningKey, StationError> {
    let key = new_key();
    keyfile::write(path, key.pkcs8_der(), Protection::Passphrase { passphrase, iterations: DEFAULT_ITERATIONS })
        .map_err(key_err)?;
    Ok(key)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn urn_uuid() -> String {
    format!("urn:uuid:{}", uuid::Uuid::now_v7())
}

/// A student's pseudonym: `hmac-sha256:` + hex(HMAC-SHA-256(salt, identifier)). Bundles and
/// credentials then carry no student number, yet the department (holding the salt) can match it.
pub fn pseudonym(salt: &[u8], student: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, salt);
    let tag = ring::hmac::sign(&key, student.as_bytes());
    format!("hmac-sha256:{}", hex(tag.as_ref()))
}

/// A file-name form of a person's name: `Ada Lovelace` → `ada-lovelace`.
pub fn slug(name: &str) -> String {
    let s: String =
        name.trim().to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() {
        "proctor".into()
    } else {
        s
    }
}

impl DepartmentKey {
    /// Creates a department: a new key sealed with `passphrase`, and its public identity.
    pub fn init(dir: &Path, name: &str, passphrase: &str) -> Result<DepartmentKey, StationError> {
        let key_path = dir.join("department.key");
        if key_path.exists() {
            return Err(TrustProblem::DepartmentExists(key_path).into());
        }
        if name.trim().is_empty() {
            return Err(TrustProblem::NoName.into());
        }
        let key = new_sealed_key(&key_path, passphrase)?;
        let info = DepartmentInfo { did: key.did_key(), name: name.trim().to_owned() };
        write_json(&dir.join("department.json"), &info)?;
        Ok(DepartmentKey { info, key, dir: dir.to_owned() })
    }

    /// Unlocks an existing department.
    pub fn open(dir: &Path, passphrase: Option<&str>) -> Result<DepartmentKey, StationError> {
        let info: DepartmentInfo = read_json(&dir.join("department.json"))?;
        let key_path = dir.join("department.key");
        let pkcs8 = keyfile::read(&key_path, passphrase).map_err(key_err)?;
        let key = SigningKey::from_pkcs8(&pkcs8).map_err(bad_key(&key_path))?;
        if key.did_key() != info.did {
            return Err(TrustProblem::KeyMismatch(dir.to_owned()).into());
        }
        Ok(DepartmentKey { info, key, dir: dir.to_owned() })
    }

    /// Signs an enrolment of `subject` and files a copy in the department folder.
    pub fn enrol(
        &self,
        subject: &DidKey,
        role: Role,
        name: &str,
        valid_from: Timestamp,
        valid_until: Timestamp,
    ) -> Result<Value, StationError> {
        let record = Enrolment {
            kind: ENROLMENT_TYPE.into(),
            format_version: 1,
            id: urn_uuid(),
            department: Department { did: self.info.did.clone(), name: self.info.name.clone() },
            subject: subject.clone(),
            role,
            name: name.trim().to_owned(),
            valid_from: xsd(valid_from),
            valid_until: xsd(valid_until),
        };
        let signed = record.issue(&self.key, xsd(valid_from)).map_err(TrustProblem::from)?;
        let file = record.id.trim_start_matches("urn:uuid:").to_owned() + ".json";
        write_json(&self.dir.join("enrolments").join(file), &signed)?;
        Ok(signed)
    }

    /// The department's revocation list, if it has revoked anything (verified against its key).
    pub fn revocations(&self) -> Result<Option<RevocationList>, StationError> {
        let path = self.dir.join("revocations.json");
        if !path.exists() {
            return Ok(None);
        }
        RevocationList::verify(&read_json(&path)?, &self.info.did)
            .map(Some)
            .map_err(|source| TrustProblem::Untrusted { what: path.display().to_string(), source }.into())
    }

    /// The unlocked key, for what the department signs itself (credentials).
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// Gives up the unlocked key (to the department server, which signs checkpoints with it).
    pub fn into_signing_key(self) -> SigningKey {
        self.key
    }

    /// Adds a revocation (by enrolment id or subject did) and re-signs the list.
    pub fn revoke(&self, who: &str, reason: Option<&str>, at: Timestamp) -> Result<Value, StationError> {
        let path = self.dir.join("revocations.json");
        let mut list = match std::fs::metadata(&path) {
            Ok(_) => RevocationList::verify(&read_json(&path)?, &self.info.did)
                .map_err(|source| TrustProblem::Untrusted { what: path.display().to_string(), source })?,
            Err(_) => RevocationList::new(self.info.did.clone(), xsd(at)),
        };
        let record = self.find_enrolment(who)?;
        list.revoked.retain(|r| r.enrolment != record.id);
        list.revoked.push(Revocation {
            enrolment: record.id.clone(),
            subject: record.subject.clone(),
            revoked_at: xsd(at),
            reason: reason.map(str::to_owned),
        });
        list.issued = xsd(at);
        let signed = list.issue(&self.key, xsd(at)).map_err(TrustProblem::from)?;
        write_json(&path, &signed)?;
        Ok(signed)
    }

    fn find_enrolment(&self, who: &str) -> Result<Enrolment, StationError> {
        let dir = self.dir.join("enrolments");
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))?.flatten() {
            let doc: Value = read_json(&entry.path())?;
            if let Ok(e) = Enrolment::verify(&doc, &self.info.did) {
                if e.id == who || e.id.trim_start_matches("urn:uuid:") == who || e.subject.to_string() == who {
                    return Ok(e);
                }
            }
        }
        Err(TrustProblem::UnknownEnrolment(who.to_owned()).into())
    }
}

/// Paths of a station's own keys and trust files.
#[derive(Debug, Clone)]
pub struct StationFiles {
    pub key: PathBuf,
    pub department: PathBuf,
    pub enrolment: PathBuf,
    pub revocations: PathBuf,
    pub proctors: PathBuf,
    pub student_salt: PathBuf,
}

impl StationFiles {
    pub fn in_dir(data_dir: &Path) -> StationFiles {
        StationFiles {
            key: data_dir.join("keys").join("station.pk8"),
            department: data_dir.join("trust").join("department.json"),
            enrolment: data_dir.join("trust").join("station-enrolment.json"),
            revocations: data_dir.join("trust").join("revocations.json"),
            proctors: data_dir.join("proctors"),
            student_salt: data_dir.join("trust").join("student-salt"),
        }
    }

    /// The station's key, created on first use (unattended: protected by file mode only).
    pub fn station_key(&self) -> Result<SigningKey, StationError> {
        if !self.key.exists() {
            keyfile::write(&self.key, new_key().pkcs8_der(), Protection::FileModeOnly).map_err(key_err)?;
        }
        let pkcs8 = keyfile::read(&self.key, None).map_err(key_err)?;
        SigningKey::from_pkcs8(&pkcs8).map_err(bad_key(&self.key))
    }

    /// The secret that turns student identifiers into pseudonyms ([`pseudonym`]), created on
    /// first use (32 random bytes, hex, mode 0600). Whoever holds it can re-identify students:
    /// give a copy to the department, and to nobody else.
    pub fn student_salt(&self) -> Result<Vec<u8>, StationError> {
        if !self.student_salt.exists() {
            let mut salt = [0u8; 32];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut salt).map_err(|_| {
                StationError::Io {
                    path: self.student_salt.clone(),
                    source: std::io::Error::other("no system randomness"),
                }
            })?;
            keyfile::write(&self.student_salt, hex(&salt).as_bytes(), Protection::FileModeOnly).map_err(key_err)?;
        }
        let text = std::fs::read_to_string(&self.student_salt).map_err(io(&self.student_salt))?;
        Ok(text.trim().as_bytes().to_vec())
    }

    /// The department this station trusts, if it has been told.
    pub fn department(&self) -> Result<Option<DepartmentInfo>, StationError> {
        if !self.department.exists() {
            return Ok(None);
        }
        read_json(&self.department).map(Some)
    }

    /// The revocation list known here, verified against the trusted department.
    pub fn revocations(&self, department: &DidKey) -> Result<Option<RevocationList>, StationError> {
        if !self.revocations.exists() {
            return Ok(None);
        }
        let doc: Value = read_json(&self.revocations)?;
        RevocationList::verify(&doc, department)
            .map(Some)
            .map_err(|source| TrustProblem::Untrusted { what: self.revocations.display().to_string(), source }.into())
    }

    /// Installs the trust root and the station's enrolment (checked against each other).
    pub fn install_station_enrolment(
        &self,
        department: &DepartmentInfo,
        enrolment: &Value,
    ) -> Result<(), StationError> {
        let record = Enrolment::verify(enrolment, &department.did)
            .map_err(|source| TrustProblem::Untrusted { what: "the station enrolment".into(), source })?;
        let key = self.station_key()?;
        if record.subject != key.did_key() || record.role != Role::Station {
            return Err(TrustProblem::WrongEnrolment {
                subject: record.subject.to_string(),
                role: record.role.as_str(),
                key: key.did_key().to_string(),
            }
            .into());
        }
        write_json(&self.department, department)?;
        write_json(&self.enrolment, enrolment)
    }

    pub fn install_revocations(&self, list: &Value) -> Result<(), StationError> {
        write_json(&self.revocations, list)
    }

    pub fn station_enrolment(&self) -> Result<Value, StationError> {
        if !self.enrolment.exists() {
            return Err(TrustProblem::NotEnrolled.into());
        }
        read_json(&self.enrolment)
    }

    /// Creates a proctor key sealed with the proctor's passphrase and files their enrolment.
    pub fn add_proctor(
        &self,
        dept: &DepartmentKey,
        name: &str,
        passphrase: &str,
        valid: (Timestamp, Timestamp),
    ) -> Result<(String, DidKey), StationError> {
        let slug = slug(name);
        let key_path = self.proctors.join(format!("{slug}.key"));
        let key = new_sealed_key(&key_path, passphrase)?;
        let enrolment = dept.enrol(&key.did_key(), Role::Proctor, name, valid.0, valid.1)?;
        write_json(&self.proctors.join(format!("{slug}.enrolment.json")), &enrolment)?;
        Ok((slug, key.did_key()))
    }

    /// Signs a proctor in: unlocks their key with their passphrase.
    pub fn proctor(&self, name: &str, passphrase: Option<&str>) -> Result<(SigningKey, Value), StationError> {
        let slug = slug(name);
        let key_path = self.proctors.join(format!("{slug}.key"));
        if !key_path.exists() {
            return Err(TrustProblem::UnknownProctor(name.to_owned()).into());
        }
        let pkcs8 = keyfile::read(&key_path, passphrase).map_err(key_err)?;
        let key = SigningKey::from_pkcs8(&pkcs8).map_err(bad_key(&key_path))?;
        let enrolment = read_json(&self.proctors.join(format!("{slug}.enrolment.json")))?;
        Ok((key, enrolment))
    }
}
