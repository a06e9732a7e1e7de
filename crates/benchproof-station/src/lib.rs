//! The station API: everything a proctor can do at the bench, for the CLI and the desktop app
//! alike. Neither front end holds logic of its own; both call this crate.
//!
//! - [`Station`]: an open data directory (the [`benchproof_store::Store`]) plus a [`Clock`].
//! - [`rubrics`]: the rubric catalogue (bundled rubrics and the station's `rubrics/` folder).
//! - [`Session`]: one assessment in progress; each call validates with the domain state machine,
//!   makes the event durable, then applies it.
//! - [`script`]: scripted assessments (TOML), used by `benchproof assess` and the demo.
//! - [`schedule`]: the micro-event schedule copy and check-ins (which start assessments).
//! - [`report::AssessmentReport`]: what `assessment show` and the demo print.

pub mod bundles;
pub mod capture;
mod clock;
pub mod credentials;
pub mod demo;
pub mod desk;
mod error;
pub mod report;
pub mod rubrics;
pub mod schedule;
pub mod script;
mod session;
pub mod sync;
pub mod trust;

use std::path::{Path, PathBuf};

use benchproof_domain::{Assessment, AssessmentId};
use benchproof_store::Store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::StationError;
pub use session::{media_type_for, Session};

/// Environment variable that overrides the default data directory.
pub const HOME_ENV: &str = "BENCHPROOF_HOME";

/// The data directory used when none is given: `$BENCHPROOF_HOME`, else the OS's per-user data
/// directory (e.g. `~/.local/share/benchproof` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os(HOME_ENV).filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(home));
    }
    directories::ProjectDirs::from("org", "benchproof", "benchproof").map(|d| d.data_dir().to_owned())
}

#[derive(Debug)]
pub struct Station {
    store: Store,
    clock: Box<dyn Clock>,
}

impl Station {
    /// Opens the station in `data_dir`, creating it if needed.
    pub fn open(data_dir: &Path) -> Result<Station, StationError> {
        Self::open_with_clock(data_dir, Box::new(SystemClock))
    }

    pub fn open_with_clock(data_dir: &Path, clock: Box<dyn Clock>) -> Result<Station, StationError> {
        Ok(Station { store: Store::open(data_dir)?, clock })
    }

    pub fn data_dir(&self) -> &Path {
        self.store.dir()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Starts a new assessment of `student` against a rubric text, and records it durably.
    pub fn create_assessment(
        &mut self,
        rubric: &rubrics::RubricSource,
        student: &str,
    ) -> Result<Session<'_>, StationError> {
        let now = self.clock.now();
        self.store.put_rubric(&rubric.rubric, &rubric.text, now)?;
        let id = AssessmentId::from_uuid(uuid::Uuid::now_v7()).expect("now_v7 makes version 7 UUIDs");
        let (assessment, genesis) = Assessment::create(id, rubric.rubric.clone(), student, now)?;
        self.store.create_assessment(&genesis)?;
        Ok(Session::new(self, assessment))
    }

    /// Creates an assessment of `student` against `rubric`, starts it and records how consent
    /// was taken: the one start path for the app, the CLI and check-ins.
    pub fn start_assessment(
        &mut self,
        rubric: &rubrics::RubricSource,
        student: &str,
        consent_note: &str,
    ) -> Result<AssessmentId, StationError> {
        let mut session = self.create_assessment(rubric, student)?;
        session.start()?;
        session.note(consent_note)?;
        Ok(session.id())
    }

    /// Reopens an assessment (for example after the app was closed or crashed mid-assessment)
    /// by replaying its stored, verified event log.
    pub fn open_assessment(&mut self, id: AssessmentId) -> Result<Session<'_>, StationError> {
        let assessment = self.load(id)?;
        Ok(Session::new(self, assessment))
    }

    /// The assessment as its event log says it is, without opening it for changes.
    pub fn load(&self, id: AssessmentId) -> Result<Assessment, StationError> {
        let summary = self.store.summary(id)?;
        let (rubric, _) = self.store.rubric(&summary.rubric_sha256)?;
        let events = self.store.events(id)?;
        benchproof_domain::event::verify_chain(&events, Some(summary.head))
            .map_err(|source| StationError::Chain { id, source })?;
        Assessment::replay(rubric, &events).map_err(|source| StationError::Replay { id, source })
    }

    /// Resolves a user-typed assessment reference: a full id, or a unique prefix of one.
    pub fn resolve_assessment(&self, reference: &str) -> Result<AssessmentId, StationError> {
        if let Ok(id) = reference.parse::<AssessmentId>() {
            return Ok(id);
        }
        let matches: Vec<_> = self
            .store
            .list_assessments()?
            .into_iter()
            .filter(|a| !reference.is_empty() && a.id.to_string().starts_with(reference))
            .map(|a| a.id)
            .collect();
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(StationError::UnknownAssessment(reference.to_owned())),
            _ => Err(StationError::AmbiguousAssessment(reference.to_owned(), matches.len())),
        }
    }
}
