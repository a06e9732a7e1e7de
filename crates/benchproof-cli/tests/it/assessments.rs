use crate::{bp, code, fixture, json, stderr, stdout};

#[test]
fn demo_prints_a_scored_assessment_with_a_verified_chain() {
    let dir = tempfile::tempdir().unwrap();
    let o = bp(dir.path(), &["demo"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("SIMULATED DEVICES"));
    assert!(out.contains("Outcome:  PASSED"), "{out}");
    assert!(out.contains("verified"));
    assert!(out.contains("(ticked 2×)"), "re-ticks keep history");

    let list = json(&bp(dir.path(), &["assessment", "list", "--json"]));
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["state"], "sealed");
    let id = rows[0]["id"].as_str().unwrap().to_owned();

    let o = bp(dir.path(), &["log", "verify", &id[..13]]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("verified: 40 events"), "{}", stdout(&o));

    let show = json(&bp(dir.path(), &["assessment", "show", &id, "--json"]));
    assert_eq!(show["score"]["outcome"], "passed");
    assert_eq!(show["chain"]["events"], 40, "26 events, 13 rendered snippets and the seal");
    let snippets: Vec<_> = show["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["evidence"].as_array().unwrap().iter())
        .filter(|e| e["media_type"] == "video/mp4")
        .collect();
    assert_eq!(snippets.len(), 13, "one rendered snippet per tick of a step that wants video or audio");
    // …and it was synced to the demo server, with a receipt that verifies offline.
    let receipt = dir.path().join("outbox").join(format!("benchproof-{id}.receipt.json"));
    let bundle_path = dir.path().join("outbox").join(format!("benchproof-{id}.zip"));
    let o = bp(dir.path(), &["receipt", "verify", receipt.to_str().unwrap(), bundle_path.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let credential = dir.path().join("outbox").join(format!("benchproof-{id}.credential.json"));
    let o = bp(
        dir.path(),
        &["credential", "verify", credential.to_str().unwrap(), "--bundle", bundle_path.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));

    // The demo sealed a bundle into the outbox, and it verifies on its own.
    assert!(out.contains("— VALID"), "{out}");
    let bundle = dir.path().join("outbox").join(format!("benchproof-{id}.zip"));
    let o = bp(dir.path(), &["verify", bundle.to_str().unwrap(), "--json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(json(&o)["verified"]["document"]["outcome"]["result"], "passed");
}

#[test]
fn a_scripted_assessment_records_ticks_and_media() {
    let dir = tempfile::tempdir().unwrap();
    let script = fixture("scripts/soldering-pass.toml");
    let o = bp(dir.path(), &["assess", script.to_str().unwrap(), "--capture", "none", "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(r["student"], "S-2026-0042");
    assert_eq!(r["score"]["outcome"], "passed");
    assert_eq!(r["created_at"], "2026-11-29T09:00:00.000Z");
    let joint = r["steps"].as_array().unwrap().iter().find(|s| s["id"] == "joint-quality").unwrap();
    assert_eq!(joint["latest"]["level"], "Proficient");
    assert_eq!(joint["evidence"][0]["media_type"], "image/png");
    // Content-addressed: the same photo attached twice is stored once.
    let media: Vec<_> = walk(&dir.path().join("media")).into_iter().filter(|p| !p.contains("media/tmp/")).collect();
    assert_eq!(media.len(), 1, "{media:?}");
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}
