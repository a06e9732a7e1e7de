//! Quads as the fast expansion emits them, their canonical N-Quads form, and RDFC-1.0's output.
//!
//! RDFC-1.0 (W3C Recommendation 2024) runs directly on the emitted quads: the labels come from
//! `super::hndq`, then every quad is written with them and the lines are sorted.
//!
//! Invariant: a quad's N-Quads form is byte-identical to `oxrdf`'s `Display`, which is what
//! `rdf-canon` hashes and prints (escapes, `xsd:string` literals without a datatype).

use std::fmt::Write;

use sha2::{Digest, Sha256};

use super::hndq;

use super::literal::XSD_STRING;
use super::Unsupported;

/// A subject, object node or graph name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Node {
    Iri(String),
    /// A blank node, numbered per document.
    Blank(u32),
}

/// An object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Object {
    Node(Node),
    /// Lexical form and either a lowercased language tag or a datatype IRI.
    Literal {
        value: String,
        tag: Tag,
    },
}

/// A literal's language or datatype.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Tag {
    Language(String),
    Datatype(String),
}

/// One quad (`graph: None` is the default graph).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Quad {
    pub(crate) subject: Node,
    pub(crate) predicate: String,
    pub(crate) object: Object,
    pub(crate) graph: Option<Node>,
}

impl Quad {
    pub(crate) fn blanks(&self) -> impl Iterator<Item = u32> + '_ {
        let object = match &self.object {
            Object::Node(Node::Blank(b)) => Some(*b),
            _ => None,
        };
        let subject = match self.subject {
            Node::Blank(b) => Some(b),
            Node::Iri(_) => None,
        };
        let graph = match self.graph {
            Some(Node::Blank(b)) => Some(b),
            _ => None,
        };
        subject.into_iter().chain(object).chain(graph)
    }

    /// The N-Quads line (with `" .\n"`), blank node `b` written by `label(b)`.
    pub(crate) fn write(&self, out: &mut String, label: &dyn Fn(u32, &mut String)) {
        write_node(out, &self.subject, label);
        out.push_str(" <");
        out.push_str(&self.predicate);
        out.push('>');
        out.push(' ');
        match &self.object {
            Object::Node(node) => write_node(out, node, label),
            Object::Literal { value, tag } => {
                write_quoted(out, value);
                match tag {
                    Tag::Language(language) => {
                        out.push('@');
                        out.push_str(language);
                    }
                    Tag::Datatype(datatype) if datatype == XSD_STRING => {}
                    Tag::Datatype(datatype) => {
                        out.push_str("^^<");
                        out.push_str(datatype);
                        out.push('>');
                    }
                }
            }
        }
        if let Some(graph) = &self.graph {
            out.push(' ');
            write_node(out, graph, label);
        }
        out.push_str(" .\n");
    }
}

fn write_node(out: &mut String, node: &Node, label: &dyn Fn(u32, &mut String)) {
    match node {
        Node::Iri(iri) => {
            out.push('<');
            out.push_str(iri);
            out.push('>');
        }
        Node::Blank(b) => {
            out.push_str("_:");
            label(*b, out);
        }
    }
}

/// `oxrdf`'s `print_quoted_str`.
fn write_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0'..='\u{1F}' | '\u{7F}' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// The canonical N-Quads of `quads` (duplicates count once), or `Unsupported` when Hash
/// N-Degree Quads would exceed [`HNDQ_CALL_LIMIT`](crate::rdfc::HNDQ_CALL_LIMIT) (the general
/// path then reports it).
pub(crate) fn canonicalize(quads: Vec<Quad>) -> Result<String, Unsupported> {
    let mut quads = quads;
    quads.sort_unstable();
    quads.dedup();
    let labels = hndq::State::new(&quads).issue()?;
    let label = |b: u32, out: &mut String| {
        let _ = write!(out, "c14n{}", labels[&b]);
    };
    let mut lines: Vec<String> = quads
        .iter()
        .map(|quad| {
            let mut out = String::with_capacity(128);
            quad.write(&mut out, &label);
            out
        })
        .collect();
    lines.sort_unstable();
    Ok(lines.concat())
}

/// The lowercase hex SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}
