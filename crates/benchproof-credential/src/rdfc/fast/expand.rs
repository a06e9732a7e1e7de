//! JSON-LD 1.1 expansion (API §5.1) fused with deserialisation to RDF (§8.2): the document is
//! walked once and quads are emitted directly, with no expanded document and no node map.
//!
//! Why fusing is exact: an RDF dataset is a set, so the node map's merging of node objects
//! with the same `@id` is the union of their quads, which is what emitting per occurrence and
//! removing duplicates (in [`canon`](super::canon)) gives. Blank nodes get fresh numbers per
//! document (the labels do not survive canonicalisation; `_:x` labels written in the document
//! map to one number each).
//!
//! Invariant: every step follows the algorithm's numbering below; whatever it does not cover
//! — and every condition the general processor reports as an error or drops silently except an
//! undefined term in lenient mode — returns [`Unsupported`] before anything is returned.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::canon::{Node, Object, Quad, Tag};
use super::context::{process, Active, Container, Scope, TermDef, TypeMapping};
use super::iri::{self, Expanded};
use super::literal::{self, RDF_JSON};
use super::{unsupported, Env, Unsupported};
use crate::rdfc::TermPolicy;

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDF_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
const RDF_REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
const RDF_NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";

type R<T> = Result<T, Unsupported>;

/// One expanded value of a property.
pub(super) enum Item {
    Node(Node),
    Literal(Object),
}

impl Item {
    fn into_object(self) -> Object {
        match self {
            Item::Node(node) => Object::Node(node),
            Item::Literal(literal) => literal,
        }
    }
}

/// A property of a node object: its key, its IRI and its term definition (if a term).
struct Property<'p> {
    key: &'p str,
    predicate: &'p str,
    definition: Option<&'p Arc<TermDef>>,
}

/// The walk's state: the quads so far and the blank node numbering.
pub(crate) struct Emitter<'e> {
    pub(super) env: &'e Env<'e>,
    policy: TermPolicy,
    pub(crate) quads: Vec<Quad>,
    blanks: HashMap<String, u32>,
    next_blank: u32,
    /// IRIs already found acceptable to `oxrdf` in this document (most repeat).
    checked: HashSet<String>,
}

impl<'e> Emitter<'e> {
    pub(crate) fn new(env: &'e Env<'e>, policy: TermPolicy) -> Self {
        Emitter {
            env,
            policy,
            quads: Vec::with_capacity(512),
            blanks: HashMap::new(),
            next_blank: 0,
            checked: HashSet::new(),
        }
    }

    fn fresh(&mut self) -> Node {
        self.next_blank += 1;
        Node::Blank(self.next_blank - 1)
    }

    fn labelled(&mut self, label: &str) -> Node {
        if let Some(&b) = self.blanks.get(label) {
            return Node::Blank(b);
        }
        let Node::Blank(b) = self.fresh() else { unreachable!("fresh gives blank nodes") };
        self.blanks.insert(label.to_owned(), b);
        Node::Blank(b)
    }

    /// Whether the general path's `oxrdf` conversion accepts `iri` (it refuses the document
    /// otherwise).
    pub(super) fn rdf_iri(&mut self, iri: &str) -> bool {
        if self.checked.contains(iri) {
            return true;
        }
        let ok = iri::is_rdf_iri(iri);
        if ok {
            self.checked.insert(iri.to_owned());
        }
        ok
    }

    /// A node identifier from an expanded IRI or blank node.
    pub(super) fn node_of(&mut self, expanded: Expanded<'_>) -> R<Node> {
        match expanded {
            Expanded::Iri(iri) if self.rdf_iri(&iri) => Ok(Node::Iri(iri.into_owned())),
            Expanded::Blank(label) => Ok(self.labelled(&label)),
            _ => Err(unsupported!()),
        }
    }

    fn emit(&mut self, subject: &Node, predicate: &str, object: Object, graph: Option<&Node>) {
        self.quads.push(Quad {
            subject: subject.clone(),
            predicate: predicate.to_owned(),
            object,
            graph: graph.cloned(),
        });
    }

    /// The top-level node object, its `@context` already processed into `active`.
    pub(crate) fn document(&mut self, active: &Arc<Active>, map: &Map<String, Value>) -> R<()> {
        self.node(active, map, None, None, true).map(|_| ())
    }

    /// Expands the node object `map` (steps 7–13 and 15–19), emitting its quads into `graph`,
    /// and returns its subject. `scoped`: the property-scoped context of the property whose
    /// value this is (step 3, looked up before step 7's revert).
    fn node(
        &mut self,
        active: &Arc<Active>,
        map: &Map<String, Value>,
        scoped: Option<&Arc<TermDef>>,
        graph: Option<&Node>,
        top: bool,
    ) -> R<Node> {
        let mut active = active.clone();
        // Step 7: a non-propagated context does not reach into a new node object, unless the
        // object is only a reference (`{"id": …}`).
        if let Some(previous) = &active.previous {
            let only_id = map.len() == 1 && map.keys().all(|k| iri::expand(&active, k, true) == Expanded::Id);
            if !only_id {
                active = previous.clone();
            }
        }
        // Step 8: the property-scoped context.
        if let Some(local) = scoped.and_then(|d| d.scoped.as_ref()) {
            active = process(self.env, &active, local, Scope::Property)?;
        }
        // Step 9: embedded contexts are left to the general processor (the top level's was
        // handled by the caller).
        // Steps 10–11: type-scoped contexts, in lexicographic order of the type values,
        // looked up in the context before any of them applies.
        let type_scoped = active.clone();
        let mut types: Vec<&str> = Vec::new();
        let mut type_key = None;
        let mut id: Option<&str> = None;
        let mut id_key = None;
        let mut properties: Vec<(&String, &Value)> = Vec::with_capacity(map.len());
        for (key, value) in map {
            if key == "@context" {
                if top {
                    continue;
                }
                return Err(unsupported!());
            }
            match iri::expand(&type_scoped, key, true) {
                Expanded::Type if type_key.replace(key).is_none() => match value {
                    Value::String(t) => types.push(t),
                    Value::Array(items) if !items.is_empty() => {
                        for item in items {
                            types.push(item.as_str().ok_or(unsupported!())?);
                        }
                    }
                    _ => return Err(unsupported!()),
                },
                Expanded::Id if id_key.replace(key).is_none() => id = Some(value.as_str().ok_or(unsupported!())?),
                Expanded::Iri(_) | Expanded::Undefined => properties.push((key, value)),
                _ => return Err(unsupported!()),
            }
        }
        let mut sorted = types.clone();
        sorted.sort_unstable();
        sorted.dedup();
        for ty in &sorted {
            if let Some(local) = type_scoped.terms.get(*ty).and_then(|d| d.scoped.as_ref()) {
                active = process(self.env, &active, local, Scope::Type)?;
            }
        }
        // The type-scoped contexts may not change what the keyword keys mean.
        for key in id_key.iter().chain(type_key.iter()) {
            if iri::expand(&active, key, true) != iri::expand(&type_scoped, key, true) {
                return Err(unsupported!());
            }
        }
        // Steps 13.4.3 and 13.4.4: the subject and its types.
        let subject = match id {
            Some(id) => self.node_of(iri::expand(&active, id, false))?,
            None => self.fresh(),
        };
        for ty in types {
            let object = self.node_of(iri::expand(&type_scoped, ty, true))?;
            self.emit(&subject, RDF_TYPE, Object::Node(object), graph);
        }
        // Step 13: the other entries. A key must expand the same way after the type-scoped
        // contexts (they may not turn it into a keyword).
        for (key, value) in properties {
            let predicate = match iri::expand(&active, key, true) {
                Expanded::Iri(iri) if self.rdf_iri(&iri) => iri.into_owned(),
                Expanded::Undefined if self.policy == TermPolicy::Lenient && !key.contains(':') => continue,
                _ => return Err(unsupported!()),
            };
            let definition = active.terms.get(key.as_str()).cloned();
            let property = Property { key, predicate: &predicate, definition: definition.as_ref() };
            self.property(&active, &subject, property, value, graph)?;
        }
        Ok(subject)
    }

    /// Step 13.4.x–13.13 for one property of `subject`.
    fn property(
        &mut self,
        active: &Arc<Active>,
        subject: &Node,
        property: Property<'_>,
        value: &Value,
        graph: Option<&Node>,
    ) -> R<()> {
        let Property { key, predicate, definition } = property;
        let container = definition.map_or(Container::None, |d| d.container);
        // Step 13.4.? (`@type: @json`): the value as it is.
        if definition.and_then(|d| d.ty.as_ref()) == Some(&TypeMapping::Json) {
            let object = Object::Literal { value: literal::json(value)?, tag: Tag::Datatype(RDF_JSON.to_owned()) };
            self.emit(subject, predicate, object, graph);
            return Ok(());
        }
        // Step 13.7: a language map.
        if container == Container::Language {
            if let Value::Object(languages) = value {
                for (language, strings) in languages {
                    let keyword = matches!(
                        iri::expand(active, language, true),
                        Expanded::Id | Expanded::Type | Expanded::OtherKeyword
                    );
                    if language.starts_with('@') || keyword {
                        return Err(unsupported!());
                    }
                    let tag = literal::language_tag(language)?;
                    let strings: Vec<&Value> = match strings {
                        Value::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for s in strings {
                        let Value::String(s) = s else { return Err(unsupported!()) };
                        let object = Object::Literal { value: s.clone(), tag: Tag::Language(tag.clone()) };
                        self.emit(subject, predicate, object, graph);
                    }
                }
                return Ok(());
            }
        }
        let elements: Vec<&Value> = match value {
            // `json-ld` 0.21 turns a null list-container value into an empty list.
            Value::Null if container == Container::List => Vec::new(),
            Value::Null => return Ok(()),
            Value::Array(items) => items.iter().filter(|v| !v.is_null()).collect(),
            other => vec![other],
        };
        if elements.iter().any(|v| v.is_array()) {
            return Err(unsupported!());
        }
        match container {
            // Step 13.8.3: each value is wrapped in its own graph object (a fresh blank node
            // that names the graph its node lives in).
            Container::Graph => {
                for element in elements {
                    let Value::Object(map) = element else { return Err(unsupported!()) };
                    if map.keys().any(|k| k.starts_with('@') && k != "@id" && k != "@type") {
                        return Err(unsupported!());
                    }
                    let name = self.fresh();
                    self.node(active, map, definition, Some(&name), false)?;
                    self.emit(subject, predicate, Object::Node(name), graph);
                }
            }
            // Step 13.9 and §8.2's list conversion.
            Container::List => {
                let mut items = Vec::with_capacity(elements.len());
                for element in elements {
                    items.push(self.element(active, key, definition, element, graph)?);
                }
                let head = self.list(items, graph);
                self.emit(subject, predicate, Object::Node(head), graph);
            }
            Container::None | Container::Set | Container::Language => {
                for element in elements {
                    let object = self.element(active, key, definition, element, graph)?.into_object();
                    self.emit(subject, predicate, object, graph);
                }
            }
        }
        Ok(())
    }

    /// An `rdf:first`/`rdf:rest` chain; returns its head (`rdf:nil` when empty).
    fn list(&mut self, items: Vec<Item>, graph: Option<&Node>) -> Node {
        let nodes: Vec<Node> = items.iter().map(|_| self.fresh()).collect();
        for (i, item) in items.into_iter().enumerate() {
            self.emit(&nodes[i], RDF_FIRST, item.into_object(), graph);
            let rest = nodes.get(i + 1).cloned().unwrap_or_else(|| Node::Iri(RDF_NIL.to_owned()));
            self.emit(&nodes[i], RDF_REST, Object::Node(rest), graph);
        }
        nodes.into_iter().next().unwrap_or_else(|| Node::Iri(RDF_NIL.to_owned()))
    }

    /// Expands one non-null, non-array value of a property.
    fn element(
        &mut self,
        active: &Arc<Active>,
        key: &str,
        definition: Option<&Arc<TermDef>>,
        element: &Value,
        graph: Option<&Node>,
    ) -> R<Item> {
        match element {
            Value::Object(map) if map.contains_key("@value") => self.value_object(active, definition, map),
            Value::Object(map) => {
                if map.keys().any(|k| k.starts_with('@') && !matches!(k.as_str(), "@id" | "@type")) {
                    return Err(unsupported!());
                }
                Ok(Item::Node(self.node(active, map, definition, graph, false)?))
            }
            scalar => self.scalar(active, key, definition, scalar),
        }
    }
}
