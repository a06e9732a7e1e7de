//! The OpenBadgeCredential built from an assessment: its fields, the 1EdTech structural rules,
//! and refusals for bad input.

use benchproof_credential::badge::{self, identity_hash, IssueError};
use benchproof_credential::verify::check_structure;
use benchproof_domain::rubric::StepId;
use benchproof_domain::scoring::Outcome;
use serde_json::Value;

use crate::common::{department_key, input};

#[test]
fn the_credential_has_every_required_field() {
    let key = department_key();
    let vc = badge::issue(&input(&key), &key).unwrap();
    assert_eq!(
        vc["@context"],
        serde_json::json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ])
    );
    assert_eq!(vc["id"], "urn:uuid:0193f6a0-0000-7000-8000-000000000001");
    assert_eq!(vc["type"], serde_json::json!(["VerifiableCredential", "OpenBadgeCredential"]));
    assert_eq!(vc["issuer"]["id"], key.did_key().did());
    assert_eq!(vc["issuer"]["type"], serde_json::json!(["Profile"]));
    assert_eq!(vc["validFrom"], "2026-03-01T09:30:00Z");
    assert_eq!(vc["validUntil"], "2031-03-01T09:30:00Z");
    let subject = &vc["credentialSubject"];
    assert_eq!(subject["type"], serde_json::json!(["AchievementSubject"]));
    let identity = &subject["identifier"][0];
    assert_eq!(identity["hashed"], true);
    assert_eq!(identity["identityType"], "studentId");
    assert_eq!(identity["identityHash"], identity_hash("s1234567", "5b1f0c3e9d2a4b6c"));
    assert!(identity["identityHash"].as_str().unwrap().starts_with("sha256$"));
    assert!(!vc.to_string().contains("s1234567"), "the student identifier is only present hashed");
    let achievement = &subject["achievement"];
    assert_eq!(achievement["achievementType"], "Competency");
    assert!(achievement["criteria"]["narrative"].as_str().unwrap().contains("(critical)"));
    assert_eq!(achievement["alignment"][0]["targetUrl"], input(&key).rubric_url);
    let rubric = input(&key).rubric;
    let rds = achievement["resultDescription"].as_array().unwrap();
    let results = subject["result"].as_array().unwrap();
    assert_eq!(rds.len(), rubric.steps.len());
    assert_eq!(results.len(), rubric.steps.len());
    for ((step, rd), result) in rubric.steps.iter().zip(rds).zip(results) {
        assert_eq!(rd["name"], step.title.as_str());
        assert_eq!(result["resultDescription"], rd["id"]);
        if step.levels.is_empty() {
            assert_eq!(rd["resultType"], "Status");
            assert_eq!(result["status"], "Completed");
        } else {
            assert_eq!(rd["resultType"], "RubricCriterionLevel");
            let levels = rd["rubricCriterionLevel"].as_array().unwrap();
            assert_eq!(levels.len(), step.levels.len());
            assert_eq!(result["achievedLevel"], levels.last().unwrap()["id"]);
        }
    }
    let evidence = vc["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 2);
    assert!(evidence.iter().all(|e| e["digestMultibase"].as_str().unwrap().starts_with("uEi")));
    assert_eq!(vc["credentialStatus"]["type"], "BitstringStatusListEntry");
    assert_eq!(vc["credentialStatus"]["statusListIndex"], "94567");
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    check_structure(&vc).unwrap();
}

#[test]
fn building_is_deterministic() {
    let key = department_key();
    assert_eq!(badge::issue(&input(&key), &key).unwrap(), badge::issue(&input(&key), &key).unwrap());
}

#[test]
fn outcomes_other_than_passed_are_refused() {
    let key = department_key();
    for (outcome, name) in [(Outcome::NotYetCompetent, "not-yet-competent"), (Outcome::Incomplete, "incomplete")] {
        let mut i = input(&key);
        i.outcome = outcome;
        let err = badge::build(&i).unwrap_err();
        assert_eq!(err, IssueError::NotPassed(name));
        assert!(err.to_string().contains("only issued for a passed assessment"));
    }
}

#[test]
fn bad_inputs_are_refused_specifically() {
    let key = department_key();
    let mut i = input(&key);
    i.steps[0].step = StepId::new("no-such-step");
    assert!(matches!(badge::build(&i), Err(IssueError::UnknownStep(s, _)) if s == "no-such-step"));

    let mut i = input(&key);
    let with_levels = i.rubric.steps.iter().position(|s| !s.levels.is_empty()).unwrap();
    i.steps[with_levels].level = Some("Wizard".into());
    assert!(matches!(badge::build(&i), Err(IssueError::UnknownLevel { level, .. }) if level == "Wizard"));

    let mut i = input(&key);
    i.rubric_url = "physics.example.edu/rubric".into();
    assert!(matches!(badge::build(&i), Err(IssueError::BadUrl { what: "the rubric URL", .. })));

    let mut i = input(&key);
    i.rubric_url.push_str("#frag");
    assert!(matches!(badge::build(&i), Err(IssueError::BadUrl { .. })));

    let mut i = input(&key);
    i.valid_until = Some(i.valid_from.clone());
    assert_eq!(badge::build(&i), Err(IssueError::ValidityOrder));

    let mut i = input(&key);
    i.evidence.clear();
    assert_eq!(badge::build(&i), Err(IssueError::NoEvidence));
}

/// A change that breaks one structural rule.
type Edit = Box<dyn Fn(&mut Value)>;

#[test]
fn structural_rules_of_the_1edtech_validator() {
    let key = department_key();
    let good = badge::issue(&input(&key), &key).unwrap();
    let broken: Vec<(&str, Edit)> = vec![
        ("context order", Box::new(|v| v["@context"].as_array_mut().unwrap().reverse())),
        (
            "no OB context",
            Box::new(|v| {
                v["@context"].as_array_mut().unwrap().pop();
            }),
        ),
        ("no VerifiableCredential", Box::new(|v| v["type"] = serde_json::json!(["OpenBadgeCredential"]))),
        ("no OpenBadgeCredential", Box::new(|v| v["type"] = serde_json::json!(["VerifiableCredential"]))),
        ("issuer as string", Box::new(|v| v["issuer"] = Value::String("did:example:x".into()))),
        ("issuer not a Profile", Box::new(|v| v["issuer"]["type"] = serde_json::json!(["Organization"]))),
        (
            "no name",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("name");
            }),
        ),
        (
            "no validFrom",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("validFrom");
            }),
        ),
        ("bad validFrom", Box::new(|v| v["validFrom"] = "yesterday".into())),
        (
            "no achievement",
            Box::new(|v| {
                v["credentialSubject"].as_object_mut().unwrap().remove("achievement");
            }),
        ),
        (
            "achievement without criteria",
            Box::new(|v| {
                v["credentialSubject"]["achievement"].as_object_mut().unwrap().remove("criteria");
            }),
        ),
        (
            "achievement without description",
            Box::new(|v| {
                v["credentialSubject"]["achievement"].as_object_mut().unwrap().remove("description");
            }),
        ),
        (
            "subject without identity",
            Box::new(|v| {
                v["credentialSubject"].as_object_mut().unwrap().remove("identifier");
            }),
        ),
        (
            "evidence without type",
            Box::new(|v| {
                v["evidence"][0].as_object_mut().unwrap().remove("type");
            }),
        ),
        (
            "no proof",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("proof");
            }),
        ),
        ("cryptosuite not allowed", Box::new(|v| v["proof"]["cryptosuite"] = "eddsa-jcs-2022".into())),
    ];
    for (what, break_it) in broken {
        let mut vc = good.clone();
        break_it(&mut vc);
        assert!(check_structure(&vc).is_err(), "{what} was accepted");
    }
}
