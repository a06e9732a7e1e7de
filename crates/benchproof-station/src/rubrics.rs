//! The rubric catalogue: rubrics bundled with benchproof, and those a department has published
//! into the station's `rubrics/` folder (which win over bundled ones with the same id), then the
//! rubrics of trusted departments' imported packs (labelled [`Origin::Imported`]).

use std::path::{Path, PathBuf};

use benchproof_domain::rubric::{self, Rubric};
use serde::Serialize;

use crate::StationError;

/// Rubrics shipped inside the binary, so a station works with no files beside it.
pub const BUNDLED: &[(&str, &str)] = &[
    ("through-hole-soldering.toml", include_str!("../../../assets/rubrics/through-hole-soldering.toml")),
    (
        "oscilloscope-setup-measurement.toml",
        include_str!("../../../assets/rubrics/oscilloscope-setup-measurement.toml"),
    ),
    ("probe-compensation.toml", include_str!("../../../assets/rubrics/probe-compensation.toml")),
];

/// Where a rubric text came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "kebab-case")]
pub enum Origin {
    Bundled(String),
    File(PathBuf),
    /// From another department's rubric pack: the pack's file in the trust list
    /// (`DATA_DIR/trust/departments/<key>.json`, see `trust::departments`).
    Imported(PathBuf),
}

/// A validated rubric together with its exact text.
#[derive(Debug, Clone)]
pub struct RubricSource {
    pub rubric: Rubric,
    pub text: String,
    pub origin: Origin,
}

pub fn bundled() -> Vec<RubricSource> {
    BUNDLED
        .iter()
        .map(|(name, text)| RubricSource {
            rubric: rubric::parse(&format!("bundled {name}"), text).expect("bundled rubrics are tested to parse"),
            text: (*text).to_owned(),
            origin: Origin::Bundled((*name).to_owned()),
        })
        .collect()
}

/// Reads and validates one rubric file.
pub fn load_file(path: &Path) -> Result<RubricSource, StationError> {
    let bytes = std::fs::read(path).map_err(|source| StationError::Io { path: path.to_owned(), source })?;
    let text = String::from_utf8(bytes).map_err(|_| StationError::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text; save the rubric as UTF-8"),
    })?;
    let rubric = rubric::parse(&path.display().to_string(), &text)?;
    Ok(RubricSource { rubric, text, origin: Origin::File(path.to_owned()) })
}

/// The folder a department publishes rubrics into.
pub fn published_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("rubrics")
}

/// Every usable rubric: published ones first, then bundled ones whose id is not published.
/// Published files that fail to load are returned as problems rather than hidden.
pub fn catalogue(data_dir: &Path) -> (Vec<RubricSource>, Vec<StationError>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let dir = published_dir(data_dir);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "toml")) {
            match load_file(&path) {
                Ok(r) => found.push(r),
                Err(e) => problems.push(e),
            }
        }
    }
    for b in bundled() {
        if !found.iter().any(|r: &RubricSource| r.rubric.id == b.rubric.id) {
            found.push(b);
        }
    }
    // Trusted departments' rubrics come last, so an id names this department's own rubric first;
    // a text already listed is not listed twice.
    let (imported, bad) = crate::trust::departments::imported_rubrics(data_dir);
    problems.extend(bad);
    for r in imported {
        if !found.iter().any(|f| f.rubric.sha256 == r.rubric.sha256) {
            found.push(r);
        }
    }
    (found, problems)
}

/// Finds a rubric by path (anything ending in `.toml` or naming an existing file) or by id.
pub fn find(data_dir: &Path, reference: &str) -> Result<RubricSource, StationError> {
    let path = Path::new(reference);
    if reference.ends_with(".toml") || path.is_file() {
        return load_file(path);
    }
    catalogue(data_dir)
        .0
        .into_iter()
        .find(|r| r.rubric.id == reference)
        .ok_or_else(|| StationError::UnknownRubric(reference.to_owned()))
}
