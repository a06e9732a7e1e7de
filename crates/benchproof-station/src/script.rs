//! Scripted assessments: a TOML file that plays the proctor's part (who, which rubric, which
//! ticks at which second, with notes and evidence files). `benchproof assess` runs one on the
//! station's store; the demo runs a bundled one.
//!
//! ```toml
//! student = "S-2026-0042"
//! rubric = "oscilloscope-setup-measurement"   # an id, or a path to a .toml rubric
//! start_at = "2026-11-29T09:00:00.000Z"       # optional; default: so that it ends now
//! finish = true                                # optional; default true
//! hash_student = false                         # record a salted pseudonym instead of the id
//!
//! [[tick]]
//! at_s = 40                                    # seconds after the start
//! step = "set-timebase"
//! verdict = "pass"                             # pass | fail | not-applicable
//! level = "Competent"                          # when the step has levels
//! note = "Four periods on screen."
//! media = ["scope-square-wave.png"]            # relative to the script's folder
//!
//! [[note]]
//! at_s = 55
//! text = "Student asked to repeat the trigger step."
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use benchproof_domain::rubric::line_column;
use benchproof_domain::{Assessment, AssessmentId, EventBody, StepId, Timestamp, Verdict};
use serde::Deserialize;

use crate::capture::{render, Absorbed, Rig};
use crate::rubrics::{self, RubricSource};
use crate::{media_type_for, Clock, ManualClock, Station, StationError, SystemClock};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub student: String,
    pub rubric: String,
    #[serde(default)]
    pub start_at: Option<Timestamp>,
    #[serde(default = "default_true")]
    pub finish: bool,
    #[serde(default)]
    pub abandon: Option<String>,
    /// Record a pseudonym (see [`crate::trust::pseudonym`]) instead of the student's identifier.
    #[serde(default)]
    pub hash_student: bool,
    #[serde(default)]
    pub tick: Vec<ScriptTick>,
    #[serde(default)]
    pub note: Vec<ScriptNote>,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptTick {
    pub at_s: f64,
    pub step: String,
    pub verdict: Verdict,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub media: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptNote {
    pub at_s: f64,
    pub text: String,
}

/// Where a script's evidence files come from.
#[derive(Debug, Clone, Copy)]
pub enum MediaSource<'a> {
    /// Files relative to this folder (the script's own).
    Dir(&'a Path),
    /// Named blobs compiled into the binary (the demo).
    Embedded(&'a [(&'a str, &'a [u8])]),
}

/// How a script's ticks get their video and audio snippets.
#[derive(Debug, Default)]
pub enum ScriptCapture {
    /// Only the evidence files the script names.
    None,
    /// Snippets of the simulated devices, rendered for the window around each tick that wants
    /// video or audio ([`crate::capture::render`]). Fast: the script is not played in real time.
    #[default]
    Rendered,
    /// Played in real time on a live rig (real devices, or simulated ones standing in).
    Live(Box<Rig>),
}

/// What a running script reports, step by step, for progress bars.
#[derive(Debug, Clone)]
pub enum Progress {
    Planned { actions: u64 },
    Done { action: String },
}

impl Script {
    /// Parses a script, with line and column in the error.
    pub fn parse(path: &Path, text: &str) -> Result<Script, StationError> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
            StationError::Script { path: path.to_owned(), message: format!("{line}:{column}: {}", e.message().trim()) }
        })
    }

    pub fn load(path: &Path) -> Result<Script, StationError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| StationError::Io { path: path.to_owned(), source })?;
        Self::parse(path, &text)
    }
}

enum Action<'a> {
    Tick(&'a ScriptTick),
    Note(&'a ScriptNote),
}

impl Action<'_> {
    fn at_s(&self) -> f64 {
        match self {
            Action::Tick(t) => t.at_s,
            Action::Note(n) => n.at_s,
        }
    }
}

/// Runs a script on the station in `data_dir` and returns the new assessment's id.
///
/// The whole script is first checked against the rubric in memory, so a script with a mistake
/// is refused before anything is recorded.
pub fn run(
    data_dir: &Path,
    script_path: &Path,
    script: &Script,
    media: MediaSource<'_>,
    capture: ScriptCapture,
    progress: &mut dyn FnMut(Progress),
) -> Result<AssessmentId, StationError> {
    let fail = |message: String| StationError::Script { path: script_path.to_owned(), message };
    let rubric = resolve_rubric(data_dir, script_path, &script.rubric)?;
    let mut actions: Vec<Action<'_>> =
        script.tick.iter().map(Action::Tick).chain(script.note.iter().map(Action::Note)).collect();
    if let Some(bad) = actions.iter().find(|a| !(a.at_s().is_finite() && a.at_s() >= 0.0)) {
        return Err(fail(format!("at_s = {} must be a number of seconds, 0 or more", bad.at_s())));
    }
    actions.sort_by(|a, b| a.at_s().total_cmp(&b.at_s()));
    dry_run(script, &rubric, &actions).map_err(|e| fail(e.to_string()))?;
    for t in &script.tick {
        for m in &t.media {
            open_media(media, m).map_err(|e| fail(format!("media {m:?} for step {:?}: {e}", t.step)))?;
        }
    }

    // Without a start time, the script is played as if it had just happened: it ends now. Live,
    // it starts now and takes as long as it says.
    let duration_ms = (actions.last().map_or(0.0, |a| a.at_s()) * 1000.0).round() as i64 + 1000;
    let live = matches!(capture, ScriptCapture::Live(_));
    let start = match (&capture, script.start_at) {
        (ScriptCapture::Live(_), _) => SystemClock.now(),
        (_, Some(at)) => at,
        (_, None) => SystemClock.now().plus_millis(-duration_ms),
    };
    let started = std::time::Instant::now();
    let clock = Arc::new(ManualClock::new(start));
    let at = |s: f64| start.plus_millis((s * 1000.0).round() as i64);
    let mut station = Station::open_with_clock(data_dir, Box::new(Arc::clone(&clock)))?;
    let media_count: usize = script.tick.iter().map(|t| t.media.len()).sum();
    progress(Progress::Planned { actions: (actions.len() + media_count + 2) as u64 });

    let student = if script.hash_student {
        let salt = crate::trust::StationFiles::in_dir(data_dir).student_salt()?;
        crate::trust::pseudonym(&salt, &script.student)
    } else {
        script.student.clone()
    };
    let mut session = station.create_assessment(&rubric, &student)?;
    session.start()?;
    progress(Progress::Done { action: format!("started assessment of {}", script.student) });
    let rig = match &capture {
        ScriptCapture::Live(rig) => Some(rig.as_ref()),
        _ => None,
    };
    for action in &actions {
        if live {
            // Wait for the action's moment, recording what the devices do meanwhile.
            let due = started + std::time::Duration::from_secs_f64(action.at_s());
            while let Some(left) = due.checked_duration_since(std::time::Instant::now()) {
                let events = rig.map(|r| r.wait(left.min(std::time::Duration::from_millis(200)))).unwrap_or_default();
                report_absorbed(&session.absorb(events)?, progress);
            }
        }
        clock.set(at(action.at_s()));
        match action {
            Action::Tick(t) => {
                let step = StepId::new(&t.step);
                let record = session.tick_and_capture(rig, &step, t.verdict, t.level.as_deref(), t.note.as_deref())?;
                progress(Progress::Done { action: format!("ticked {} {}", t.step, t.verdict.as_str()) });
                if matches!(capture, ScriptCapture::Rendered) {
                    render_for_tick(data_dir, &mut session, &step, record.seq, t.at_s)?;
                }
                for m in &t.media {
                    let reader = open_media(media, m).map_err(|e| fail(format!("media {m:?}: {e}")))?;
                    let name = Path::new(m).file_name().map_or(m.clone(), |n| n.to_string_lossy().into_owned());
                    session.attach(Some(&step), &name, media_type_for(Path::new(m)), reader, at(t.at_s))?;
                    progress(Progress::Done { action: format!("saved {name}") });
                }
            }
            Action::Note(n) => {
                session.note(&n.text)?;
                progress(Progress::Done { action: "note".into() });
            }
        }
    }
    if let ScriptCapture::Live(rig) = capture {
        // Give the last snippets their post-roll, then stop the devices.
        let post = session.assessment().rubric.steps.iter().map(|s| s.post_roll_s).fold(0.0, f64::max);
        std::thread::sleep(std::time::Duration::from_secs_f64(post + 0.5));
        report_absorbed(&session.absorb(rig.stop())?, progress);
    }
    let end = if live { SystemClock.now() } else { at(actions.last().map_or(0.0, |a| a.at_s()) + 1.0) };
    clock.set(end);
    if let Some(reason) = &script.abandon {
        session.abandon(reason)?;
    } else if script.finish {
        session.finish()?;
    }
    progress(Progress::Done { action: "finished".into() });
    Ok(session.id())
}

/// Renders and attaches the simulated snippet of a tick whose step wants video or audio.
fn render_for_tick(
    data_dir: &Path,
    session: &mut crate::Session<'_>,
    step: &StepId,
    tick_seq: u64,
    at_s: f64,
) -> Result<(), StationError> {
    use benchproof_domain::rubric::EvidenceKind;
    let Some(s) = session.assessment().rubric.step(step).cloned() else { return Ok(()) };
    if !s.evidence.iter().any(|e| matches!(e, EvidenceKind::Video | EvidenceKind::Audio)) {
        return Ok(());
    }
    let (_, dir) = crate::capture::rig::capture_dirs(data_dir);
    std::fs::create_dir_all(&dir).map_err(|source| StationError::Io { path: dir.clone(), source })?;
    let name = format!("{step}-{tick_seq}.mp4");
    let path = dir.join(format!("rendered-{}-{name}", session.id()));
    let pre = std::time::Duration::from_secs_f64(s.pre_roll_s.max(0.0));
    let post = std::time::Duration::from_secs_f64(s.post_roll_s.max(0.0));
    let file = render::render_simulated(&path, at_s, pre, post)?;
    let reader =
        std::fs::File::open(&file.path).map_err(|source| StationError::Io { path: file.path.clone(), source })?;
    let captured_at = session.now();
    session.attach(Some(step), &name, "video/mp4", reader, captured_at)?;
    let _ = std::fs::remove_file(&file.path);
    Ok(())
}

fn report_absorbed(absorbed: &[Absorbed], progress: &mut dyn FnMut(Progress)) {
    for a in absorbed {
        let action = match a {
            Absorbed::SnippetSaved { name, .. } => format!("saved {name}"),
            Absorbed::SnippetFailed { step, reason } => format!("snippet for {step} failed: {reason}"),
            Absorbed::DeviceLost { device, reason } => format!("device lost: {device}: {reason}"),
            Absorbed::DeviceRestored { device } => format!("device restored: {device}"),
            Absorbed::Elsewhere(_) => continue,
        };
        progress(Progress::Done { action });
    }
}

fn resolve_rubric(data_dir: &Path, script_path: &Path, reference: &str) -> Result<RubricSource, StationError> {
    if reference.ends_with(".toml") {
        let base = script_path.parent().unwrap_or(Path::new("."));
        return rubrics::load_file(&base.join(reference));
    }
    rubrics::find(data_dir, reference)
}

/// Plays the script against an in-memory assessment: the domain's own checks, no IO.
fn dry_run(script: &Script, rubric: &RubricSource, actions: &[Action<'_>]) -> Result<(), String> {
    let id = AssessmentId::from_uuid(uuid::Uuid::now_v7()).expect("v7");
    let t0 = Timestamp::from_unix_millis(0);
    let (mut a, _) = Assessment::create(id, rubric.rubric.clone(), &script.student, t0).map_err(|e| e.to_string())?;
    let push = |a: &mut Assessment, body: EventBody, what: String| {
        a.next_record(t0, body).and_then(|r| a.apply(&r)).map_err(|e| format!("{what}: {e}"))
    };
    push(&mut a, EventBody::Started {}, "start".into())?;
    for action in actions {
        match action {
            Action::Tick(t) => push(
                &mut a,
                EventBody::StepTicked {
                    step: StepId::new(&t.step),
                    verdict: t.verdict,
                    level: t.level.clone(),
                    note: t.note.clone(),
                },
                format!("tick of {:?} at {} s", t.step, t.at_s),
            )?,
            Action::Note(n) => push(&mut a, EventBody::Note { text: n.text.clone() }, format!("note at {} s", n.at_s))?,
        }
    }
    Ok(())
}

fn open_media<'a>(source: MediaSource<'a>, name: &str) -> Result<Box<dyn std::io::Read + 'a>, String> {
    match source {
        MediaSource::Dir(dir) => {
            let path: PathBuf = dir.join(name);
            std::fs::File::open(&path)
                .map(|f| Box::new(f) as Box<dyn std::io::Read + 'a>)
                .map_err(|e| format!("cannot open {}: {e}", path.display()))
        }
        MediaSource::Embedded(blobs) => blobs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, bytes)| Box::new(std::io::Cursor::new(*bytes)) as Box<dyn std::io::Read + 'a>)
            .ok_or_else(|| format!("no embedded media named {name:?}")),
    }
}
