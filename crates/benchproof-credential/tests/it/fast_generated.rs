//! Generated documents through both canonicalisation paths: seeded mutations of real
//! credentials (fields dropped and added, undefined terms and types, nested and embedded
//! objects, lists, language maps, value objects, numbers of every kind, strings with control
//! characters and non-BMP characters, relative, absolute and blank ids, extra inline contexts)
//! must give byte-identical N-Quads or errors on the fast and the general path.
//!
//! Reproduce one case: the failure message names the seed; `FAST_PATH_SEED=<seed>` runs only it.
//! `FAST_PATH_CASES=<n>` changes the number of cases (default 1,500); `FAST_PATH_DUMP=<dir>`
//! writes the valid documents the fast path left to the general path into `dir`.

use benchproof_credential::badge;
use benchproof_credential::contexts::ContextSet;
use benchproof_credential::rdfc::{fast_fallback_reason, TermPolicy};
use serde_json::{json, Map, Value};

use crate::common::{department_key, input, repo, with_examples};
use crate::fast_path::compare;

/// xorshift64*: small, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const KEYS: &[&str] = &[
    "name",
    "description",
    "narrative",
    "image",
    "url",
    "creditsEarned",
    "creditsAvailable",
    "allowedValue",
    "tag",
    "alignment",
    "inLanguage",
    "achievementType",
    "identifier",
    "hashed",
    "points",
    "level",
    "value",
    "status",
    "achievedLevel",
    "resultDescription",
    "rubricCriterionLevel",
    "evidence",
    "validFrom",
    "awardedDate",
    "digestMultibase",
    "statusListIndex",
    "proof",
    "credentialSubject",
    "issuer",
    "id",
    "type",
    "@id",
    "@type",
    "@value",
    "@language",
    "@list",
    "@set",
    "@graph",
    "@context",
    "@index",
    "@foo",
    "favouriteColour",
    "https://example.org/vocab#p",
    "ex:thing",
    "ex:",
    "_:b9",
    "xsd:note",
    "p",
    "lp",
    "jp",
    "ip",
    "vp",
    "dp",
    "note",
    "proofPurpose",
    "cryptosuite",
    "encodedList",
    "jsonSchema",
    "",
];

const STRINGS: &[&str] = &[
    "plain",
    "tab\there\nnew\rline\u{7}\u{1}\u{7f}\"\\",
    "é 😀 \u{2028}",
    "urn:uuid:0193f6a0-0000-7000-8000-00000000000a",
    "https://example.org/x",
    "https://physics.example.edu/rubrics/r#step-1",
    "relative/path",
    "_:b1",
    "_:b2",
    "_:",
    "did:example:1",
    "",
    "@id",
    "en",
    "assertionMethod",
    "Achievement",
    "ex:suffix",
    "name",
    "2026-03-01T09:30:00Z",
    "3.5",
    "true",
    "http://a b",
    "mailto:someone@example.org",
    "xsd:string",
];

const TYPES: &[&str] = &[
    "Achievement",
    "Profile",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "Evidence",
    "IdentityObject",
    "Image",
    "Alignment",
    "AchievementSubject",
    "OpenBadgeCredential",
    "VerifiableCredential",
    "DataIntegrityProof",
    "BitstringStatusListEntry",
    "JsonSchema",
    "Criteria",
    "Unknown",
    "1EdTechJsonSchemaValidator2019",
    "https://example.org/T",
    "_:t",
    "ex:T",
    "@json",
    "@id",
    "xsd:date",
    "name",
];

const LANGUAGES: &[&str] =
    &["en", "EN-gb", "de-DE", "zh-Hant-TW", "es-419", "x-private", "en-gb-gb", "e", "@none", "CY"];

fn number(rng: &mut Rng) -> Value {
    let text = *rng.pick(&[
        "0",
        "-0.0",
        "1.5",
        "1e21",
        "1e-7",
        "123456789012345678",
        "18446744073709551615",
        "-5",
        "3.0",
        "1.1",
        "2.5e-3",
        "1.7976931348623157e308",
        "12345.678",
        "7",
        "0.1",
        "-2.5",
    ]);
    serde_json::from_str(text).expect("a JSON number")
}

fn scalar(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 | 1 => Value::String((*rng.pick(STRINGS)).to_owned()),
        2 => number(rng),
        3 => Value::Bool(rng.chance(50)),
        _ => Value::Null,
    }
}

fn value(rng: &mut Rng, depth: usize) -> Value {
    if depth > 2 {
        return scalar(rng);
    }
    match rng.below(14) {
        0..=3 => scalar(rng),
        4 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth + 1)).collect()),
        5 => json!({"@value": scalar(rng), "@language": *rng.pick(LANGUAGES)}),
        6 => {
            json!({"@value": scalar(rng), "@type": *rng.pick(&["http://www.w3.org/2001/XMLSchema#double", "xsd:date", "https://example.org/dt", "@json", "relative"])})
        }
        7 => json!({"id": *rng.pick(STRINGS)}),
        8 => {
            let mut map = Map::new();
            for _ in 0..rng.below(3) {
                map.insert((*rng.pick(LANGUAGES)).to_owned(), value(rng, depth + 2));
            }
            Value::Object(map)
        }
        9 => json!({"@list": [scalar(rng), scalar(rng)]}),
        10 => json!({}),
        11 => Value::Array(vec![Value::Array(vec![scalar(rng)])]),
        _ => {
            let mut node = Map::new();
            if rng.chance(60) {
                node.insert("type".into(), Value::String((*rng.pick(TYPES)).to_owned()));
            }
            if rng.chance(50) {
                node.insert("id".into(), Value::String((*rng.pick(STRINGS)).to_owned()));
            }
            for _ in 0..rng.below(3) {
                node.insert((*rng.pick(KEYS)).to_owned(), value(rng, depth + 1));
            }
            Value::Object(node)
        }
    }
}

fn inline_context(rng: &mut Rng) -> Value {
    let mut ctx = Map::new();
    let defs: [(&str, Value); 12] = [
        ("ex", json!("https://example.org/")),
        ("p", json!("https://example.org/vocab#p")),
        (
            "lp",
            json!({"@id": "https://example.org/vocab#lp", "@container": *rng.pick(&["@list", "@set", "@language", "@graph"])}),
        ),
        ("jp", json!({"@id": "https://example.org/vocab#jp", "@type": "@json"})),
        (
            "ip",
            json!({"@id": "https://example.org/vocab#ip", "@type": *rng.pick(&["@id", "@vocab", "http://www.w3.org/2001/XMLSchema#double", "http://www.w3.org/2001/XMLSchema#integer", "xsd:date"])}),
        ),
        ("vp", json!({"@id": "ex:vp", "@language": *rng.pick(&["de", "EN-us", "bad tag"])})),
        (
            "dp",
            json!({"@id": "https://example.org/vocab#dp", "@context": {"inner": "https://example.org/vocab#inner"}}),
        ),
        ("@language", json!(*rng.pick(&["en", "FR-ca", "@none"]))),
        ("@vocab", json!(*rng.pick(&["https://example.org/vocab#", "relative#"]))),
        ("name", json!(*rng.pick(&["https://schema.org/name", "https://example.org/other-name"]))),
        ("note", json!({"@id": "https://example.org/vocab#note", "@direction": "rtl"})),
        ("xsd", json!("http://www.w3.org/2001/XMLSchema#")),
    ];
    for (key, def) in defs {
        if rng.chance(35) {
            ctx.insert(key.to_owned(), def);
        }
    }
    Value::Object(ctx)
}

/// Paths (lists of object keys / array indices) to every object in `v`.
fn objects(v: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Object(map) => {
            out.push(path.clone());
            for (k, item) in map {
                if k != "@context" {
                    path.push(Value::String(k.clone()));
                    objects(item, path, out);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(json!(i));
                objects(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Map<String, Value> {
    let mut here = v;
    for step in path {
        here = match step {
            Value::String(k) => here.get_mut(k.as_str()).expect("path from objects()"),
            index => &mut here[index.as_u64().expect("an index") as usize],
        };
    }
    here.as_object_mut().expect("objects() lists objects")
}

fn mutate(rng: &mut Rng, doc: &mut Value) {
    let mut paths = Vec::new();
    objects(doc, &mut Vec::new(), &mut paths);
    let path = rng.pick(&paths).clone();
    let map = at(doc, &path);
    match rng.below(7) {
        0 if !map.is_empty() => {
            let key = map.keys().nth(rng.below(map.len())).cloned().expect("non-empty");
            map.remove(&key);
        }
        1 | 2 => {
            let v = value(rng, 0);
            map.insert((*rng.pick(KEYS)).to_owned(), v);
        }
        3 if !map.is_empty() => {
            let key = map.keys().nth(rng.below(map.len())).cloned().expect("non-empty");
            if key != "@context" {
                let v = value(rng, 1);
                map.insert(key, v);
            }
        }
        4 => {
            let types: Vec<Value> = (0..1 + rng.below(2)).map(|_| json!(*rng.pick(TYPES))).collect();
            map.insert("type".into(), Value::Array(types));
        }
        5 => {
            map.insert("id".into(), json!(*rng.pick(STRINGS)));
        }
        _ => {
            if let Some(Value::Array(contexts)) = doc.get_mut("@context") {
                let extra = inline_context(rng);
                contexts.push(extra);
            }
        }
    }
}

fn bases() -> Vec<(Value, ContextSet)> {
    let key = department_key();
    let mut small = input(&key);
    small.evidence.truncate(1);
    let mut bases = vec![(badge::build(&small).unwrap(), ContextSet::standard().clone())];
    for name in
        ["open-badge.json", "floats.json", "list.json", "language.json", "json-literal.json", "proof-config.json"]
    {
        let path = repo().join("fixtures/credentials/harder").join(name);
        bases.push((serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap(), ContextSet::standard().clone()));
    }
    let unsigned = repo().join("fixtures/vectors/w3c-vc-di-eddsa/unsigned.json");
    bases.push((serde_json::from_slice(&std::fs::read(unsigned).unwrap()).unwrap(), with_examples()));
    bases
}

#[test]
#[allow(clippy::print_stderr)]
fn generated_documents_give_the_same_canonical_form_on_both_paths() {
    let cases: u64 = std::env::var("FAST_PATH_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1_500);
    let only: Option<u64> = std::env::var("FAST_PATH_SEED").ok().and_then(|n| n.parse().ok());
    let bases = bases();
    let (mut answered, mut accepted) = (0, 0);
    for seed in only.map_or(1..=cases, |s| s..=s) {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let (base, contexts) = rng.pick(&bases);
        let mut doc = base.clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut doc);
        }
        let policy = if rng.chance(50) { TermPolicy::Safe } else { TermPolicy::Lenient };
        let name = format!("seed {seed}");
        let fast = compare(&name, &doc, contexts, policy);
        let valid = benchproof_credential::rdfc::canonicalize(&doc, contexts, policy).is_ok();
        if let (false, true, Some(dir)) = (fast, valid, std::env::var_os("FAST_PATH_DUMP")) {
            // Valid documents the fast path left to the general one: where it could grow.
            let why = fast_fallback_reason(&doc, contexts, policy).unwrap_or_default();
            std::fs::write(std::path::Path::new(&dir).join(format!("{seed}.json")), format!("{why}\n{doc:#}")).unwrap();
        }
        answered += usize::from(fast);
        accepted += usize::from(valid);
    }
    eprintln!("the fast path answered {answered} of the generated documents; {accepted} were valid");
    if only.is_none() {
        // The fast path must carry a real share of the generated documents, not fall back on
        // all of them.
        assert!(answered * 5 >= cases as usize, "the fast path answered only {answered} of {cases} cases");
        assert!(accepted * 3 >= cases as usize, "only {accepted} of {cases} generated documents were valid");
    }
}
