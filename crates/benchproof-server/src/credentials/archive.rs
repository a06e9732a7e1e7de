//! Verified local copies of archived bundles, for issuing credentials and for the review pages.
//!
//! `<data dir>/cache/<sha256>/bundle.zip` is a copy of `archive/<sha256>.zip` (from whichever blob
//! store holds it) whose SHA-256 was checked; `media/<sha256>` beside it are the bundle's evidence
//! files, extracted from a bag that validated and checked again against the digest
//! `assessment.json` names. Every file appears complete or not at all (temp file → fsync →
//! rename), and `ready` (the evidence index: SHA-256 → media type) is written last, so a
//! half-built cache is rebuilt, never served; only files that index names are ever served. The
//! cache can be deleted at any time; the archive stays the truth.
//!
//! Verifying a bundle reads all its bytes again, so pages that show archived bundles (review
//! links, a student's attempts) reuse a verification of the same bytes for [`MEMO_MS`]
//! ([`Verifications`]): the archive is write-once and checked by digest, and the server's trust
//! does not change while it runs. Issuing a credential always verifies afresh ([`open_fresh`]).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use benchproof_bagit::{open_bag_path, Limits};
use benchproof_bundle::{read_rubric, verify_path, Verified, VerifyError};

use crate::blob::archive_key;
use crate::meta::{hex, unhex32, BundleRow};
use crate::problem::Problem;
use crate::state::AppState;

/// A verified archived bundle with its cached evidence.
#[derive(Debug)]
pub struct Archived {
    pub row: BundleRow,
    /// The verifier's answer for the archived bytes (at most [`MEMO_MS`] old, fresh from
    /// [`open_fresh`]).
    pub verified: Arc<Verified>,
    /// The bundle's `rubric.toml`.
    pub rubric_text: Arc<str>,
    /// The local copy of the zip.
    pub zip: PathBuf,
    dir: PathBuf,
}

impl Archived {
    /// The cached evidence file with this SHA-256, if the bundle's document lists it.
    pub fn media(&self, sha256_hex: &str) -> Option<(PathBuf, &benchproof_bundle::document::EvidenceEntry)> {
        unhex32(sha256_hex)?;
        let entry = evidence(&self.verified).find(|e| e.sha256.to_string() == sha256_hex)?;
        Some((self.dir.join("media").join(sha256_hex), entry))
    }
}

/// An evidence file of archived bundle `bundle_sha256`, by its SHA-256: its cached path and media
/// type, or `None` when that bundle's document lists no such file. Builds (verifying) the cache
/// first if needed.
pub async fn cached_media(
    state: &AppState,
    bundle_sha256: &str,
    media_sha256: &str,
) -> Result<Option<(PathBuf, String)>, ArchiveError> {
    if unhex32(media_sha256).is_none() {
        return Ok(None);
    }
    let dir = cache_dir(state, bundle_sha256);
    if !dir.join("ready").exists() {
        open(state, bundle_sha256).await?;
    }
    let index = tokio::fs::read(dir.join("ready")).await.map_err(io("cannot read the cache index"))?;
    let index: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&index).map_err(|e| Problem::internal(format!("cache index: {e}")))?;
    Ok(index.get(media_sha256).map(|t| (dir.join("media").join(media_sha256), t.clone())))
}

/// Every evidence entry of a verified bundle, steps first, then the other evidence.
pub fn evidence(v: &Verified) -> impl Iterator<Item = &benchproof_bundle::document::EvidenceEntry> {
    v.document.steps.iter().flat_map(|s| s.evidence.iter()).chain(v.document.other_evidence.iter())
}

/// Why an archived bundle cannot be used.
#[derive(Debug)]
pub enum ArchiveError {
    /// No accepted bundle has this digest.
    Unknown(String),
    /// The archived bytes no longer verify (e.g. a key was revoked since).
    Refused(String),
    Problem(Problem),
}

impl From<Problem> for ArchiveError {
    fn from(p: Problem) -> Self {
        ArchiveError::Problem(p)
    }
}

impl From<ArchiveError> for Problem {
    fn from(e: ArchiveError) -> Problem {
        match e {
            ArchiveError::Unknown(sha) => {
                Problem::not_found(format!("no accepted bundle has SHA-256 {sha}; pick one from the list at /admin"))
            }
            ArchiveError::Refused(reason) => Problem::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "unverified-bundle",
                "The archived bundle does not verify",
                format!("{reason}; nothing is issued or shown for it — check the department's trust settings"),
            ),
            ArchiveError::Problem(p) => p,
        }
    }
}

fn io(what: &str) -> impl Fn(std::io::Error) -> Problem + '_ {
    move |e| Problem::io(what, &e)
}

/// The archived bundle's row and a local copy of its zip (not verified again).
pub async fn local_zip(state: &AppState, sha256_hex: &str) -> Result<(BundleRow, PathBuf), ArchiveError> {
    if unhex32(sha256_hex).is_none() {
        return Err(ArchiveError::Unknown(sha256_hex.chars().take(80).collect()));
    }
    let row = state
        .meta
        .bundle(sha256_hex)
        .await
        .map_err(Problem::from)?
        .ok_or_else(|| ArchiveError::Unknown(sha256_hex.into()))?;
    let dir = cache_dir(state, sha256_hex);
    let zip = dir.join("bundle.zip");
    if !zip.exists() {
        fetch(state, sha256_hex, &dir).await?;
    }
    Ok((row, zip))
}

fn cache_dir(state: &AppState, sha256_hex: &str) -> PathBuf {
    state.config.data_dir.join("cache").join(sha256_hex)
}

/// How long a verification of archived bytes is reused by [`open`].
pub const MEMO_MS: i64 = 10 * 60 * 1000;
/// How many bundles' verifications are remembered.
const MEMO_ENTRIES: usize = 64;

/// Recent verifications of archived bundles, by SHA-256 (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Verifications(Arc<Mutex<HashMap<String, Memo>>>);

#[derive(Debug, Clone)]
struct Memo {
    at_ms: i64,
    verified: Arc<Verified>,
    rubric: Arc<str>,
}

impl Verifications {
    fn get(&self, sha: &str, now_ms: i64) -> Option<Memo> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(sha).filter(|m| now_ms - m.at_ms < MEMO_MS && now_ms >= m.at_ms).cloned()
    }

    fn put(&self, sha: &str, memo: Memo) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MEMO_ENTRIES && !map.contains_key(sha) {
            if let Some(oldest) = map.iter().min_by_key(|(_, m)| m.at_ms).map(|(k, _)| k.clone()) {
                map.remove(&oldest);
            }
        }
        map.insert(sha.to_owned(), memo);
    }
}

/// The archived bundle `sha256_hex`, verified against the server's trust within [`MEMO_MS`].
pub async fn open(state: &AppState, sha256_hex: &str) -> Result<Archived, ArchiveError> {
    let dir = cache_dir(state, sha256_hex);
    if let Some(m) = state.verifications.get(sha256_hex, state.clock.now_ms()) {
        if dir.join("ready").exists() {
            let (row, zip) = local_zip(state, sha256_hex).await?;
            return Ok(Archived { row, verified: m.verified, rubric_text: m.rubric, zip, dir });
        }
    }
    open_fresh(state, sha256_hex).await
}

/// The archived bundle `sha256_hex`, verified now against the server's trust.
pub async fn open_fresh(state: &AppState, sha256_hex: &str) -> Result<Archived, ArchiveError> {
    let (row, zip) = local_zip(state, sha256_hex).await?;
    let dir = cache_dir(state, sha256_hex);
    let trust = state.config.trust.clone();
    let (z, d) = (zip.clone(), dir.clone());
    let at_ms = state.clock.now_ms();
    let (verified, rubric) = tokio::task::spawn_blocking(move || -> Result<(Verified, String), ArchiveError> {
        let v = verify_path(&z, Some(&trust), None, Limits::default(), |_| {}).map_err(|e| match e {
            VerifyError::Refused(r) => ArchiveError::Refused(r.to_string()),
            other => ArchiveError::Problem(Problem::internal(format!("verifying the archived bundle: {other}"))),
        })?;
        let rubric = read_rubric(&z, Limits::default()).map_err(|e| ArchiveError::Refused(e.to_string()))?;
        if !d.join("ready").exists() {
            extract_media(&z, &d, &v)?;
        }
        Ok((v, rubric))
    })
    .await
    .map_err(|e| Problem::internal(format!("the verifier stopped: {e}")))??;
    let memo = Memo { at_ms, verified: Arc::new(verified), rubric: Arc::from(rubric) };
    state.verifications.put(sha256_hex, memo.clone());
    Ok(Archived { row, verified: memo.verified, rubric_text: memo.rubric, zip, dir })
}

/// Copies the archive blob into `dir/bundle.zip`, checking its digest.
async fn fetch(state: &AppState, sha256_hex: &str, dir: &Path) -> Result<(), ArchiveError> {
    std::fs::create_dir_all(dir.join("media")).map_err(io("cannot create the bundle cache"))?;
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(io("cannot create a cache file"))?.into_temp_path();
    state.blobs.append_to(&archive_key(sha256_hex), &tmp).await.map_err(Problem::from)?;
    let (t, want, dest) = (tmp.to_path_buf(), sha256_hex.to_owned(), dir.join("bundle.zip"));
    tokio::task::spawn_blocking(move || -> Result<(), Problem> {
        let got = sha256_file(&t).map_err(io("cannot read the cached bundle"))?;
        if got != want {
            return Err(Problem::internal(format!(
                "the archive blob of bundle {want} hashes to {got}: the archive is damaged, restore it from backup"
            )));
        }
        std::fs::File::open(&t).and_then(|f| f.sync_all()).map_err(io("cannot sync the cached bundle"))?;
        std::fs::rename(&t, &dest).map_err(io("cannot place the cached bundle"))
    })
    .await
    .map_err(|e| Problem::internal(e.to_string()))??;
    Ok(())
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(hex(ctx.finish().as_ref()));
        }
        ctx.update(&buf[..n]);
    }
}

/// Extracts every evidence file of a verified bundle into `dir/media/`, then writes `ready`.
fn extract_media(zip: &Path, dir: &Path, v: &Verified) -> Result<(), ArchiveError> {
    let refused = |e: benchproof_bagit::BagError| ArchiveError::Refused(e.to_string());
    let mut bag = open_bag_path(zip, Limits::default()).map_err(refused)?;
    bag.validate(|_| {}).map_err(refused)?;
    for e in evidence(v) {
        let name = e.sha256.to_string();
        let dest = dir.join("media").join(&name);
        if dest.exists() {
            continue;
        }
        let mut reader = bag.read_payload(e.path.trim_start_matches("data/")).map_err(refused)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io("cannot create a cache file"))?;
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = reader.read(&mut buf).map_err(|e| ArchiveError::Refused(format!("{}: {e}", dest.display())))?;
            if n == 0 {
                break;
            }
            ctx.update(&buf[..n]);
            tmp.write_all(&buf[..n]).map_err(io("cannot write a cache file"))?;
        }
        if hex(ctx.finish().as_ref()) != name {
            return Err(ArchiveError::Refused(format!("{} does not match the digest assessment.json names", e.path)));
        }
        tmp.as_file().sync_all().map_err(io("cannot sync a cache file"))?;
        tmp.persist(&dest).map_err(|e| Problem::io("cannot place a cache file", &e.error))?;
    }
    let index: std::collections::BTreeMap<String, String> =
        evidence(v).map(|e| (e.sha256.to_string(), e.media_type.clone())).collect();
    let json = serde_json::to_vec(&index).map_err(|e| Problem::internal(e.to_string()))?;
    let mut ready = tempfile::NamedTempFile::new_in(dir).map_err(io("cannot create a cache file"))?;
    ready.write_all(&json).and_then(|()| ready.as_file().sync_all()).map_err(io("cannot write the cache index"))?;
    ready.persist(dir.join("ready")).map_err(|e| Problem::io("cannot finish the bundle cache", &e.error))?;
    Ok(())
}
