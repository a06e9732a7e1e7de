//! RFC 8785 JSON Canonicalization Scheme (JCS), over `serde_json_canonicalizer`.
//!
//! Object members are sorted by their names' UTF-16 code units, numbers are written as
//! ECMAScript's `Number.prototype.toString` writes the nearest IEEE-754 double (so integers beyond
//! 2^53 lose precision, `1E30` becomes `1e+30` and `-0` becomes `0`), strings get the minimal
//! escaping of ECMAScript's `JSON.stringify`, and there is no whitespace.

use serde_json::Value;

/// Canonicalisation failed. A [`serde_json::Value`] cannot hold NaN or infinities, so this only
/// happens for values that could not be serialised at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("JSON canonicalization (RFC 8785) failed: {0}")]
pub struct JcsError(pub String);

/// The canonical UTF-8 bytes of `value`.
pub fn canonicalize(value: &Value) -> Result<Vec<u8>, JcsError> {
    serde_json_canonicalizer::to_vec(value).map_err(|e| JcsError(e.to_string()))
}

/// The canonical UTF-8 bytes of a JSON object.
pub fn canonicalize_object(object: &serde_json::Map<String, Value>) -> Result<Vec<u8>, JcsError> {
    serde_json_canonicalizer::to_vec(object).map_err(|e| JcsError(e.to_string()))
}

/// The canonical form of `value` as a string.
pub fn canonicalize_to_string(value: &Value) -> Result<String, JcsError> {
    serde_json_canonicalizer::to_string(value).map_err(|e| JcsError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_members_and_strips_whitespace() {
        let v = json!({"b": [1, {"d": 1, "c": 2}], "a": "x"});
        assert_eq!(canonicalize_to_string(&v).unwrap(), r#"{"a":"x","b":[1,{"c":2,"d":1}]}"#);
        assert_eq!(canonicalize(&v).unwrap(), canonicalize_to_string(&v).unwrap().into_bytes());
    }
}
