//! RDFC-1.0 canonical labelling (W3C Recommendation, 21 May 2024, §4.4–4.8): first-degree
//! hashes, then Hash N-Degree Quads for blank nodes that share one.
//!
//! Invariants:
//! - The strings hashed are byte-identical to `rdf-canon` 0.15's (N-Quads with `_:a`/`_:z`,
//!   `s<p>`/`o<p>`/`g` related-node inputs, `_:c14nN`/`_:bN` path labels), and a blank node is
//!   listed once per occurrence in a quad, as `rdf-canon` lists it. The resulting labels are
//!   RDFC-1.0's canonical ones, which do not depend on the input labels.
//! - At most [`HNDQ_CALL_LIMIT`] Hash N-Degree Quads calls (and `PERMUTATION_LIMIT`
//!   permutations); one more is [`Unsupported`], and the general path then decides — it
//!   refuses such a document with its own `TooComplex` error.

use std::collections::{BTreeMap, HashMap};

use super::canon::{sha256_hex, Node, Object, Quad};
use super::{unsupported, Unsupported};
use crate::rdfc::HNDQ_CALL_LIMIT;

/// An identifier issuer: blank node → its number, in order of issue.
#[derive(Debug, Clone, Default)]
struct Issuer {
    issued: HashMap<u32, u32>,
    order: Vec<u32>,
}

impl Issuer {
    fn get(&self, b: u32) -> Option<u32> {
        self.issued.get(&b).copied()
    }

    fn issue(&mut self, b: u32) -> u32 {
        if let Some(n) = self.get(b) {
            return n;
        }
        let n = self.order.len() as u32;
        self.issued.insert(b, n);
        self.order.push(b);
        n
    }
}

/// The canonicalisation state of §4.4.
pub(crate) struct State<'q> {
    quads: &'q [Quad],
    /// Blank node → the quads it occurs in, once per occurrence.
    mentions: HashMap<u32, Vec<usize>>,
    first_degree: HashMap<u32, String>,
    canonical: Issuer,
    calls: usize,
    /// Permutations tried so far, bounded by [`PERMUTATION_LIMIT`].
    permutations: usize,
}

/// How many permutations all Hash N-Degree Quads calls may try together. Credentials need a
/// handful; past this the general path (with its own call limit) decides, so a hostile
/// document is never slower here than there.
const PERMUTATION_LIMIT: usize = 100_000;

/// Which component of a quad a related blank node is.
#[derive(Clone, Copy)]
enum Position {
    Subject,
    Object,
    Graph,
}

impl<'q> State<'q> {
    pub(crate) fn new(quads: &'q [Quad]) -> Self {
        let mut mentions: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, quad) in quads.iter().enumerate() {
            for b in quad.blanks() {
                mentions.entry(b).or_default().push(i);
            }
        }
        State { quads, mentions, first_degree: HashMap::new(), canonical: Issuer::default(), calls: 0, permutations: 0 }
    }

    /// §4.4.3: blank node → its canonical number (`c14nN`).
    pub(crate) fn issue(mut self) -> Result<HashMap<u32, u32>, Unsupported> {
        let mut by_hash: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let mut nodes: Vec<u32> = self.mentions.keys().copied().collect();
        nodes.sort_unstable();
        for b in nodes {
            let hash = self.hash_first_degree(b);
            self.first_degree.insert(b, hash.clone());
            by_hash.entry(hash).or_default().push(b);
        }
        for list in by_hash.values() {
            if let [single] = list[..] {
                self.canonical.issue(single);
            }
        }
        for list in by_hash.values().filter(|l| l.len() > 1) {
            let mut results = Vec::new();
            for &n in list {
                if self.canonical.get(n).is_some() {
                    continue;
                }
                let mut temporary = Issuer::default();
                temporary.issue(n);
                results.push(self.hash_n_degree(n, &temporary)?);
            }
            results.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, issuer) in results {
                for b in issuer.order {
                    self.canonical.issue(b);
                }
            }
        }
        Ok(self.canonical.issued)
    }

    /// §4.6: the hash of the quads `b` occurs in, `b` written `_:a` and others `_:z`.
    fn hash_first_degree(&self, b: u32) -> String {
        let label = |other: u32, out: &mut String| out.push(if other == b { 'a' } else { 'z' });
        let mut lines: Vec<String> = self.mentions[&b]
            .iter()
            .map(|&i| {
                let mut line = String::with_capacity(128);
                self.quads[i].write(&mut line, &label);
                line
            })
            .collect();
        lines.sort_unstable();
        sha256_hex(lines.concat().as_bytes())
    }

    /// §4.7.
    fn hash_related(&self, related: u32, quad: &Quad, issuer: &Issuer, position: Position) -> String {
        let mut input = match position {
            Position::Subject => format!("s<{}>", quad.predicate),
            Position::Object => format!("o<{}>", quad.predicate),
            Position::Graph => "g".to_owned(),
        };
        if let Some(n) = self.canonical.get(related) {
            input.push_str(&format!("_:c14n{n}"));
        } else if let Some(n) = issuer.get(related) {
            input.push_str(&format!("_:b{n}"));
        } else {
            input.push_str(&self.first_degree[&related]);
        }
        sha256_hex(input.as_bytes())
    }

    /// §4.8: the hash of `identifier`'s n-degree neighbourhood and the issuer that goes with it.
    fn hash_n_degree(&mut self, identifier: u32, issuer: &Issuer) -> Result<(String, Issuer), Unsupported> {
        self.calls += 1;
        if self.calls > HNDQ_CALL_LIMIT {
            return Err(unsupported!());
        }
        let mut issuer = issuer.clone();
        let mut related_by_hash: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for &i in &self.mentions[&identifier] {
            let quad = &self.quads[i];
            let components = [
                (blank(Some(&quad.subject)), Position::Subject),
                (
                    match &quad.object {
                        Object::Node(node) => blank(Some(node)),
                        Object::Literal { .. } => None,
                    },
                    Position::Object,
                ),
                (blank(quad.graph.as_ref()), Position::Graph),
            ];
            for (component, position) in components {
                if let Some(related) = component.filter(|&r| r != identifier) {
                    let hash = self.hash_related(related, quad, &issuer, position);
                    related_by_hash.entry(hash).or_default().push(related);
                }
            }
        }
        let mut data = String::new();
        for (related_hash, list) in related_by_hash {
            data.push_str(&related_hash);
            let mut chosen_path = String::new();
            let mut chosen_issuer = None;
            'permutations: for permutation in permutations(&list) {
                self.permutations += 1;
                if self.permutations > PERMUTATION_LIMIT {
                    return Err(unsupported!());
                }
                let mut copy = issuer.clone();
                let mut path = String::new();
                let mut recursion = Vec::new();
                for related in permutation.iter().copied() {
                    match self.canonical.get(related) {
                        Some(n) => path.push_str(&format!("_:c14n{n}")),
                        None => {
                            if copy.get(related).is_none() {
                                recursion.push(related);
                            }
                            path.push_str(&format!("_:b{}", copy.issue(related)));
                        }
                    }
                    if worse(&path, &chosen_path) {
                        continue 'permutations;
                    }
                }
                for related in recursion {
                    let (hash, result_issuer) = self.hash_n_degree(related, &copy)?;
                    path.push_str(&format!("_:b{}<{hash}>", copy.issue(related)));
                    copy = result_issuer;
                    if worse(&path, &chosen_path) {
                        continue 'permutations;
                    }
                }
                if chosen_path.is_empty() || path < chosen_path {
                    chosen_path = path;
                    chosen_issuer = Some(copy);
                }
            }
            data.push_str(&chosen_path);
            issuer = chosen_issuer.expect("a non-empty list has a first permutation");
        }
        Ok((sha256_hex(data.as_bytes()), issuer))
    }
}

fn blank(node: Option<&Node>) -> Option<u32> {
    match node {
        Some(Node::Blank(b)) => Some(*b),
        _ => None,
    }
}

/// Step 5.4.4.3 / 5.4.5.5: this path can no longer be the chosen one.
fn worse(path: &str, chosen: &str) -> bool {
    !chosen.is_empty() && path.len() >= chosen.len() && path >= chosen
}

/// Every ordering of `items` (n! of them, duplicates included, as `itertools` gives them),
/// generated one at a time: lexicographic order of the index sequence.
struct Permutations<'a> {
    items: &'a [u32],
    indices: Vec<usize>,
    first: bool,
}

fn permutations(items: &[u32]) -> Permutations<'_> {
    Permutations { items, indices: (0..items.len()).collect(), first: true }
}

impl Iterator for Permutations<'_> {
    type Item = Vec<u32>;

    fn next(&mut self) -> Option<Vec<u32>> {
        if self.first {
            self.first = false;
        } else {
            // The next index sequence in lexicographic order (none after the last).
            let i = self.indices.windows(2).rposition(|w| w[0] < w[1])?;
            let j = self.indices.iter().rposition(|&x| x > self.indices[i]).expect("one exists after i");
            self.indices.swap(i, j);
            self.indices[i + 1..].reverse();
        }
        Some(self.indices.iter().map(|&i| self.items[i]).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_all_orderings() {
        let all: Vec<Vec<u32>> = permutations(&[7, 8, 7]).collect();
        assert_eq!(all.len(), 6);
        assert_eq!(all[0], vec![7, 8, 7]);
        assert_eq!(permutations(&[]).count(), 1);
        let mut distinct: Vec<Vec<u32>> = permutations(&[1, 2, 3, 4]).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 24);
    }
}
