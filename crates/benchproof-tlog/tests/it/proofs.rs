//! Every inclusion and consistency proof of every tree up to 200 leaves, checked against the
//! naive reference; tampered proofs are refused.

use benchproof_tlog::{
    consistency_proof, inclusion_proof, root, verify_consistency, verify_inclusion, Hash, ProofError,
};
use proptest::prelude::*;

use crate::reference;

const MAX: usize = 200;

#[test]
fn roots_agree_with_reference_for_every_size() {
    let leaves = reference::leaves(MAX);
    for n in 0..=MAX {
        assert_eq!(root(&leaves[..n]), reference::root(&leaves[..n]), "size {n}");
    }
}

#[test]
fn every_inclusion_proof_equals_reference_and_verifies() {
    let leaves = reference::leaves(MAX);
    for n in 1..=MAX {
        let tree = &leaves[..n];
        let tree_root = reference::root(tree);
        for i in 0..n {
            let proof = inclusion_proof(tree, i as u64).unwrap();
            assert_eq!(proof, reference::path(tree, i), "size {n} index {i}");
            verify_inclusion(&tree[i], i as u64, n as u64, &proof, &tree_root).unwrap();
            if i + 1 < n {
                assert!(verify_inclusion(&tree[i], i as u64 + 1, n as u64, &proof, &tree_root).is_err());
            }
            assert!(verify_inclusion(&tree[i], n as u64, n as u64, &proof, &tree_root).is_err());
        }
    }
}

#[test]
fn every_consistency_proof_verifies_against_reference_roots() {
    let leaves = reference::leaves(MAX);
    let roots: Vec<Hash> = (0..=MAX).map(|n| reference::root(&leaves[..n])).collect();
    for n in 0..=MAX {
        for m in 0..=n {
            let proof = consistency_proof(&leaves[..n], m as u64, n as u64).unwrap();
            verify_consistency(m as u64, n as u64, &roots[m], &roots[n], &proof)
                .unwrap_or_else(|e| panic!("{m} -> {n}: {e}"));
            if 0 < m && m < n {
                // A different old root (a rewritten log) never verifies.
                let other = reference::root(&reference::leaves(m).iter().rev().copied().collect::<Vec<_>>());
                if other != roots[m] {
                    assert!(verify_consistency(m as u64, n as u64, &other, &roots[n], &proof).is_err());
                }
                assert!(verify_consistency(m as u64, n as u64, &roots[m], &roots[n - 1], &proof).is_err());
            }
        }
    }
}

#[test]
fn edge_cases_of_consistency() {
    let leaves = reference::leaves(5);
    let r5 = root(&leaves);
    let r3 = root(&leaves[..3]);
    assert_eq!(verify_consistency(5, 3, &r5, &r3, &[]), Err(ProofError::SizeDecreased { from: 5, to: 3 }));
    assert_eq!(verify_consistency(5, 5, &r5, &r3, &[]), Err(ProofError::RootMismatch));
    assert_eq!(verify_consistency(5, 5, &r5, &r5, &[r3]), Err(ProofError::WrongLength { len: 1 }));
    assert_eq!(verify_consistency(0, 5, &r3, &r5, &[]), Ok(()));
    assert_eq!(verify_consistency(0, 5, &r3, &r5, &[r3]), Err(ProofError::WrongLength { len: 1 }));
    assert_eq!(verify_consistency(3, 5, &r3, &r5, &[]), Err(ProofError::WrongLength { len: 0 }));
}

/// Flip one bit of one element, drop an element or add one: the proof must fail.
fn tamperings(proof: &[Hash], flip_at: usize, bit: u8) -> Vec<Vec<Hash>> {
    let mut out = Vec::new();
    if !proof.is_empty() {
        let mut flipped = proof.to_vec();
        let i = flip_at % proof.len();
        flipped[i][usize::from(bit) % 32] ^= 1 << (bit % 8);
        out.push(flipped);
        out.push(proof[..proof.len() - 1].to_vec());
        out.push(proof[1..].to_vec());
    }
    let mut longer = proof.to_vec();
    longer.push([0x5a; 32]);
    out.push(longer);
    out
}

proptest! {
    #[test]
    fn tampered_inclusion_proofs_are_refused(n in 1usize..=MAX, i in 0usize..MAX, flip_at in 0usize..16, bit in any::<u8>()) {
        let leaves = reference::leaves(n);
        let i = i % n;
        let tree_root = reference::root(&leaves);
        let proof = inclusion_proof(&leaves, i as u64).unwrap();
        for bad in tamperings(&proof, flip_at, bit) {
            prop_assert!(verify_inclusion(&leaves[i], i as u64, n as u64, &bad, &tree_root).is_err());
        }
        let mut wrong_leaf = leaves[i];
        wrong_leaf[0] ^= 1;
        prop_assert!(verify_inclusion(&wrong_leaf, i as u64, n as u64, &proof, &tree_root).is_err());
    }

    #[test]
    fn tampered_consistency_proofs_are_refused(n in 2usize..=MAX, m in 1usize..MAX, flip_at in 0usize..16, bit in any::<u8>()) {
        let leaves = reference::leaves(n);
        let m = 1 + m % (n - 1);
        let (root_m, root_n) = (reference::root(&leaves[..m]), reference::root(&leaves));
        let proof = consistency_proof(&leaves, m as u64, n as u64).unwrap();
        for bad in tamperings(&proof, flip_at, bit) {
            prop_assert!(verify_consistency(m as u64, n as u64, &root_m, &root_n, &bad).is_err());
        }
    }
}
