use std::path::Path;

use benchproof_domain::rubric::parse;

/// Every rubric shipped in `assets/rubrics/` parses, and has what the product promises.
#[test]
fn bundled_rubrics_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/rubrics");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let r = parse(&path.display().to_string(), &text).unwrap_or_else(|e| panic!("{e}"));
        assert!((6..=12).contains(&r.steps.len()), "{}: {} steps", r.id, r.steps.len());
        assert!(r.steps.iter().filter(|s| s.critical).count() >= 2, "{}", r.id);
        assert!(r.steps.iter().filter(|s| !s.levels.is_empty()).count() >= 2, "{}", r.id);
        assert_eq!(path.file_stem().unwrap().to_str().unwrap(), r.id, "file name matches id");
        n += 1;
    }
    assert!(n >= 3, "expected at least three bundled rubrics, found {n}");
}
