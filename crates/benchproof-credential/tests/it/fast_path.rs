//! The fast canonicalisation path against the general `json-ld` + `rdf-canon` path: every
//! fixture document the crate has, in both term policies, must give byte-identical N-Quads or
//! the identical error — and the fast path must actually answer for the documents it is built
//! for, so that it cannot pass by always falling back.

use benchproof_credential::badge;
use benchproof_credential::contexts::ContextSet;
use benchproof_credential::issuer::Issuer;
use benchproof_credential::rdfc::{
    canonicalize, canonicalize_fast, canonicalize_general, fast_fallback_reason, CanonError, TermPolicy,
};
use benchproof_credential::status::{self, StatusList};
use serde_json::{json, Value};

use crate::common::{at, department_key, input, repo, with_examples};

/// Every document: (name, document, contexts to use, whether the fast path must answer).
pub fn corpus() -> Vec<(String, Value, ContextSet, bool)> {
    let mut docs = Vec::new();
    let standard = || ContextSet::standard().clone();
    let harder = repo().join("fixtures/credentials/harder");
    let mut paths: Vec<_> = std::fs::read_dir(&harder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        // The undefined ones and the protected redefinition are errors (safe mode) or dropped
        // terms (lenient), which the fast path leaves to the general one on purpose.
        let fast =
            !matches!(name.as_str(), "undefined-term.json" | "undefined-type.json" | "protected-redefinition.json");
        docs.push((format!("harder/{name}"), doc, standard(), fast));
    }
    let vectors = repo().join("fixtures/vectors/w3c-vc-di-eddsa");
    for name in ["unsigned.json", "eddsa-rdfc-2022/proofConfigDataInt.json", "eddsa-rdfc-2022/signedDataInt.json"] {
        let doc: Value = serde_json::from_slice(&std::fs::read(vectors.join(name)).unwrap()).unwrap();
        docs.push((format!("w3c/{name}"), doc, with_examples(), true));
    }
    let key = department_key();
    let unsigned = badge::build(&input(&key)).unwrap();
    let signed = badge::issue(&input(&key), &key).unwrap();
    let mut config = signed["proof"].clone();
    config.as_object_mut().unwrap().remove("proofValue");
    config["@context"] = signed["@context"].clone();
    let mut minimal = input(&key);
    minimal.valid_until = None;
    minimal.status = None;
    let issuer = Issuer::with_did_key(&key, "Physics Teaching Lab", "https://physics.example.edu/");
    let list = status::list_credential(
        "https://physics.example.edu/status/1",
        &issuer,
        &at("2026-03-01T00:00:00Z"),
        &StatusList::default(),
    );
    for (name, doc) in [
        ("badge/unsigned", unsigned),
        ("badge/signed (proof in a @graph container)", signed),
        ("badge/proof configuration", config),
        ("badge/minimal", badge::build(&minimal).unwrap()),
        ("status/list credential", list),
    ] {
        docs.push((name.to_owned(), doc, standard(), true));
    }
    docs
}

/// Compares both paths on `doc`; returns whether the fast path answered.
pub fn compare(name: &str, doc: &Value, contexts: &ContextSet, policy: TermPolicy) -> bool {
    let general = canonicalize_general(doc, contexts, policy);
    let fast = canonicalize_fast(doc, contexts, policy);
    if let Some(fast) = &fast {
        assert_eq!(fast, &general, "{name} ({policy:?}): the fast path differs from the general path\n{doc:#}");
    }
    assert_eq!(canonicalize(doc, contexts, policy), general, "{name} ({policy:?}): canonicalize");
    fast.is_some()
}

#[test]
fn every_fixture_gives_the_same_canonical_form_on_both_paths() {
    let mut answered = 0;
    let mut compared = 0;
    for (name, doc, contexts, must_answer) in corpus() {
        for policy in [TermPolicy::Safe, TermPolicy::Lenient] {
            let fast = compare(&name, &doc, &contexts, policy);
            if must_answer {
                let why = fast_fallback_reason(&doc, &contexts, policy);
                assert!(fast, "{name} ({policy:?}): the fast path fell back to the general path at {why:?}");
            }
            answered += usize::from(fast);
            compared += 1;
        }
    }
    assert_eq!(compared, 36);
    assert!(answered >= 30, "the fast path answered only {answered} of {compared}");
}

/// A graph of blank nodes: node `i` knows the nodes in `edges[i]`, written as one document
/// whose top node is `_:n0` with every other node embedded under it.
fn blank_graph(edges: &[Vec<usize>]) -> Value {
    let node = |i: usize| {
        let knows: Vec<Value> = edges[i].iter().map(|j| json!({"@id": format!("_:n{j}")})).collect();
        json!({"@id": format!("_:n{i}"), "knows": knows})
    };
    let mut top = node(0);
    let others: Vec<Value> = (1..edges.len()).map(node).collect();
    top["contains"] = Value::Array(others);
    top["@context"] = json!({"knows": "https://example.org/knows", "contains": "https://example.org/contains"});
    top
}

#[test]
fn blank_node_structures_that_need_hash_n_degree_quads_agree() {
    let ring = |n: usize| (0..n).map(|i| vec![(i + 1) % n]).collect::<Vec<_>>();
    let complete = |n: usize| (0..n).map(|i| (0..n).filter(|&j| j != i).collect()).collect::<Vec<_>>();
    let two_rings: Vec<Vec<usize>> = vec![vec![1], vec![2], vec![0], vec![4], vec![5], vec![3]];
    let contexts = ContextSet::standard().clone();
    for (name, edges) in [("ring 2", ring(2)), ("ring 5", ring(5)), ("K4", complete(4)), ("two 3-rings", two_rings)] {
        let doc = blank_graph(&edges);
        assert!(compare(name, &doc, &contexts, TermPolicy::Safe), "{name}: the fast path fell back");
    }
}

#[test]
fn a_blank_node_bomb_is_left_to_the_general_path_and_refused() {
    // As in harder.rs, but built from embedded nodes so that the fast path's expansion takes
    // it: its canonicalisation must give up (call or permutation limit) and the general path
    // must refuse the document with its own error.
    let doc = blank_graph(&(0..10).map(|i| (0..10).filter(|&j| j != i).collect()).collect::<Vec<_>>());
    let contexts = ContextSet::standard().clone();
    assert!(fast_fallback_reason(&doc, &contexts, TermPolicy::Safe).is_some_and(|at| at.contains("hndq")));
    assert!(matches!(canonicalize(&doc, &contexts, TermPolicy::Safe), Err(CanonError::TooComplex { .. })));
}
