use std::path::Path;

use benchproof_instrument::profile::{self, LoadError};

fn assets() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/instruments")
}

#[test]
fn the_files_in_assets_are_the_bundled_profiles() {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(assets()).unwrap() {
        let path = entry.unwrap().path();
        let loaded = profile::load_file(&path).unwrap();
        assert_eq!(Some(loaded.clone()), profile::find(&loaded.name), "{} is compiled in", path.display());
        names.push(loaded.name);
    }
    names.sort();
    let mut bundled = profile::bundled_names();
    bundled.sort();
    assert_eq!(names, bundled);
}

#[test]
fn an_unknown_field_in_a_file_is_refused_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my-scope.toml");
    let text = std::fs::read_to_string(assets().join("rigol-ds1000z.toml")).unwrap();
    let text = text.replacen("value = \"number\"\nunit = \"s/div\"", "value = \"number\"\n  units = \"s/div\"", 1);
    std::fs::write(&path, &text).unwrap();
    let line = text.lines().position(|l| l.trim_start().starts_with("units")).unwrap() + 1;
    match profile::load_file(&path).unwrap_err() {
        LoadError::Invalid(err) => {
            assert_eq!((err.line, err.column), (line, 3), "{err}");
            let shown = err.to_string();
            assert!(shown.starts_with(&format!("{}:{line}:3: unknown field `units`", path.display())), "{shown}");
            assert!(shown.contains("docs/instruments.md"), "{shown}");
        }
        other => panic!("expected an invalid profile, got {other:?}"),
    }
}

#[test]
fn a_missing_file_names_the_path() {
    let err = profile::load_file(Path::new("/nonexistent/scope.toml")).unwrap_err();
    assert!(err.to_string().starts_with("cannot read instrument profile /nonexistent/scope.toml"), "{err}");
}
