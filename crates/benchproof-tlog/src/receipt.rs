//! The receipt a department server returns for an accepted bundle (`docs/sync-protocol.md`,
//! "Receipts and the transparency log"), and its offline verification.
//!
//! Invariant: [`Receipt::verify`] succeeds only if (1) the receipt names the bundle the caller
//! holds, (2) its `logKey` is the key the caller trusts, (3) the checkpoint is signed by that
//! key, and (4) the inclusion proof places the bundle's leaf at `leafIndex` under the
//! checkpoint's root. Nothing in the receipt is trusted before these checks.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use benchproof_evidence::{DidKey, XsdDateTime};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::hash::{leaf_hash, parse_hex_hash, to_hex, Hash};
use crate::verify::{verify_inclusion, ProofError};

/// The `type` of every receipt.
pub const RECEIPT_TYPE: &str = "BenchproofReceipt";
/// The receipt format this crate reads and writes.
pub const RECEIPT_FORMAT_VERSION: u32 = 1;

/// A receipt, field for field the JSON of the protocol document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Receipt {
    /// Always [`RECEIPT_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Always [`RECEIPT_FORMAT_VERSION`].
    pub format_version: u32,
    /// Lowercase hex SHA-256 of the bundle zip.
    pub bundle_sha256: String,
    /// The assessment id the bundle carries.
    pub assessment: String,
    /// The bundle's leaf index in the log.
    pub leaf_index: u64,
    /// The signed checkpoint note, exactly as signed.
    pub checkpoint: String,
    /// The audit path from the leaf to the checkpoint's root, standard base64 each.
    pub inclusion_proof: Vec<String>,
    /// The log's (the department's) key.
    pub log_key: DidKey,
    /// When the server accepted the bundle.
    pub received_at: XsdDateTime,
}

/// What a verified receipt proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReceipt {
    /// The checkpoint the bundle is included under.
    pub checkpoint: Checkpoint,
    /// The bundle's leaf index.
    pub leaf_index: u64,
    /// The bundle's SHA-256.
    pub bundle_sha256: Hash,
    /// The assessment id the receipt names (not checked against the bundle here).
    pub assessment: String,
    /// The name on the checkpoint's verifying signature line.
    pub key_name: String,
}

/// Why a receipt does not verify; each variant says what to check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// `type` or `formatVersion` is not one this build reads.
    #[error("not a benchproof receipt of format 1 (type {kind:?}, formatVersion {version}); update benchproof or check the file")]
    UnknownFormat { kind: String, version: u32 },
    /// `bundleSha256` is not 64 lowercase hex digits.
    #[error("the receipt's bundleSha256 {0:?} is not 64 lowercase hex digits")]
    BadDigest(String),
    /// The receipt is for another bundle.
    #[error("the receipt is for bundle {receipt}, but the bundle given has SHA-256 {bundle}: pair each receipt with its own bundle")]
    WrongBundle { receipt: String, bundle: String },
    /// The receipt was issued by a log key the caller does not trust.
    #[error("the receipt's log key {found} is not the trusted department key {trusted}")]
    UntrustedLogKey { found: String, trusted: String },
    /// The checkpoint's signature or body was refused.
    #[error("the receipt's checkpoint is not valid: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// An inclusion-proof element is not base64 of 32 bytes.
    #[error("inclusion proof element {index} is not base64 of a 32-byte hash")]
    BadProofElement { index: usize },
    /// The inclusion proof does not lead to the checkpoint's root.
    #[error("the inclusion proof does not place the bundle in the signed log: {0}")]
    NotIncluded(#[from] ProofError),
}

impl Receipt {
    /// Verifies the receipt for the bundle whose SHA-256 is `bundle_sha256`, trusting only
    /// `trusted_log_key` as the log's signer.
    pub fn verify(&self, bundle_sha256: &Hash, trusted_log_key: &DidKey) -> Result<VerifiedReceipt, ReceiptError> {
        if self.kind != RECEIPT_TYPE || self.format_version != RECEIPT_FORMAT_VERSION {
            return Err(ReceiptError::UnknownFormat { kind: self.kind.clone(), version: self.format_version });
        }
        let digest =
            parse_hex_hash(&self.bundle_sha256).ok_or_else(|| ReceiptError::BadDigest(self.bundle_sha256.clone()))?;
        if digest != *bundle_sha256 {
            return Err(ReceiptError::WrongBundle {
                receipt: self.bundle_sha256.clone(),
                bundle: to_hex(bundle_sha256),
            });
        }
        if self.log_key != *trusted_log_key {
            return Err(ReceiptError::UntrustedLogKey { found: self.log_key.did(), trusted: trusted_log_key.did() });
        }
        let opened = crate::note::open_any_name(&self.checkpoint, trusted_log_key.public_key())
            .map_err(|e| ReceiptError::Checkpoint(e.into()))?;
        let checkpoint = Checkpoint::parse_body(opened.body)?;
        let proof = decode_proof(&self.inclusion_proof)?;
        verify_inclusion(&leaf_hash(&digest), self.leaf_index, checkpoint.size, &proof, &checkpoint.root)?;
        Ok(VerifiedReceipt {
            checkpoint,
            leaf_index: self.leaf_index,
            bundle_sha256: digest,
            assessment: self.assessment.clone(),
            key_name: opened.key_name.to_owned(),
        })
    }
}

/// Encodes proof hashes as the protocol's base64 strings.
pub fn encode_proof(proof: &[Hash]) -> Vec<String> {
    proof.iter().map(|h| STANDARD.encode(h)).collect()
}

/// Decodes the protocol's base64 proof strings; each must be exactly 32 bytes.
pub fn decode_proof(encoded: &[String]) -> Result<Vec<Hash>, ReceiptError> {
    encoded
        .iter()
        .enumerate()
        .map(|(index, text)| {
            STANDARD
                .decode(text)
                .ok()
                .and_then(|bytes| Hash::try_from(bytes.as_slice()).ok())
                .ok_or(ReceiptError::BadProofElement { index })
        })
        .collect()
}
