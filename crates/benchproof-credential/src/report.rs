//! Cohort reports: one row per issued credential (student, rubric, outcome, date, credential
//! id), as CSV (RFC 4180: comma separated, CRLF, fields quoted when needed) or JSON.
//!
//! Invariant: a field that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
//! `@`, tab or CR) is prefixed with `'` in CSV, so a crafted student identifier cannot execute.

use serde::Serialize;

/// One row of a cohort report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    /// The student identifier as the department knows it.
    pub student: String,
    /// `rubric-id@version`.
    pub rubric: String,
    /// The outcome (`passed`, `not-yet-competent`, …).
    pub outcome: String,
    /// The date (ISO 8601) the outcome was reached or the credential issued.
    pub date: String,
    /// The credential id, empty when none was issued.
    pub credential_id: String,
}

/// The CSV header line's fields.
pub const CSV_HEADER: [&str; 5] = ["student", "rubric", "outcome", "date", "credential_id"];

fn csv_field(value: &str) -> String {
    let guarded =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) || guarded.starts_with(' ') || guarded.ends_with(' ') {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The rows as CSV with a header line.
pub fn to_csv(rows: &[ReportRow]) -> String {
    let mut out = CSV_HEADER.join(",");
    out.push_str("\r\n");
    for row in rows {
        let fields = [&row.student, &row.rubric, &row.outcome, &row.date, &row.credential_id];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// The rows as a pretty-printed JSON array.
pub fn to_json(rows: &[ReportRow]) -> String {
    serde_json::to_string_pretty(rows).expect("rows serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(student: &str) -> ReportRow {
        ReportRow {
            student: student.into(),
            rubric: "soldering@1.0.0".into(),
            outcome: "passed".into(),
            date: "2026-03-01T09:30:00Z".into(),
            credential_id: "urn:uuid:0193f6a0-0000-7000-8000-000000000001".into(),
        }
    }

    #[test]
    fn csv_quotes_and_guards_formulas() {
        let csv = to_csv(&[row("s1"), row("Smith, \"J\""), row("=HYPERLINK(\"x\")")]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "student,rubric,outcome,date,credential_id");
        assert!(lines[1].starts_with("s1,soldering@1.0.0,passed,"));
        assert!(lines[2].starts_with("\"Smith, \"\"J\"\"\","), "{}", lines[2]);
        assert!(lines[3].starts_with("\"'=HYPERLINK(\"\"x\"\")\","), "{}", lines[3]);
        assert_eq!(lines.len(), 5);
    }

    #[test]
    fn json_has_named_fields() {
        let v: serde_json::Value = serde_json::from_str(&to_json(&[row("s1")])).unwrap();
        assert_eq!(v[0]["student"], "s1");
        assert_eq!(v[0]["credential_id"], "urn:uuid:0193f6a0-0000-7000-8000-000000000001");
    }
}
