//! Value expansion (JSON-LD 1.1 API §5.3) and value objects: the literals and node
//! references of scalar values, as the general path's `to_rdf` writes them.
//!
//! Invariant: a string gets the property's `@language` (even `null`), else the context's
//! default language; numbers and booleans never carry one; a datatype must be an IRI `oxrdf`
//! accepts. Anything else is [`Unsupported`].

use std::sync::Arc;

use serde_json::{Map, Value};

use super::canon::{Object, Tag};
use super::context::{process, Active, Scope, TermDef, TypeMapping};
use super::expand::{Emitter, Item};
use super::iri::{self, Expanded};
use super::literal::{self, XSD_BOOLEAN};
use super::{unsupported, Unsupported};

type R<T> = Result<T, Unsupported>;

impl Emitter<'_> {
    /// Step 4 and Value Expansion (§5.3) for a string, number or boolean.
    pub(super) fn scalar(
        &mut self,
        active: &Arc<Active>,
        key: &str,
        definition: Option<&Arc<TermDef>>,
        value: &Value,
    ) -> R<Item> {
        let mut context = active.clone();
        if let Some(local) = definition.and_then(|d| d.scoped.as_ref()) {
            context = process(self.env, active, local, Scope::Property)?;
            // Value expansion reads the property's definition in the scoped context: it must
            // be the same definition.
            let same = match (context.terms.get(key), definition) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            };
            if !same {
                return Err(unsupported!());
            }
        }
        let ty = definition.and_then(|d| d.ty.clone());
        match (&ty, value) {
            (Some(TypeMapping::Id), Value::String(s)) => {
                return Ok(Item::Node(self.node_of(iri::expand(&context, s, false))?))
            }
            (Some(TypeMapping::Vocab), Value::String(s)) => {
                return Ok(Item::Node(self.node_of(iri::expand(&context, s, true))?))
            }
            _ => {}
        }
        let datatype = match &ty {
            Some(TypeMapping::Datatype(dt)) if self.rdf_iri(dt) => Some(dt.as_ref()),
            Some(TypeMapping::Datatype(_)) => return Err(unsupported!()),
            _ => None,
        };
        let language = match definition.and_then(|d| d.language.clone()) {
            Some(language) => language,
            None => context.language.clone(),
        };
        typed(value, datatype, language.as_deref())
    }

    /// A value object (`{"@value": …}` with `@language` or `@type`).
    pub(super) fn value_object(
        &mut self,
        active: &Arc<Active>,
        definition: Option<&Arc<TermDef>>,
        map: &Map<String, Value>,
    ) -> R<Item> {
        let mut context = active.clone();
        if let Some(local) = definition.and_then(|d| d.scoped.as_ref()) {
            context = process(self.env, active, local, Scope::Property)?;
        }
        let mut language = None;
        let mut datatype = None;
        for (key, v) in map {
            match (key.as_str(), v) {
                ("@value", _) => {}
                ("@language", Value::String(l)) => language = Some(l.as_str()),
                (k, Value::String(t)) if iri::expand(&context, k, true) == Expanded::Type => {
                    if context.terms.get(t.as_str()).is_some_and(|d| d.scoped.is_some()) {
                        return Err(unsupported!());
                    }
                    match iri::expand(&context, t, true) {
                        Expanded::Iri(iri) if self.rdf_iri(&iri) => datatype = Some(iri.into_owned()),
                        _ => return Err(unsupported!()),
                    }
                }
                _ => return Err(unsupported!()),
            }
        }
        let value = &map["@value"];
        match (value, &language, &datatype) {
            (Value::Null, _, _) | (_, Some(_), Some(_)) => Err(unsupported!()),
            (Value::String(_), Some(_), None) | (_, None, _) => typed(value, datatype.as_deref(), language),
            _ => Err(unsupported!()),
        }
    }
}

/// The literal for a scalar with an optional datatype or (for strings) language.
fn typed(value: &Value, datatype: Option<&str>, language: Option<&str>) -> R<Item> {
    let (lexical, default) = match value {
        Value::String(s) => {
            if datatype.is_none() {
                if let Some(language) = language {
                    let tag = Tag::Language(literal::language_tag(language)?);
                    return Ok(Item::Literal(Object::Literal { value: s.clone(), tag }));
                }
            }
            (s.clone(), literal::XSD_STRING)
        }
        Value::Bool(b) => (b.to_string(), XSD_BOOLEAN),
        Value::Number(n) => literal::number(n, datatype)?,
        _ => return Err(unsupported!()),
    };
    let datatype = datatype.unwrap_or(default).to_owned();
    Ok(Item::Literal(Object::Literal { value: lexical, tag: Tag::Datatype(datatype) }))
}
