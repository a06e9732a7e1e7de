//! Harder documents (OB credential, proof configuration, @json, control characters, @list,
//! floats, language tags, undefined terms and types, a protected-term redefinition) must
//! canonicalise byte for byte as jsonld.js 9 + rdf-canonize 5 do, in safe and lenient mode.

use benchproof_credential::contexts::ContextSet;
use benchproof_credential::rdfc::{canonicalize, CanonError, TermPolicy};
use serde_json::{json, Value};

use crate::common::{node, repo};

fn documents() -> Vec<(String, Value)> {
    let dir = repo().join("fixtures/credentials/harder");
    let mut docs: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    docs.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(docs.len(), 10, "the fixture set changed");
    docs
}

#[test]
fn canonical_forms_match_jsonld_js() {
    let docs = documents();
    let mut request = Vec::new();
    for (name, doc) in &docs {
        for safe in [false, true] {
            request.push(json!({"name": format!("{name}:{safe}"), "document": doc, "safe": safe}));
        }
    }
    let answers: Vec<Value> =
        serde_json::from_str(&node("canon.mjs", &[], &Value::Array(request).to_string())).unwrap();
    let mut compared = 0;
    for (i, (name, doc)) in docs.iter().enumerate() {
        for (j, policy) in [TermPolicy::Lenient, TermPolicy::Safe].into_iter().enumerate() {
            let answer = &answers[i * 2 + j];
            let ours = canonicalize(doc, ContextSet::standard(), policy);
            match (answer.get("nquads").and_then(Value::as_str), &ours) {
                (Some(theirs), Ok(ours)) => assert_eq!(ours, theirs, "{name} ({policy:?})"),
                (None, Err(_)) => {}
                (theirs, ours) => {
                    panic!("{name} ({policy:?}): jsonld.js {theirs:?} {:?}, we {ours:?}", answer.get("error"))
                }
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 20);
}

#[test]
fn safe_mode_names_the_undefined_term_or_type() {
    let docs = documents();
    let get = |n: &str| docs.iter().find(|(name, _)| name == n).unwrap().1.clone();
    assert_eq!(
        canonicalize(&get("undefined-term.json"), ContextSet::standard(), TermPolicy::Safe),
        Err(CanonError::UndefinedTerm { term: "favouriteColour".into() })
    );
    assert_eq!(
        canonicalize(&get("undefined-type.json"), ContextSet::standard(), TermPolicy::Safe),
        Err(CanonError::UndefinedTerm { term: "1EdTechJsonSchemaValidator2019".into() })
    );
    assert_eq!(
        canonicalize(&get("protected-redefinition.json"), ContextSet::standard(), TermPolicy::Lenient),
        Err(CanonError::ProtectedTermRedefinition)
    );
}

#[test]
fn unknown_contexts_are_refused_by_url() {
    let doc = json!({"@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/context.json"], "type": "VerifiableCredential"});
    match canonicalize(&doc, ContextSet::standard(), TermPolicy::Safe) {
        Err(CanonError::UnknownContext(e)) => assert_eq!(e.url, "https://evil.example/context.json"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn blank_node_bombs_hit_the_call_limit() {
    // A complete graph of indistinguishable blank nodes: every node has the same first-degree
    // hash and every permutation looks alike, so RDFC-1.0's Hash N-Degree Quads recursion grows
    // factorially. The call limit turns that into an error instead of a hang.
    let n = 10;
    let nodes: Vec<Value> = (0..n)
        .map(|i| {
            let others: Vec<Value> = (0..n).filter(|&j| j != i).map(|j| json!({"@id": format!("_:b{j}")})).collect();
            json!({"@id": format!("_:b{i}"), "https://example.org/knows": others})
        })
        .collect();
    let doc = json!({"@graph": nodes});
    assert!(matches!(
        canonicalize(&doc, ContextSet::standard(), TermPolicy::Lenient),
        Err(CanonError::TooComplex { .. })
    ));
}

#[test]
fn tiny_non_integer_numbers_follow_the_json_ld_spec() {
    // Known divergence, kept on purpose: jsonld.js 9 decides "double or integer" from
    // String(number) containing a '.', so 1e-7 (String "1e-7") becomes the integer "0". The
    // JSON-LD 1.1 toRdf algorithm (and json-ld here) makes any number with a fractional part an
    // xsd:double. Benchproof credentials contain no such numbers; the fixture set avoids them.
    let doc = json!({"@context": {"r": "https://example.org/r"}, "@id": "https://example.org/s", "r": 1e-7});
    let nquads = canonicalize(&doc, ContextSet::standard(), TermPolicy::Safe).unwrap();
    assert_eq!(
        nquads,
        "<https://example.org/s> <https://example.org/r> \"1.0E-7\"^^<http://www.w3.org/2001/XMLSchema#double> .\n"
    );
}
