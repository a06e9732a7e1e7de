//! JSON-LD → RDF → RDFC-1.0 canonical N-Quads, as jsonld.js 9 + rdf-canonize 5 produce them.
//!
//! The document is expanded against a [`ContextSet`] (offline; an unknown context URL is refused
//! before anything else), turned into RDF quads by `json-ld`, copied into an `oxrdf` dataset
//! (language tags lowercased, as jsonld.js does), and canonicalised by `rdf-canon` with a limit on
//! the Hash N-Degree Quads calls, so a hostile document cannot make a verifier spin.
//!
//! Two paths give the same bytes: a fast path (`fast`: contexts compiled once and shared,
//! expansion fused with RDF conversion, RDFC-1.0 on its own quads) answers whatever it supports;
//! the general path above (`json-ld` 0.21 + `rdf-canon`) is the reference and answers the rest,
//! including every error. `tests/it/fast_path.rs` and `fast_generated.rs` compare the two.
//!
//! Undefined terms: with [`TermPolicy::Safe`] (the default, used to issue and to verify) a term
//! or type that no context defines is an error naming it — it would otherwise be silently left
//! out of what is signed, so the signature would not cover it. [`TermPolicy::Lenient`] drops it,
//! as jsonld.js does outside safe mode; it exists to compare with that behaviour.

use futures_executor::block_on;
use json_ld::rdf::RdfQuads;
use json_ld::syntax::{ErrorCode, Parse};
use json_ld::{Expand, ExpandError, ExpandedDocument, JsonLdProcessor, Options, RemoteDocument, ToRdfError};
use oxrdf::{BlankNode, Dataset, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use rdf_canon::{CanonicalizationError, CanonicalizationOptions};
use serde_json::Value;
use sha2::Sha256;

use crate::contexts::{ContextSet, UnknownContext};

pub(crate) mod fast;

/// How many Hash N-Degree Quads calls canonicalisation may make. Credentials have a handful of
/// blank nodes with distinct first-degree hashes (zero calls); the W3C poison-graph tests need
/// far more than this.
pub const HNDQ_CALL_LIMIT: usize = 4_000;

/// What to do with terms and types that no context defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TermPolicy {
    /// Refuse them with [`CanonError::UndefinedTerm`] (jsonld.js "safe mode").
    #[default]
    Safe,
    /// Drop them silently, as jsonld.js does by default.
    Lenient,
}

/// Why a document could not be canonicalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonError {
    /// An `@context` URL that is not shipped.
    #[error(transparent)]
    UnknownContext(#[from] UnknownContext),
    /// A property or type that no context defines (safe mode only).
    #[error(
        "the term {term:?} is not defined by any @context: it would not be signed; define it in a context or remove it"
    )]
    UndefinedTerm {
        /// The term as written in the document (or `"type"` when only the type value is known to be at fault).
        term: String,
    },
    /// A context tried to redefine a term that an earlier context protects (e.g. `id`, `type`,
    /// `name` of VC 2.0).
    #[error("a context redefines the protected term of an earlier context; remove the redefinition")]
    ProtectedTermRedefinition,
    /// Any other JSON-LD error (invalid keyword use, invalid @id, …).
    #[error("the document is not valid JSON-LD ({code}): {detail}")]
    JsonLd {
        /// The JSON-LD error code, e.g. `invalid @id value`.
        code: String,
        /// The processor's description.
        detail: String,
    },
    /// The document would take too much work to canonicalise (a blank-node structure built to
    /// make canonicalisation explode).
    #[error("the document's blank nodes need more than {limit} canonicalisation steps; refusing it as hostile")]
    TooComplex {
        /// The limit that was reached.
        limit: usize,
    },
}

/// The RDFC-1.0 canonical N-Quads of `document` (each quad ends with `\n`, sorted).
///
/// The fast path ([`canonicalize_fast`]) answers when it can; otherwise the general `json-ld` +
/// `rdf-canon` path ([`canonicalize_general`]) does. Both give the same bytes and errors.
pub fn canonicalize(document: &Value, contexts: &ContextSet, policy: TermPolicy) -> Result<String, CanonError> {
    check_contexts(document, contexts)?;
    match fast::canonicalize(document, contexts, policy) {
        Ok(nquads) => Ok(nquads),
        Err(_) => general(document, contexts, policy),
    }
}

/// The fast path alone: `None` when it leaves the document to the general path, `Some(Err)`
/// only for an unknown context URL (which both paths refuse up front). Public so that tests and
/// benchmarks can compare the two paths; use [`canonicalize`].
pub fn canonicalize_fast(
    document: &Value,
    contexts: &ContextSet,
    policy: TermPolicy,
) -> Option<Result<String, CanonError>> {
    if let Err(e) = check_contexts(document, contexts) {
        return Some(Err(e.into()));
    }
    fast::canonicalize(document, contexts, policy).ok().map(Ok)
}

/// Why the fast path leaves `document` to the general path (the `file:line` that decided), or
/// `None` when it answers. For tests and for extending the fast path.
#[doc(hidden)]
pub fn fast_fallback_reason(document: &Value, contexts: &ContextSet, policy: TermPolicy) -> Option<&'static str> {
    fast::canonicalize(document, contexts, policy).err().map(|e| e.0)
}

/// How many quads the fast path's expansion emits for `document` (duplicates included), without
/// canonicalising them; `None` when it leaves the document to the general path. Only for
/// splitting the cost in `examples/canon_phases.rs`.
#[doc(hidden)]
pub fn fast_expansion_only(document: &Value, contexts: &ContextSet, policy: TermPolicy) -> Option<usize> {
    fast::quads(document, contexts, policy).ok().map(|quads| quads.len())
}

/// The general path alone (`json-ld` expansion and RDF conversion, `oxrdf`, `rdf-canon`): the
/// reference the fast path is checked against. Public for tests and benchmarks; use
/// [`canonicalize`].
pub fn canonicalize_general(document: &Value, contexts: &ContextSet, policy: TermPolicy) -> Result<String, CanonError> {
    check_contexts(document, contexts)?;
    general(document, contexts, policy)
}

fn general(document: &Value, contexts: &ContextSet, policy: TermPolicy) -> Result<String, CanonError> {
    let dataset = to_dataset(document, contexts, policy)?;
    let options = CanonicalizationOptions { hndq_call_limit: Some(HNDQ_CALL_LIMIT) };
    rdf_canon::canonicalize_with::<Sha256>(&dataset, &options).map_err(|e| match e {
        CanonicalizationError::HndqCallLimitExceeded(limit) => CanonError::TooComplex { limit },
        other => CanonError::JsonLd { code: "canonicalization".into(), detail: other.to_string() },
    })
}

/// Every string `@context` anywhere in the document must be known: checked up front so that the
/// error names the URL.
fn check_contexts(value: &Value, contexts: &ContextSet) -> Result<(), UnknownContext> {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "@context" {
                    let urls: Vec<&Value> = match item {
                        Value::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for url in urls {
                        match url {
                            Value::String(url) if !contexts.contains(url) => return Err(contexts.unknown(url)),
                            Value::Object(_) => check_contexts(url, contexts)?,
                            _ => {}
                        }
                    }
                } else {
                    check_contexts(item, contexts)?;
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(|item| check_contexts(item, contexts)),
        _ => Ok(()),
    }
}

fn expansion_policy(policy: TermPolicy) -> json_ld::expansion::Policy {
    use json_ld::expansion::{Action, Policy};
    match policy {
        TermPolicy::Safe => Policy { invalid: Action::Reject, vocab: Action::Keep, allow_undefined: false },
        TermPolicy::Lenient => Policy::default(),
    }
}

/// Expands `document` (unordered, as `to_rdf` does). A top-level object's `@context` is taken
/// from the set's cache of processed active contexts and the rest of the object is expanded
/// against it, which is what the expansion algorithm does with that `@context` anyway (step 9
/// processes it against the initial context; type-scoped contexts then start from the result).
/// Anything else, or a context that fails to process, goes through the full processor so that
/// errors are the processor's own.
fn expand(document: &Value, contexts: &ContextSet, options: Options) -> Result<ExpandedDocument, CanonError> {
    let failed = |e: ExpandError| expand_error(ToRdfError::Expand(e), document);
    if let Value::Object(map) = document {
        if let Some(active) = map.get("@context").and_then(|c| contexts.active_context(c)) {
            let mut body = map.clone();
            body.remove("@context");
            let json = syntax_value(&Value::Object(body))?;
            return block_on(json.expand_full(&mut (), active, None, contexts, options.expansion_options(), ()))
                .map_err(|e| failed(ExpandError::Expansion(e)));
        }
    }
    let input = RemoteDocument::new(None, None, syntax_value(document)?);
    block_on(JsonLdProcessor::expand_full(&input, &mut (), contexts, options, ())).map_err(failed)
}

fn syntax_value(document: &Value) -> Result<json_ld::syntax::Value, CanonError> {
    json_ld::syntax::Value::parse_str(&document.to_string())
        .map(|(json, _)| json)
        .map_err(|e| CanonError::JsonLd { code: "loading document failed".into(), detail: e.to_string() })
}

fn to_dataset(document: &Value, contexts: &ContextSet, policy: TermPolicy) -> Result<Dataset, CanonError> {
    let options = Options { expansion_policy: expansion_policy(policy), ..Options::default() }.unordered();
    let mut expanded = expand(document, contexts, options)?;
    let mut generator = rdf_types::generator::Blank::new();
    expanded.relabel_and_canonicalize_with(&mut (), &mut generator);
    let mut dataset = Dataset::new();
    for quad in expanded.rdf_quads_full(&mut (), &mut generator, None, false).cloned() {
        let rdf_types::Quad(s, p, o, g) = quad;
        let subject_node = node_id(s)?;
        let predicate = match p {
            json_ld::ValidId::Iri(iri) => named(iri.as_str())?,
            // Blank-node predicates are generalized RDF, not produced (produce_generalized_rdf is off).
            json_ld::ValidId::Blank(_) => continue,
        };
        let object: Term = match o {
            rdf_types::Term::Id(id) => node_id(id)?.into(),
            rdf_types::Term::Literal(literal) => literal_of(literal)?.into(),
        };
        let graph = match g {
            None => GraphName::DefaultGraph,
            Some(id) => match node_id(id)? {
                NamedOrBlankNode::NamedNode(n) => GraphName::NamedNode(n),
                NamedOrBlankNode::BlankNode(b) => GraphName::BlankNode(b),
            },
        };
        dataset.insert(&Quad::new(subject_node, predicate, object, graph));
    }
    Ok(dataset)
}

fn named(iri: &str) -> Result<NamedNode, CanonError> {
    NamedNode::new(iri).map_err(|e| CanonError::JsonLd { code: "invalid IRI".into(), detail: format!("{iri}: {e}") })
}

fn node_id(id: json_ld::ValidId) -> Result<NamedOrBlankNode, CanonError> {
    Ok(match id {
        json_ld::ValidId::Iri(iri) => named(iri.as_str())?.into(),
        json_ld::ValidId::Blank(blank) => {
            let label = blank.as_str().trim_start_matches("_:");
            BlankNode::new(label)
                .map_err(|e| CanonError::JsonLd { code: "invalid blank node".into(), detail: e.to_string() })?
                .into()
        }
    })
}

fn literal_of(literal: rdf_types::Literal) -> Result<Literal, CanonError> {
    Ok(match literal.type_ {
        rdf_types::LiteralType::Any(datatype) => Literal::new_typed_literal(literal.value, named(datatype.as_str())?),
        // jsonld.js lowercases language tags when it produces RDF; RDFC-1.0 hashes them as written.
        rdf_types::LiteralType::LangString(tag) => {
            Literal::new_language_tagged_literal_unchecked(literal.value, tag.as_str().to_ascii_lowercase())
        }
    })
}

fn expand_error(error: ToRdfError, document: &Value) -> CanonError {
    let ToRdfError::Expand(error) = error;
    let code = error.code();
    if code == ErrorCode::ProtectedTermRedefinition {
        return CanonError::ProtectedTermRedefinition;
    }
    if let json_ld::ExpandError::Expansion(json_ld::expansion::Error::KeyExpansionFailed(term)) = &error {
        return CanonError::UndefinedTerm { term: term.clone() };
    }
    if code == ErrorCode::InvalidTypeValue {
        if let Some(term) = undefined_type(document) {
            return CanonError::UndefinedTerm { term };
        }
    }
    CanonError::JsonLd { code: code.as_str().to_owned(), detail: error.to_string() }
}

/// The first `type`/`@type` value that is neither a compact IRI nor an absolute IRI: the likely
/// undefined type behind an "invalid type value" error (for the message only).
fn undefined_type(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "type" || key == "@type" {
                    let values: Vec<&Value> = match item {
                        Value::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for v in values {
                        if let Value::String(s) = v {
                            if !s.contains(':') && !KNOWN_TYPES.contains(&s.as_str()) {
                                return Some(s.clone());
                            }
                        }
                    }
                }
                if key != "@context" {
                    if let Some(found) = undefined_type(item) {
                        return Some(found);
                    }
                }
            }
            None
        }
        Value::Array(items) => items.iter().find_map(undefined_type),
        _ => None,
    }
}

/// Types defined by the shipped contexts that benchproof documents use (so that the message
/// points at the right one when a document mixes them with an undefined type).
const KNOWN_TYPES: [&str; 20] = [
    "VerifiableCredential",
    "OpenBadgeCredential",
    "AchievementCredential",
    "Profile",
    "AchievementSubject",
    "Achievement",
    "Criteria",
    "Alignment",
    "ResultDescription",
    "RubricCriterionLevel",
    "Result",
    "Evidence",
    "IdentityObject",
    "Image",
    "BitstringStatusListEntry",
    "BitstringStatusListCredential",
    "BitstringStatusList",
    "DataIntegrityProof",
    "EndorsementCredential",
    "@json",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain processor path (no cached active context): what `to_dataset` did before the
    /// cache, kept here as the reference the cached path must equal.
    fn canonicalize_uncached(
        document: &Value,
        contexts: &ContextSet,
        policy: TermPolicy,
    ) -> Result<String, CanonError> {
        let options = Options { expansion_policy: expansion_policy(policy), ..Options::default() };
        let input = RemoteDocument::new(None, None, syntax_value(document)?);
        let mut generator = rdf_types::generator::Blank::new();
        let mut rdf =
            block_on(input.to_rdf_using(&mut generator, contexts, options)).map_err(|e| expand_error(e, document))?;
        let mut dataset = Dataset::new();
        for rdf_types::Quad(s, p, o, g) in rdf.cloned_quads() {
            let json_ld::ValidId::Iri(p) = p else { continue };
            let object: Term = match o {
                rdf_types::Term::Id(id) => node_id(id)?.into(),
                rdf_types::Term::Literal(literal) => literal_of(literal)?.into(),
            };
            let graph = match g.map(node_id).transpose()? {
                None => GraphName::DefaultGraph,
                Some(NamedOrBlankNode::NamedNode(n)) => GraphName::NamedNode(n),
                Some(NamedOrBlankNode::BlankNode(b)) => GraphName::BlankNode(b),
            };
            dataset.insert(&Quad::new(node_id(s)?, named(p.as_str())?, object, graph));
        }
        let options = CanonicalizationOptions { hndq_call_limit: Some(HNDQ_CALL_LIMIT) };
        Ok(rdf_canon::canonicalize_with::<Sha256>(&dataset, &options).expect("fixtures are small"))
    }

    #[test]
    fn the_cached_active_context_gives_what_the_plain_processor_gives() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/credentials/harder");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        assert_eq!(paths.len(), 10, "the fixture set changed");
        let mut matched_ok = 0;
        for path in &paths {
            let document: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
            for policy in [TermPolicy::Safe, TermPolicy::Lenient] {
                // A fresh set per document and policy: the first call fills the cache, the
                // second is served from it; both must equal the plain processor.
                let contexts =
                    ContextSet::standard().clone().with_document("https://example.org/unused", "{}").unwrap();
                let reference = canonicalize_uncached(&document, &contexts, policy);
                for round in ["filling", "cached"] {
                    let got = canonicalize(&document, &contexts, policy);
                    assert_eq!(got, reference, "{} ({policy:?}, {round})", path.display());
                }
                matched_ok += usize::from(reference.is_ok());
            }
        }
        // Most fixtures canonicalise; the undefined-term and redefinition ones fail in safe mode.
        assert!(matched_ok >= 15, "only {matched_ok} canonical forms compared");
    }

    #[test]
    fn the_cache_is_dropped_when_a_document_is_replaced() {
        let url = "https://example.org/ctx";
        let doc = serde_json::json!({"@context": url, "@id": "https://example.org/s", "p": "v"});
        let first =
            ContextSet::standard().clone().with_document(url, r#"{"@context":{"p":"https://a.example/p"}}"#).unwrap();
        let a = canonicalize(&doc, &first, TermPolicy::Safe).unwrap();
        assert!(a.contains("<https://a.example/p>"), "{a}");
        let second = first.with_document(url, r#"{"@context":{"p":"https://b.example/p"}}"#).unwrap();
        let b = canonicalize(&doc, &second, TermPolicy::Safe).unwrap();
        assert!(b.contains("<https://b.example/p>"), "{b}");
    }
}
