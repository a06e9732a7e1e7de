//! Accepting a receipt: verify it for the bundle we hold, then check that the log it comes from
//! only ever grew since the last checkpoint this station kept.
//!
//! Invariant: a receipt is returned as accepted only if it verified against the department key
//! and its checkpoint is consistent with every checkpoint stored before; a checkpoint is stored
//! only after that consistency proof succeeded.

use benchproof_domain::Timestamp;
use benchproof_evidence::DidKey;
use benchproof_store::{SeenCheckpoint, Store, StoreError};
use benchproof_tlog::{
    decode_proof, parse_hex_hash, to_hex, verify_consistency, Checkpoint, ConsistencyResponse, Hash, Receipt,
    ReceiptError,
};

use crate::error::TusError;

/// Why a receipt was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptProblem {
    /// The body is not a receipt.
    #[error("the server's receipt is not valid JSON of the receipt format: {0}")]
    Malformed(#[from] serde_json::Error),
    /// The receipt does not verify.
    #[error("the server's receipt does not verify: {0}")]
    Invalid(#[from] ReceiptError),
    /// The consistency proof could not be fetched.
    #[error("could not fetch the log's consistency proof: {0}")]
    Fetch(#[from] TusError),
    /// The log is not an extension of what this station saw before: it was rewritten.
    #[error("the department's log was rewritten: {detail}. Keep this station's data and report it to the department")]
    Rewritten { detail: String },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ReceiptProblem {
    /// A rewritten log is an alert, never a retry.
    pub fn is_alert(&self) -> bool {
        matches!(self, ReceiptProblem::Rewritten { .. })
    }
}

/// Fetches a consistency proof between two sizes (the worker passes the HTTP client).
pub trait ConsistencySource {
    /// `GET /api/v1/log/consistency?from=M&to=N`.
    fn consistency(&self, from: u64, to: u64) -> Result<ConsistencyResponse, ReceiptProblem>;
}

/// Verifies `receipt_json` for the bundle with zip digest `bundle_sha256`, checks the log's
/// consistency with the last stored checkpoint and stores the newer checkpoint. Returns the
/// receipt on success.
pub fn accept(
    store: &Store,
    receipt_json: &str,
    bundle_sha256: &Hash,
    department_key: &DidKey,
    log: &dyn ConsistencySource,
    now: Timestamp,
) -> Result<Receipt, ReceiptProblem> {
    let receipt: Receipt = serde_json::from_str(receipt_json)?;
    let verified = receipt.verify(bundle_sha256, department_key)?;
    let new = verified.checkpoint;
    let Some(seen) = store.latest_log_checkpoint()? else {
        store.record_log_checkpoint(&seen_checkpoint(&new, &receipt.checkpoint, now))?;
        return Ok(receipt);
    };
    let old = Checkpoint {
        origin: seen.origin.clone(),
        size: seen.tree_size,
        root: parse_hex_hash(&seen.root_hash).ok_or_else(|| StoreError::Decode {
            what: "stored checkpoint root".into(),
            detail: seen.root_hash.clone(),
        })?,
    };
    if old.origin != new.origin {
        return Err(ReceiptProblem::Rewritten {
            detail: format!("the log's origin changed from {:?} to {:?}", old.origin, new.origin),
        });
    }
    let (smaller, larger) = if old.size <= new.size { (&old, &new) } else { (&new, &old) };
    let proof = if smaller.size == larger.size || smaller.size == 0 {
        Vec::new()
    } else {
        let answer = log.consistency(smaller.size, larger.size)?;
        if (answer.from, answer.to) != (smaller.size, larger.size) {
            return Err(ReceiptProblem::Rewritten {
                detail: format!(
                    "asked for a proof {}→{}, got {}→{}",
                    smaller.size, larger.size, answer.from, answer.to
                ),
            });
        }
        decode_proof(&answer.proof)?
    };
    verify_consistency(smaller.size, larger.size, &smaller.root, &larger.root, &proof).map_err(|e| {
        ReceiptProblem::Rewritten {
            detail: format!(
                "size {} (root {}) is not a prefix of size {} (root {}): {e}",
                smaller.size,
                to_hex(&smaller.root),
                larger.size,
                to_hex(&larger.root)
            ),
        }
    })?;
    if new.size > old.size {
        store.record_log_checkpoint(&seen_checkpoint(&new, &receipt.checkpoint, now))?;
    }
    Ok(receipt)
}

fn seen_checkpoint(checkpoint: &Checkpoint, note: &str, now: Timestamp) -> SeenCheckpoint {
    SeenCheckpoint {
        origin: checkpoint.origin.clone(),
        tree_size: checkpoint.size,
        root_hash: to_hex(&checkpoint.root),
        note: note.to_owned(),
        seen_at: now,
    }
}
