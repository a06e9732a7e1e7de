//! What the caller tells the writer about a bag: its name, its bagging date and the
//! `bag-info.txt` labels.

use crate::error::{BagError, Result};
use crate::path::bag_name_problem;

/// The bag's name, bagging date and `bag-info.txt` labels, for [`crate::BagWriter::new`].
///
/// `bag-info.txt` is written in this order: the labels in the order they were added, then
/// `Bagging-Date`, then `Payload-Oxum`. The writer computes `Payload-Oxum` itself and takes
/// `Bagging-Date` from [`BagInfo::new`] (it never reads a clock), so neither may be added as a
/// label. Labels may repeat (RFC 8493 §2.2.2 allows it). Values are written on one line; they
/// may not contain CR or LF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BagInfo {
    bag_name: String,
    bagging_date: String,
    labels: Vec<(String, String)>,
}

impl BagInfo {
    /// `bag_name` is the zip's single top-level directory (a bag unpacks to a directory of that
    /// name); it is not written into `bag-info.txt`. `bagging_date` is `YYYY-MM-DD`.
    pub fn new(bag_name: impl Into<String>, bagging_date: impl Into<String>) -> Self {
        Self { bag_name: bag_name.into(), bagging_date: bagging_date.into(), labels: Vec::new() }
    }

    /// Adds a label (kept in insertion order; repeats allowed).
    #[must_use]
    pub fn label(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((label.into(), value.into()));
        self
    }

    /// `Source-Organization`: the organisation transferring the content.
    #[must_use]
    pub fn source_organization(self, value: impl Into<String>) -> Self {
        self.label("Source-Organization", value)
    }

    /// `External-Identifier`: a sender-supplied identifier for the bag.
    #[must_use]
    pub fn external_identifier(self, value: impl Into<String>) -> Self {
        self.label("External-Identifier", value)
    }

    /// `External-Description`: a brief explanation of the contents.
    #[must_use]
    pub fn external_description(self, value: impl Into<String>) -> Self {
        self.label("External-Description", value)
    }

    /// `Bag-Software-Agent`: the software that made the bag.
    #[must_use]
    pub fn bag_software_agent(self, value: impl Into<String>) -> Self {
        self.label("Bag-Software-Agent", value)
    }

    /// The zip's top-level directory name.
    #[must_use]
    pub fn bag_name(&self) -> &str {
        &self.bag_name
    }

    /// `YYYY-MM-DD`.
    #[must_use]
    pub fn bagging_date(&self) -> &str {
        &self.bagging_date
    }

    /// The caller's labels, in order.
    #[must_use]
    pub fn labels(&self) -> &[(String, String)] {
        &self.labels
    }

    /// Refuses a bad bag name, date, label or value.
    pub(crate) fn check(&self) -> Result<()> {
        if let Some(reason) = bag_name_problem(&self.bag_name) {
            return Err(BagError::InvalidBagName { name: self.bag_name.clone(), reason });
        }
        if parse_date(&self.bagging_date).is_none() {
            return Err(BagError::InvalidBagInfo {
                label: "Bagging-Date".to_owned(),
                reason: format!("{:?} is not a calendar date written YYYY-MM-DD", self.bagging_date),
            });
        }
        for (label, value) in &self.labels {
            if let Some(reason) = label_problem(label) {
                return Err(BagError::InvalidBagInfo { label: label.clone(), reason: reason.to_owned() });
            }
            if ["Payload-Oxum", "Bagging-Date"].iter().any(|own| own.eq_ignore_ascii_case(label)) {
                return Err(BagError::InvalidBagInfo {
                    label: label.clone(),
                    reason: "the writer fills in this label itself".to_owned(),
                });
            }
            if value.contains(['\r', '\n']) {
                return Err(BagError::InvalidBagInfo {
                    label: label.clone(),
                    reason: "its value contains CR or LF; values are written on one line".to_owned(),
                });
            }
        }
        Ok(())
    }

    /// The text of `bag-info.txt`.
    pub(crate) fn render(&self, oxum: crate::PayloadOxum) -> String {
        let mut out = String::new();
        for (label, value) in &self.labels {
            out.push_str(&format!("{label}: {value}\n"));
        }
        out.push_str(&format!("Bagging-Date: {}\n", self.bagging_date));
        out.push_str(&format!("Payload-Oxum: {oxum}\n"));
        out
    }
}

/// RFC 8493 §2.2.2: a label must not contain ':' , CR or LF, nor start or end with whitespace.
fn label_problem(label: &str) -> Option<&'static str> {
    if label.is_empty() {
        Some("a label may not be empty")
    } else if label.contains([':', '\r', '\n']) {
        Some("a label may not contain ':', CR or LF")
    } else if label.starts_with([' ', '\t']) || label.ends_with([' ', '\t']) {
        Some("a label may not start or end with whitespace")
    } else {
        None
    }
}

/// `YYYY-MM-DD` → (year, month, day), checking the calendar (leap years included).
pub(crate) fn parse_date(text: &str) -> Option<(u16, u8, u8)> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u16> {
        let part = text.get(range)?;
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let year = number(0..4)?;
    let month = u8::try_from(number(5..7)?).ok()?;
    let day = u8::try_from(number(8..10)?).ok()?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (year >= 1 && (1..=days_in_month).contains(&day)).then_some((year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_calendar() {
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        for bad in ["2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "24-01-01", "2024/01/01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2000-02-29"), Some((2000, 2, 29)));
        assert_eq!(parse_date("2024-1-011"), None);
        assert_eq!(parse_date("+024-01-01"), None);
    }

    #[test]
    fn checks_names_labels_and_values() {
        let ok = BagInfo::new("bag", "2024-05-01").source_organization("Lab").label("X-Custom", "v");
        assert!(ok.check().is_ok());
        assert!(matches!(BagInfo::new("a/b", "2024-05-01").check(), Err(BagError::InvalidBagName { .. })));
        assert!(matches!(BagInfo::new("bag", "2024-5-1").check(), Err(BagError::InvalidBagInfo { .. })));
        for (label, value) in [("A:B", "v"), (" A", "v"), ("A", "x\ny"), ("payload-oxum", "1.1"), ("", "v")] {
            let info = BagInfo::new("bag", "2024-05-01").label(label, value);
            assert!(matches!(info.check(), Err(BagError::InvalidBagInfo { .. })), "{label:?}: {value:?}");
        }
    }

    #[test]
    fn renders_labels_then_date_then_oxum() {
        let info = BagInfo::new("bag", "2024-05-01").source_organization("Lab").bag_software_agent("bp 1");
        let text = info.render(crate::PayloadOxum { octets: 12, streams: 3 });
        assert_eq!(
            text,
            "Source-Organization: Lab\nBag-Software-Agent: bp 1\nBagging-Date: 2024-05-01\nPayload-Oxum: 12.3\n"
        );
    }
}
