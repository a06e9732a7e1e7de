//! `@context` values as written, parsed once into shared, immutable trees.
//!
//! Invariant: every [`LocalContext`] has a process-unique `id` that is never reused, so
//! `(active context id, local context id)` is a sound memo key for context processing. The
//! scoped contexts of term definitions are parsed together with the context that holds them,
//! so a shipped context's scoped contexts keep one identity for the life of the process.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{Map, Value};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh process-unique identity (for local and active contexts).
pub(crate) fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// One `@context` value: a string, an object, `null` or an array of those.
#[derive(Debug)]
pub(crate) struct LocalContext {
    /// Process-unique identity (see the module invariant).
    pub(crate) id: u64,
    /// The value as written, for comparing the scoped contexts of two term definitions.
    pub(crate) source: Value,
    /// The entries in order.
    pub(crate) entries: Vec<Entry>,
}

/// One entry of a local context.
#[derive(Debug)]
pub(crate) enum Entry {
    /// `null`: resets the active context (not handled by the fast path).
    Null,
    /// A context URL, resolved through the `ContextSet`.
    Remote(String),
    /// An inline context object.
    Inline(Inline),
    /// Anything else (a number, a boolean): invalid, left to the general processor.
    Invalid,
}

/// An inline context object with the scoped contexts of its term definitions parsed.
#[derive(Debug)]
pub(crate) struct Inline {
    /// The object as written.
    pub(crate) map: Map<String, Value>,
    /// Term → its parsed `@context` (only terms whose definition has one).
    pub(crate) scoped: HashMap<String, Arc<LocalContext>>,
}

impl LocalContext {
    /// Parses a local context value (the value of an `@context` entry).
    pub(crate) fn parse(value: &Value) -> Arc<LocalContext> {
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let entries = items
            .into_iter()
            .map(|item| match item {
                Value::Null => Entry::Null,
                Value::String(url) => Entry::Remote(url.clone()),
                Value::Object(map) => Entry::Inline(Inline::parse(map)),
                _ => Entry::Invalid,
            })
            .collect();
        Arc::new(LocalContext { id: next_id(), source: value.clone(), entries })
    }

    /// The local context of a context document (its `@context` entry), if it has one.
    pub(crate) fn of_document(document: &Value) -> Option<Arc<LocalContext>> {
        document.as_object()?.get("@context").map(LocalContext::parse)
    }
}

impl Inline {
    fn parse(map: &Map<String, Value>) -> Inline {
        let scoped = map
            .iter()
            .filter_map(|(term, definition)| {
                let scoped = definition.as_object()?.get("@context")?;
                Some((term.clone(), LocalContext::parse(scoped)))
            })
            .collect();
        Inline { map: map.clone(), scoped }
    }
}
