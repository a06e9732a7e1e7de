//! Sealing an assessment into the outbox, and verifying bundles against this station's trust.

use std::io::Read;
use std::path::{Path, PathBuf};

use benchproof_bagit::Progress;
use benchproof_bundle::{seal, Registry, SealInput, Verified, VerifyError};
use benchproof_domain::{AssessmentId, EventBody, LifecycleState, Sha256};
use benchproof_evidence::DidKey;
use serde::Serialize;

use crate::trust::departments::{self, TrustedDepartment};
use crate::trust::StationFiles;
use crate::{Station, StationError};

/// A bundle written to the outbox.
#[derive(Debug, Clone, Serialize)]
pub struct SealedInfo {
    pub assessment: AssessmentId,
    pub path: PathBuf,
    /// SHA-256 of the bag's tag manifest: the bundle's identity.
    pub digest: Sha256,
    pub bytes: u64,
}

pub fn outbox_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("outbox")
}

impl Station {
    /// Seals a finished assessment: signs it as this station and as the signed-in proctor,
    /// writes the bundle into the outbox, records the `sealed` event and queues it for sync.
    pub fn seal(
        &mut self,
        id: AssessmentId,
        proctor: &str,
        passphrase: Option<&str>,
    ) -> Result<SealedInfo, StationError> {
        let files = StationFiles::in_dir(self.data_dir());
        let department = files.department()?.ok_or(crate::trust::TrustProblem::NotEnrolled)?;
        let station_key = files.station_key()?;
        let station_enrolment = files.station_enrolment()?;
        let (proctor_key, proctor_enrolment) = files.proctor(proctor, passphrase)?;

        let assessment = self.load(id)?;
        if assessment.state != LifecycleState::Finished {
            return Err(StationError::NotFinished { id, state: assessment.state });
        }
        let events = self.store.events(id)?;
        let (_, rubric_text) = self.store.rubric(&assessment.rubric.sha256)?;
        let now = self.clock.now();

        let dir = outbox_dir(self.data_dir());
        std::fs::create_dir_all(&dir).map_err(|source| StationError::Io { path: dir.clone(), source })?;
        let final_path = dir.join(format!("benchproof-{id}.zip"));
        if let (Some(digest), Ok(meta)) = (self.store.bundle_digest(id)?, std::fs::metadata(&final_path)) {
            // A seal interrupted after its bundle was written: finish it with that very bundle,
            // rather than sign a second, different bundle for the same assessment.
            return self.finish_seal(id, &final_path, digest, meta.len());
        }
        let tmp_path = dir.join(format!(".benchproof-{id}.zip.partial"));
        let file =
            std::fs::File::create(&tmp_path).map_err(|source| StationError::Io { path: tmp_path.clone(), source })?;
        let input = SealInput {
            assessment: &assessment,
            events: &events,
            rubric_text: &rubric_text,
            station_key: &station_key,
            station_enrolment: &station_enrolment,
            proctor_key: &proctor_key,
            proctor_enrolment: &proctor_enrolment,
            organization: &department.name,
            sealed_at: now,
            software: concat!("benchproof ", env!("CARGO_PKG_VERSION")),
        };
        let store = &self.store;
        let result = seal(
            &input,
            &mut |sha| store.open_media(sha).map(|f| Box::new(f) as Box<dyn Read>).map_err(std::io::Error::other),
            file,
        );
        let (sealed, file) = match result {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp_path);
                return Err(StationError::Seal(e));
            }
        };
        file.sync_all().map_err(|source| StationError::Io { path: tmp_path.clone(), source })?;
        std::fs::rename(&tmp_path, &final_path)
            .map_err(|source| StationError::Io { path: final_path.clone(), source })?;
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| StationError::Io { path: dir.clone(), source })?;

        self.store.record_bundle(id, sealed.digest, now)?;
        self.finish_seal(id, &final_path, sealed.digest, sealed.zip_bytes)
    }

    /// Records the `sealed` event and queues the bundle (each step safe to repeat).
    fn finish_seal(
        &mut self,
        id: AssessmentId,
        path: &Path,
        digest: Sha256,
        bytes: u64,
    ) -> Result<SealedInfo, StationError> {
        let now = self.clock.now();
        let mut session = self.open_assessment(id)?;
        session.commit_event(EventBody::Sealed { bundle_sha256: digest })?;
        self.store.enqueue_bundle(id, digest, bytes, &path.display().to_string(), now)?;
        Ok(SealedInfo { assessment: id, path: path.to_owned(), digest, bytes })
    }
}

/// The store as a registry of bundles already seen.
struct StoreRegistry<'a>(&'a benchproof_store::Store);

impl Registry for StoreRegistry<'_> {
    fn digest_of(&self, assessment: &AssessmentId) -> Option<Sha256> {
        self.0.bundle_digest(*assessment).ok().flatten()
    }
}

/// Where a verifier's trust comes from.
#[derive(Debug, Clone)]
pub enum TrustSource<'a> {
    /// A department did:key given on the command line.
    Department(DidKey),
    /// The department the station in this data directory trusts.
    Station(&'a Path),
}

/// Verifies a bundle. With a station data directory, its registry detects replays, and a
/// bundle that verifies is remembered.
pub fn verify_bundle(
    path: &Path,
    trust: TrustSource<'_>,
    station: Option<&Station>,
    progress: impl Fn(Progress) + Sync,
) -> Result<Verified, VerifyError> {
    verify_bundle_vouched(path, trust, station, progress).map(|(verified, _)| verified)
}

/// Like [`verify_bundle`], also naming the trusted department that vouches for the bundle. With
/// [`TrustSource::Station`] every department of the data directory's trust list is a candidate
/// (its own and imported ones, see `trust::departments`).
pub fn verify_bundle_vouched(
    path: &Path,
    trust: TrustSource<'_>,
    station: Option<&Station>,
    progress: impl Fn(Progress) + Sync,
) -> Result<(Verified, TrustedDepartment), VerifyError> {
    let candidates = match trust {
        TrustSource::Department(did) => {
            let revocations = station.and_then(|s| StationFiles::in_dir(s.data_dir()).revocations(&did).ok().flatten());
            vec![TrustedDepartment::given(did, revocations)]
        }
        TrustSource::Station(dir) => departments::trusted(dir).0,
    };
    let registry = station.map(|s| StoreRegistry(s.store()));
    let (verified, department) =
        crate::trust::verify::bundle(path, candidates, registry.as_ref().map(|r| r as &dyn Registry), progress)?;
    if let Some(s) = station {
        let _ = s.store().record_bundle(verified.assessment, verified.digest, s.clock().now());
    }
    Ok((verified, department))
}
