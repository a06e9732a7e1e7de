//! Completion of an upload: verify on receipt, then archive, flag a conflict or quarantine,
//! exactly as the table in `docs/sync-protocol.md` says.
//!
//! Invariants:
//! - A bundle reaches `archive/` only after `verify_path` (the checks `benchproof verify` runs)
//!   accepted it, and its row and log leaf are written in one metadata transaction after the
//!   archive blob is durable. The archive is write-once and content-addressed.
//! - The same bytes twice are one bundle (idempotent, the same leaf); a different valid bundle
//!   for a held assessment is kept under `conflicts/` and flagged, never archived; an invalid one
//!   goes to `quarantine/` with the verifier's first refusal.
//! - The finished upload's bytes (parts, or its in-place file) are deleted only after the
//!   outcome is recorded; what is archived or quarantined is a copy or a hard link of them.

use std::path::Path;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use benchproof_bagit::Limits;
use benchproof_bundle::{verify_path, Verified, VerifyError};

use crate::auth::station::authenticate;
use crate::blob::{archive_key, Put};
use crate::meta::{hex, unhex32, Accepted, BundleRow, ConflictRow, QuarantineRow, Upload};
use crate::problem::{Problem, CHECKSUM_MISMATCH};
use crate::staging::link_in_place;
use crate::state::AppState;
use crate::tus::discard_upload;

/// The receipt URL of a bundle.
pub fn receipt_path(sha256: &str) -> String {
    format!("/api/v1/bundles/{sha256}/receipt")
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut f = std::fs::File::open(path)?;
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        ctx.update(&buf[..n]);
    }
    Ok(hex(ctx.finish().as_ref()))
}

/// Runs after the last byte of `upload` is stored; answers the final PATCH.
pub async fn finish(state: &AppState, upload: &Upload) -> Result<Response, Problem> {
    let _permit = state.finishing.acquire().await.map_err(|_| Problem::internal("the server is stopping"))?;
    // One local file for the verifier (it reads a zip by path): the in-place file linked, or
    // the parts concatenated.
    let assembled =
        tempfile::NamedTempFile::new_in(&state.spool).map_err(|e| Problem::io("cannot create a spool file", &e))?;
    let path = assembled.into_temp_path();
    let in_place = link_in_place(state, &upload.id, &path)?;
    if !in_place {
        for part in state.meta.parts(&upload.id).await? {
            state.blobs.append_to(&part.key, &path).await?;
        }
    }
    let running = state.running.finish(&upload.id, upload.length).map(|d| hex(&d));
    let p = path.to_path_buf();
    let (size, sha) = tokio::task::spawn_blocking(move || -> std::io::Result<(u64, String)> {
        let f = std::fs::OpenOptions::new().append(true).open(&p)?;
        f.sync_all()?; // nothing reaches the verifier, let alone the archive, before it is on disk
        let sha = match running {
            Some(sha) => sha,
            None => sha256_file(&p)?,
        };
        Ok((f.metadata()?.len(), sha))
    })
    .await
    .map_err(|e| Problem::internal(e.to_string()))?
    .map_err(|e| Problem::io("cannot read the assembled upload", &e))?;
    if size != upload.length {
        return Err(Problem::internal(format!(
            "upload {} assembled to {size} bytes, not {}",
            upload.id, upload.length
        )));
    }
    if sha != upload.sha256 {
        discard_upload(state, &upload.id).await?;
        return Err(Problem::new(
            StatusCode::from_u16(CHECKSUM_MISMATCH).expect("460 is a valid status"),
            "checksum-mismatch",
            "The upload's SHA-256 differs from Upload-Metadata",
            format!("the bytes received hash to {sha}, but the upload declared {}; the upload was discarded, upload the bundle again", upload.sha256),
        ));
    }
    let now = state.clock.now_ms();
    let trust = state.config.trust.clone();
    let p = path.to_path_buf();
    let verified = tokio::task::spawn_blocking(move || verify_path(&p, Some(&trust), None, Limits::default(), |_| {}))
        .await
        .map_err(|e| Problem::internal(format!("the verifier stopped: {e}")))?;
    let outcome = match verified {
        Ok(v) => archive(state, upload, &sha, v, &path, now).await,
        Err(VerifyError::Refused(r)) => {
            let key = format!("quarantine/{}.zip", upload.id);
            state.blobs.put(&key, &path, Put::Replace).await?;
            state
                .meta
                .quarantine(QuarantineRow {
                    key,
                    sha256: sha.clone(),
                    assessment: upload.assessment.clone(),
                    station: upload.station.clone(),
                    check: serde_json::to_value(r.check)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    reason: r.reason.clone(),
                    received_ms: now,
                })
                .await?;
            let mut p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-bundle",
                "The bundle does not verify",
                format!("{}; the bundle was quarantined for the department to inspect — re-seal it on the station or ask the department", r.reason),
            );
            p.check = serde_json::to_value(r.check).ok().and_then(|v| v.as_str().map(str::to_owned));
            Err(p)
        }
        Err(VerifyError::Io { path, source }) => return Err(Problem::io(&format!("cannot read {path}"), &source)),
        Err(e @ VerifyError::NoTrustRoot) => return Err(Problem::internal(e.to_string())),
    };
    discard_upload(state, &upload.id).await?;
    outcome
}

async fn archive(
    state: &AppState,
    upload: &Upload,
    sha: &str,
    v: Verified,
    path: &Path,
    now: i64,
) -> Result<Response, Problem> {
    let row = BundleRow {
        sha256: sha.to_owned(),
        assessment: v.assessment.to_string(),
        leaf_index: 0,
        station: upload.station.clone(),
        station_name: v.station_name.clone(),
        student: v.document.student.clone(),
        rubric: format!("{} {}", v.document.rubric.id, v.document.rubric.version),
        outcome: serde_json::to_value(v.document.outcome.result)
            .ok()
            .and_then(|o| o.as_str().map(str::to_owned))
            .unwrap_or_default(),
        bytes: upload.length,
        received_ms: now,
    };
    let conflict_key = format!("conflicts/{}.zip", upload.id);
    let accepted = if let Some(held) = state.meta.bundle(sha).await? {
        Accepted::Existing(held)
    } else if let Some(held) = state.meta.bundle_for_assessment(&row.assessment).await? {
        state.blobs.put(&conflict_key, path, Put::Replace).await?;
        state
            .meta
            .record_conflict(ConflictRow {
                key: conflict_key,
                sha256: sha.to_owned(),
                assessment: row.assessment.clone(),
                held_sha256: held.sha256.clone(),
                station: upload.station.clone(),
                received_ms: now,
            })
            .await?;
        Accepted::Conflict(held)
    } else {
        // Durable in the archive first; then the row and the leaf, in one transaction. If another
        // process won a race for this assessment in between, the row records a conflict that
        // points at this (unaccepted, content-addressed) archive blob.
        let key = archive_key(sha);
        state.blobs.put(&key, path, Put::CreateOnly).await?;
        state.meta.accept(row, key).await?
    };
    match accepted {
        Accepted::New(row) | Accepted::Existing(row) => {
            let mut res = StatusCode::NO_CONTENT.into_response();
            let h = res.headers_mut();
            h.insert("tus-resumable", HeaderValue::from_static("1.0.0"));
            h.insert("upload-offset", HeaderValue::from(upload.length));
            if let Ok(v) = HeaderValue::from_str(&state.url(&receipt_path(&row.sha256))) {
                h.insert("benchproof-receipt", v);
            }
            Ok(res)
        }
        Accepted::Conflict(held) => Err(Problem::new(
            StatusCode::CONFLICT,
            "conflict",
            "Another bundle already holds this assessment",
            format!(
                "assessment {} is held as bundle {}; this different bundle was kept aside and flagged for the department administrator — do not re-send it, ask the department",
                held.assessment, held.sha256
            ),
        )),
    }
}

/// `GET /api/v1/bundles/<sha256>/receipt` (signed like uploads).
pub async fn get_receipt(
    State(state): State<AppState>,
    UrlPath(sha): UrlPath<String>,
    parts: axum::http::request::Parts,
) -> Result<Response, Problem> {
    authenticate(&state, &parts).await?;
    if unhex32(&sha).is_none() {
        return Err(Problem::bad_request("the bundle is named by its SHA-256, 64 lowercase hex digits"));
    }
    let row = state
        .meta
        .bundle(&sha)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no accepted bundle {sha}; upload it (again)")))?;
    Ok(Json(crate::log::receipt(&state, &row).await?).into_response())
}
