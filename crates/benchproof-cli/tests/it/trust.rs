//! Cross-department trust through the real binary: departments A and B in their own data
//! directories; B's bundle and credential are refused by A until A imports B's signed rubric
//! pack, tampered packs are refused with their reason, and `trust remove` withdraws acceptance.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::{bp, bpp, code, json, stderr, stdout};

fn ok(o: Output) -> Output {
    assert_eq!(code(&o), 0, "stdout: {}\nstderr: {}", stdout(&o), stderr(&o));
    o
}

/// A department with an enrolled station and proctor, one sealed passed bundle and its credential.
struct Dept {
    dir: tempfile::TempDir,
    did: String,
    bundle: String,
    credential: String,
}

impl Dept {
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn department(name: &str) -> Dept {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let did = json(&ok(bpp(d, &["dept", "init", "--name", name, "--json"])))["did"].as_str().unwrap().to_owned();
    ok(bpp(d, &["enrol", "station", "--name", "Bench 1"]));
    ok(bpp(d, &["enrol", "proctor", "--name", "Grace Proctor"]));
    let text = std::fs::read_to_string(crate::fixture("scripts/soldering-pass.toml")).unwrap();
    let script = d.join("soldering.toml");
    std::fs::write(
        &script,
        text.replace("start_at = ", "# start_at = ")
            .replace("../media/", &format!("{}/", crate::fixture("media").display())),
    )
    .unwrap();
    let id = json(&ok(bp(d, &["assess", script.to_str().unwrap(), "--json"])))["id"].as_str().unwrap().to_owned();
    let sealed = json(&ok(bpp(d, &["seal", &id, "--proctor", "Grace Proctor", "--json"])));
    let bundle = sealed["path"].as_str().unwrap().to_owned();
    let issued = json(&ok(bpp(d, &["credential", "issue", &bundle, "--json"])));
    let credential = issued["credential"].as_str().unwrap().to_owned();
    Dept { dir, did, bundle, credential }
}

fn verify(verifier: &Dept, bundle: &str) -> Output {
    bp(verifier.path(), &["verify", bundle, "--json"])
}

fn verify_credential(verifier: &Dept, credential: &str) -> Output {
    bp(verifier.path(), &["credential", "verify", credential, "--json"])
}

/// Edits a copy of `pack` and returns the path of the edited copy.
fn tampered(pack: &Path, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(pack).unwrap()).unwrap();
    edit(&mut doc);
    let out = pack.with_file_name(name);
    std::fs::write(&out, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    out
}

#[test]
fn a_department_trusts_another_through_its_signed_pack_until_removed() {
    let a = department("Dept. of Physics");
    let b = department("School of Engineering");
    // B publishes a rubric of its own, which its pack carries.
    std::fs::create_dir_all(b.path().join("rubrics")).unwrap();
    std::fs::copy(crate::fixture("rubrics/test-skill.toml"), b.path().join("rubrics/test-skill.toml")).unwrap();

    // Each department's verifier accepts its own work and says whose it is.
    let o = ok(verify(&a, &a.bundle));
    assert_eq!(json(&o)["department"]["source"]["kind"], "own");
    ok(verify_credential(&a, &a.credential));

    // A does not trust B yet: both are refused, with the reason and what to do.
    let o = verify(&a, &b.bundle);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let report = json(&o);
    assert_eq!(report["failed_check"], "enrolment");
    let reason = report["reason"].as_str().unwrap();
    assert!(reason.contains("not signed by a trusted department") && reason.contains("trust import"), "{reason}");
    assert!(reason.contains("School of Engineering"), "names the department the bundle claims: {reason}");
    let o = verify_credential(&a, &b.credential);
    assert_eq!(code(&o), 1);
    let reason = json(&o)["reason"].as_str().unwrap().to_owned();
    assert!(reason.contains(&b.did) && reason.contains("not a trusted department"), "{reason}");

    // B exports its pack (signed with its department key); A imports it.
    let pack = b.path().join("pack.json");
    let exported = json(&ok(bpp(b.path(), &["dept", "export-pack", "--out", pack.to_str().unwrap(), "--json"])));
    assert_eq!(exported["did"], b.did.as_str());
    assert!(exported["rubrics"].as_array().unwrap().iter().any(|r| r == "test-skill 1"), "{exported}");

    // Tampered packs are refused, each with its reason, and trust nothing.
    let edited = tampered(&pack, "edited.json", |d| {
        let text = d["rubrics"][0]["text"].as_str().unwrap().replace("title = \"", "title = \"Easy ");
        d["rubrics"][0]["text"] = text.into();
    });
    let o = bp(a.path(), &["trust", "import", edited.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("the text was edited after the department signed the pack"), "{}", stderr(&o));
    let rehashed = tampered(&pack, "rehashed.json", |d| {
        let text = d["rubrics"][0]["text"].as_str().unwrap().replace("title = \"", "title = \"Easy ");
        d["rubrics"][0]["sha256"] = benchproof_domain::Sha256::of(text.as_bytes()).to_hex().into();
        d["rubrics"][0]["text"] = text.into();
    });
    let o = bp(a.path(), &["trust", "import", rehashed.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("signature does not verify"), "{}", stderr(&o));
    let swapped = tampered(&pack, "swapped.json", |d| d["department"]["did"] = a.did.clone().into());
    let o = bp(a.path(), &["trust", "import", swapped.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("must be signed by the key it carries"), "{}", stderr(&o));
    let o = verify(&a, &b.bundle);
    assert_eq!(code(&o), 1, "refused packs trusted nothing");
    // A department cannot import itself.
    let own = a.path().join("own-pack.json");
    ok(bpp(a.path(), &["dept", "export-pack", "--out", own.to_str().unwrap(), "--rubric", "through-hole-soldering"]));
    let o = bp(a.path(), &["trust", "import", own.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("own department"), "{}", stderr(&o));

    let o = ok(bp(a.path(), &["trust", "import", pack.to_str().unwrap()]));
    assert!(stdout(&o).contains("now trusted") && stdout(&o).contains(&b.did), "{}", stdout(&o));

    // Now A accepts B's bundle and credential, naming B, and still its own.
    let o = ok(verify(&a, &b.bundle));
    let report = json(&o);
    assert_eq!(report["department"]["name"], "School of Engineering");
    assert_eq!(report["department"]["source"]["kind"], "imported");
    let text = stdout(&ok(bp(a.path(), &["verify", &b.bundle])));
    assert!(text.contains("\"School of Engineering\"") && text.contains("imported department"), "{text}");
    let o = ok(verify_credential(&a, &b.credential));
    assert_eq!(json(&o)["department"]["did"], b.did.as_str());
    ok(verify(&a, &a.bundle));
    ok(verify_credential(&a, &a.credential));

    // B's own rubric is in A's library, labelled by the pack it came from; listed trust shows B.
    let rubrics = json(&ok(bp(a.path(), &["rubric", "list", "--json"])));
    let imported = rubrics.as_array().unwrap().iter().find(|r| r["id"] == "test-skill").expect("imported rubric");
    assert_eq!(imported["origin"]["kind"], "imported");
    assert!(imported["origin"]["path"].as_str().unwrap().contains(b.did.trim_start_matches("did:key:")));
    let list = json(&ok(bp(a.path(), &["trust", "list", "--json"])));
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Dept. of Physics", "School of Engineering"]);

    // Importing again replaces the pack; removing it withdraws trust, and the rubric.
    let o = ok(bp(a.path(), &["trust", "import", pack.to_str().unwrap()]));
    assert!(stdout(&o).contains("updated"), "{}", stdout(&o));
    ok(bp(a.path(), &["trust", "remove", &b.did]));
    assert_eq!(code(&verify(&a, &b.bundle)), 1);
    assert_eq!(code(&verify_credential(&a, &b.credential)), 1);
    let rubrics = json(&ok(bp(a.path(), &["rubric", "list", "--json"])));
    assert!(!rubrics.as_array().unwrap().iter().any(|r| r["id"] == "test-skill"));
    let o = bp(a.path(), &["trust", "remove", &b.did]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not an imported department"), "{}", stderr(&o));
    let o = bp(a.path(), &["trust", "remove", &a.did]);
    assert_eq!(code(&o), 2, "the own department is not removed");
}

#[test]
fn a_pack_edited_in_the_trust_list_is_no_longer_trusted() {
    let a = department("Dept. of Physics");
    let b = department("School of Engineering");
    let pack = b.path().join("pack.json");
    ok(bpp(b.path(), &["dept", "export-pack", "--out", pack.to_str().unwrap(), "--url", "https://eng.example.edu/"]));
    ok(bp(a.path(), &["trust", "import", pack.to_str().unwrap()]));
    ok(verify(&a, &b.bundle));
    let stored = a.path().join("trust/departments").join(format!("{}.json", b.did.trim_start_matches("did:key:")));
    let text = std::fs::read_to_string(&stored).unwrap();
    std::fs::write(&stored, text.replace("School of Engineering", "School of Engineering (edited)")).unwrap();
    let o = verify(&a, &b.bundle);
    assert_eq!(code(&o), 1, "an edited pack vouches for nothing");
    let o = ok(bp(a.path(), &["trust", "list"]));
    assert!(stderr(&o).contains("signature does not verify"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("School of Engineering"), "{}", stdout(&o));
}
