//! Path rules shared by the writer (payload and tag paths), the reader (zip entry names) and the
//! manifest parser, plus RFC 8493 §2.1.3 percent-encoding of manifest paths.

use std::collections::{HashMap, HashSet};

/// Why a relative path is refused, as the end of the sentence "the path … it {reason}".
pub(crate) fn relative_path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("is empty");
    }
    if path.starts_with('/') {
        return Some("is absolute (starts with '/')");
    }
    if path.contains('\\') {
        return Some("contains a backslash (only '/' separates path segments)");
    }
    if path.contains('\0') {
        return Some("contains a NUL character");
    }
    if is_drive_prefixed(path) {
        return Some("starts with a Windows drive letter");
    }
    for segment in path.split('/') {
        match segment {
            "" => return Some("contains an empty segment ('//' or a trailing '/')"),
            "." => return Some("contains a '.' segment"),
            ".." => return Some("contains a '..' segment (it could climb out of the bag)"),
            _ => {}
        }
    }
    None
}

/// `C:`, `c:foo`: a drive-relative or absolute Windows path.
fn is_drive_prefixed(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// Why a bag name (the zip's single top-level directory) is refused.
pub(crate) fn bag_name_problem(name: &str) -> Option<&'static str> {
    if name.contains('/') {
        return Some("contains '/' (the bag name is a single directory name)");
    }
    if let Some(problem) = relative_path_problem(name) {
        return Some(problem);
    }
    if name.chars().any(char::is_control) {
        return Some("contains a control character");
    }
    None
}

/// Encodes a path for a manifest line: `%` → `%25`, CR → `%0D`, LF → `%0A`, and nothing else
/// (RFC 8493 §2.1.3: "those characters (and only those) MUST be percent-encoded").
pub(crate) fn encode_manifest_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            other => out.push(other),
        }
    }
    out
}

/// Decodes a manifest path. `%25`, `%0D` and `%0A` (hex digits in either case) are the only
/// escapes: a conforming writer encodes every `%` as `%25`, so any other `%` is refused.
pub(crate) fn decode_manifest_path(text: &str) -> Result<String, &'static str> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at + 1..at + 3).map(str::to_ascii_uppercase);
        match escape.as_deref() {
            Some("25") => out.push('%'),
            Some("0D") => out.push('\r'),
            Some("0A") => out.push('\n'),
            _ => return Err("has a '%' that is not one of the escapes %25, %0D or %0A"),
        }
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Why a path cannot join a set of paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Collision {
    /// The same path is already there.
    Duplicate,
    /// Another path differs from this one only in letter case.
    Case(String),
    /// This path, or an ancestor of it, is a file and a directory at once; holds the file's path.
    FileAndDirectory(String),
}

/// The paths of a bag (or of a zip), refusing duplicates, case-only differences (they overwrite
/// each other when unpacked on a case-insensitive file system) and file/directory clashes.
#[derive(Debug, Default)]
pub(crate) struct PathRegistry {
    exact: HashSet<String>,
    folded: HashMap<String, String>,
    files: HashSet<String>,
    dirs: HashSet<String>,
}

impl PathRegistry {
    /// Adds `path` (a file, or an explicit directory) unless it collides.
    pub(crate) fn insert(&mut self, path: &str, is_dir: bool) -> Result<(), Collision> {
        if self.exact.contains(path) {
            return Err(Collision::Duplicate);
        }
        let folded = path.to_lowercase();
        if let Some(other) = self.folded.get(&folded) {
            return Err(Collision::Case(other.clone()));
        }
        if !is_dir && self.dirs.contains(path) || is_dir && self.files.contains(path) {
            return Err(Collision::FileAndDirectory(path.to_owned()));
        }
        let ancestors: Vec<&str> = path.match_indices('/').map(|(at, _)| &path[..at]).collect();
        if let Some(file) = ancestors.iter().find(|ancestor| self.files.contains(**ancestor)) {
            return Err(Collision::FileAndDirectory((*file).to_owned()));
        }
        self.dirs.extend(ancestors.iter().map(|ancestor| (*ancestor).to_owned()));
        if is_dir {
            self.dirs.insert(path.to_owned());
        } else {
            self.files.insert(path.to_owned());
        }
        self.exact.insert(path.to_owned());
        self.folded.insert(folded, path.to_owned());
        Ok(())
    }

    /// Whether `path` is a directory (explicit, or implied by a file below it).
    pub(crate) fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refuses_unsafe_relative_paths() {
        for bad in ["", "/etc/x", "a\\b", "a//b", "a/", "./a", "a/./b", "../a", "a/../b", "C:/x", "c:x", "a\0b"] {
            assert!(relative_path_problem(bad).is_some(), "{bad:?} should be refused");
        }
        for good in ["a", "a/b.txt", "media/clip 1.mp4", "ünï/cödé.json", "a..b", "...", ".hidden", "ab:c"] {
            assert_eq!(relative_path_problem(good), None, "{good:?} should be accepted");
        }
    }

    #[test]
    fn bag_names_are_single_segments() {
        assert!(bag_name_problem("bag-2024").is_none());
        assert!(bag_name_problem("a/b").is_some());
        assert!(bag_name_problem("..").is_some());
        assert!(bag_name_problem("a\tb").is_some());
    }

    #[test]
    fn percent_encoding_covers_exactly_cr_lf_and_percent() {
        assert_eq!(encode_manifest_path("a%b\r\nc d"), "a%25b%0D%0Ac d");
        assert_eq!(decode_manifest_path("a%25b%0d%0Ac d").as_deref(), Ok("a%b\r\nc d"));
        assert!(decode_manifest_path("a%41").is_err());
        assert!(decode_manifest_path("a%2").is_err());
        assert!(decode_manifest_path("a%").is_err());
        assert!(decode_manifest_path("é%é").is_err());
    }

    #[test]
    fn registry_refuses_duplicates_case_twins_and_file_directory_clashes() {
        let mut paths = PathRegistry::default();
        assert_eq!(paths.insert("data/a.txt", false), Ok(()));
        assert_eq!(paths.insert("data/a.txt", false), Err(Collision::Duplicate));
        assert_eq!(paths.insert("data/A.TXT", false), Err(Collision::Case("data/a.txt".to_owned())));
        assert_eq!(paths.insert("data/a.txt/b", false), Err(Collision::FileAndDirectory("data/a.txt".to_owned())));
        assert_eq!(paths.insert("data/d/e", false), Ok(()));
        assert_eq!(paths.insert("data/d", false), Err(Collision::FileAndDirectory("data/d".to_owned())));
        assert_eq!(paths.insert("data/d", true), Ok(()));
        assert!(paths.is_dir("data"));
        assert!(!paths.is_dir("data/a.txt"));
    }

    proptest! {
        #[test]
        fn encoding_round_trips(path in "\\PC*[\r\n%]?\\PC*") {
            let encoded = encode_manifest_path(&path);
            prop_assert!(!encoded.contains('\r') && !encoded.contains('\n'));
            prop_assert_eq!(decode_manifest_path(&encoded), Ok(path));
        }
    }
}
