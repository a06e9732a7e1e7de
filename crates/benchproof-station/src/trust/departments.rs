//! The trust list: the departments whose bundles and credentials this data directory's verifier
//! accepts, and whose rubrics it offers.
//!
//! ```text
//! DATA_DIR/trust/department.json              the station's own department (from its enrolment)
//! DATA_DIR/department/department.json         a department kept in this data directory
//! DATA_DIR/trust/departments/<z6Mk…>.json     one signed rubric pack per imported department
//! ```
//!
//! Invariants: the imported part of the list *is* the signed packs, named by the key's multibase
//! fingerprint. Each is verified again whenever it is read, so a pack edited on disk stops being
//! trusted (and is reported as a problem) instead of being trusted as edited. Removing an entry
//! deletes its pack, and with it its rubrics from the catalogue; assessments already made keep
//! their own copy of the rubric text. The own department is never imported over or removed here.

use std::path::{Path, PathBuf};

use benchproof_evidence::enrolment::RevocationList;
use benchproof_evidence::DidKey;
use serde::Serialize;
use serde_json::Value;

use super::packs::{verify_pack, VerifiedPack};
use super::{read_json, write_json, DepartmentInfo, StationFiles, TrustProblem};
use crate::rubrics::{Origin, RubricSource};
use crate::StationError;

/// Where a trusted department came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "kebab-case")]
pub enum Source {
    /// This data directory's own department.
    Own,
    /// An imported rubric pack (the file in the trust list).
    Imported(PathBuf),
    /// Named by the caller for one verification (`--trust`).
    Given,
}

/// A department this verifier trusts.
#[derive(Debug, Clone, Serialize)]
pub struct TrustedDepartment {
    pub did: DidKey,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The `did:web` domain its credentials may be issued under (same key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_web: Option<String>,
    pub source: Source,
    #[serde(skip)]
    pub revocations: Option<RevocationList>,
    /// `id version` of each rubric its pack carries (empty for the own department).
    pub rubrics: Vec<String>,
}

impl TrustedDepartment {
    /// A department named for one verification only.
    pub fn given(did: DidKey, revocations: Option<RevocationList>) -> TrustedDepartment {
        TrustedDepartment {
            name: did.to_string(),
            did,
            url: None,
            did_web: None,
            source: Source::Given,
            revocations,
            rubrics: Vec::new(),
        }
    }

    fn own(info: DepartmentInfo, revocations: Option<RevocationList>) -> TrustedDepartment {
        TrustedDepartment {
            did: info.did,
            name: info.name,
            url: None,
            did_web: None,
            source: Source::Own,
            revocations,
            rubrics: Vec::new(),
        }
    }

    fn imported(pack: &VerifiedPack, path: PathBuf) -> TrustedDepartment {
        let d = &pack.pack.department;
        TrustedDepartment {
            did: d.did.clone(),
            name: d.name.clone(),
            url: d.url.clone(),
            did_web: d.did_web.clone(),
            source: Source::Imported(path),
            revocations: pack.revocations.clone(),
            rubrics: pack.rubrics.iter().map(|r| format!("{} {}", r.id, r.version)).collect(),
        }
    }
}

/// The folder of imported packs.
pub fn departments_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("trust").join("departments")
}

fn pack_path(data_dir: &Path, did: &DidKey) -> PathBuf {
    departments_dir(data_dir).join(format!("{}.json", did.public_key_multibase()))
}

/// The departments this data directory owns: the station's, and one kept in `DATA_DIR/department`.
fn own(data_dir: &Path) -> Result<Vec<TrustedDepartment>, StationError> {
    let mut found = Vec::new();
    let files = StationFiles::in_dir(data_dir);
    if let Some(info) = files.department()? {
        let revocations = files.revocations(&info.did)?;
        found.push(TrustedDepartment::own(info, revocations));
    }
    let kept = data_dir.join("department");
    if kept.join("department.json").exists() {
        let info: DepartmentInfo = read_json(&kept.join("department.json"))?;
        if !found.iter().any(|d: &TrustedDepartment| d.did == info.did) {
            let list = kept.join("revocations.json");
            let revocations = if list.exists() {
                Some(
                    RevocationList::verify(&read_json(&list)?, &info.did)
                        .map_err(|source| TrustProblem::Untrusted { what: list.display().to_string(), source })?,
                )
            } else {
                None
            };
            found.push(TrustedDepartment::own(info, revocations));
        }
    }
    Ok(found)
}

fn read_pack(path: &Path) -> Result<VerifiedPack, StationError> {
    let doc: Value = read_json(path)?;
    verify_pack(&doc).map_err(|source| TrustProblem::BadPack { path: path.to_owned(), source: Box::new(source) }.into())
}

/// Every imported pack that still verifies, by file name; the others as problems.
fn packs(data_dir: &Path) -> (Vec<(PathBuf, VerifiedPack)>, Vec<StationError>) {
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    let Ok(entries) = std::fs::read_dir(departments_dir(data_dir)) else {
        return (found, problems);
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        match read_pack(&path) {
            // A file renamed to another department's fingerprint is not that department.
            Ok(pack)
                if path.file_stem().and_then(|s| s.to_str())
                    == Some(pack.pack.department.did.public_key_multibase()) =>
            {
                found.push((path, pack))
            }
            Ok(_) => problems.push(TrustProblem::Misfiled(path.clone()).into()),
            Err(e) => problems.push(e),
        }
    }
    (found, problems)
}

/// Every trusted department, own first; packs that no longer verify are returned as problems
/// (and are not trusted).
pub fn trusted(data_dir: &Path) -> (Vec<TrustedDepartment>, Vec<StationError>) {
    let (mut list, mut problems) = match own(data_dir) {
        Ok(own) => (own, Vec::new()),
        Err(e) => (Vec::new(), vec![e]),
    };
    let (packs, bad) = packs(data_dir);
    problems.extend(bad);
    for (path, pack) in packs {
        if !list.iter().any(|d| d.did == pack.pack.department.did) {
            list.push(TrustedDepartment::imported(&pack, path));
        }
    }
    (list, problems)
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    pub department: TrustedDepartment,
    /// An earlier pack of the same department was replaced.
    pub replaced: bool,
}

/// Verifies a pack file and adds its department (or replaces its earlier pack) in the trust list.
pub fn import_file(data_dir: &Path, path: &Path) -> Result<Imported, StationError> {
    let doc: Value = read_json(path)?;
    let pack = verify_pack(&doc)
        .map_err(|source| TrustProblem::BadPack { path: path.to_owned(), source: Box::new(source) })?;
    let did = &pack.pack.department.did;
    if own(data_dir)?.iter().any(|d| &d.did == did) {
        return Err(TrustProblem::OwnDepartment(did.to_string()).into());
    }
    let target = pack_path(data_dir, did);
    let replaced = target.exists();
    write_json(&target, &doc)?;
    Ok(Imported { department: TrustedDepartment::imported(&pack, target), replaced })
}

/// Removes an imported department (by its did:key) from the trust list.
pub fn remove(data_dir: &Path, did: &str) -> Result<TrustedDepartment, StationError> {
    let key: DidKey = did.trim().parse().map_err(|_| TrustProblem::NotImported(did.to_owned()))?;
    if own(data_dir)?.iter().any(|d| d.did == key) {
        return Err(TrustProblem::OwnDepartment(did.to_owned()).into());
    }
    let path = pack_path(data_dir, &key);
    if !path.exists() {
        return Err(TrustProblem::NotImported(did.to_owned()).into());
    }
    let department = match read_pack(&path) {
        Ok(pack) => TrustedDepartment::imported(&pack, path.clone()),
        // A damaged pack is removed all the same: it names the department by its file.
        Err(_) => TrustedDepartment { source: Source::Imported(path.clone()), ..TrustedDepartment::given(key, None) },
    };
    std::fs::remove_file(&path).map_err(|source| StationError::Io { path: path.clone(), source })?;
    Ok(department)
}

/// The rubrics of every trusted imported department, labelled with the pack they came from.
pub fn imported_rubrics(data_dir: &Path) -> (Vec<RubricSource>, Vec<StationError>) {
    let (packs, problems) = packs(data_dir);
    let own: Vec<DidKey> = own(data_dir).unwrap_or_default().into_iter().map(|d| d.did).collect();
    let rubrics = packs
        .into_iter()
        .filter(|(_, p)| !own.contains(&p.pack.department.did))
        .flat_map(|(path, p)| {
            p.pack.rubrics.into_iter().zip(p.rubrics).map(move |(entry, rubric)| RubricSource {
                rubric,
                text: entry.text,
                origin: Origin::Imported(path.clone()),
            })
        })
        .collect();
    (rubrics, problems)
}
