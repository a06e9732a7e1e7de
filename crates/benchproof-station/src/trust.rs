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
//! ```

use std::path::{Path, PathBuf};

use benchproof_bundle::keyfile::{self, KeyFileError, Protection, DEFAULT_ITERATIONS};
use benchproof_bundle::seal::xsd;
use benchproof_domain::Timestamp;
use benchproof_evidence::enrolment::{Department, Enrolment, Revocation, RevocationList, Role, ENROLMENT_TYPE};
use benchproof_evidence::{DidKey, SigningKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::StationError;

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
    StationError::Key(e.to_string())
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

fn urn_uuid() -> String {
    format!("urn:uuid:{}", uuid::Uuid::now_v7())
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
            return Err(StationError::Key(format!(
                "{} already exists: this folder already holds a department",
                key_path.display()
            )));
        }
        if name.trim().is_empty() {
            return Err(StationError::Key("the department needs a name".into()));
        }
        let key = new_key();
        keyfile::write(
            &key_path,
            key.pkcs8_der(),
            Protection::Passphrase { passphrase, iterations: DEFAULT_ITERATIONS },
        )
        .map_err(key_err)?;
        let info = DepartmentInfo { did: key.did_key(), name: name.trim().to_owned() };
        write_json(&dir.join("department.json"), &info)?;
        Ok(DepartmentKey { info, key, dir: dir.to_owned() })
    }

    /// Unlocks an existing department.
    pub fn open(dir: &Path, passphrase: Option<&str>) -> Result<DepartmentKey, StationError> {
        let info: DepartmentInfo = read_json(&dir.join("department.json"))?;
        let pkcs8 = keyfile::read(&dir.join("department.key"), passphrase).map_err(key_err)?;
        let key = SigningKey::from_pkcs8(&pkcs8).map_err(|e| StationError::Key(e.to_string()))?;
        if key.did_key() != info.did {
            return Err(StationError::Key(format!("{}: the key does not match department.json", dir.display())));
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
        let signed = record.issue(&self.key, xsd(valid_from)).map_err(|e| StationError::Key(e.to_string()))?;
        let file = record.id.trim_start_matches("urn:uuid:").to_owned() + ".json";
        write_json(&self.dir.join("enrolments").join(file), &signed)?;
        Ok(signed)
    }

    /// Adds a revocation (by enrolment id or subject did) and re-signs the list.
    pub fn revoke(&self, who: &str, reason: Option<&str>, at: Timestamp) -> Result<Value, StationError> {
        let path = self.dir.join("revocations.json");
        let mut list = match std::fs::metadata(&path) {
            Ok(_) => RevocationList::verify(&read_json(&path)?, &self.info.did)
                .map_err(|e| StationError::Key(format!("{}: {e}", path.display())))?,
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
        let signed = list.issue(&self.key, xsd(at)).map_err(|e| StationError::Key(e.to_string()))?;
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
        Err(StationError::Key(format!("the department has enrolled nothing matching {who:?}")))
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
}

impl StationFiles {
    pub fn in_dir(data_dir: &Path) -> StationFiles {
        StationFiles {
            key: data_dir.join("keys").join("station.pk8"),
            department: data_dir.join("trust").join("department.json"),
            enrolment: data_dir.join("trust").join("station-enrolment.json"),
            revocations: data_dir.join("trust").join("revocations.json"),
            proctors: data_dir.join("proctors"),
        }
    }

    /// The station's key, created on first use (unattended: protected by file mode only).
    pub fn station_key(&self) -> Result<SigningKey, StationError> {
        if !self.key.exists() {
            keyfile::write(&self.key, new_key().pkcs8_der(), Protection::FileModeOnly).map_err(key_err)?;
        }
        let pkcs8 = keyfile::read(&self.key, None).map_err(key_err)?;
        SigningKey::from_pkcs8(&pkcs8).map_err(|e| StationError::Key(e.to_string()))
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
            .map_err(|e| StationError::Key(format!("{}: {e}", self.revocations.display())))
    }

    /// Installs the trust root and the station's enrolment (checked against each other).
    pub fn install_station_enrolment(
        &self,
        department: &DepartmentInfo,
        enrolment: &Value,
    ) -> Result<(), StationError> {
        let record = Enrolment::verify(enrolment, &department.did).map_err(|e| StationError::Key(e.to_string()))?;
        let key = self.station_key()?;
        if record.subject != key.did_key() || record.role != Role::Station {
            return Err(StationError::Key(format!(
                "this enrolment is for {} as {}, not for this station's key {}",
                record.subject,
                record.role.as_str(),
                key.did_key()
            )));
        }
        write_json(&self.department, department)?;
        write_json(&self.enrolment, enrolment)
    }

    pub fn install_revocations(&self, list: &Value) -> Result<(), StationError> {
        write_json(&self.revocations, list)
    }

    pub fn station_enrolment(&self) -> Result<Value, StationError> {
        if !self.enrolment.exists() {
            return Err(StationError::Key(
                "this station is not enrolled: run `benchproof enrol station` with the department's key".into(),
            ));
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
        let key = new_key();
        keyfile::write(
            &key_path,
            key.pkcs8_der(),
            Protection::Passphrase { passphrase, iterations: DEFAULT_ITERATIONS },
        )
        .map_err(key_err)?;
        let enrolment = dept.enrol(&key.did_key(), Role::Proctor, name, valid.0, valid.1)?;
        write_json(&self.proctors.join(format!("{slug}.enrolment.json")), &enrolment)?;
        Ok((slug, key.did_key()))
    }

    /// Signs a proctor in: unlocks their key with their passphrase.
    pub fn proctor(&self, name: &str, passphrase: Option<&str>) -> Result<(SigningKey, Value), StationError> {
        let slug = slug(name);
        let key_path = self.proctors.join(format!("{slug}.key"));
        if !key_path.exists() {
            return Err(StationError::Key(format!(
                "no proctor {name:?} on this station; enrol them with `benchproof enrol proctor`"
            )));
        }
        let pkcs8 = keyfile::read(&key_path, passphrase).map_err(key_err)?;
        let key = SigningKey::from_pkcs8(&pkcs8).map_err(|e| StationError::Key(e.to_string()))?;
        let enrolment = read_json(&self.proctors.join(format!("{slug}.enrolment.json")))?;
        Ok((key, enrolment))
    }
}
