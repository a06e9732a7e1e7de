//! XML Schema 1.1 (XMLSCHEMA11-2) `dateTime` / `dateTimeStamp` values, as proofs carry them in
//! `created` and `expires`.
//!
//! Values are passed in by the caller (this crate never reads a clock). [`XsdDateTime`] keeps the
//! original text (what gets signed) and the instant it denotes (for comparisons).

use std::cmp::Ordering;
use std::fmt;

/// A lexically valid `xsd:dateTime`: `-?YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?`, with real
/// calendar days, `24:00:00` as the end of a day, and offsets within ±14:00.
///
/// Equality and order are by instant, not by text: `2024-01-01T01:00:00+01:00` equals
/// `2024-01-01T00:00:00Z`. A value without a timezone is taken as UTC (as Data Integrity says
/// to interpret such incorrectly serialised values). Sub-nanosecond digits are kept in the text
/// but ignored in comparisons.
#[derive(Clone)]
pub struct XsdDateTime {
    text: String,
    seconds: i64,
    nanos: u32,
    has_timezone: bool,
}

/// Why a string is not an XML Schema `dateTime` (or not a `dateTimeStamp`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not an XML Schema {expected}: {reason}")]
pub struct DateTimeError {
    pub value: String,
    pub expected: &'static str,
    pub reason: &'static str,
}

impl XsdDateTime {
    /// Parses an `xsd:dateTimeStamp`: a `dateTime` **with** a timezone (`Z` or `±hh:mm`). This is
    /// what Data Integrity requires of `created` and `expires`.
    pub fn parse_stamp(text: &str) -> Result<Self, DateTimeError> {
        let parsed = Self::parse_inner(text, "dateTimeStamp")?;
        if !parsed.has_timezone {
            return Err(DateTimeError {
                value: text.to_owned(),
                expected: "dateTimeStamp",
                reason: "a timezone ('Z' or '+hh:mm'/'-hh:mm') is required",
            });
        }
        Ok(parsed)
    }

    /// Parses an `xsd:dateTime`, whose timezone is optional (taken as UTC when absent).
    pub fn parse(text: &str) -> Result<Self, DateTimeError> {
        Self::parse_inner(text, "dateTime")
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn has_timezone(&self) -> bool {
        self.has_timezone
    }

    /// Seconds since 1970-01-01T00:00:00Z (proleptic Gregorian calendar).
    pub fn unix_seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds within the second (digits beyond the ninth are dropped).
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    fn parse_inner(text: &str, expected: &'static str) -> Result<Self, DateTimeError> {
        let fail = |reason| DateTimeError { value: excerpt(text), expected, reason };
        let mut c = Cursor { s: text.as_bytes(), i: 0 };

        let negative = c.eat(b'-');
        let year_digits = c.digits();
        if year_digits.len() < 4 {
            return Err(fail("the year needs at least four digits"));
        }
        if year_digits.len() > 4 && year_digits[0] == b'0' {
            return Err(fail("a year of more than four digits cannot start with 0"));
        }
        if year_digits.len() > 9 {
            return Err(fail("the year is out of the supported range"));
        }
        let mut year = number(year_digits);
        if negative {
            year = -year;
        }
        c.expect(b'-').map_err(|_| fail("expected '-' after the year"))?;
        let month = c.two_digits().ok_or_else(|| fail("expected a two-digit month"))?;
        if !(1..=12).contains(&month) {
            return Err(fail("the month must be 01 to 12"));
        }
        c.expect(b'-').map_err(|_| fail("expected '-' after the month"))?;
        let day = c.two_digits().ok_or_else(|| fail("expected a two-digit day"))?;
        if day < 1 || day > days_in_month(year, month) {
            return Err(fail("no such day in that month"));
        }
        c.expect(b'T').map_err(|_| fail("expected 'T' between date and time"))?;
        let hour = c.two_digits().ok_or_else(|| fail("expected a two-digit hour"))?;
        c.expect(b':').map_err(|_| fail("expected ':' after the hour"))?;
        let minute = c.two_digits().ok_or_else(|| fail("expected two-digit minutes"))?;
        c.expect(b':').map_err(|_| fail("expected ':' after the minutes"))?;
        let second = c.two_digits().ok_or_else(|| fail("expected two-digit seconds"))?;
        let mut nanos = 0u32;
        let mut fraction_is_zero = true;
        if c.eat(b'.') {
            let frac = c.digits();
            if frac.is_empty() {
                return Err(fail("expected digits after the decimal point"));
            }
            for (k, d) in frac.iter().enumerate() {
                if *d != b'0' {
                    fraction_is_zero = false;
                }
                if k < 9 {
                    nanos += u32::from(d - b'0') * 10u32.pow(8 - k as u32);
                }
            }
        }
        if hour == 24 {
            if minute != 0 || second != 0 || !fraction_is_zero {
                return Err(fail("24 is only allowed as 24:00:00"));
            }
        } else if hour > 23 || minute > 59 || second > 59 {
            return Err(fail("hour, minute or second out of range"));
        }

        let mut offset_minutes = 0i64;
        let mut has_timezone = false;
        if c.eat(b'Z') {
            has_timezone = true;
        } else if let Some(sign) = c.peek().filter(|b| *b == b'+' || *b == b'-') {
            c.i += 1;
            let oh = c.two_digits().ok_or_else(|| fail("expected a two-digit timezone hour"))?;
            c.expect(b':').map_err(|_| fail("expected ':' in the timezone"))?;
            let om = c.two_digits().ok_or_else(|| fail("expected two-digit timezone minutes"))?;
            if om > 59 || oh > 14 || (oh == 14 && om != 0) {
                return Err(fail("the timezone offset must be within -14:00..+14:00"));
            }
            offset_minutes = oh * 60 + om;
            if sign == b'-' {
                offset_minutes = -offset_minutes;
            }
            has_timezone = true;
        }
        if c.i != c.s.len() {
            return Err(fail("unexpected text after the time"));
        }

        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
        Ok(Self { text: text.to_owned(), seconds, nanos, has_timezone })
    }
}

impl PartialEq for XsdDateTime {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for XsdDateTime {}

impl PartialOrd for XsdDateTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for XsdDateTime {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.seconds, self.nanos).cmp(&(other.seconds, other.nanos))
    }
}

impl fmt::Display for XsdDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for XsdDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "XsdDateTime({:?})", self.text)
    }
}

fn excerpt(s: &str) -> String {
    match s.char_indices().nth(64) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, b: u8) -> Result<(), ()> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(())
        }
    }
    fn digits(&mut self) -> &'a [u8] {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        &self.s[start..self.i]
    }
    fn two_digits(&mut self) -> Option<i64> {
        let d = self.s.get(self.i..self.i + 2)?;
        if d.iter().all(u8::is_ascii_digit) {
            self.i += 2;
            Some(number(d))
        } else {
            None
        }
    }
}

fn number(digits: &[u8]) -> i64 {
    digits.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'))
}

/// XML Schema 1.1 years: year 0000 is 1 BCE, a leap year.
fn is_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Serialised as its exact text; deserialising requires a timezone (as proofs and enrolment
/// records do).
impl serde::Serialize for XsdDateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for XsdDateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        XsdDateTime::parse_stamp(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_values_and_their_instants() {
        let t = XsdDateTime::parse_stamp("2023-02-24T23:36:38Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_677_281_798);
        assert_eq!(t.as_str(), "2023-02-24T23:36:38Z");
        assert_eq!(XsdDateTime::parse_stamp("1970-01-01T00:00:00Z").unwrap().unix_seconds(), 0);
        assert_eq!(XsdDateTime::parse_stamp("1969-12-31T23:59:59Z").unwrap().unix_seconds(), -1);
        let frac = XsdDateTime::parse_stamp("2024-02-29T12:00:00.123456789123+05:30").unwrap();
        assert_eq!(frac.subsec_nanos(), 123_456_789);
        assert_eq!(
            XsdDateTime::parse_stamp("2024-01-01T01:00:00+01:00").unwrap(),
            XsdDateTime::parse_stamp("2024-01-01T00:00:00Z").unwrap()
        );
        assert_eq!(
            XsdDateTime::parse_stamp("2023-12-31T24:00:00Z").unwrap(),
            XsdDateTime::parse_stamp("2024-01-01T00:00:00Z").unwrap()
        );
        assert!(XsdDateTime::parse_stamp("-0044-03-15T12:00:00Z").is_ok());
        assert!(XsdDateTime::parse_stamp("12024-03-15T12:00:00-14:00").is_ok());
        assert!(XsdDateTime::parse_stamp("2000-02-29T00:00:00Z").is_ok());
        let no_tz = XsdDateTime::parse("2023-02-24T23:36:38").unwrap();
        assert!(!no_tz.has_timezone());
        assert_eq!(no_tz, t);
        assert!(
            XsdDateTime::parse_stamp("2023-02-24T23:36:38.5Z").unwrap()
                > XsdDateTime::parse_stamp("2023-02-24T23:36:38Z").unwrap()
        );
    }

    #[test]
    fn invalid_values() {
        for bad in [
            "",
            "2023-02-24",
            "2023-02-24 23:36:38Z",
            "2023-02-24t23:36:38Z",
            "23-02-24T23:36:38Z",
            "02023-02-24T23:36:38Z",
            "2023-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-02-24T25:00:00Z",
            "2023-02-24T24:00:01Z",
            "2023-02-24T23:60:00Z",
            "2023-02-24T23:36:60Z",
            "2023-02-24T23:36:38.Z",
            "2023-02-24T23:36:38+15:00",
            "2023-02-24T23:36:38+0100",
            "2023-02-24T23:36:38z",
            "2023-02-24T23:36:38ZZ",
            "2023-02-24T23:36:38Z ",
        ] {
            assert!(XsdDateTime::parse(bad).is_err(), "{bad:?} should be refused");
        }
        let err = XsdDateTime::parse_stamp("2023-02-24T23:36:38").unwrap_err();
        assert_eq!(err.expected, "dateTimeStamp");
        assert!(err.to_string().contains("timezone"), "{err}");
    }
}
