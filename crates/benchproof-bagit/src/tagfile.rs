//! Parsers for the tag files a reader must understand: `bagit.txt`, `bag-info.txt` and the
//! SHA-256 manifests. Every refusal names the file and the 1-based line.

use std::collections::HashMap;

use crate::digest::Sha256Digest;
use crate::error::{BagError, Result};
use crate::path::{decode_manifest_path, relative_path_problem};
use crate::PayloadOxum;

/// The exact `bagit.txt` this crate writes.
pub(crate) const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn malformed(file: &str, line: usize, reason: impl Into<String>) -> BagError {
    BagError::Malformed { file: file.to_owned(), line, reason: reason.into() }
}

/// Lines without their terminators; LF, CR and CRLF all end a line (RFC 8493 §2.1). A final
/// terminator does not start another (empty) line.
pub(crate) fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['\r', '\n']) {
            Some(at) => {
                lines.push(&rest[..at]);
                let skip = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[at + skip..];
            }
            None => {
                lines.push(rest);
                rest = "";
            }
        }
    }
    lines
}

/// Decodes a tag file as UTF-8 without a byte-order mark, naming the line of the first bad byte.
pub(crate) fn decode_utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str> {
    if bytes.starts_with(BOM) {
        return Err(malformed(file, 1, "the file starts with a byte-order mark, which RFC 8493 does not allow"));
    }
    std::str::from_utf8(bytes).map_err(|error| {
        let good = &bytes[..error.valid_up_to()];
        let line = 1 + split_lines(std::str::from_utf8(good).unwrap_or_default()).len().saturating_sub(1);
        let line = if good.ends_with(b"\n") || good.ends_with(b"\r") { line + 1 } else { line };
        malformed(file, line, "the line is not valid UTF-8")
    })
}

/// Checks `bagit.txt` (RFC 8493 §2.1.1): exactly two lines, `BagIt-Version: 1.0` then
/// `Tag-File-Character-Encoding: UTF-8`.
pub(crate) fn check_bagit_txt(bytes: &[u8]) -> Result<()> {
    const FILE: &str = "bagit.txt";
    let text = decode_utf8(FILE, bytes)?;
    let lines = split_lines(text);
    let version = declared_value(FILE, &lines, 0, "BagIt-Version")?;
    if version != "1.0" {
        return Err(BagError::UnsupportedVersion { found: version.to_owned() });
    }
    let encoding = declared_value(FILE, &lines, 1, "Tag-File-Character-Encoding")?;
    if !encoding.eq_ignore_ascii_case("UTF-8") {
        return Err(BagError::UnsupportedEncoding { found: encoding.to_owned() });
    }
    if lines.len() > 2 {
        return Err(malformed(FILE, 3, "bagit.txt must hold exactly two lines"));
    }
    Ok(())
}

fn declared_value<'a>(file: &str, lines: &[&'a str], index: usize, label: &str) -> Result<&'a str> {
    let expected = format!("expected a line '{label}: …'");
    let line = lines.get(index).ok_or_else(|| malformed(file, index + 1, format!("{expected}, found none")))?;
    line.strip_prefix(label)
        .and_then(|rest| rest.strip_prefix(": "))
        .ok_or_else(|| malformed(file, index + 1, format!("{expected}, found {line:?}")))
}

/// One `bag-info.txt` element with the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InfoLine {
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) line: usize,
}

/// Parses `bag-info.txt` (RFC 8493 §2.2.2) into ordered elements. A line that starts with a space
/// or tab continues the previous value (joined with LF, the indentation dropped); blank lines are
/// skipped.
pub(crate) fn parse_bag_info(bytes: &[u8]) -> Result<Vec<InfoLine>> {
    const FILE: &str = "bag-info.txt";
    let text = decode_utf8(FILE, bytes)?;
    let mut out: Vec<InfoLine> = Vec::new();
    for (index, line) in split_lines(text).into_iter().enumerate() {
        let number = index + 1;
        if line.trim_matches([' ', '\t']).is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let Some(last) = out.last_mut() else {
                return Err(malformed(FILE, number, "an indented continuation line comes before any label"));
            };
            last.value.push('\n');
            last.value.push_str(line.trim_start_matches([' ', '\t']));
            continue;
        }
        let Some((label, value)) = line.split_once(':') else {
            return Err(malformed(FILE, number, "the line has no ':' between a label and a value"));
        };
        if label.ends_with([' ', '\t']) {
            return Err(malformed(FILE, number, "the label ends with whitespace"));
        }
        let value = value.strip_prefix([' ', '\t']).unwrap_or(value);
        out.push(InfoLine { label: label.to_owned(), value: value.to_owned(), line: number });
    }
    Ok(out)
}

/// The `Payload-Oxum` of parsed bag-info elements, if any; refuses a malformed or repeated one.
pub(crate) fn payload_oxum(info: &[InfoLine]) -> Result<Option<PayloadOxum>> {
    let mut found = None;
    for element in info.iter().filter(|element| element.label == "Payload-Oxum") {
        if found.is_some() {
            return Err(malformed("bag-info.txt", element.line, "Payload-Oxum appears more than once"));
        }
        let value = &element.value;
        let parsed = parse_oxum(value).ok_or_else(|| {
            malformed("bag-info.txt", element.line, format!("Payload-Oxum {value:?} is not OctetCount.StreamCount"))
        })?;
        found = Some(parsed);
    }
    Ok(found)
}

fn parse_oxum(value: &str) -> Option<PayloadOxum> {
    let (octets, streams) = value.split_once('.')?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(octets) || !digits(streams) {
        return None;
    }
    Some(PayloadOxum { octets: octets.parse().ok()?, streams: streams.parse().ok()? })
}

/// One manifest line: the bag-relative path (decoded), its digest and its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManifestLine {
    pub(crate) path: String,
    pub(crate) sha256: Sha256Digest,
    pub(crate) line: usize,
}

/// Which manifest is parsed: the payload manifest lists only `data/…`, the tag manifest lists
/// only tag files and never a tag manifest (RFC 8493 §2.1.3, §2.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ManifestKind {
    Payload,
    Tag,
}

/// Parses a SHA-256 manifest (RFC 8493 §2.1.3): `checksum<one or more spaces or tabs>filepath`
/// per line, the path percent-decoded and checked against the path rules, each path once.
pub(crate) fn parse_manifest(file: &str, bytes: &[u8], kind: ManifestKind) -> Result<Vec<ManifestLine>> {
    let text = decode_utf8(file, bytes)?;
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, line) in split_lines(text).into_iter().enumerate() {
        let number = index + 1;
        if line.is_empty() {
            return Err(malformed(file, number, "the line is empty"));
        }
        let Some(split) = line.find([' ', '\t']) else {
            return Err(malformed(file, number, "expected '<sha256 hex>  <path>', found no whitespace"));
        };
        let (checksum, rest) = line.split_at(split);
        let sha256 = Sha256Digest::from_hex(checksum).ok_or_else(|| {
            malformed(file, number, format!("{checksum:?} is not a SHA-256 checksum (64 hex digits)"))
        })?;
        let encoded = rest.trim_start_matches([' ', '\t']);
        if encoded.is_empty() {
            return Err(malformed(file, number, "the line has a checksum but no path"));
        }
        let path =
            decode_manifest_path(encoded).map_err(|reason| malformed(file, number, format!("the path {reason}")))?;
        if let Some(reason) = relative_path_problem(&path) {
            return Err(malformed(file, number, format!("the path {path:?} {reason}")));
        }
        let in_data = path.starts_with("data/");
        match kind {
            ManifestKind::Payload if !in_data => {
                return Err(malformed(
                    file,
                    number,
                    format!("{path} is outside data/; a payload manifest lists only payload files"),
                ));
            }
            ManifestKind::Tag if in_data || path == "data" => {
                return Err(malformed(
                    file,
                    number,
                    format!("{path} is a payload file; a tag manifest lists only tag files"),
                ));
            }
            ManifestKind::Tag if is_tag_manifest_name(&path) => {
                return Err(malformed(
                    file,
                    number,
                    format!("{path} is a tag manifest; a tag manifest must not list one"),
                ));
            }
            _ => {}
        }
        if let Some(first) = seen.insert(path.clone(), number) {
            return Err(malformed(file, number, format!("{path} is listed twice (first on line {first})")));
        }
        out.push(ManifestLine { path, sha256, line: number });
    }
    Ok(out)
}

/// `tagmanifest-<alg>.txt` at the bag root.
pub(crate) fn is_tag_manifest_name(path: &str) -> bool {
    path.strip_prefix("tagmanifest-").is_some_and(|rest| rest.ends_with(".txt") && !rest.contains('/'))
}

/// `manifest-<alg>.txt` at the bag root.
pub(crate) fn is_payload_manifest_name(path: &str) -> bool {
    path.strip_prefix("manifest-").is_some_and(|rest| rest.ends_with(".txt") && !rest.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(result: Result<impl std::fmt::Debug>) -> String {
        result.expect_err("should be refused").to_string()
    }

    #[test]
    fn lines_end_at_lf_cr_or_crlf() {
        assert_eq!(split_lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(split_lines("a\n"), ["a"]);
        assert_eq!(split_lines("a\n\nb"), ["a", "", "b"]);
        assert!(split_lines("").is_empty());
    }

    #[test]
    fn bagit_txt_must_be_version_1_0_in_utf8() {
        assert!(check_bagit_txt(BAGIT_TXT.as_bytes()).is_ok());
        assert!(check_bagit_txt(b"BagIt-Version: 1.0\r\nTag-File-Character-Encoding: utf-8").is_ok());
        assert!(matches!(
            check_bagit_txt(b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n"),
            Err(BagError::UnsupportedVersion { found }) if found == "0.97"
        ));
        assert!(matches!(
            check_bagit_txt(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: ISO-8859-1\n"),
            Err(BagError::UnsupportedEncoding { .. })
        ));
        assert_eq!(
            reason(check_bagit_txt(b"BagIt-Version: 1.0\n")),
            "bagit.txt line 2: expected a line 'Tag-File-Character-Encoding: …', found none"
        );
        assert!(reason(check_bagit_txt(b"\xEF\xBB\xBFBagIt-Version: 1.0\n")).contains("byte-order mark"));
        assert!(reason(check_bagit_txt(format!("{BAGIT_TXT}extra\n").as_bytes())).contains("line 3"));
        assert!(reason(check_bagit_txt(b"Bagit-Version: 1.0\n")).starts_with("bagit.txt line 1"));
    }

    #[test]
    fn bag_info_keeps_order_repeats_and_folded_values() {
        let text = b"Source-Organization: Lab\nContact-Name: A\nContact-Name: B\nExternal-Description: first\n  second\nEmpty:\n";
        let labels: Vec<(String, String)> =
            parse_bag_info(text).expect("parses").into_iter().map(|e| (e.label, e.value)).collect();
        assert_eq!(
            labels,
            [
                ("Source-Organization".to_owned(), "Lab".to_owned()),
                ("Contact-Name".to_owned(), "A".to_owned()),
                ("Contact-Name".to_owned(), "B".to_owned()),
                ("External-Description".to_owned(), "first\nsecond".to_owned()),
                ("Empty".to_owned(), String::new()),
            ]
        );
        assert_eq!(
            reason(parse_bag_info(b"A: 1\nno colon here\n")),
            "bag-info.txt line 2: the line has no ':' between a label and a value"
        );
        assert!(reason(parse_bag_info(b" folded first\n")).contains("line 1"));
        assert!(reason(parse_bag_info(b"A: 1\nB\xFF: 2\n")).starts_with("bag-info.txt line 2"));
    }

    #[test]
    fn payload_oxum_is_parsed_once() {
        let oxum = |bytes: &[u8]| payload_oxum(&parse_bag_info(bytes).expect("parses"));
        assert_eq!(oxum(b"Payload-Oxum: 12.3\n").expect("ok"), Some(PayloadOxum { octets: 12, streams: 3 }));
        assert_eq!(oxum(b"A: b\n").expect("ok"), None);
        assert!(reason(oxum(b"A: b\nPayload-Oxum: 12\n")).starts_with("bag-info.txt line 2"));
        assert!(reason(oxum(b"A: b\nPayload-Oxum: 1.x\n")).starts_with("bag-info.txt line 2"));
        assert!(reason(oxum(b"Payload-Oxum: 1.1\nPayload-Oxum: 1.1\n"))
            .contains("line 2: Payload-Oxum appears more than once"));
    }

    #[test]
    fn manifests_parse_with_line_numbers() {
        let hex = "a".repeat(64);
        let text = format!("{hex}  data/a b.txt\n{}\tdata/x%0Ay%25\n", hex.to_uppercase());
        let lines = parse_manifest("manifest-sha256.txt", text.as_bytes(), ManifestKind::Payload).expect("parses");
        assert_eq!(lines[0].path, "data/a b.txt");
        assert_eq!(lines[1].path, "data/x\ny%");
        assert_eq!(lines[1].line, 2);

        let cases = [
            (format!("{hex}  data/a\n\n{hex}  data/b\n"), "line 2: the line is empty"),
            (format!("{hex}  data/a\nnot-a-checksum data/b\n"), "line 2: \"not-a-checksum\" is not a SHA-256"),
            (format!("{hex}data/a\n"), "line 1: expected '<sha256 hex>  <path>'"),
            (format!("{hex}  \n"), "line 1: the line has a checksum but no path"),
            (format!("{hex}  data/../x\n"), "line 1: the path \"data/../x\" contains a '..' segment"),
            (format!("{hex}  bag-info.txt\n"), "line 1: bag-info.txt is outside data/"),
            (format!("{hex}  data/a\n{hex}  data/a\n"), "line 2: data/a is listed twice (first on line 1)"),
            (format!("{hex}  data/%41\n"), "line 1: the path has a '%'"),
        ];
        for (text, expected) in cases {
            let message = reason(parse_manifest("manifest-sha256.txt", text.as_bytes(), ManifestKind::Payload));
            assert!(message.starts_with(&format!("manifest-sha256.txt {expected}")), "{message}");
        }
        let tag = format!("{hex}  tagmanifest-sha256.txt\n");
        assert!(reason(parse_manifest("t", tag.as_bytes(), ManifestKind::Tag)).contains("must not list one"));
        let tag = format!("{hex}  data/a\n");
        assert!(reason(parse_manifest("t", tag.as_bytes(), ManifestKind::Tag)).contains("payload file"));
    }
}
