//! The fast path of [`canonicalize`](super::canonicalize): JSON-LD 1.1 expansion fused with
//! the conversion to RDF over compiled, shared contexts, then RDFC-1.0 on the quads.
//!
//! - [`syntax`]: `@context` values parsed once into `Arc`'d trees with stable identities.
//! - [`context`]: compiled active contexts and context processing, memoised per
//!   `(active context, local context, scope)` in the set's [`Cache`] — type- and
//!   property-scoped contexts are processed once per process, not once per node.
//! - [`iri`]: IRI expansion; [`literal`]: lexical forms; [`expand`] and [`value`]: the walk that
//!   emits quads; [`canon`]: N-Quads and the sorted output; [`hndq`]: RDFC-1.0 labelling.
//!
//! Invariant: [`canonicalize`] either returns exactly what the general `json-ld` + `rdf-canon`
//! path returns for the document, or [`Unsupported`]: the caller then runs the general path,
//! so every error a caller sees is the general path's. What is supported: remote (shipped) and
//! inline contexts with `@protected`, `@vocab`, `@language`, `@version`; term definitions with
//! `@id` (IRIs, compact IRIs, terms, `@id`/`@type` aliases), `@type` (`@id`, `@vocab`, `@json`,
//! datatypes), `@container` `@set`/`@list`/`@language`/`@graph`, `@language` and scoped
//! `@context`s; protected-term checks; documents whose nodes use those terms, absolute or blank
//! ids, value objects with `@language` or `@type`. Everything else (`@base`, `@direction`,
//! `@reverse`, `@nest`, `@index`, embedded `@context`, nested arrays, relative ids, `null`
//! contexts, undefined terms in safe mode, …) falls back.

mod canon;
mod context;
mod expand;
mod hndq;
mod iri;
mod literal;
mod syntax;
mod value;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::Value;

use self::context::{Active, Scope};
use self::syntax::LocalContext;
use super::TermPolicy;
use crate::contexts::ContextSet;

/// The fast path cannot decide this document (a feature it does not implement, or a condition
/// the general processor reports as an error). Carries where it was decided (`file:line`), to
/// say why a document fell back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsupported(pub(crate) &'static str);

/// An [`Unsupported`] naming this source line.
macro_rules! unsupported {
    () => {
        $crate::rdfc::fast::Unsupported(concat!(file!(), ":", line!()))
    };
}
pub(crate) use unsupported;

/// How many derived contexts a set keeps. A credential needs a few dozen; the bound keeps odd
/// documents from growing the memo without limit (beyond it, contexts are derived per use).
const DERIVED_LIMIT: usize = 1_024;
/// How many distinct top-level `@context` values a set keeps compiled.
const TOP_LIMIT: usize = 16;

/// Compiled contexts of one [`ContextSet`]; dropped with it, and never shared with a set that
/// holds other documents.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    remote: Mutex<HashMap<String, Arc<LocalContext>>>,
    top: Mutex<HashMap<String, Arc<Active>>>,
    derived: Mutex<HashMap<(u64, u64, Scope), Arc<Active>>>,
}

/// Entries are complete values, so a panic elsewhere cannot leave a map inconsistent: a
/// poisoned lock is taken over.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Cache {
    fn derived(&self, key: &(u64, u64, Scope)) -> Option<Arc<Active>> {
        lock(&self.derived).get(key).cloned()
    }

    fn remember(&self, key: (u64, u64, Scope), active: Arc<Active>) {
        let mut derived = lock(&self.derived);
        if derived.len() < DERIVED_LIMIT {
            derived.insert(key, active);
        }
    }
}

/// What the algorithms need from the outside: the documents and their compiled forms.
pub(crate) struct Env<'a> {
    contexts: &'a ContextSet,
    cache: &'a Cache,
}

impl Env<'_> {
    /// A context document's local context, parsed once per set.
    fn remote(&self, url: &str) -> Result<Arc<LocalContext>, Unsupported> {
        if let Some(local) = lock(&self.cache.remote).get(url) {
            return Ok(local.clone());
        }
        let local =
            LocalContext::of_document(self.contexts.source(url).ok_or(unsupported!())?).ok_or(unsupported!())?;
        lock(&self.cache.remote).insert(url.to_owned(), local.clone());
        Ok(local)
    }

    /// The active context of a top-level `@context` value, compiled once per set.
    fn top(&self, context: &Value) -> Result<Arc<Active>, Unsupported> {
        let key = context.to_string();
        if let Some(active) = lock(&self.cache.top).get(&key) {
            return Ok(active.clone());
        }
        let local = LocalContext::parse(context);
        let active = context::process(self, &Arc::new(Active::initial()), &local, Scope::Plain)?;
        let mut top = lock(&self.cache.top);
        if top.len() < TOP_LIMIT {
            top.insert(key, active.clone());
        }
        Ok(active)
    }
}

/// The canonical N-Quads of `document`, or why the general path must decide.
pub(crate) fn canonicalize(document: &Value, contexts: &ContextSet, policy: TermPolicy) -> Result<String, Unsupported> {
    canon::canonicalize(quads(document, contexts, policy)?)
}

/// The quads of `document` (with duplicates), or why the general path must decide.
pub(crate) fn quads(
    document: &Value,
    contexts: &ContextSet,
    policy: TermPolicy,
) -> Result<Vec<canon::Quad>, Unsupported> {
    let env = Env { contexts, cache: contexts.fast_cache() };
    let map = document.as_object().ok_or(unsupported!())?;
    let active = match map.get("@context") {
        Some(context) => env.top(context)?,
        None => Arc::new(Active::initial()),
    };
    let mut emitter = expand::Emitter::new(&env, policy);
    emitter.document(&active, map)?;
    Ok(emitter.quads)
}
