//! A naive reference written differently from the crate: bottom-up, level by level, carrying an
//! unpaired last node up unchanged (which yields RFC 6962's left-balanced tree).

use benchproof_tlog::{leaf_hash, Hash};
use ring::digest::{digest, SHA256};

fn node(l: &Hash, r: &Hash) -> Hash {
    let mut buf = vec![1u8];
    buf.extend_from_slice(l);
    buf.extend_from_slice(r);
    digest(&SHA256, &buf).as_ref().try_into().unwrap()
}

/// The leaves of test trees: leaf hashes of distinct small entries.
pub fn leaves(n: usize) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect()
}

/// The root, level by level.
pub fn root(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return digest(&SHA256, b"").as_ref().try_into().unwrap();
    }
    let mut level = leaves.to_vec();
    while level.len() > 1 {
        level = level.chunks(2).map(|pair| if pair.len() == 2 { node(&pair[0], &pair[1]) } else { pair[0] }).collect();
    }
    level[0]
}

/// The audit path, level by level: the sibling at each level where there is one.
pub fn path(leaves: &[Hash], mut index: usize) -> Vec<Hash> {
    let mut out = Vec::new();
    let mut level = leaves.to_vec();
    while level.len() > 1 {
        let sibling = index ^ 1;
        if sibling < level.len() {
            out.push(level[sibling]);
        }
        index /= 2;
        level = level.chunks(2).map(|pair| if pair.len() == 2 { node(&pair[0], &pair[1]) } else { pair[0] }).collect();
    }
    out
}
