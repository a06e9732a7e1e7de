//! Compiled active contexts and the context processing algorithm (JSON-LD 1.1 API §4.1–4.2)
//! for the features the shipped contexts and credentials use.
//!
//! Invariants:
//! - An [`Active`] is immutable once built and shared by `Arc`; its term definitions are
//!   `Arc`s too, so deriving a context copies one hash table of pointers, never a definition.
//! - Every derived context is memoised by `(active id, local context id, flags)` in the
//!   [`Cache`](super::Cache); ids are never reused, so a memo hit is exactly what processing
//!   again would give.
//! - Anything outside the supported subset (and every condition the general processor treats as
//!   an error) is [`Unsupported`]: the caller then uses the general `json-ld` path, so the fast
//!   path never gives a different answer, only no answer.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::iri::{self, Expanded};
use super::syntax::{next_id, Entry, Inline, LocalContext};
use super::{unsupported, Env, Unsupported};

/// What a term maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mapping {
    /// An absolute IRI.
    Iri(Arc<str>),
    /// An alias of `@id`.
    Id,
    /// An alias of `@type`.
    Type,
}

/// A term definition's `@container`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    None,
    Set,
    List,
    Language,
    Graph,
}

/// A term definition's `@type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeMapping {
    Id,
    Vocab,
    Json,
    Datatype(Arc<str>),
}

/// One term definition.
#[derive(Debug)]
pub(crate) struct TermDef {
    pub(crate) mapping: Mapping,
    /// May be used as the prefix of a compact IRI.
    pub(crate) prefix: bool,
    pub(crate) protected: bool,
    pub(crate) ty: Option<TypeMapping>,
    pub(crate) container: Container,
    /// `Some(None)`: `@language: null`.
    pub(crate) language: Option<Option<Arc<str>>>,
    /// The property- or type-scoped context.
    pub(crate) scoped: Option<Arc<LocalContext>>,
}

impl TermDef {
    /// Equal apart from `protected` (JSON-LD 1.1 API §4.2.2 step 27). Scoped contexts compare
    /// as written; stricter than needed is safe (a mismatch is only ever `Unsupported`).
    fn same_as(&self, other: &TermDef) -> bool {
        self.mapping == other.mapping
            && self.prefix == other.prefix
            && self.ty == other.ty
            && self.container == other.container
            && self.language == other.language
            && match (&self.scoped, &other.scoped) {
                (None, None) => true,
                (Some(a), Some(b)) => a.id == b.id || a.source == b.source,
                _ => false,
            }
    }
}

/// An active context.
#[derive(Debug, Clone)]
pub(crate) struct Active {
    /// Process-unique identity (memo key).
    pub(crate) id: u64,
    pub(crate) terms: HashMap<Arc<str>, Arc<TermDef>>,
    pub(crate) vocab: Option<Arc<str>>,
    /// The default language (`@language`), as written.
    pub(crate) language: Option<Arc<str>>,
    /// Set by a non-propagated (type-scoped) context: the context new node objects revert to.
    pub(crate) previous: Option<Arc<Active>>,
}

impl Active {
    /// The initial context: no terms, no base IRI, no vocabulary.
    pub(crate) fn initial() -> Active {
        Active { id: next_id(), terms: HashMap::new(), vocab: None, language: None, previous: None }
    }
}

/// How a local context is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Scope {
    /// A top-level or embedded `@context`.
    Plain,
    /// A property-scoped context: may override protected terms.
    Property,
    /// A type-scoped context: does not propagate into new node objects.
    Type,
}

/// The context processing algorithm, memoised.
pub(crate) fn process(
    env: &Env<'_>,
    active: &Arc<Active>,
    local: &Arc<LocalContext>,
    scope: Scope,
) -> Result<Arc<Active>, Unsupported> {
    let key = (active.id, local.id, scope);
    if let Some(hit) = env.cache.derived(&key) {
        return Ok(hit);
    }
    let derived = Arc::new(process_uncached(env, active, local, scope, true)?);
    env.cache.remember(key, derived.clone());
    Ok(derived)
}

fn process_uncached(
    env: &Env<'_>,
    active: &Arc<Active>,
    local: &LocalContext,
    scope: Scope,
    validate: bool,
) -> Result<Active, Unsupported> {
    let mut result = Active { id: next_id(), ..(**active).clone() };
    if scope == Scope::Type && result.previous.is_none() {
        result.previous = Some(active.clone());
    }
    apply(env, &mut result, local, scope == Scope::Property, validate, 0)?;
    Ok(result)
}

fn apply(
    env: &Env<'_>,
    result: &mut Active,
    local: &LocalContext,
    override_protected: bool,
    validate: bool,
    depth: usize,
) -> Result<(), Unsupported> {
    for entry in &local.entries {
        match entry {
            Entry::Null | Entry::Invalid => return Err(unsupported!()),
            Entry::Remote(url) => {
                if depth > 4 {
                    return Err(unsupported!());
                }
                let remote = env.remote(url)?;
                apply(env, result, &remote, false, validate, depth + 1)?;
            }
            Entry::Inline(inline) => define_all(env, result, inline, override_protected, validate)?,
        }
    }
    Ok(())
}

/// Steps 5.5–5.13 for one inline context object.
fn define_all(
    env: &Env<'_>,
    result: &mut Active,
    inline: &Inline,
    override_protected: bool,
    validate: bool,
) -> Result<(), Unsupported> {
    let mut protected = false;
    for (key, value) in &inline.map {
        match (key.as_str(), value) {
            ("@version", Value::Number(n)) if n.as_f64() == Some(1.1) => {}
            ("@protected", Value::Bool(b)) => protected = *b,
            ("@vocab", Value::String(v)) if iri::is_iri(v) => result.vocab = Some(Arc::from(v.as_str())),
            ("@vocab", Value::Null) => result.vocab = None,
            ("@language", Value::String(l)) => result.language = Some(Arc::from(l.as_str())),
            ("@language", Value::Null) => result.language = None,
            (k, _) if k.starts_with('@') => return Err(unsupported!()),
            _ => {}
        }
    }
    let mut defining = Definer { env, inline, defined: HashMap::new(), protected, override_protected, validate };
    for term in inline.map.keys().filter(|k| !k.starts_with('@')) {
        defining.define(result, term)?;
    }
    Ok(())
}

struct Definer<'a> {
    env: &'a Env<'a>,
    inline: &'a Inline,
    /// `false` while a term is being defined (a cycle), `true` once done.
    defined: HashMap<&'a str, bool>,
    protected: bool,
    override_protected: bool,
    validate: bool,
}

const GEN_DELIMS: [char; 7] = [':', '/', '?', '#', '[', ']', '@'];

impl<'a> Definer<'a> {
    /// Defines `value`'s term or compact-IRI prefix first when this context defines it
    /// (IRI expansion steps 4.3 and 6.3 of the context processing variant).
    fn dependencies(&mut self, result: &mut Active, value: &str) -> Result<(), Unsupported> {
        if let Some((term, _)) = self.inline.map.get_key_value(value) {
            self.define(result, term)?;
        }
        if let Some((prefix, _)) = value.split_once(':') {
            if let Some((term, _)) = self.inline.map.get_key_value(prefix) {
                self.define(result, term)?;
            }
        }
        Ok(())
    }

    /// Create Term Definition (JSON-LD 1.1 API §4.2.2) for the supported subset.
    fn define(&mut self, result: &mut Active, term: &'a str) -> Result<(), Unsupported> {
        match self.defined.get(term) {
            Some(true) => return Ok(()),
            Some(false) => return Err(unsupported!()),
            None => {}
        }
        self.defined.insert(term, false);
        if term.is_empty() || term.starts_with('@') || term.contains(':') || term.contains('/') {
            return Err(unsupported!());
        }
        let previous = result.terms.remove(term);
        let value = &self.inline.map[term];
        let (map, simple) = match value {
            Value::String(_) => (vec![("@id", value)], true),
            Value::Object(m) => (m.iter().map(|(k, v)| (k.as_str(), v)).collect(), false),
            _ => return Err(unsupported!()),
        };
        let get = |k: &str| map.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        if map
            .iter()
            .any(|(k, _)| !matches!(*k, "@id" | "@type" | "@container" | "@context" | "@language" | "@protected"))
        {
            return Err(unsupported!());
        }
        let protected = match get("@protected") {
            None => self.protected,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(unsupported!()),
        };
        let ty = match get("@type") {
            None => None,
            Some(Value::String(t)) => Some(match t.as_str() {
                "@id" => TypeMapping::Id,
                "@vocab" => TypeMapping::Vocab,
                "@json" => TypeMapping::Json,
                t => {
                    self.dependencies(result, t)?;
                    match iri::expand(result, t, true) {
                        Expanded::Iri(iri) => TypeMapping::Datatype(Arc::from(iri.as_ref())),
                        _ => return Err(unsupported!()),
                    }
                }
            }),
            Some(_) => return Err(unsupported!()),
        };
        let (mapping, prefix) = match get("@id") {
            Some(Value::String(id)) if id != term => match id.as_str() {
                "@id" | "@type" if map.iter().all(|(k, _)| matches!(*k, "@id" | "@protected")) => {
                    (if id == "@id" { Mapping::Id } else { Mapping::Type }, false)
                }
                id if id.starts_with('@') => return Err(unsupported!()),
                id => {
                    self.dependencies(result, id)?;
                    match iri::expand(result, id, true) {
                        Expanded::Iri(iri) => {
                            let prefix = simple && iri.ends_with(GEN_DELIMS);
                            (Mapping::Iri(Arc::from(iri.as_ref())), prefix)
                        }
                        _ => return Err(unsupported!()),
                    }
                }
            },
            Some(_) => return Err(unsupported!()),
            None => match &result.vocab {
                Some(vocab) => {
                    let iri = format!("{vocab}{term}");
                    if !iri::is_iri(&iri) {
                        return Err(unsupported!());
                    }
                    (Mapping::Iri(Arc::from(iri)), false)
                }
                None => return Err(unsupported!()),
            },
        };
        let container = match get("@container") {
            None => Container::None,
            Some(Value::String(c)) => container(c)?,
            Some(Value::Array(items)) if items.len() == 1 => container(items[0].as_str().ok_or(unsupported!())?)?,
            Some(_) => return Err(unsupported!()),
        };
        if ty == Some(TypeMapping::Json) && container != Container::None {
            return Err(unsupported!());
        }
        let language = match get("@language") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(l)) => Some(Some(Arc::from(l.as_str()))),
            Some(_) => return Err(unsupported!()),
        };
        let scoped = match get("@context") {
            None => None,
            Some(_) => {
                let scoped = self.inline.scoped.get(term).ok_or(unsupported!())?.clone();
                if self.validate {
                    // Step 21.3: a scoped context must process without error where it is defined.
                    let snapshot = Arc::new(Active { id: next_id(), ..result.clone() });
                    process_uncached(self.env, &snapshot, &scoped, Scope::Property, false)?;
                }
                Some(scoped)
            }
        };
        let definition = TermDef { mapping, prefix, protected, ty, container, language, scoped };
        // Step 27: a protected term may only be "redefined" identically, and then keeps the
        // previous definition (and its `protected` flag).
        let definition = match previous {
            Some(previous) if previous.protected && !self.override_protected => {
                if !previous.same_as(&definition) {
                    return Err(unsupported!());
                }
                previous
            }
            _ => Arc::new(definition),
        };
        result.terms.insert(Arc::from(term), definition);
        self.defined.insert(term, true);
        Ok(())
    }
}

fn container(c: &str) -> Result<Container, Unsupported> {
    Ok(match c {
        "@set" => Container::Set,
        "@list" => Container::List,
        "@language" => Container::Language,
        "@graph" => Container::Graph,
        _ => return Err(unsupported!()),
    })
}
