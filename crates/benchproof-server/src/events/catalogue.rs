//! The rubrics a slot may name: the ones every station has (bundled with benchproof; the same
//! files `benchproof-station` compiles in from `assets/rubrics/`) and the ones the department
//! publishes to its stations, kept on the server in `DATA_DIR/rubrics/*.toml`.
//!
//! Invariant: a slot is created only for a rubric id and version found here, so a station that
//! has the department's published rubrics can always start the assessment it is booked for.

use std::path::Path;

use benchproof_domain::rubric;

/// The rubrics bundled with benchproof (`assets/rubrics/`; a test checks this list is complete).
pub const BUNDLED: &[(&str, &str)] = &[
    ("through-hole-soldering.toml", include_str!("../../../../assets/rubrics/through-hole-soldering.toml")),
    (
        "oscilloscope-setup-measurement.toml",
        include_str!("../../../../assets/rubrics/oscilloscope-setup-measurement.toml"),
    ),
    ("probe-compensation.toml", include_str!("../../../../assets/rubrics/probe-compensation.toml")),
];

/// One rubric a slot may name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KnownRubric {
    pub id: String,
    pub version: String,
    pub title: String,
}

/// The folder of published rubrics under the server's data directory.
pub fn published_dir(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("rubrics")
}

/// Bundled and published rubrics (unreadable published files are skipped: they cannot be
/// booked, and `benchproof rubric validate` says why).
pub fn known(data_dir: &Path) -> Vec<KnownRubric> {
    let mut texts: Vec<(String, String)> = BUNDLED.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect();
    if let Ok(entries) = std::fs::read_dir(published_dir(data_dir)) {
        let mut paths: Vec<_> =
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")).collect();
        paths.sort();
        for p in paths {
            if let Ok(t) = std::fs::read_to_string(&p) {
                texts.push((p.display().to_string(), t));
            }
        }
    }
    let mut out: Vec<KnownRubric> = Vec::new();
    for (name, text) in texts {
        if let Ok(r) = rubric::parse(&name, &text) {
            if !out.iter().any(|k| k.id == r.id && k.version == r.version) {
                out.push(KnownRubric { id: r.id, version: r.version, title: r.title });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_list_matches_the_assets_folder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/rubrics");
        let mut on_disk: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        on_disk.sort();
        let mut listed: Vec<String> = BUNDLED.iter().map(|(n, _)| (*n).to_owned()).collect();
        listed.sort();
        assert_eq!(listed, on_disk);
        let tmp = tempfile::tempdir().unwrap();
        let k = known(tmp.path());
        assert_eq!(k.len(), 3);
        assert!(k.iter().any(|r| r.id == "through-hole-soldering" && r.version == "1.0.0"));
    }
}
