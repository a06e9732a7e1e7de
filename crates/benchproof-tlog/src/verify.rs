//! Verifying inclusion and consistency proofs (RFC 9162 §2.1.3.2 and §2.1.4.2), the iterative
//! algorithms a client runs with nothing but the proof, the sizes and the roots.
//!
//! Invariant: a proof verifies only if every element is consumed and the recomputed root equals
//! the one given; extra or missing elements are an error, never ignored.

use crate::hash::{node_hash, Hash};

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not in a tree of {size} leaves")]
    IndexOutOfRange { index: u64, size: u64 },
    /// The newer tree is smaller than the older one.
    #[error("the log shrank from {from} to {to} leaves")]
    SizeDecreased { from: u64, to: u64 },
    /// The proof has the wrong number of hashes for these sizes.
    #[error("the proof has the wrong number of hashes ({len}) for these tree sizes")]
    WrongLength { len: usize },
    /// The recomputed root differs from the expected one.
    #[error("the proof does not lead to the expected root hash")]
    RootMismatch,
}

/// Checks that `leaf` (a leaf hash) is at `index` in the tree of `size` leaves whose root is
/// `root`, using the audit path `proof`.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut fn_ = index;
    let mut sn = size - 1;
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::WrongLength { len: proof.len() });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength { len: proof.len() });
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `from` leaves with root `root_from` is a prefix of the tree of `to`
/// leaves with root `root_to`. Every tree extends the empty one (the proof must then be empty);
/// equal sizes need equal roots and an empty proof.
pub fn verify_consistency(
    from: u64,
    to: u64,
    root_from: &Hash,
    root_to: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if to < from {
        return Err(ProofError::SizeDecreased { from, to });
    }
    if from == to || from == 0 {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength { len: proof.len() });
        }
        return if from == 0 || root_from == root_to { Ok(()) } else { Err(ProofError::RootMismatch) };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength { len: 0 });
    }
    // Step 2: when `from` is a power of two, its root is the first node of the path.
    let mut path: Vec<&Hash> = Vec::with_capacity(proof.len() + 1);
    if from.is_power_of_two() {
        path.push(root_from);
    }
    path.extend(proof.iter());
    let mut fn_ = from - 1;
    let mut sn = to - 1;
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let mut fr = *path[0];
    let mut sr = *path[0];
    for c in &path[1..] {
        if sn == 0 {
            return Err(ProofError::WrongLength { len: proof.len() });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength { len: proof.len() });
    }
    if fr != *root_from || sr != *root_to {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}
