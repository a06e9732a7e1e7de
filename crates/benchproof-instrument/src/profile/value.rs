//! Turning a state query's text answer into a typed JSON value.

use serde::Deserialize;
use serde_json::Value;

/// Keysight and Rigol answer 9.9E37 when a measurement cannot be made (no signal, off screen).
const NO_MEASUREMENT: f64 = 9.9e37;

/// What kind of value a state query answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueKind {
    /// A number, possibly with a command-header echo and a unit (`C1:VDIV 5.00E-01V` → 0.5).
    Number,
    /// `1`/`0`, `ON`/`OFF` or `TRUE`/`FALSE`.
    Bool,
    /// One of the profile's `values`, compared case-insensitively; the profile's spelling is kept.
    Enum,
    /// Any text, trimmed and without surrounding quotes.
    String,
}

/// Why an answer did not parse as its query's kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Not a number.
    #[error("expected a number, got {0:?}")]
    NotANumber(String),
    /// Not a boolean.
    #[error("expected 1/0 or ON/OFF, got {0:?}")]
    NotABool(String),
    /// Not one of the allowed values.
    #[error("expected one of {allowed}, got {got:?}")]
    NotInEnum {
        /// The answer's value part.
        got: String,
        /// The allowed values, comma-separated.
        allowed: String,
    },
}

/// The value part of an answer: after any command-header echo (`TDIV 1.00E-03S` → `1.00E-03S`;
/// `C1:PAVA FREQ,1.00E+03Hz` → `1.00E+03Hz` for numbers).
fn value_part(answer: &str) -> &str {
    let answer = answer.trim();
    answer.rsplit(char::is_whitespace).next().unwrap_or(answer)
}

/// A number with an optional unit: `1.00E+03Hz`, `5.00E-01V`, `1.000kHz` (SI prefix applied).
fn parse_number(text: &str) -> Option<f64> {
    let end =
        text.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-' | 'e' | 'E'))).unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    let x: f64 = number.parse().ok()?;
    if !x.is_finite() || !unit.chars().all(|c| c.is_ascii_alphabetic() || c == '/' || c == '%' || c == 'µ') {
        return None;
    }
    // A single letter is a unit (`V`, `S`); a prefix needs a unit after it (`mV`, `kHz`).
    let mut chars = unit.chars();
    let exponent = match (chars.next(), chars.next()) {
        (Some(prefix), Some(_)) => match prefix {
            'p' => -12,
            'n' => -9,
            'u' | 'µ' => -6,
            'm' => -3,
            'k' | 'K' => 3,
            'M' => 6,
            'G' => 9,
            _ => 0,
        },
        _ => 0,
    };
    // Dividing by an exact power of ten keeps `250mV` at exactly 0.25.
    Some(if exponent < 0 { x / 10f64.powi(-exponent) } else { x * 10f64.powi(exponent) })
}

/// Parses `answer` as `kind`. `values` are the allowed spellings of an [`ValueKind::Enum`].
/// A number answer of 9.9E37 (the "no valid measurement" marker) parses to JSON `null`.
pub fn parse_answer(kind: ValueKind, values: &[String], answer: &str) -> Result<Value, ValueError> {
    match kind {
        ValueKind::String => {
            let t = answer.trim();
            let t = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(t);
            Ok(Value::String(t.to_owned()))
        }
        ValueKind::Number => {
            let part = value_part(answer);
            let part = part.rsplit(',').next().unwrap_or(part);
            let x = parse_number(part).ok_or_else(|| ValueError::NotANumber(answer.trim().to_owned()))?;
            if x.abs() >= NO_MEASUREMENT * 0.999 {
                return Ok(Value::Null);
            }
            Ok(serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number))
        }
        ValueKind::Bool => match value_part(answer).to_ascii_uppercase().as_str() {
            "1" | "ON" | "TRUE" => Ok(Value::Bool(true)),
            "0" | "OFF" | "FALSE" => Ok(Value::Bool(false)),
            _ => Err(ValueError::NotABool(answer.trim().to_owned())),
        },
        ValueKind::Enum => {
            let part = value_part(answer);
            values
                .iter()
                .find(|v| v.eq_ignore_ascii_case(part))
                .map(|v| Value::String(v.clone()))
                .ok_or_else(|| ValueError::NotInEnum { got: part.to_owned(), allowed: values.join(", ") })
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_in_the_forms_instruments_send() {
        let n = |s: &str| parse_answer(ValueKind::Number, &[], s).unwrap();
        assert_eq!(n("1.000000e-03\n"), json!(0.001));
        assert_eq!(n("+5.00000000E-01"), json!(0.5));
        assert_eq!(n("C1:VDIV 5.00E-01V"), json!(0.5));
        assert_eq!(n("TDIV 1.00E-03S"), json!(0.001));
        assert_eq!(n("C1:PAVA FREQ,1.000E+03Hz"), json!(1000.0));
        assert_eq!(n("C1:PAVA FREQ,1.5kHz"), json!(1500.0));
        assert_eq!(n("C1:PAVA PKPK,250mV"), json!(0.25));
        assert_eq!(n("SARA 1.00GSa/s"), json!(1e9));
        assert_eq!(n("9.9E37"), Value::Null);
        assert_eq!(n("+9.90000E+37"), Value::Null);
        for bad in ["****", "C1:PAVA FREQ,****", "", "nan", "inf", "1.0V2"] {
            assert!(parse_answer(ValueKind::Number, &[], bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bools_enums_and_strings() {
        assert_eq!(parse_answer(ValueKind::Bool, &[], "1").unwrap(), json!(true));
        assert_eq!(parse_answer(ValueKind::Bool, &[], "C2:TRA OFF").unwrap(), json!(false));
        assert!(parse_answer(ValueKind::Bool, &[], "2").is_err());
        let modes = vec!["AUTO".to_owned(), "NORM".to_owned(), "SING".to_owned()];
        assert_eq!(parse_answer(ValueKind::Enum, &modes, "norm\n").unwrap(), json!("NORM"));
        assert_eq!(parse_answer(ValueKind::Enum, &modes, "TRMD AUTO").unwrap(), json!("AUTO"));
        let err = parse_answer(ValueKind::Enum, &modes, "STOP").unwrap_err();
        assert_eq!(err.to_string(), "expected one of AUTO, NORM, SING, got \"STOP\"");
        assert_eq!(parse_answer(ValueKind::String, &[], " \"CHAN1\"\n").unwrap(), json!("CHAN1"));
    }
}
