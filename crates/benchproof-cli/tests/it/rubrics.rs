use crate::{bp, code, fixture, json, repo, stdout};

#[test]
fn bundled_rubrics_validate_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = ["through-hole-soldering", "oscilloscope-setup-measurement", "probe-compensation"]
        .iter()
        .map(|n| repo().join(format!("assets/rubrics/{n}.toml")).display().to_string())
        .collect();
    let mut args = vec!["rubric", "validate"];
    args.extend(files.iter().map(String::as_str));
    let o = bp(dir.path(), &args);
    assert_eq!(code(&o), 0, "{}", stdout(&o));

    let o = bp(dir.path(), &["rubric", "list", "--json"]);
    assert_eq!(code(&o), 0);
    let list = json(&o);
    assert_eq!(list.as_array().unwrap().len(), 3);

    let o = bp(dir.path(), &["rubric", "show", "probe-compensation"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Pass rule"));
}

#[test]
fn every_problem_is_printed_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fixture("rubrics-bad/many-problems.toml");
    let o = bp(dir.path(), &["rubric", "validate", bad.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    let lines: Vec<_> = out.lines().filter(|l| l.contains("many-problems.toml:")).collect();
    for (needle, line) in [
        ("unknown field `colour`", 6),
        ("unknown field `critcal`", 27),
        ("duplicate step id", 21),
        ("no step is marked `critical = true`", 0),
        ("pre_roll_s = 0", 16),
        ("\"does-not-exist\"", 9),
        ("unknown evidence kind \"smell\"", 18),
    ] {
        let hit = lines.iter().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} missing in:\n{out}"));
        if line > 0 {
            assert!(hit.contains(&format!("many-problems.toml:{line}:")), "{needle} at the wrong line: {hit}");
        }
    }
}

#[test]
fn validate_reports_each_file_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        fixture("rubrics-bad/syntax-error.toml"),
        fixture("rubrics-bad/missing-field.toml"),
        repo().join("assets/rubrics/probe-compensation.toml"),
        fixture("rubrics-bad/no-such-file.toml"),
    ];
    let mut args = vec!["rubric", "validate", "--json"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let o = bp(dir.path(), &args);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    let results = v.as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["problems"][0]["line"], 4);
    assert_eq!(results[0]["problems"][0]["rule"], "Syntax");
    assert_eq!(results[1]["problems"][0]["rule"], "MissingField");
    assert!(results[1]["problems"][0]["message"].as_str().unwrap().contains("instruction"));
    assert_eq!(results[2]["ok"], true);
    assert_eq!(results[3]["problems"][0]["rule"], "Unreadable");
}
