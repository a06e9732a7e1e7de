//! Multibase strings in the one base this crate uses: base58btc, prefix `z`.
//!
//! Multibase (draft-multiformats-multibase) prefixes an encoded byte string with one character
//! naming its base. Data Integrity proofs, Multikey public keys and `did:key` identifiers all use
//! base58btc (the Bitcoin alphabet), whose prefix is `z`. Other bases are refused with
//! [`MultibaseError::UnsupportedBase`].

/// The multibase prefix of base58btc.
pub const BASE58BTC_PREFIX: char = 'z';

/// Why a string is not a base58btc multibase value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultibaseError {
    #[error("empty multibase string")]
    Empty,
    #[error("unsupported multibase prefix {prefix:?}: only base58btc ('z') is accepted")]
    UnsupportedBase { prefix: char },
    #[error("invalid base58btc character {character:?} at byte {index}")]
    InvalidCharacter { character: char, index: usize },
    #[error("base58btc string is too long ({len} characters, at most {max})")]
    TooLong { len: usize, max: usize },
}

/// Longest base58 text [`decode_base58btc`] accepts (base58 decoding is quadratic). Enough for
/// 1 KiB of data; keys, seeds and signatures are far shorter.
pub const MAX_BASE58_LEN: usize = 1400;

/// Plain base58btc (Bitcoin alphabet), without a multibase prefix.
pub fn base58_encode(bytes: &[u8]) -> String {
    bs58::encode(bytes).into_string()
}

/// Decodes plain base58btc (no multibase prefix).
pub fn base58_decode(text: &str) -> Result<Vec<u8>, MultibaseError> {
    if text.len() > MAX_BASE58_LEN {
        return Err(MultibaseError::TooLong { len: text.len(), max: MAX_BASE58_LEN });
    }
    bs58::decode(text).into_vec().map_err(|e| match e {
        bs58::decode::Error::InvalidCharacter { character, index } => {
            MultibaseError::InvalidCharacter { character, index }
        }
        // Non-ASCII input, or any other refusal: name the first character outside the alphabet.
        _ => first_bad_character(text),
    })
}

fn first_bad_character(text: &str) -> MultibaseError {
    const ALPHABET: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let (index, character) =
        text.char_indices().find(|(_, c)| !ALPHABET.contains(*c)).unwrap_or((0, text.chars().next().unwrap_or('?')));
    MultibaseError::InvalidCharacter { character, index }
}

/// `z` + base58btc(bytes).
pub fn encode_base58btc(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(1 + bytes.len() * 138 / 100 + 1);
    s.push(BASE58BTC_PREFIX);
    s.push_str(&base58_encode(bytes));
    s
}

/// Decodes a `z`-prefixed base58btc multibase string.
pub fn decode_base58btc(multibase: &str) -> Result<Vec<u8>, MultibaseError> {
    let mut chars = multibase.chars();
    match chars.next() {
        None => Err(MultibaseError::Empty),
        Some(BASE58BTC_PREFIX) => base58_decode(chars.as_str()).map_err(|e| match e {
            // Report positions in the whole multibase string, prefix included.
            MultibaseError::InvalidCharacter { character, index } => {
                MultibaseError::InvalidCharacter { character, index: index + 1 }
            }
            other => other,
        }),
        Some(prefix) => Err(MultibaseError::UnsupportedBase { prefix }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_base58_values() {
        // Leading zero bytes become '1's; the rest is a big-endian base-58 number.
        let cases: &[(&[u8], &str)] = &[
            (b"", ""),
            (&[0], "1"),
            (&[0, 0, 1], "112"),
            (&[57], "z"),
            (&[58], "21"),
            (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
            (
                b"The quick brown fox jumps over the lazy dog.",
                "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
            ),
        ];
        for (bytes, text) in cases {
            assert_eq!(base58_encode(bytes), *text);
            assert_eq!(base58_decode(text).unwrap(), *bytes);
        }
    }

    #[test]
    fn multibase_prefix() {
        assert_eq!(encode_base58btc(b"Hello World!"), "z2NEpo7TZRRrLZSi2U");
        assert_eq!(decode_base58btc("z2NEpo7TZRRrLZSi2U").unwrap(), b"Hello World!");
        assert_eq!(decode_base58btc("z").unwrap(), b"");
        assert_eq!(decode_base58btc(""), Err(MultibaseError::Empty));
        assert_eq!(decode_base58btc("f0011"), Err(MultibaseError::UnsupportedBase { prefix: 'f' }));
        assert_eq!(decode_base58btc("Z2NEpo"), Err(MultibaseError::UnsupportedBase { prefix: 'Z' }));
    }

    #[test]
    fn bad_characters_are_located() {
        // 0, O, I and l are not in the Bitcoin alphabet.
        assert_eq!(decode_base58btc("z12O4"), Err(MultibaseError::InvalidCharacter { character: 'O', index: 3 }));
        assert_eq!(base58_decode("0"), Err(MultibaseError::InvalidCharacter { character: '0', index: 0 }));
        assert_eq!(base58_decode("ab€"), Err(MultibaseError::InvalidCharacter { character: '€', index: 2 }));
        assert!(matches!(decode_base58btc("zl"), Err(MultibaseError::InvalidCharacter { character: 'l', .. })));
    }

    #[test]
    fn overlong_input_is_refused_before_decoding() {
        let long = "2".repeat(MAX_BASE58_LEN + 1);
        assert_eq!(base58_decode(&long), Err(MultibaseError::TooLong { len: MAX_BASE58_LEN + 1, max: MAX_BASE58_LEN }));
    }
}
