//! The department's transparency log, as data structures and proofs. Pure computation: no IO,
//! no clock, no storage — the server keeps the leaves, the station keeps checkpoints.
//!
//! - [`hash`]: RFC 6962 [`leaf_hash`] and [`node_hash`]; a [`Hash`] is 32 bytes.
//! - [`tree`]: [`root`], [`inclusion_proof`] and [`consistency_proof`] from the list of leaf
//!   hashes (RFC 9162 §2.1).
//! - [`verify`]: [`verify_inclusion`] and [`verify_consistency`], the RFC's client algorithms.
//! - [`note`] and [`checkpoint`]: C2SP signed notes with Ed25519 and the [`Checkpoint`] they carry.
//! - [`receipt`]: the [`Receipt`] a station gets for an accepted bundle and its offline check.
//! - [`api`]: JSON bodies of the log endpoints.
//!
//! ```
//! use benchproof_tlog::{consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion};
//!
//! let leaves: Vec<_> = (0u8..7).map(|i| leaf_hash(&[i; 32])).collect();
//! let proof = inclusion_proof(&leaves, 3).unwrap();
//! verify_inclusion(&leaves[3], 3, 7, &proof, &root(&leaves)).unwrap();
//! let proof = consistency_proof(&leaves, 4, 7).unwrap();
//! verify_consistency(4, 7, &root(&leaves[..4]), &root(&leaves), &proof).unwrap();
//! ```

pub mod api;
pub mod checkpoint;
pub mod hash;
pub mod note;
pub mod receipt;
pub mod tree;
pub mod verify;

pub use api::{ConsistencyResponse, InclusionResponse};
pub use checkpoint::{Checkpoint, CheckpointError};
pub use hash::{empty_root, leaf_hash, node_hash, parse_hex_hash, sha256, to_hex, Hash};
pub use note::NoteError;
pub use receipt::{
    decode_proof, encode_proof, Receipt, ReceiptError, VerifiedReceipt, RECEIPT_FORMAT_VERSION, RECEIPT_TYPE,
};
pub use tree::{consistency_proof, inclusion_proof, root, RangeError};
pub use verify::{verify_consistency, verify_inclusion, ProofError};
