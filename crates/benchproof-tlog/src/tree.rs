//! Building roots and proofs from the full list of leaf hashes (RFC 9162 §2.1.1, §2.1.3.1,
//! §2.1.4.1). The server keeps every leaf hash, so these take the leaves of the tree at the size
//! asked for (`&leaves[..size]`).
//!
//! Invariant: every function here is a direct transcription of the RFC's recursive definitions
//! (split at `k`, the largest power of two smaller than `n`); the verifiers in [`crate::verify`]
//! are the RFC's iterative algorithms, so the two are checked against each other in tests.

use crate::hash::{empty_root, node_hash, Hash};

/// A proof was asked for something the tree does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// `index` is not a leaf of a tree of `size` leaves.
    #[error("leaf index {index} is not in a tree of {size} leaves (valid: 0 to size - 1)")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof from `from` to `to` needs `from <= to <= size of the log`.
    #[error(
        "no consistency proof from size {from} to size {to} in a log of {size} leaves (need from <= to <= {size})"
    )]
    SizesOutOfRange { from: u64, to: u64, size: u64 },
}

/// The Merkle Tree Hash of `leaves` (already leaf-hashed). The empty tree's root is SHA-256 of
/// the empty string.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path proving leaf `index` is in the tree made of all of `leaves`.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, RangeError> {
    let size = leaves.len() as u64;
    if index >= size {
        return Err(RangeError::IndexOutOfRange { index, size });
    }
    let mut proof = Vec::new();
    path(usize::try_from(index).expect("index < len fits in usize"), leaves, &mut proof);
    Ok(proof)
}

/// PATH(m, D[n]), appending deepest-first as the RFC's concatenation does.
fn path(m: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, &leaves[..k], out);
        out.push(root(&leaves[k..]));
    } else {
        path(m - k, &leaves[k..], out);
        out.push(root(&leaves[..k]));
    }
}

/// The proof that the tree of the first `from` leaves is a prefix of the tree of the first `to`
/// leaves of `leaves`. Empty when `from` is 0 or equal to `to`.
pub fn consistency_proof(leaves: &[Hash], from: u64, to: u64) -> Result<Vec<Hash>, RangeError> {
    let size = leaves.len() as u64;
    if from > to || to > size {
        return Err(RangeError::SizesOutOfRange { from, to, size });
    }
    let mut proof = Vec::new();
    if from > 0 && from < to {
        let to = usize::try_from(to).expect("to <= len fits in usize");
        let from = usize::try_from(from).expect("from < to fits in usize");
        subproof(from, &leaves[..to], true, &mut proof);
    }
    Ok(proof)
}

/// SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1.
fn subproof(m: usize, leaves: &[Hash], whole: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !whole {
            out.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], whole, out);
        out.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root(&leaves[..k]));
    }
}

/// The largest power of two strictly smaller than `n` (n ≥ 2).
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_largest_power_of_two_below() {
        for (n, k) in [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1025, 1024)] {
            assert_eq!(split(n), k, "n = {n}");
        }
    }

    #[test]
    fn out_of_range_requests_are_refused() {
        let leaves = [[0u8; 32]; 3];
        assert_eq!(inclusion_proof(&leaves, 3), Err(RangeError::IndexOutOfRange { index: 3, size: 3 }));
        assert!(consistency_proof(&leaves, 2, 4).is_err());
        assert!(consistency_proof(&leaves, 3, 2).is_err());
        assert_eq!(consistency_proof(&leaves, 0, 3), Ok(vec![]));
        assert_eq!(consistency_proof(&leaves, 3, 3), Ok(vec![]));
    }
}
