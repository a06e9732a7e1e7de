//! Issuing the credential of an archived bundle: `POST /admin/bundles/{sha}/issue`.
//!
//! Refused (with what to do) unless the bundle is archived, its row says `passed`, its archived
//! bytes verify now and their document says `passed` too, and no live credential exists for it.

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use benchproof_credential::assessment::{badge_input, IssueContext};
use benchproof_credential::badge::{self, AchievementType, StatusRef};
use benchproof_credential::status::StatusList;
use benchproof_domain::scoring::Outcome;
use ring::rand::SystemRandom;

use super::archive::{self, ArchiveError};
use super::{base_url, issuer, STATUS_LIST_PATH};
use crate::clock::rfc3339;
use crate::meta::{CredentialInsert, CredentialRow};
use crate::pages::{require, user_error};
use crate::problem::Problem;
use crate::state::AppState;

/// How many times a status index is drawn again when another issuer took it meanwhile.
const INDEX_ATTEMPTS: usize = 8;

/// Why no credential was issued.
#[derive(Debug)]
pub enum IssueRefused {
    /// The assessment did not pass.
    NotPassed(String),
    /// A live credential already exists for the bundle.
    AlreadyIssued(String),
    Archive(ArchiveError),
}

impl IssueRefused {
    /// The HTTP status and the sentence for the admin.
    pub fn explain(self) -> (StatusCode, String) {
        match self {
            IssueRefused::NotPassed(outcome) => (
                StatusCode::CONFLICT,
                format!("This assessment's outcome is \"{outcome}\": only passed assessments get a credential. The student can be re-assessed; a later passed bundle can be issued."),
            ),
            IssueRefused::AlreadyIssued(id) => (
                StatusCode::CONFLICT,
                format!("This bundle already has the live credential {id}. Revoke it first if a new one is really needed."),
            ),
            IssueRefused::Archive(e) => {
                let p = Problem::from(e);
                (p.status, p.detail)
            }
        }
    }
}

impl From<Problem> for IssueRefused {
    fn from(p: Problem) -> Self {
        IssueRefused::Archive(ArchiveError::Problem(p))
    }
}

/// Issues (signs and stores) the credential of archived bundle `sha`, on behalf of admin `by`.
pub async fn issue_for_bundle(
    state: &AppState,
    sha: &str,
    by: &str,
    base: &str,
) -> Result<CredentialRow, IssueRefused> {
    if let Some(row) = state.meta.bundle(sha).await.map_err(Problem::from)? {
        if row.outcome != "passed" {
            return Err(IssueRefused::NotPassed(row.outcome));
        }
    }
    let archived = archive::open_fresh(state, sha).await.map_err(IssueRefused::Archive)?;
    if archived.verified.document.outcome.result != Outcome::Passed {
        return Err(IssueRefused::NotPassed(archived.row.outcome.clone()));
    }
    let rubric = benchproof_domain::rubric::parse("rubric.toml", &archived.rubric_text)
        .map_err(|e| Problem::internal(format!("the archived rubric does not parse: {e}")))?;
    let zip_sha = crate::meta::unhex32(sha).expect("archive::open checked the digest");
    let issuer = issuer(state, base)?;
    let list_url = format!("{base}{STATUS_LIST_PATH}");
    let rng = SystemRandom::new();
    for _ in 0..INDEX_ATTEMPTS {
        let taken: BTreeSet<usize> =
            state.meta.credentials().await.map_err(Problem::from)?.iter().map(|c| c.status_index as usize).collect();
        let index = StatusList::default().allocate(&taken, &rng).map_err(|e| Problem::internal(e.to_string()))?;
        let salt = badge::new_salt(&rng).map_err(|_| Problem::internal("the system random source failed"))?;
        let now = state.clock.now_ms();
        let id = uuid::Uuid::now_v7();
        let context = IssueContext {
            credential_id: id,
            issuer: issuer.clone(),
            base_url: base.to_owned(),
            achievement_type: AchievementType::Competency,
            valid_from: benchproof_evidence::XsdDateTime::parse_stamp(&rfc3339(now))
                .map_err(|e| Problem::internal(format!("validFrom: {e}")))?,
            salt,
            status: Some(StatusRef { list_url: list_url.clone(), index }),
        };
        let input = badge_input(&archived.verified.document, rubric.clone(), zip_sha, context);
        let key = state.config.department_key.clone();
        let signed = tokio::task::spawn_blocking(move || badge::issue(&input, &key))
            .await
            .map_err(|e| Problem::internal(e.to_string()))?
            .map_err(|e| Problem::internal(format!("cannot issue the credential: {e}")))?;
        let row = CredentialRow {
            id: format!("urn:uuid:{id}"),
            bundle_sha256: sha.to_owned(),
            assessment: archived.row.assessment.clone(),
            student: archived.row.student.clone(),
            rubric: archived.row.rubric.clone(),
            status_index: index as u64,
            issued_ms: now,
            issued_by: by.to_owned(),
            revoked_ms: None,
            revoked_by: None,
            revoke_reason: None,
            document: serde_json::to_string(&signed).map_err(|e| Problem::internal(e.to_string()))?,
        };
        match state.meta.insert_credential(row.clone()).await.map_err(Problem::from)? {
            CredentialInsert::Inserted => return Ok(row),
            CredentialInsert::LiveExists(live) => return Err(IssueRefused::AlreadyIssued(live.id)),
            CredentialInsert::IndexTaken => continue,
        }
    }
    Err(Problem::internal("no free status list index after several attempts").into())
}

/// `POST /admin/bundles/{sha}/issue`: issues, then shows the bundle's page.
pub async fn post_issue(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let base = base_url(&state, &headers);
    match issue_for_bundle(&state, &sha, &user, &base).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/bundles/{sha}#credentials")).into_response()),
        Err(refused) => {
            let (status, message) = refused.explain();
            Ok(user_error(status, "No credential issued", &user, &message, &format!("/admin/bundles/{sha}")))
        }
    }
}
