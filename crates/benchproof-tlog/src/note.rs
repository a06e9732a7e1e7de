//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 signatures, the envelope of a
//! checkpoint.
//!
//! A note is a body of UTF-8 text lines, each ending in `\n`, then an empty line, then one or
//! more signature lines `— <key name> <base64(4-byte key id ‖ signature)>\n`. The Ed25519 key id
//! is the first 4 bytes of `SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)`.
//!
//! Invariant: [`open`] returns a body only if a signature by the given key verifies over exactly
//! that body's bytes. Signatures by other keys are ignored (a note may carry witnesses'
//! cosignatures); a signature that claims the given key's name and id but does not verify is an
//! error, never skipped.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use benchproof_evidence::{PublicKey, SigningKey};

use crate::hash::sha256;

/// The signature algorithm byte C2SP assigns to Ed25519.
const ALG_ED25519: u8 = 0x01;
/// The em dash and space that open every signature line.
const SIG_PREFIX: &str = "\u{2014} ";
/// At most this many signature lines are read (as Go's `sumdb/note` does).
const MAX_SIGNATURES: usize = 100;

/// Why a note was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The text is not a well-formed signed note; `reason` says which rule it breaks.
    #[error("not a well-formed signed note: {reason}")]
    Malformed { reason: &'static str },
    /// The key name is empty or contains a space or `+`.
    #[error("key name {name:?} is not valid: it must be non-empty, without spaces or '+'")]
    BadKeyName { name: String },
    /// No signature line is by the trusted key.
    #[error(
        "the note carries no signature by key {name:?} (key id {key_id}); check that the right log key is trusted"
    )]
    NotSignedByKey { name: String, key_id: String },
    /// A signature line names the trusted key but its signature is wrong: the body was altered.
    #[error("the signature by key {name:?} does not verify: the note was altered or signed by another key")]
    BadSignature { name: String },
}

/// The 4-byte C2SP key id of an Ed25519 `public_key` named `name`.
pub fn key_id(name: &str, public_key: &PublicKey) -> [u8; 4] {
    let mut input = Vec::with_capacity(name.len() + 2 + 32);
    input.extend_from_slice(name.as_bytes());
    input.push(b'\n');
    input.push(ALG_ED25519);
    input.extend_from_slice(public_key.as_bytes());
    let hash = sha256(&input);
    [hash[0], hash[1], hash[2], hash[3]]
}

/// The verifier key string Go's `sumdb/note` and other C2SP tools read:
/// `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
pub fn verifier_key(name: &str, public_key: &PublicKey) -> String {
    let mut encoded = vec![ALG_ED25519];
    encoded.extend_from_slice(public_key.as_bytes());
    format!("{name}+{}+{}", crate::hash::to_hex(&key_id(name, public_key)), STANDARD.encode(encoded))
}

/// Signs `body` (non-empty lines, each ending in `\n`) with `key` under `name`, returning the
/// whole note text.
pub fn sign(body: &str, key: &SigningKey, name: &str) -> Result<String, NoteError> {
    check_name(name)?;
    check_body(body)?;
    let mut signature = key_id(name, &key.public_key()).to_vec();
    signature.extend_from_slice(&key.sign(body.as_bytes()));
    Ok(format!("{body}\n{SIG_PREFIX}{name} {}\n", STANDARD.encode(signature)))
}

/// A note whose signature by a trusted key verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened<'a> {
    /// The signed body, ending in `\n`.
    pub body: &'a str,
    /// The name on the verifying signature line.
    pub key_name: &'a str,
}

/// Verifies `note` against the Ed25519 `public_key` named `name` and returns the body.
pub fn open<'a>(note: &'a str, name: &str, public_key: &PublicKey) -> Result<&'a str, NoteError> {
    check_name(name)?;
    open_matching(note, public_key, Some(name)).map(|opened| opened.body)
}

/// Verifies `note` against `public_key` whatever name the signature line gives it (the key id
/// still binds name and key). For receipts, where only the key is known in advance.
pub fn open_any_name<'a>(note: &'a str, public_key: &PublicKey) -> Result<Opened<'a>, NoteError> {
    open_matching(note, public_key, None)
}

fn open_matching<'a>(note: &'a str, public_key: &PublicKey, name: Option<&str>) -> Result<Opened<'a>, NoteError> {
    if note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed { reason: "it contains control characters other than newline" });
    }
    if !note.ends_with('\n') {
        return Err(NoteError::Malformed { reason: "it does not end with a newline" });
    }
    let split = note.rfind("\n\n").ok_or(NoteError::Malformed { reason: "no empty line before the signatures" })?;
    let body = &note[..=split];
    let signatures = &note[split + 2..];
    check_body(body)?;
    let lines: Vec<&str> = signatures.split_terminator('\n').collect();
    if lines.is_empty() {
        return Err(NoteError::Malformed { reason: "there are no signature lines" });
    }
    if lines.len() > MAX_SIGNATURES {
        return Err(NoteError::Malformed { reason: "more than 100 signature lines" });
    }
    let mut verified: Option<&str> = None;
    for line in lines {
        let (line_name, signature) = parse_signature_line(line)?;
        if name.is_some_and(|wanted| wanted != line_name) {
            continue;
        }
        let id = key_id(line_name, public_key);
        if signature[..4] != id {
            continue;
        }
        if verified.is_some() {
            return Err(NoteError::Malformed { reason: "the trusted key signed it more than once" });
        }
        if public_key.verify(body.as_bytes(), &signature[4..]).is_err() {
            return Err(NoteError::BadSignature { name: line_name.to_owned() });
        }
        verified = Some(line_name);
    }
    match verified {
        Some(key_name) => Ok(Opened { body, key_name }),
        None => {
            let shown = name.unwrap_or("");
            Err(NoteError::NotSignedByKey {
                name: shown.to_owned(),
                key_id: crate::hash::to_hex(&key_id(shown, public_key)),
            })
        }
    }
}

/// Splits `— name base64` and decodes the signature (at least a key id and one byte).
fn parse_signature_line(line: &str) -> Result<(&str, Vec<u8>), NoteError> {
    let rest = line
        .strip_prefix(SIG_PREFIX)
        .ok_or(NoteError::Malformed { reason: "a signature line does not start with '— '" })?;
    let (name, encoded) = rest
        .split_once(' ')
        .ok_or(NoteError::Malformed { reason: "a signature line has no space after the key name" })?;
    check_name(name).map_err(|_| NoteError::Malformed { reason: "a signature line has an invalid key name" })?;
    let signature =
        STANDARD.decode(encoded).map_err(|_| NoteError::Malformed { reason: "a signature is not valid base64" })?;
    if signature.len() < 5 {
        return Err(NoteError::Malformed { reason: "a signature is shorter than a key id" });
    }
    Ok((name, signature))
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(NoteError::BadKeyName { name: name.to_owned() });
    }
    Ok(())
}

fn check_body(body: &str) -> Result<(), NoteError> {
    if body.is_empty() || !body.ends_with('\n') {
        return Err(NoteError::Malformed { reason: "the body must be lines each ending with a newline" });
    }
    if body.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed { reason: "the body contains control characters other than newline" });
    }
    Ok(())
}
