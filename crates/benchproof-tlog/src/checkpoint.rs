//! C2SP tlog-checkpoint (<https://c2sp.org/tlog-checkpoint>): the log's signed statement "my tree
//! of `size` leaves has root `root`".
//!
//! The body is `<origin>\n<size, decimal>\n<base64 root>\n`, optionally followed by extension
//! lines, which are accepted and ignored as the spec asks. Invariant: [`Checkpoint::verify_note`]
//! only returns a checkpoint whose body carried a valid signature by the trusted key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use benchproof_evidence::{PublicKey, SigningKey};

use crate::hash::Hash;
use crate::note::{self, NoteError};

/// A tree head: the log's origin (its name, e.g. `benchproof.example.edu/log`), its size and root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's unique name; C2SP recommends a schema-less URL.
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The RFC 6962 root hash of those leaves.
    pub root: Hash,
}

/// Why a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The signed-note envelope was refused.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The body is not a checkpoint; `reason` says which line is wrong.
    #[error("not a tlog checkpoint: {reason}")]
    Body { reason: &'static str },
    /// The checkpoint is for another log.
    #[error("checkpoint is for log {found:?}, expected {expected:?}")]
    WrongOrigin { expected: String, found: String },
}

impl Checkpoint {
    /// The note body: origin, size and base64 root, one per line, each ending in `\n`.
    pub fn to_note_body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root))
    }

    /// Parses a note body strictly: a non-empty origin without control characters, a decimal
    /// size without sign or leading zeros, a standard-base64 32-byte root, then optional
    /// non-empty extension lines.
    pub fn parse_body(body: &str) -> Result<Self, CheckpointError> {
        let body =
            body.strip_suffix('\n').ok_or(CheckpointError::Body { reason: "the body must end with a newline" })?;
        let mut lines = body.split('\n');
        let origin =
            lines.next().filter(|l| !l.is_empty()).ok_or(CheckpointError::Body { reason: "missing origin line" })?;
        let size_text = lines.next().ok_or(CheckpointError::Body { reason: "missing tree size line" })?;
        let root_text = lines.next().ok_or(CheckpointError::Body { reason: "missing root hash line" })?;
        if lines.any(str::is_empty) {
            return Err(CheckpointError::Body { reason: "an extension line is empty" });
        }
        let size = parse_size(size_text)?;
        let root_bytes = STANDARD
            .decode(root_text)
            .map_err(|_| CheckpointError::Body { reason: "the root hash is not standard base64" })?;
        let root: Hash =
            root_bytes.try_into().map_err(|_| CheckpointError::Body { reason: "the root hash is not 32 bytes" })?;
        if origin.chars().any(char::is_control) {
            return Err(CheckpointError::Body { reason: "the origin contains control characters" });
        }
        Ok(Self { origin: origin.to_owned(), size, root })
    }

    /// The signed note of this checkpoint, signed by `key` under `key_name` (by C2SP convention
    /// the origin).
    pub fn sign(&self, key: &SigningKey, key_name: &str) -> Result<String, NoteError> {
        note::sign(&self.to_note_body(), key, key_name)
    }

    /// Verifies a signed checkpoint note by the key `key_name`/`public_key` and parses its body.
    pub fn verify_note(text: &str, key_name: &str, public_key: &PublicKey) -> Result<Self, CheckpointError> {
        Self::parse_body(note::open(text, key_name, public_key)?)
    }

    /// Like [`Checkpoint::verify_note`] but accepts whatever key name the signature line uses
    /// (the key id still binds it to `public_key`); also checks the origin when `origin` is given.
    pub fn verify_note_by_key(
        text: &str,
        public_key: &PublicKey,
        origin: Option<&str>,
    ) -> Result<Self, CheckpointError> {
        let opened = note::open_any_name(text, public_key)?;
        let checkpoint = Self::parse_body(opened.body)?;
        if let Some(expected) = origin {
            if checkpoint.origin != expected {
                return Err(CheckpointError::WrongOrigin { expected: expected.to_owned(), found: checkpoint.origin });
            }
        }
        Ok(checkpoint)
    }
}

fn parse_size(text: &str) -> Result<u64, CheckpointError> {
    let invalid = CheckpointError::Body { reason: "the tree size is not a decimal number without leading zeros" };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || (text.len() > 1 && text.starts_with('0')) {
        return Err(invalid);
    }
    text.parse().map_err(|_| invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_round_trip() {
        let cp = Checkpoint { origin: "benchproof.example.edu/log".into(), size: 41, root: [7; 32] };
        assert_eq!(Checkpoint::parse_body(&cp.to_note_body()), Ok(cp));
    }

    #[test]
    fn extension_lines_are_ignored() {
        let root = STANDARD.encode([1u8; 32]);
        let cp = Checkpoint::parse_body(&format!("o\n3\n{root}\nextension\n")).unwrap();
        assert_eq!(cp.size, 3);
    }

    #[test]
    fn malformed_bodies_are_refused() {
        let root = STANDARD.encode([1u8; 32]);
        let short = STANDARD.encode([1u8; 31]);
        for body in [
            String::new(),
            format!("o\n3\n{root}"),
            format!("\n3\n{root}\n"),
            format!("o\n03\n{root}\n"),
            format!("o\n-3\n{root}\n"),
            format!("o\n+3\n{root}\n"),
            format!("o\n 3\n{root}\n"),
            format!("o\n18446744073709551616\n{root}\n"),
            format!("o\n3\n{short}\n"),
            "o\n3\nnot base64!\n".to_owned(),
            format!("o\n3\n{root}\n\n"),
            "o\n3\n".to_owned(),
        ] {
            assert!(Checkpoint::parse_body(&body).is_err(), "accepted {body:?}");
        }
    }
}
