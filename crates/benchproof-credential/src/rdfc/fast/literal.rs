//! The lexical forms of literals, exactly as the general path writes them.
//!
//! Invariant: numbers and JSON literals go through the same `json-syntax` canonicalisation and
//! the same `pretty_dtoa` configuration as `json-ld` 0.21's `to_rdf`, so a number is an
//! `xsd:integer` or `xsd:double` (e.g. `1.1E0`) on both paths alike.

use json_ld::syntax::{NumberBuf, Parse, Print};

use super::{unsupported, Unsupported};

/// `http://www.w3.org/2001/XMLSchema#…` datatypes the conversion writes.
pub(crate) const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
pub(crate) const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
pub(crate) const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
pub(crate) const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";
/// `rdf:JSON`.
pub(crate) const RDF_JSON: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON";

/// <https://www.w3.org/TR/xmlschema11-2/#f-doubleLexmap>, as `json-ld` configures it.
const XSD_CANONICAL_FLOAT: pretty_dtoa::FmtFloatConfig =
    pretty_dtoa::FmtFloatConfig::default().force_e_notation().capitalize_e(true);

/// The lexical form and default datatype of a JSON number. `datatype` is the datatype the
/// value will carry, if any (an `xsd:double` datatype forces the double form).
pub(crate) fn number(n: &serde_json::Number, datatype: Option<&str>) -> Result<(String, &'static str), Unsupported> {
    let parsed: NumberBuf = n.to_string().parse().map_err(|_| unsupported!())?;
    let canonical = parsed.canonical();
    if canonical.is_i64() && datatype != Some(XSD_DOUBLE) {
        Ok((canonical.to_string(), XSD_INTEGER))
    } else {
        Ok((pretty_dtoa::dtoa(canonical.as_f64_lossy(), XSD_CANONICAL_FLOAT), XSD_DOUBLE))
    }
}

/// The lexical form of an `rdf:JSON` literal: the value in JSON canonical form.
pub(crate) fn json(value: &serde_json::Value) -> Result<String, Unsupported> {
    let (mut parsed, _) = json_ld::syntax::Value::parse_str(&value.to_string()).map_err(|_| unsupported!())?;
    parsed.canonicalize();
    Ok(parsed.compact_print().to_string())
}

/// A language tag that is certainly well-formed BCP 47 (`language[-Script][-REGION]`),
/// lowercased as jsonld.js and the general path write it; anything else is left to the general
/// path (which drops literals with malformed tags).
pub(crate) fn language_tag(tag: &str) -> Result<String, Unsupported> {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(unsupported!());
    }
    let mut stage = 0;
    for part in parts {
        let script = part.len() == 4 && part.chars().all(|c| c.is_ascii_alphabetic());
        let region = (part.len() == 2 && part.chars().all(|c| c.is_ascii_alphabetic()))
            || (part.len() == 3 && part.chars().all(|c| c.is_ascii_digit()));
        stage = match (stage, script, region) {
            (0, true, _) => 1,
            (0 | 1, _, true) => 2,
            _ => return Err(unsupported!()),
        };
    }
    Ok(tag.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_the_json_ld_forms() {
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).unwrap();
        assert_eq!(number(&n("5"), None).unwrap(), ("5".into(), XSD_INTEGER));
        assert_eq!(number(&n("2.0"), None).unwrap(), ("2".into(), XSD_INTEGER));
        assert_eq!(number(&n("3.5"), None).unwrap(), ("3.5E0".into(), XSD_DOUBLE));
        assert_eq!(number(&n("5"), Some(XSD_DOUBLE)).unwrap(), ("5.0E0".into(), XSD_DOUBLE));
    }

    #[test]
    fn only_plain_language_tags_are_taken() {
        assert_eq!(language_tag("EN-gb").unwrap(), "en-gb");
        assert_eq!(language_tag("zh-Hant-TW").unwrap(), "zh-hant-tw");
        assert_eq!(language_tag("es-419").unwrap(), "es-419");
        for odd in ["e", "en-", "en-gb-gb", "x-private", "en-a-bbb", "1n"] {
            assert!(language_tag(odd).is_err(), "{odd}");
        }
    }
}
