//! RFC 6962 §2.1 hashing: domain-separated SHA-256 for leaves and interior nodes.
//!
//! Invariant: a leaf hash is `SHA-256(0x00 ‖ data)` and a node hash `SHA-256(0x01 ‖ left ‖ right)`,
//! so no leaf can be passed off as an interior node (second-preimage resistance).

use ring::digest::{digest, Context, SHA256};

/// A SHA-256 output: a leaf hash, a node hash or a tree root.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    to_hash(digest(&SHA256, b"").as_ref())
}

/// The hash of a leaf whose content is `data` (for benchproof, the 32 raw bytes of a bundle's
/// SHA-256): `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut ctx = Context::new(&SHA256);
    ctx.update(&[0x00]);
    ctx.update(data);
    to_hash(ctx.finish().as_ref())
}

/// The hash of an interior node: `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut ctx = Context::new(&SHA256);
    ctx.update(&[0x01]);
    ctx.update(left);
    ctx.update(right);
    to_hash(ctx.finish().as_ref())
}

/// Plain SHA-256 of `data` (the digest a bundle is known by).
pub fn sha256(data: &[u8]) -> Hash {
    to_hash(digest(&SHA256, data).as_ref())
}

fn to_hash(bytes: &[u8]) -> Hash {
    bytes.try_into().expect("SHA-256 is 32 bytes")
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Parses 64 **lowercase** hex digits into a hash; anything else is `None`.
pub fn parse_hex_hash(text: &str) -> Option<Hash> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
    }
    Some(out)
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(to_hex(&empty_root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn rfc6962_leaf_of_empty_data() {
        // SHA-256(0x00), the leaf hash of an empty entry (RFC 6962 test data, Certificate Transparency).
        assert_eq!(to_hex(&leaf_hash(b"")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    }

    #[test]
    fn hex_round_trip_and_refusals() {
        let h = sha256(b"abc");
        assert_eq!(parse_hex_hash(&to_hex(&h)), Some(h));
        assert_eq!(parse_hex_hash(&to_hex(&h).to_uppercase()), None);
        assert_eq!(parse_hex_hash("00"), None);
        assert_eq!(parse_hex_hash(&"g".repeat(64)), None);
    }
}
