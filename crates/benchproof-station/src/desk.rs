//! The desk: the station as one long-lived, thread-safe object for the desktop app.
//!
//! [`Desk`] holds the open [`Station`], the live capture [`Rig`], the signed-in proctor and the
//! step each assessment is on, behind one mutex. Every app-level rule lives here (who may do
//! what when, which devices run, how a crashed session resumes), so the Tauri shell only parses
//! arguments and maps errors.
//!
//! Invariants:
//! - Every mutation goes through [`Session`], so what a caller was told succeeded is on disk.
//! - Changing an assessment needs a signed-in proctor; reading never does.
//! - Snippets pending when the app last stopped are recovered into their assessments on
//!   [`Desk::open`]; snippets still being cut are absorbed before an assessment is finished or
//!   abandoned (the rig is stopped, drained and restarted), so no evidence is lost to a state change.
//! - The rig is started lazily and runs on simulated devices in demo mode.

mod instrument;
mod outbox;
mod view;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use benchproof_capture::VideoFrame;
use benchproof_domain::{AssessmentId, EventBody, LifecycleState, StepId, Verdict};
use benchproof_evidence::DidKey;

use crate::bundles::SealedInfo;
use crate::capture::rig::{self, CaptureSettings, DeviceMode, Rig, RigEvent};
use crate::capture::{Absorbed, SnippetTag};
use crate::trust::{DepartmentInfo, StationFiles};
use crate::{demo, rubrics, Station, StationError};

pub use crate::capture::level::AudioLevel;
pub use instrument::{InstrumentCheck, TEST_TIMEOUTS};
pub use outbox::{QueueState, ReceiptSummary, ServerStatus, PROBE_TIMEOUT};
pub use view::{AssessmentDetail, DeviceState, HistoryEntry, NoteEntry, Outage, QueueEntry, StudentStep, StudentView};

/// Why a desk operation was refused. Codes are stable: the UI reacts to [`DeskError::code`].
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Station(#[from] StationError),
    #[error("no proctor is signed in; sign in with your name and PIN first")]
    NotSignedIn,
    #[error("the station is not set up; load the department's enrolment and trust files, or start demo mode")]
    NotConfigured,
    #[error("the student has not agreed to be recorded; ask for consent before starting")]
    ConsentRequired,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotSupported(&'static str),
    #[error("no camera is capturing; check the devices on the setup screen")]
    NoCapture,
}

impl DeskError {
    /// A stable code for front ends ([`StationError::code`] for station errors).
    pub fn code(&self) -> &'static str {
        match self {
            DeskError::Station(e) => e.code(),
            DeskError::NotSignedIn => "not_signed_in",
            DeskError::NotConfigured => "not_configured",
            DeskError::ConsentRequired => "consent_required",
            DeskError::BadRequest(_) => "invalid_input",
            DeskError::NotSupported(_) => "not_supported",
            DeskError::NoCapture => "no_capture",
        }
    }
}

impl From<benchproof_domain::assessment::TransitionError> for DeskError {
    fn from(e: benchproof_domain::assessment::TransitionError) -> Self {
        DeskError::Station(e.into())
    }
}

/// What desk operations return.
pub type DeskResult<T> = Result<T, DeskError>;

/// How the station is set up, for the app's first screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub configured: bool,
    /// Running with the simulated demo department (show the banner).
    pub demo: bool,
    pub station_did: String,
    pub department: Option<String>,
    pub proctor: Option<String>,
    /// The assessment to resume: created, running or finished but not sealed.
    pub in_progress: Option<AssessmentId>,
    /// Why simulated devices stand in, if they do.
    pub remarks: Vec<String>,
}

/// The signed-in proctor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proctor {
    pub name: String,
    pub did: DidKey,
}

/// What a proctor decided for one step.
#[derive(Debug, Clone)]
pub struct TickInput {
    pub step: String,
    pub verdict: Verdict,
    pub level: Option<String>,
    pub note: Option<String>,
}

/// What the background pump found: things to tell every window.
#[derive(Debug, Default)]
pub struct PumpReport {
    /// Snippets saved, failures noted and device changes recorded, in order.
    pub absorbed: Vec<Absorbed>,
    /// Device changes seen (also when no assessment was running to record them).
    pub devices: Vec<benchproof_devices::DeviceNotice>,
}

impl PumpReport {
    /// True when an assessment changed.
    pub fn changed(&self) -> bool {
        !self.absorbed.is_empty()
    }
}

/// The station as the desktop app holds it. See the module docs for its invariants.
#[derive(Debug)]
pub struct Desk {
    data_dir: PathBuf,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    station: Station,
    rig: Option<Rig>,
    /// Device mode chosen by setup or demo; `None` until the station is configured this run.
    mode: DeviceMode,
    cameras: Vec<String>,
    remarks: Vec<String>,
    proctor: Option<Proctor>,
    current_step: HashMap<AssessmentId, usize>,
    /// Who sealed what in this run (the bundle itself holds the proof).
    sealed_by: HashMap<AssessmentId, String>,
}

impl Desk {
    /// Opens the station in `data_dir` and recovers snippets a crash left pending.
    pub fn open(data_dir: &Path) -> DeskResult<Desk> {
        let station = Station::open(data_dir)?;
        let mode = if is_demo(data_dir)? { DeviceMode::Simulated } else { DeviceMode::Auto };
        let desk = Desk {
            data_dir: data_dir.to_owned(),
            inner: Mutex::new(Inner {
                station,
                rig: None,
                mode,
                cameras: Vec::new(),
                remarks: Vec::new(),
                proctor: None,
                current_step: HashMap::new(),
                sealed_by: HashMap::new(),
            }),
        };
        let recovered = rig::recover(data_dir)?;
        if !recovered.is_empty() {
            let mut inner = desk.lock();
            let events = recovered.into_iter().map(RigEvent::Snippet).collect();
            inner.absorb_everywhere(events)?;
        }
        Ok(desk)
    }

    /// The station's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only in-memory caches behind; the log is on disk.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How the station is set up.
    pub fn status(&self) -> DeskResult<Status> {
        let inner = self.lock();
        let files = StationFiles::in_dir(&self.data_dir);
        let department = files.department()?;
        let configured = department.is_some() && files.enrolment.exists();
        Ok(Status {
            configured,
            demo: configured && is_demo(&self.data_dir)?,
            station_did: files.station_key()?.did_key().to_string(),
            department: department.map(|d| d.name),
            proctor: inner.proctor.as_ref().map(|p| p.name.clone()),
            in_progress: inner.in_progress()?,
            remarks: inner.remarks.clone(),
        })
    }

    /// Sets the station up from the department's files: `trust` is its `department.json`,
    /// `enrolment` this station's enrolment signed by it. `cameras` empty means the first found.
    pub fn setup(&self, enrolment: &Path, trust: &Path, cameras: Vec<String>) -> DeskResult<Status> {
        let department: DepartmentInfo = read_json(trust, "the department's trust file (department.json)")?;
        let record: serde_json::Value = read_json(enrolment, "the station enrolment file")?;
        StationFiles::in_dir(&self.data_dir).install_station_enrolment(&department, &record)?;
        {
            let mut inner = self.lock();
            inner.mode = DeviceMode::Auto;
            inner.cameras = cameras;
            inner.restart_rig(&self.data_dir)?;
        }
        self.status()
    }

    /// Demo mode: the simulated demo department and proctor, and simulated devices.
    pub fn start_demo(&self) -> DeskResult<Status> {
        match demo::ensure_trust(&self.data_dir)? {
            demo::DemoTrust::Ready { .. } => {}
            demo::DemoTrust::RealDepartment { department } => {
                return Err(DeskError::BadRequest(format!(
                    "this station is enrolled with {department}; demo mode needs an empty data directory \
                     (start the app with BENCHPROOF_HOME set to a new folder)"
                )))
            }
        }
        {
            let mut inner = self.lock();
            inner.mode = DeviceMode::Simulated;
            inner.cameras.clear();
            inner.restart_rig(&self.data_dir)?;
        }
        self.status()
    }

    /// Signs a proctor in by unlocking their key with their passphrase.
    pub fn sign_in(&self, name: &str, passphrase: &str) -> DeskResult<Proctor> {
        if name.trim().is_empty() {
            return Err(DeskError::BadRequest("type the proctor's name as it was enrolled".into()));
        }
        let (key, _) = StationFiles::in_dir(&self.data_dir).proctor(name.trim(), Some(passphrase))?;
        let proctor = Proctor { name: name.trim().to_owned(), did: key.did_key() };
        self.lock().proctor = Some(proctor.clone());
        Ok(proctor)
    }

    /// Signs the proctor out.
    pub fn sign_out(&self) {
        self.lock().proctor = None;
    }

    /// The devices in use (starting the rig if the station is configured), cameras first.
    pub fn devices(&self) -> DeskResult<Vec<DeviceState>> {
        let mut inner = self.lock();
        inner.ensure_rig(&self.data_dir)?;
        let lost = match inner.active_running()? {
            Some(id) => inner.station.load(id)?.devices_lost,
            None => Vec::new(),
        };
        Ok(inner.rig.iter().flat_map(Rig::devices).map(|d| DeviceState::of(d, &lost)).collect())
    }

    /// The newest frame of camera `device` (by id), if it is capturing.
    pub fn latest_frame(&self, device: &str) -> Option<std::sync::Arc<VideoFrame>> {
        let inner = self.lock();
        let rig = inner.rig.as_ref()?;
        let index = rig.devices().iter().position(|d| d.id == device)?;
        rig.latest_frame(index)
    }

    /// The sequence number of each camera's newest frame, so the UI can be told a new one exists.
    pub fn frame_seqs(&self) -> Vec<(String, u64)> {
        let inner = self.lock();
        let Some(rig) = inner.rig.as_ref() else { return Vec::new() };
        rig.devices().into_iter().enumerate().filter_map(|(i, d)| Some((d.id, rig.latest_frame(i)?.seq))).collect()
    }

    /// The microphone's id and its level since the last call (for the meter, ~10 times a second
    /// from one thread); `None` while nothing is capturing or no sample arrived since.
    pub fn audio_level(&self) -> Option<(String, AudioLevel)> {
        self.lock().rig.as_ref()?.take_audio_level()
    }

    /// Now on the station clock that stamps (and, for the simulated camera, is burned into)
    /// every frame; `None` while nothing is capturing. For measuring preview latency.
    pub fn clock_now(&self) -> Option<benchproof_capture::ClockTime> {
        Some(self.lock().rig.as_ref()?.clock().now())
    }

    /// Tests the connection to the instrument at `address` (`HOST[:PORT]`): `*IDN?` within
    /// [`TEST_TIMEOUTS`]. Takes no lock; call it off the UI thread.
    pub fn test_instrument(&self, address: &str) -> DeskResult<InstrumentCheck> {
        instrument::test_connection(address, TEST_TIMEOUTS)
    }

    /// Every rubric in the catalogue, bundled first.
    pub fn rubrics(&self) -> Vec<rubrics::RubricSource> {
        rubrics::catalogue(&self.data_dir).0
    }

    /// Creates and starts an assessment. `previous`, if given, must be an earlier attempt of the
    /// same student against the same rubric.
    pub fn create(
        &self,
        rubric: &str,
        student: &str,
        consent: bool,
        previous: Option<&str>,
    ) -> DeskResult<AssessmentDetail> {
        let mut inner = self.lock();
        inner.proctor()?;
        let source = rubrics::find(&self.data_dir, rubric)?;
        self.start_locked(&mut inner, &source, student, consent, previous)
    }

    /// The stored micro-event schedule (`None`: never downloaded), as [`crate::schedule`] lists it.
    pub fn schedule(&self, window: crate::schedule::Window) -> DeskResult<Option<crate::schedule::ScheduleView>> {
        Ok(self.lock().station.schedule(window)?)
    }

    /// Checks a booked student in: starts their assessment against the slot's rubric (as
    /// [`Desk::create`] does) and queues the check-in for the next sync pass.
    pub fn check_in(&self, booking: &str, consent: bool) -> DeskResult<AssessmentDetail> {
        let mut inner = self.lock();
        inner.proctor()?;
        let target = inner.station.check_in_target(booking)?;
        let detail = self.start_locked(&mut inner, &target.rubric, &target.student, consent, None)?;
        inner.station.record_check_in(&target, detail.assessment.id)?;
        Ok(detail)
    }

    fn start_locked(
        &self,
        inner: &mut Inner,
        source: &rubrics::RubricSource,
        student: &str,
        consent: bool,
        previous: Option<&str>,
    ) -> DeskResult<AssessmentDetail> {
        let proctor = inner.proctor()?.name.clone();
        if !StationFiles::in_dir(&self.data_dir).enrolment.exists() {
            return Err(DeskError::NotConfigured);
        }
        if !consent {
            return Err(DeskError::ConsentRequired);
        }
        let student = student.trim();
        if let Some(prev) = previous {
            let id = inner.station.resolve_assessment(prev)?;
            let earlier = inner.station.store.summary(id).map_err(StationError::from)?;
            if earlier.student != student || earlier.rubric_id != source.rubric.id {
                return Err(DeskError::BadRequest(format!(
                    "{id} assessed {:?} against {}; a re-assessment must be of the same student and rubric",
                    earlier.student, earlier.rubric_id
                )));
            }
        }
        let note = format!("{student} agreed to be recorded (consent taken by {proctor}).");
        let id = inner.station.start_assessment(source, student, &note)?;
        inner.current_step.insert(id, 0);
        inner.ensure_rig(&self.data_dir)?;
        inner.detail(id)
    }

    /// One assessment as the proctor sees it.
    pub fn assessment(&self, id: &str) -> DeskResult<AssessmentDetail> {
        let inner = self.lock();
        let id = inner.station.resolve_assessment(id)?;
        inner.detail(id)
    }

    /// Ticks a step and asks the rig for its snippet when the rubric wants video or audio.
    pub fn tick(&self, id: &str, input: &TickInput) -> DeskResult<AssessmentDetail> {
        let mut inner = self.lock();
        inner.proctor()?;
        let id = inner.station.resolve_assessment(id)?;
        let step = StepId::new(&input.step);
        let Inner { station, rig, current_step, .. } = &mut *inner;
        let mut session = station.open_assessment(id)?;
        session.tick_and_capture(rig.as_ref(), &step, input.verdict, input.level.as_deref(), input.note.as_deref())?;
        let steps = &session.assessment().rubric.steps;
        if let Some(i) = steps.iter().position(|s| s.id == step) {
            current_step.insert(id, (i + 1).min(steps.len().saturating_sub(1)));
        }
        inner.detail(id)
    }

    /// Withdraws the latest tick that still counts (a `tick_withdrawn` event; nothing is erased).
    pub fn undo_tick(&self, id: &str) -> DeskResult<AssessmentDetail> {
        let mut inner = self.lock();
        inner.proctor()?;
        let id = inner.station.resolve_assessment(id)?;
        let mut session = inner.station.open_assessment(id)?;
        let record = session.undo_tick()?;
        let EventBody::TickWithdrawn { tick } = record.event else { unreachable!("undo_tick records tick_withdrawn") };
        let step = session.assessment().ticks.iter().find(|t| t.seq == tick).map(|t| t.step.clone());
        if let Some(i) = session.assessment().rubric.steps.iter().position(|s| Some(&s.id) == step.as_ref()) {
            inner.current_step.insert(id, i);
        }
        inner.detail(id)
    }

    /// Adds a free note (proctor only; never on the student view).
    pub fn note(&self, id: &str, text: &str) -> DeskResult<AssessmentDetail> {
        self.change(id, |s| s.note(text).map(drop))
    }

    /// Saves the pre/post-roll around now as evidence for `step` (default: the current step).
    pub fn save_snippet(&self, id: &str, step: Option<&str>) -> DeskResult<AssessmentDetail> {
        let mut inner = self.lock();
        inner.proctor()?;
        let id = inner.station.resolve_assessment(id)?;
        let a = inner.station.load(id)?;
        if a.state != LifecycleState::Running {
            return Err(DeskError::BadRequest(format!(
                "assessment {id} is {}; snippets are saved while it runs",
                a.state.as_str()
            )));
        }
        let index = inner.current_step.get(&id).copied().unwrap_or(0);
        let step = match step {
            Some(s) => a
                .rubric
                .step(&StepId::new(s))
                .ok_or_else(|| DeskError::BadRequest(format!("no step {s:?} in this rubric")))?,
            None => a.rubric.steps.get(index).ok_or_else(|| DeskError::BadRequest("the rubric has no steps".into()))?,
        };
        inner.ensure_rig(&self.data_dir)?;
        let rig = inner.rig.as_ref().ok_or(DeskError::NoCapture)?;
        let tag = SnippetTag { assessment: id, step: step.id.clone(), tick_seq: a.last_seq };
        let pre = Duration::from_secs_f64(step.pre_roll_s.max(0.0));
        let post = Duration::from_secs_f64(step.post_roll_s.max(0.0));
        if rig.request_snippet(pre, post, &tag.to_tag()).is_empty() {
            return Err(DeskError::NoCapture);
        }
        inner.detail(id)
    }

    /// Finishes an assessment once the snippets still being cut are saved.
    pub fn finish(&self, id: &str) -> DeskResult<AssessmentDetail> {
        self.close(id, |s| s.finish().map(drop))
    }

    /// Abandons an assessment, saying why.
    pub fn abandon(&self, id: &str, reason: &str) -> DeskResult<AssessmentDetail> {
        if reason.trim().is_empty() {
            return Err(DeskError::BadRequest("say why the assessment is abandoned".into()));
        }
        self.close(id, |s| s.abandon(reason.trim()).map(drop))
    }

    /// Seals a finished assessment as the signed-in proctor (re-entering their passphrase) into
    /// the outbox. `progress` hears each stage.
    pub fn seal(&self, id: &str, passphrase: &str, progress: &mut dyn FnMut(&str, f64)) -> DeskResult<SealedInfo> {
        let mut inner = self.lock();
        let proctor = inner.proctor()?.name.clone();
        let id = inner.station.resolve_assessment(id)?;
        progress("unlocking the proctor key", 0.1);
        StationFiles::in_dir(&self.data_dir).proctor(&proctor, Some(passphrase))?;
        progress("signing and writing the bundle", 0.3);
        let sealed = inner.station.seal(id, &proctor, Some(passphrase))?;
        inner.sealed_by.insert(id, proctor);
        progress("sealed", 1.0);
        Ok(sealed)
    }

    /// Records which step the proctor is on (drives the student view).
    pub fn set_current_step(&self, id: &str, index: usize) -> DeskResult<()> {
        let mut inner = self.lock();
        let id = inner.station.resolve_assessment(id)?;
        let steps = inner.station.load(id)?.rubric.steps.len();
        if index >= steps {
            return Err(DeskError::BadRequest(format!("step {index} does not exist; the rubric has {steps} steps")));
        }
        inner.current_step.insert(id, index);
        Ok(())
    }

    /// What the student's screen shows, for the assessment in progress.
    pub fn student_view(&self) -> DeskResult<Option<StudentView>> {
        let inner = self.lock();
        let Some(id) = inner.in_progress()? else { return Ok(None) };
        let a = inner.station.load(id)?;
        let recording = a.state == LifecycleState::Running && inner.rig.is_some();
        Ok(Some(StudentView::of(&a, inner.step_of(&a), recording)))
    }

    /// The instrument state saved as evidence `snippet` of assessment `id`, parsed.
    pub fn instrument_state(&self, id: &str, snippet: &str) -> DeskResult<serde_json::Value> {
        let s = self.evidence(id, snippet)?;
        let file = self.lock().station.store.open_media(&s.sha256).map_err(StationError::from)?;
        serde_json::from_reader(std::io::BufReader::new(file))
            .map_err(|e| DeskError::BadRequest(format!("{} is not instrument state (JSON): {e}", s.name)))
    }

    /// Where the media of an assessment's evidence is, with its media type, for playback.
    /// Only evidence recorded in this station's log is served.
    pub fn media(&self, id: &str, snippet: &str) -> DeskResult<(PathBuf, String)> {
        let s = self.evidence(id, snippet)?;
        Ok((self.lock().station.store.media_path(&s.sha256), s.media_type))
    }

    /// Evidence `snippet` as assessment `id`'s log records it; anything else is refused.
    fn evidence(&self, id: &str, snippet: &str) -> DeskResult<benchproof_domain::assessment::SnippetRecord> {
        let inner = self.lock();
        let id = inner.station.resolve_assessment(id)?;
        let a = inner.station.load(id)?;
        a.snippets
            .into_iter()
            .find(|s| s.snippet.to_string() == snippet)
            .ok_or_else(|| DeskError::BadRequest(format!("assessment {id} has no evidence {snippet}")))
    }

    /// Past assessments on this station, newest first, each linked to the attempt it re-assesses.
    pub fn history(&self) -> DeskResult<Vec<HistoryEntry>> {
        view::history(&self.lock().station)
    }

    /// The outbox: every sealed bundle with its delivery state as the store records it.
    pub fn queue(&self) -> DeskResult<Vec<QueueEntry>> {
        view::queue(&self.lock().station)
    }

    /// Whether the department server in `sync.toml` answers a short `OPTIONS` probe (at most
    /// [`PROBE_TIMEOUT`] per step; never under the desk's lock). Call it off the UI thread.
    pub fn server_status(&self) -> ServerStatus {
        outbox::probe(&self.data_dir)
    }

    /// Puts a bundle the worker gave up on back in the queue and, when a server is configured,
    /// starts a sync pass on a background thread (the queue shows its outcome once recorded).
    pub fn retry(&self, assessment: &str) -> DeskResult<Vec<QueueEntry>> {
        {
            let inner = self.lock();
            let id = inner.station.resolve_assessment(assessment)?;
            inner.station.store.retry_sync(id).map_err(StationError::from)?;
        }
        outbox::sync_in_background(self.data_dir.clone());
        self.queue()
    }

    /// Runs one sync pass now, on the calling thread but without the desk's lock (a station of
    /// its own on the same data directory). `Ok(None)` when no server is configured or a pass
    /// is already running. For the app's periodic background sync.
    pub fn sync_now(&self) -> DeskResult<Option<benchproof_sync::SyncReport>> {
        Ok(outbox::sync_pass(&self.data_dir)?)
    }

    /// Records what the rig produced since the last call. Call it every ~200 ms from one
    /// background thread while the app runs.
    pub fn pump(&self) -> DeskResult<PumpReport> {
        let mut inner = self.lock();
        let Some(rig) = inner.rig.as_ref() else { return Ok(PumpReport::default()) };
        let events = rig.poll();
        let devices = events
            .iter()
            .filter_map(|e| match e {
                RigEvent::Device(n) => Some(n.clone()),
                RigEvent::Snippet(_) => None,
            })
            .collect();
        let absorbed = inner.absorb_everywhere(events)?;
        Ok(PumpReport { absorbed, devices })
    }

    fn change(
        &self,
        id: &str,
        f: impl FnOnce(&mut crate::Session<'_>) -> Result<(), StationError>,
    ) -> DeskResult<AssessmentDetail> {
        let mut inner = self.lock();
        inner.proctor()?;
        let id = inner.station.resolve_assessment(id)?;
        f(&mut inner.station.open_assessment(id)?)?;
        inner.detail(id)
    }

    /// Stops the rig (cutting pending snippets short), records its last outcomes, applies `f`,
    /// and restarts the rig for the preview.
    fn close(
        &self,
        id: &str,
        f: impl FnOnce(&mut crate::Session<'_>) -> Result<(), StationError>,
    ) -> DeskResult<AssessmentDetail> {
        let mut inner = self.lock();
        inner.proctor()?;
        let id = inner.station.resolve_assessment(id)?;
        if let Some(rig) = inner.rig.take() {
            let events = rig.stop();
            inner.absorb_everywhere(events)?;
        }
        f(&mut inner.station.open_assessment(id)?)?;
        inner.ensure_rig(&self.data_dir)?;
        inner.detail(id)
    }
}

impl Inner {
    fn proctor(&self) -> DeskResult<&Proctor> {
        self.proctor.as_ref().ok_or(DeskError::NotSignedIn)
    }

    /// The newest assessment that is not sealed or abandoned.
    fn in_progress(&self) -> DeskResult<Option<AssessmentId>> {
        let list = self.station.store.list_assessments().map_err(StationError::from)?;
        Ok(list
            .into_iter()
            .filter(|a| matches!(a.state, LifecycleState::Created | LifecycleState::Running | LifecycleState::Finished))
            .max_by_key(|a| a.created_at)
            .map(|a| a.id))
    }

    fn active_running(&self) -> DeskResult<Option<AssessmentId>> {
        let list = self.station.store.list_assessments().map_err(StationError::from)?;
        Ok(list.into_iter().filter(|a| a.state == LifecycleState::Running).max_by_key(|a| a.created_at).map(|a| a.id))
    }

    fn step_of(&self, a: &benchproof_domain::Assessment) -> usize {
        self.current_step.get(&a.id).copied().unwrap_or_else(|| {
            // After a restart: the first step without a tick that counts.
            a.rubric.steps.iter().position(|s| a.latest_tick(&s.id).is_none()).unwrap_or(0)
        })
    }

    fn detail(&self, id: AssessmentId) -> DeskResult<AssessmentDetail> {
        let a = self.station.load(id)?;
        let step = self.step_of(&a);
        view::detail(&self.station, a, step, self.sealed_by.get(&id).cloned())
    }

    /// Starts the rig if the station is configured and none runs.
    fn ensure_rig(&mut self, data_dir: &Path) -> DeskResult<()> {
        if self.rig.is_some() || !StationFiles::in_dir(data_dir).enrolment.exists() {
            return Ok(());
        }
        let settings = CaptureSettings { mode: self.mode.clone(), cameras: self.cameras.clone(), ..Default::default() };
        let rig = Rig::start(data_dir, &settings)?;
        self.remarks.clone_from(&rig.remarks);
        self.rig = Some(rig);
        Ok(())
    }

    fn restart_rig(&mut self, data_dir: &Path) -> DeskResult<()> {
        if let Some(rig) = self.rig.take() {
            let events = rig.stop();
            self.absorb_everywhere(events)?;
        }
        self.ensure_rig(data_dir)
    }

    /// Routes rig events: snippets to the assessment in their tag, device changes to the running
    /// assessment. Events for an assessment that can no longer take them are noted as dropped.
    fn absorb_everywhere(&mut self, events: Vec<RigEvent>) -> DeskResult<Vec<Absorbed>> {
        let running = self.active_running()?;
        let mut out = Vec::new();
        for event in events {
            let target = match &event {
                RigEvent::Snippet(o) => SnippetTag::parse(&o.tag).map(|t| t.assessment),
                RigEvent::Device(_) => running,
            };
            let Some(id) = target else { continue };
            let Ok(mut session) = self.station.open_assessment(id) else { continue };
            if session.assessment().state != LifecycleState::Running {
                continue;
            }
            out.extend(session.absorb(vec![event])?);
        }
        Ok(out)
    }
}

fn is_demo(data_dir: &Path) -> DeskResult<bool> {
    let Some(dept) = StationFiles::in_dir(data_dir).department()? else { return Ok(false) };
    let demo: Option<DepartmentInfo> = std::fs::read(data_dir.join("demo-department").join("department.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    Ok(demo.is_some_and(|d| d.did == dept.did))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> DeskResult<T> {
    let bytes = std::fs::read(path).map_err(|source| StationError::Io { path: path.to_owned(), source })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        DeskError::BadRequest(format!("{} is not {what}: {e}; choose the file the department gave you", path.display()))
    })
}
