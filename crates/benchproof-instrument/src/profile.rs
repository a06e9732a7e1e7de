//! Instrument profiles: how to identify an instrument family, fetch its screen and read its state.
//!
//! A profile is a strict TOML file (format: `docs/instruments.md`). Unknown fields, wrong types
//! and broken rules are refused with the file, line and column. The shipped profiles are compiled
//! in ([`bundled`]) so that a station works without the source tree.
//!
//! Invariants of a parsed [`Profile`]: query names are unique; a `when` names an earlier `bool`
//! query; an `enum` query lists its values; every query's `example` parses as its kind (so the
//! simulated oscilloscope, which answers with the examples, always answers plausibly).

mod value;

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

pub use value::{parse_answer, ValueError, ValueKind};

use crate::block::Indefinite;
use crate::picture::SourceFormat;
use crate::scpi::{Framing, Idn, Timeouts};

/// The profiles shipped in `assets/instruments/`, as (file name, text).
const BUNDLED: &[(&str, &str)] = &[
    ("rigol-ds1000z.toml", include_str!("../../../assets/instruments/rigol-ds1000z.toml")),
    ("keysight-infiniivision.toml", include_str!("../../../assets/instruments/keysight-infiniivision.toml")),
    ("siglent-sds.toml", include_str!("../../../assets/instruments/siglent-sds.toml")),
    ("benchproof-sim.toml", include_str!("../../../assets/instruments/benchproof-sim.toml")),
];

/// One instrument family.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Short identifier used on the command line, e.g. `rigol-ds1000z`.
    pub name: String,
    /// Human title, e.g. `Rigol DS1000Z series`.
    pub title: String,
    /// Which `*IDN?` answers this profile fits.
    pub matcher: IdnMatch,
    /// Deadlines for this family.
    pub timeouts: Timeouts,
    /// How to fetch the screen.
    pub screenshot: ScreenshotSpec,
    /// State queries, in the order they are asked.
    pub queries: Vec<StateQuery>,
}

/// A rule on `*IDN?`: the manufacturer is one of `manufacturers` (case-insensitive) and the model
/// starts with one of `model_prefixes` (any model when the list is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdnMatch {
    /// Accepted manufacturer fields.
    pub manufacturers: Vec<String>,
    /// Accepted model prefixes.
    pub model_prefixes: Vec<String>,
}

/// The screen-dump command and what its answer looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenshotSpec {
    /// The query, e.g. `:DISP:DATA? ON,OFF,PNG`.
    pub command: String,
    /// How the answer is framed.
    pub framing: Framing,
    /// How a `#0` block ends.
    pub indefinite: Indefinite,
    /// The image format the instrument is expected to send (another decodable one is accepted
    /// and noted in the state evidence).
    pub format: SourceFormat,
}

/// One named state query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateQuery {
    /// Dotted name, e.g. `ch1.scale`; unique within the profile.
    pub name: String,
    /// The SCPI query.
    pub command: String,
    /// How the answer is parsed.
    pub kind: ValueKind,
    /// Allowed values of an `enum` query.
    pub values: Vec<String>,
    /// Unit of a number, for people reading the evidence.
    pub unit: Option<String>,
    /// Ask only when this earlier `bool` query answered true (e.g. the channel is displayed).
    pub when: Option<String>,
    /// An answer in the form the programming guide documents (the simulator sends it).
    pub example: String,
}

impl Profile {
    /// Whether this profile fits an instrument's identity.
    pub fn matches(&self, idn: &Idn) -> bool {
        let maker = self.matcher.manufacturers.iter().any(|m| m.eq_ignore_ascii_case(idn.manufacturer.trim()));
        let model = idn.model.to_ascii_uppercase();
        maker
            && (self.matcher.model_prefixes.is_empty()
                || self.matcher.model_prefixes.iter().any(|p| model.starts_with(&p.to_ascii_uppercase())))
    }
}

/// The shipped profiles, parsed.
pub fn bundled() -> Vec<Profile> {
    BUNDLED
        .iter()
        .map(|(file, text)| parse(file, text).expect("bundled profiles are checked by this crate's tests"))
        .collect()
}

/// The names of the shipped profiles.
pub fn bundled_names() -> Vec<String> {
    bundled().into_iter().map(|p| p.name).collect()
}

/// The shipped profile called `name`.
pub fn find(name: &str) -> Option<Profile> {
    bundled().into_iter().find(|p| p.name == name)
}

/// The first of `profiles` that fits `idn`.
pub fn detect<'p>(idn: &Idn, profiles: &'p [Profile]) -> Option<&'p Profile> {
    profiles.iter().find(|p| p.matches(idn))
}

/// A profile file that could not be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}:{column}: {message}")]
pub struct ProfileError {
    /// File name (or other label) of the profile text.
    pub source_name: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong and what to do.
    pub message: String,
}

/// Reading a profile file failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read instrument profile {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid profile.
    #[error(transparent)]
    Invalid(#[from] ProfileError),
}

/// Reads and parses a profile file.
pub fn load_file(path: &Path) -> Result<Profile, LoadError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.display().to_string(), source })?;
    Ok(parse(&path.display().to_string(), &text)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Spanned<String>,
    title: String,
    #[serde(rename = "match")]
    matcher: RawMatch,
    #[serde(default)]
    timeouts: RawTimeouts,
    screenshot: RawScreenshot,
    #[serde(default, rename = "query")]
    queries: Vec<Spanned<RawQuery>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    manufacturers: Spanned<Vec<String>>,
    #[serde(default)]
    model_prefixes: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTimeouts {
    connect_ms: Option<Spanned<u64>>,
    query_ms: Option<Spanned<u64>>,
    screenshot_ms: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScreenshot {
    command: Spanned<String>,
    #[serde(default = "default_framing")]
    framing: Framing,
    #[serde(default)]
    indefinite: RawIndefinite,
    format: SourceFormat,
}

fn default_framing() -> Framing {
    Framing::Block
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum RawIndefinite {
    Refuse,
    UntilNewline,
    #[default]
    UntilClose,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    name: Spanned<String>,
    command: Spanned<String>,
    value: ValueKind,
    #[serde(default)]
    values: Option<Spanned<Vec<String>>>,
    unit: Option<String>,
    when: Option<Spanned<String>>,
    example: Spanned<String>,
}

/// Parses and checks a profile. `source_name` (usually the file name) only labels errors.
pub fn parse(source_name: &str, text: &str) -> Result<Profile, ProfileError> {
    let error = |span: Range<usize>, message: String| {
        let (line, column) = line_column(text, span.start);
        ProfileError { source_name: source_name.to_owned(), line, column, message }
    };
    let raw: RawProfile = toml::from_str(text).map_err(|e| {
        let mut message = e.message().trim().to_owned();
        if message.starts_with("unknown field") {
            message.push_str("; check the spelling against docs/instruments.md");
        }
        error(e.span().unwrap_or(0..0), message)
    })?;
    check(raw).map_err(|(span, message)| error(span, message))
}

fn check(raw: RawProfile) -> Result<Profile, (Range<usize>, String)> {
    let name_ok = |s: &str| {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_'))
    };
    if !name_ok(raw.name.get_ref()) {
        return Err((raw.name.span(), "a profile name uses only a-z, 0-9, `-`, `.` and `_`".to_owned()));
    }
    if raw.matcher.manufacturers.get_ref().iter().all(|m| m.trim().is_empty()) {
        return Err((raw.matcher.manufacturers.span(), "list at least one manufacturer as `*IDN?` reports it".into()));
    }
    if raw.screenshot.command.get_ref().trim().is_empty() {
        return Err((raw.screenshot.command.span(), "the screenshot command is empty".to_owned()));
    }
    let defaults = Timeouts::default();
    let ms = |v: &Option<Spanned<u64>>, default: Duration| match v {
        None => Ok(default),
        Some(v) if (1..=600_000).contains(v.get_ref()) => Ok(Duration::from_millis(*v.get_ref())),
        Some(v) => Err((v.span(), "a timeout is between 1 and 600000 ms".to_owned())),
    };
    let timeouts = Timeouts {
        connect: ms(&raw.timeouts.connect_ms, defaults.connect)?,
        query: ms(&raw.timeouts.query_ms, defaults.query)?,
        block: ms(&raw.timeouts.screenshot_ms, defaults.block)?,
    };

    let mut queries: Vec<StateQuery> = Vec::new();
    let mut seen = HashSet::new();
    for q in raw.queries {
        let span = q.span();
        let q = q.into_inner();
        if !name_ok(q.name.get_ref()) {
            return Err((q.name.span(), "a query name uses only a-z, 0-9, `-`, `.` and `_`".to_owned()));
        }
        if !seen.insert(q.name.get_ref().clone()) {
            return Err((q.name.span(), format!("a query named `{}` is already defined above", q.name.get_ref())));
        }
        if q.command.get_ref().trim().is_empty() {
            return Err((q.command.span(), "the query command is empty".to_owned()));
        }
        let values = match (&q.value, q.values) {
            (ValueKind::Enum, Some(v)) if !v.get_ref().is_empty() => v.into_inner(),
            (ValueKind::Enum, _) => return Err((span, "an `enum` query needs a non-empty `values` list".to_owned())),
            (_, Some(v)) => return Err((v.span(), "`values` is only for `value = \"enum\"`".to_owned())),
            (_, None) => Vec::new(),
        };
        if let Some(when) = &q.when {
            let earlier = queries.iter().find(|e| &e.name == when.get_ref());
            match earlier {
                Some(e) if e.kind == ValueKind::Bool => {}
                Some(_) => {
                    return Err((when.span(), format!("`when` must name a `bool` query; `{}` is not", when.get_ref())))
                }
                None => {
                    return Err((
                        when.span(),
                        format!("`when` names `{}`, which is not a query above this one", when.get_ref()),
                    ))
                }
            }
        }
        if let Err(e) = parse_answer(q.value, &values, q.example.get_ref()) {
            return Err((q.example.span(), format!("the example answer does not parse: {e}")));
        }
        queries.push(StateQuery {
            name: q.name.into_inner(),
            command: q.command.into_inner().trim().to_owned(),
            kind: q.value,
            values,
            unit: q.unit,
            when: q.when.map(Spanned::into_inner),
            example: q.example.into_inner(),
        });
    }
    let indefinite = match raw.screenshot.indefinite {
        RawIndefinite::Refuse => Indefinite::Refuse,
        RawIndefinite::UntilNewline => Indefinite::UntilNewline,
        RawIndefinite::UntilClose => Indefinite::UntilClose,
    };
    Ok(Profile {
        name: raw.name.into_inner(),
        title: raw.title,
        matcher: IdnMatch {
            manufacturers: raw.matcher.manufacturers.into_inner(),
            model_prefixes: raw.matcher.model_prefixes,
        },
        timeouts,
        screenshot: ScreenshotSpec {
            command: raw.screenshot.command.into_inner().trim().to_owned(),
            framing: raw.screenshot.framing,
            indefinite,
            format: raw.screenshot.format,
        },
        queries,
    })
}

/// The 1-based line and column (in characters) of a byte offset in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    for (i, c) in text.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_profile_parses_and_names_are_unique() {
        let profiles = bundled();
        assert_eq!(profiles.len(), BUNDLED.len());
        let names: HashSet<_> = profiles.iter().map(|p| p.name.clone()).collect();
        assert_eq!(names.len(), profiles.len());
        for (file, _) in BUNDLED {
            assert!(names.contains(file.trim_end_matches(".toml")), "{file} is named after its file");
        }
    }

    #[test]
    fn detection_by_idn() {
        let profiles = bundled();
        let detect_name = |answer: &str| detect(&Idn::parse(answer).unwrap(), &profiles).map(|p| p.name.clone());
        assert_eq!(detect_name("RIGOL TECHNOLOGIES,DS1104Z,DS1ZA1,00.04.04").as_deref(), Some("rigol-ds1000z"));
        assert_eq!(detect_name("RIGOL TECHNOLOGIES,MSO1074Z,DS1ZA1,00.04.04").as_deref(), Some("rigol-ds1000z"));
        assert_eq!(
            detect_name("KEYSIGHT TECHNOLOGIES,DSO-X 3024T,MY1,07.50").as_deref(),
            Some("keysight-infiniivision")
        );
        assert_eq!(
            detect_name("AGILENT TECHNOLOGIES,DSO-X 2002A,MY1,02.50").as_deref(),
            Some("keysight-infiniivision")
        );
        assert_eq!(detect_name("Siglent Technologies,SDS1202X-E,SDS1,8.1.6").as_deref(), Some("siglent-sds"));
        assert_eq!(detect_name("Benchproof,Simulated Oscilloscope,SIM0001,1.0").as_deref(), Some("benchproof-sim"));
        assert_eq!(detect_name("RIGOL TECHNOLOGIES,DG1022Z,DG1,1.0"), None);
    }

    #[test]
    fn errors_carry_line_and_column() {
        let good = BUNDLED[3].1;
        let bad = good.replacen("[screenshot]\n", "[screenshot]\ncolour = \"red\"\n", 1);
        let err = parse("x.toml", &bad).unwrap_err();
        let line = bad.lines().position(|l| l.starts_with("colour")).unwrap() + 1;
        assert_eq!((err.line, err.column), (line, 1), "{err}");
        assert!(err.message.contains("unknown field `colour`"), "{err}");
        assert!(err.to_string().starts_with(&format!("x.toml:{line}:1: ")));
    }

    #[test]
    fn rules_point_at_the_value() {
        let base = "name = \"t\"\ntitle = \"T\"\n[match]\nmanufacturers = [\"A\"]\n[screenshot]\ncommand = \"X?\"\nformat = \"png\"\n";
        let case = |extra: &str| parse("t.toml", &format!("{base}{extra}")).unwrap_err();
        let q = "[[query]]\nname = \"a\"\ncommand = \"A?\"\n";
        let err = case(&format!("{q}value = \"number\"\nexample = \"fast\"\n"));
        assert_eq!((err.line, err.column), (12, 11), "{err}");
        assert!(err.message.contains("example answer does not parse"), "{err}");
        let err = case(&format!("{q}value = \"number\"\nwhen = \"b\"\nexample = \"1\"\n"));
        assert!(err.message.contains("not a query above"), "{err}");
        let err = case(&format!("{q}value = \"enum\"\nexample = \"A\"\n"));
        assert!(err.message.contains("needs a non-empty `values`"), "{err}");
        let err = case(&format!("{q}value = \"bool\"\nexample = \"1\"\n{q}value = \"bool\"\nexample = \"1\"\n"));
        assert!(err.message.contains("already defined"), "{err}");
        let err = case(&format!("{q}value = \"float\"\nexample = \"1\"\n"));
        assert!(err.message.contains("unknown variant `float`"), "{err}");
        let err = case("[timeouts]\nquery_ms = 0\n");
        assert!(err.message.contains("between 1 and 600000"), "{err}");
    }
}
