//! IRI expansion (JSON-LD 1.1 API §5.2) against a compiled active context, mirroring the
//! general processor's `expand_iri_simple` step for step, with no base IRI (documents are
//! expanded without one on both paths).
//!
//! Invariant: validity decisions use the very parsers the general path uses (`iref` for IRIs,
//! `rdf_types` for blank node identifiers, `json_ld::syntax::CompactIri`), so both paths agree on
//! what is an IRI; an IRI that `oxrdf` would refuse is [`Expanded::Undefined`]'s sibling: the
//! caller checks [`is_rdf_iri`] before emitting it.

use std::borrow::Cow;

use json_ld::syntax::CompactIri;
use json_ld::Iri;
use rdf_types::BlankId;

use super::context::{Active, Mapping};

/// What a string expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expanded<'a> {
    /// `@id` (or an alias of it).
    Id,
    /// `@type` (or an alias of it).
    Type,
    /// Any other keyword or keyword-like string (`@value`, `@foo`, …).
    OtherKeyword,
    /// An absolute IRI.
    Iri(Cow<'a, str>),
    /// A blank node identifier, with its `_:` prefix.
    Blank(Cow<'a, str>),
    /// Nothing: not a term, not an IRI, no vocabulary mapping (the general processor's
    /// "invalid" identifier).
    Undefined,
}

/// `@` followed by one or more ASCII letters: reserved for keywords.
pub(crate) fn is_keyword_like(s: &str) -> bool {
    s.len() > 1 && s.starts_with('@') && s[1..].chars().all(|c| c.is_ascii_alphabetic())
}

/// Whether `s` is an absolute IRI for the general processor.
pub(crate) fn is_iri(s: &str) -> bool {
    Iri::new(s).is_ok()
}

/// Whether `s` can be an `oxrdf` named node (the general path refuses the document otherwise).
pub(crate) fn is_rdf_iri(s: &str) -> bool {
    oxrdf::NamedNodeRef::new(s).is_ok()
}

/// The general processor's reading of a concatenated IRI (`Id::from_string_in`).
fn classify(s: String) -> Expanded<'static> {
    if is_iri(&s) {
        Expanded::Iri(Cow::Owned(s))
    } else if BlankId::new(&s).is_ok() {
        Expanded::Blank(Cow::Owned(s))
    } else {
        Expanded::Undefined
    }
}

/// Expands `value` against `active`. `vocab`: whether term definitions and the vocabulary
/// mapping apply (true for keys and types, false for `@id` values).
pub(crate) fn expand<'a>(active: &Active, value: &'a str, vocab: bool) -> Expanded<'a> {
    match value {
        "@id" => return Expanded::Id,
        "@type" => return Expanded::Type,
        _ if value.starts_with('@')
            && (is_keyword_like(value) || json_ld::syntax::Keyword::try_from(value).is_ok()) =>
        {
            return Expanded::OtherKeyword
        }
        _ => {}
    }
    if let Some(definition) = active.terms.get(value) {
        match &definition.mapping {
            Mapping::Id => return Expanded::Id,
            Mapping::Type => return Expanded::Type,
            Mapping::Iri(iri) if vocab => return Expanded::Iri(Cow::Owned(iri.to_string())),
            Mapping::Iri(_) => {}
        }
    }
    if value.find(':').is_some_and(|i| i > 0) {
        if BlankId::new(value).is_ok() {
            return Expanded::Blank(Cow::Borrowed(value));
        }
        if value == "_:" {
            return Expanded::Undefined;
        }
        if let Ok(compact) = CompactIri::new(value) {
            if let Some(definition) = active.terms.get(compact.prefix()) {
                if let (true, Mapping::Iri(prefix)) = (definition.prefix, &definition.mapping) {
                    return classify(format!("{prefix}{}", compact.suffix()));
                }
            }
        }
        if is_iri(value) {
            return Expanded::Iri(Cow::Borrowed(value));
        }
    }
    if vocab {
        if let Some(mapping) = &active.vocab {
            return classify(format!("{mapping}{value}"));
        }
    }
    Expanded::Undefined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_like_strings() {
        assert!(is_keyword_like("@foo"));
        assert!(!is_keyword_like("@"));
        assert!(!is_keyword_like("@foo1"));
        assert!(!is_keyword_like("foo"));
    }

    #[test]
    fn without_terms_only_absolute_iris_and_blank_nodes_expand() {
        let empty = Active::initial();
        assert_eq!(expand(&empty, "https://a.example/x", true), Expanded::Iri("https://a.example/x".into()));
        assert_eq!(expand(&empty, "_:b0", false), Expanded::Blank("_:b0".into()));
        assert_eq!(expand(&empty, "relative", true), Expanded::Undefined);
        assert_eq!(expand(&empty, "@id", true), Expanded::Id);
        assert_eq!(expand(&empty, "@value", true), Expanded::OtherKeyword);
        assert_eq!(expand(&empty, "@foo", true), Expanded::OtherKeyword);
    }
}
