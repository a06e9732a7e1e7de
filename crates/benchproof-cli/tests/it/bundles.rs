//! Department, enrolment, sealing and verification through the real binary.

use crate::{bp, bpp, code, json, stderr, stdout};

#[test]
fn enrol_seal_verify_and_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(code(&bpp(d, &["dept", "init", "--name", "Dept. of Physics"])), 0);
    let o = bpp(d, &["dept", "init", "--name", "Again"]);
    assert_eq!(code(&o), 2, "a department is never overwritten");
    assert_eq!(code(&bpp(d, &["enrol", "station", "--name", "Bench 1"])), 0);
    assert_eq!(code(&bpp(d, &["enrol", "proctor", "--name", "Grace Proctor"])), 0);

    // Played without its fixed start time, the script ends now: inside the enrolments' validity.
    let text = std::fs::read_to_string(crate::fixture("scripts/soldering-pass.toml")).unwrap();
    let script = d.join("soldering.toml");
    std::fs::write(
        &script,
        text.replace("start_at = ", "# start_at = ")
            .replace("../media/", &format!("{}/", crate::fixture("media").display())),
    )
    .unwrap();
    let a = json(&bp(d, &["assess", script.to_str().unwrap(), "--json"]));
    let id = a["id"].as_str().unwrap().to_owned();

    // A wrong PIN is refused and seals nothing.
    let pin = d.join("wrong-pin");
    std::fs::write(&pin, "not the pin\n").unwrap();
    let o = bpp(d, &["seal", &id, "--proctor", "Grace Proctor", "--proctor-passphrase-file", pin.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("wrong passphrase"), "{}", stderr(&o));

    let o = bpp(d, &["seal", &id, "--proctor", "Grace Proctor", "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sealed = json(&o);
    let bundle = sealed["path"].as_str().unwrap().to_owned();
    let o = bp(d, &["verify", &bundle]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("VALID"));

    // Another verifier, trusting only the department's public file, agrees.
    let elsewhere = tempfile::tempdir().unwrap();
    let dept_json = d.join("department").join("department.json");
    let o = bp(elsewhere.path(), &["verify", &bundle, "--trust", dept_json.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    // …but not one trusting another department, nor one with no trust root.
    let o = bp(
        elsewhere.path(),
        &["verify", &bundle, "--trust", "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "--json"],
    );
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["failed_check"], "enrolment");
    let o = bp(elsewhere.path(), &["verify", &bundle]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no trust root"), "{}", stderr(&o));

    // Sealed is final: the assessment cannot be sealed twice.
    assert_eq!(code(&bpp(d, &["seal", &id, "--proctor", "Grace Proctor"])), 2);

    // Revoking the station's key withdraws trust in what it signs from now on.
    let station_did =
        json(&bpp(d, &["enrol", "station", "--name", "Bench 1", "--json"]))["did"].as_str().unwrap().to_owned();
    let o = bpp(d, &["dept", "revoke", &station_did, "--reason", "bench stolen"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = bp(d, &["verify", &bundle]);
    assert_eq!(code(&o), 0, "work signed before the revocation stays valid: {}", stdout(&o));

    let o = bp(d, &["inspect", &bundle]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("S-2026-0042"));
    let o = bp(d, &["verify", d.join("missing.zip").to_str().unwrap()]);
    assert_eq!(code(&o), 2);
}
