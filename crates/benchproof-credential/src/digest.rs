//! `digestMultibase`: a multibase (base64url, no padding, prefix `u`) multihash (`0x12 0x20`
//! = SHA2-256, 32 bytes) of a resource's bytes, as VC 2.0 §5.3 defines it.

use base64::Engine;

/// `digestMultibase` of a SHA-256 digest.
pub fn digest_multibase(sha256: &[u8; 32]) -> String {
    let mut multihash = Vec::with_capacity(34);
    multihash.extend_from_slice(&[0x12, 0x20]);
    multihash.extend_from_slice(sha256);
    format!("u{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(multihash))
}

/// The SHA-256 digest inside a `digestMultibase`, if it is one.
pub fn parse_digest_multibase(text: &str) -> Option<[u8; 32]> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.strip_prefix('u')?).ok()?;
    let digest = bytes.strip_prefix(&[0x12, 0x20][..])?;
    digest.try_into().ok()
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().try_into().expect("SHA-256 is 32 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_the_vc_form() {
        let d = sha256(b"hello");
        let mb = digest_multibase(&d);
        assert!(mb.starts_with("uEiA"), "{mb}");
        assert_eq!(parse_digest_multibase(&mb), Some(d));
        assert_eq!(parse_digest_multibase("zabc"), None);
    }
}
