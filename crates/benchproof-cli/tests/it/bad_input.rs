use std::fs;

use crate::{bp, code, fixture, json, stderr, stdout};

#[test]
fn a_bad_script_is_refused_before_anything_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let script = fixture("scripts/bad-step.toml");
    let o = bp(dir.path(), &["assess", script.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("bad-step.toml") && err.contains("solder-with-eyes-closed"), "{err}");
    let list = json(&bp(dir.path(), &["assessment", "list", "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 0);
}

#[test]
fn unknown_rubric_and_assessment_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let o = bp(dir.path(), &["rubric", "show", "basket-weaving"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("benchproof rubric list"));
    let o = bp(dir.path(), &["assessment", "show", "0190"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(code(&bp(dir.path(), &["assessment", "list"])), 0);
    let db = dir.path().join("station.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
    }
    let before = fs::read(&db).unwrap();
    let o = bp(dir.path(), &["assessment", "list"]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("newer benchproof"), "{}", stderr(&o));
    assert_eq!(fs::read(&db).unwrap(), before);
}

#[test]
fn a_damaged_database_is_reported_with_its_path_and_not_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("station.sqlite");
    let garbage: Vec<u8> = (0..65536u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
    fs::write(&db, &garbage).unwrap();
    let o = bp(dir.path(), &["demo"]);
    assert_eq!(code(&o), 3);
    let err = stderr(&o);
    assert!(err.contains(&db.display().to_string()) && err.contains("Restore it from a backup"), "{err}");
    assert_eq!(fs::read(&db).unwrap(), garbage);
}

#[test]
fn a_tampered_event_log_is_named_by_log_verify() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(code(&bp(dir.path(), &["demo"])), 0);
    let id = json(&bp(dir.path(), &["assessment", "list", "--json"]))[0]["id"].as_str().unwrap().to_owned();
    {
        // Someone with write access edits a verdict behind the store's back.
        let conn = rusqlite::Connection::open(dir.path().join("station.sqlite")).unwrap();
        conn.execute_batch("DROP TRIGGER events_are_append_only_update").unwrap();
        let n = conn
            .execute("UPDATE events SET record = replace(record, '\"verdict\":\"fail\"', '\"verdict\":\"pass\"') WHERE kind = 'step_ticked' AND record LIKE '%\"verdict\":\"fail\"%'", [])
            .unwrap();
        assert_eq!(n, 1);
    }
    let o = bp(dir.path(), &["log", "verify", &id]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("was edited"), "{}", stdout(&o));
    let o = bp(dir.path(), &["assessment", "show", &id]);
    assert_eq!(code(&o), 1, "a broken chain is not shown as if it were fine");
}
