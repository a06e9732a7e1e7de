//! The JSON-LD context documents this crate knows, shipped with the binary (no network is ever
//! used to sign or verify). Their bytes are copied from npm packages into `assets/contexts/`
//! (see `assets/contexts/README.md` for each package, version and URL).
//!
//! Invariant: a context URL that is not in the [`ContextSet`] is refused with
//! [`UnknownContext`]; nothing is fetched and nothing is guessed.
//!
//! Speed: processing the VC 2.0 and Open Badges contexts is most of the cost of expanding a
//! credential, so a set keeps the *processed* active context of each top-level `@context` value
//! it has seen ([`ContextSet::active_context`]). Processing is a pure function of the `@context`
//! value and the set's documents, so the cached result is exactly what processing again would
//! give; the cache is dropped whenever the documents change. The fast canonicalisation path
//! keeps its own compiled forms of the same documents in the set (`rdfc::fast::Cache`), under
//! the same rule.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use futures_executor::block_on;
use json_ld::context_processing::Process;
use json_ld::syntax::{Parse, TryFromJson};
use json_ld::{Context, IriBuf, LoadError, Loader, RemoteDocument};

/// `https://www.w3.org/ns/credentials/v2`: the VC Data Model 2.0 context. It also defines the
/// Data Integrity (`DataIntegrityProof`, `cryptosuite`, `proofValue`), Bitstring Status List and
/// `digestMultibase` terms, so no further context is needed for those.
pub const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// `https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json`: the Open Badges 3.0.3 context.
pub const OB_V3P0_3_0_3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

const VC_V2_BYTES: &str = include_str!("../../../assets/contexts/credentials-v2.jsonld");
const OB_V3P0_3_0_3_BYTES: &str = include_str!("../../../assets/contexts/ob-v3p0-context-3.0.3.json");

/// A context URL that the [`ContextSet`] in use does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown JSON-LD context {url}: only {known} are shipped with benchproof")]
pub struct UnknownContext {
    /// The URL that was asked for.
    pub url: String,
    /// The URLs that are known, comma separated (for the message).
    pub known: String,
}

/// How many distinct top-level `@context` values a set keeps processed. Real credentials use
/// one or two; the bound keeps a verifier fed many odd documents from growing without limit.
const ACTIVE_CACHE_LIMIT: usize = 16;

/// An offline document loader: a fixed map from context URL to parsed context document, plus
/// the processed active contexts of the top-level `@context` values seen so far.
pub struct ContextSet {
    documents: HashMap<String, RemoteDocument>,
    /// The same documents as `serde_json` values, for the fast path's context compiler.
    sources: HashMap<String, serde_json::Value>,
    /// The fast path's compiled contexts (see `rdfc::fast`); empty again whenever the
    /// documents change.
    fast: crate::rdfc::fast::Cache,
    /// Key: the top-level `@context` value serialised as JSON. Value: the active context that
    /// processing it against an empty context (no base IRI) gives with these documents.
    active: Mutex<HashMap<String, Context>>,
}

impl std::fmt::Debug for ContextSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextSet").field("urls", &self.urls()).field("processed", &self.lock().len()).finish()
    }
}

impl Clone for ContextSet {
    fn clone(&self) -> Self {
        ContextSet {
            documents: self.documents.clone(),
            sources: self.sources.clone(),
            fast: crate::rdfc::fast::Cache::default(),
            active: Mutex::new(self.cached()),
        }
    }
}

/// A context document given to [`ContextSet::with_document`] that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadContextDocument {
    /// The URL is not an absolute IRI.
    #[error("context URL {0:?} is not an absolute IRI")]
    Url(String),
    /// The document is not JSON.
    #[error("context document for {url} is not JSON: {reason}")]
    Json {
        /// The context URL.
        url: String,
        /// What the parser said.
        reason: String,
    },
}

fn parse(url: &str, bytes: &str) -> Result<RemoteDocument, BadContextDocument> {
    let iri = IriBuf::new(url.to_owned()).map_err(|_| BadContextDocument::Url(url.to_owned()))?;
    let (value, _) = json_ld::syntax::Value::parse_str(bytes)
        .map_err(|e| BadContextDocument::Json { url: url.to_owned(), reason: e.to_string() })?;
    Ok(RemoteDocument::new(Some(iri), Some("application/ld+json".parse().expect("a valid MIME type")), value))
}

fn shipped(url: &str, bytes: &str) -> RemoteDocument {
    parse(url, bytes).expect("shipped contexts are valid JSON (tested)")
}

impl ContextSet {
    /// The contexts of benchproof credentials: VC 2.0 and Open Badges 3.0.3. Parsed once.
    pub fn standard() -> &'static ContextSet {
        static SET: OnceLock<ContextSet> = OnceLock::new();
        SET.get_or_init(|| {
            let mut set = ContextSet {
                documents: HashMap::new(),
                sources: HashMap::new(),
                fast: crate::rdfc::fast::Cache::default(),
                active: Mutex::default(),
            };
            for (url, bytes) in [(VC_V2, VC_V2_BYTES), (OB_V3P0_3_0_3, OB_V3P0_3_0_3_BYTES)] {
                set.documents.insert(url.to_owned(), shipped(url, bytes));
                set.sources.insert(url.to_owned(), serde_json::from_str(bytes).expect("shipped contexts are JSON"));
            }
            set
        })
    }

    /// This set plus one more context document (for example the VC examples context that the
    /// W3C test vectors use). A URL already present is replaced.
    pub fn with_document(mut self, url: &str, json: &str) -> Result<ContextSet, BadContextDocument> {
        self.documents.insert(url.to_owned(), parse(url, json)?);
        // Both parsers accept JSON; a document only one of them reads stays out of the fast
        // path (which then leaves documents using it to the general one).
        match serde_json::from_str(json) {
            Ok(source) => self.sources.insert(url.to_owned(), source),
            Err(_) => self.sources.remove(url),
        };
        // Processed contexts may depend on the replaced document.
        self.active = Mutex::default();
        self.fast = crate::rdfc::fast::Cache::default();
        Ok(self)
    }

    /// The active context that processing `context` (a top-level `@context` value) against an
    /// empty active context without base IRI gives, processed once per set and then cloned.
    /// `None` when processing fails: the caller then expands the document as it is, so that
    /// the error is reported exactly as the JSON-LD processor words it.
    pub fn active_context(&self, context: &serde_json::Value) -> Option<Context> {
        let key = context.to_string();
        if let Some(active) = self.lock().get(&key) {
            return Some(active.clone());
        }
        let (json, _) = json_ld::syntax::Value::parse_str(&key).ok()?;
        let local = json_ld::syntax::context::Context::try_from_json(json).ok()?;
        let initial = Context::new(None);
        let processed = block_on(local.process_full(
            &mut (),
            &initial,
            self,
            None,
            json_ld::Options::<IriBuf>::default().context_processing_options(),
            (),
        ))
        .ok()?
        .into_processed();
        let mut cache = self.lock();
        if cache.len() < ACTIVE_CACHE_LIMIT {
            cache.insert(key, processed.clone());
        }
        Some(processed)
    }

    fn cached(&self) -> HashMap<String, Context> {
        self.lock().clone()
    }

    /// The cache only ever holds complete entries, so a panic elsewhere cannot leave it
    /// inconsistent: a poisoned lock is taken over.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Context>> {
        self.active.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The document of `url` as JSON (for the fast path's context compiler).
    pub(crate) fn source(&self, url: &str) -> Option<&serde_json::Value> {
        self.sources.get(url)
    }

    /// The fast path's compiled contexts of this set.
    pub(crate) fn fast_cache(&self) -> &crate::rdfc::fast::Cache {
        &self.fast
    }

    /// Whether `url` is one of the known contexts.
    pub fn contains(&self, url: &str) -> bool {
        self.documents.contains_key(url)
    }

    /// The known URLs, sorted.
    pub fn urls(&self) -> Vec<&str> {
        let mut urls: Vec<&str> = self.documents.keys().map(String::as_str).collect();
        urls.sort_unstable();
        urls
    }

    /// The error for a URL that is not known.
    pub fn unknown(&self, url: &str) -> UnknownContext {
        UnknownContext { url: url.to_owned(), known: self.urls().join(", ") }
    }
}

impl Loader for ContextSet {
    async fn load(&self, url: &json_ld::Iri) -> Result<RemoteDocument<IriBuf>, LoadError> {
        match self.documents.get(url.as_str()) {
            Some(document) => Ok(document.clone()),
            None => Err(LoadError::new(url.to_owned(), self.unknown(url.as_str()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_contexts_parse_and_are_known() {
        assert_eq!(ContextSet::standard().urls(), vec![OB_V3P0_3_0_3, VC_V2]);
        let more = ContextSet::standard().clone().with_document("https://example.org/c", r#"{"@context":{}}"#).unwrap();
        assert!(more.contains("https://example.org/c"));
        assert!(matches!(
            ContextSet::standard().clone().with_document("https://example.org/c", "{"),
            Err(BadContextDocument::Json { .. })
        ));
    }
}
