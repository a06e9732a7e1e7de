//! Capture at the station: the live [`Rig`] of real or simulated devices, and how its snippets
//! and device changes become events of an assessment ([`Session::tick_and_capture`],
//! [`Session::absorb`]).
//!
//! A snippet is tagged `<assessment>/<step>/<tick seq>` when it is requested. The tag travels
//! with the pending snippet through spill files, so a snippet finished after a crash
//! ([`rig::recover`]) still lands on the right step of the right assessment.

pub mod level;
pub mod render;
pub mod rig;

use std::time::Duration;

use benchproof_capture::SnippetOutcome;
use benchproof_devices::DeviceNotice;
use benchproof_domain::rubric::EvidenceKind;
use benchproof_domain::{AssessmentId, EventRecord, StepId, Verdict};

pub use rig::{CaptureSettings, DeviceMode, Rig, RigEvent};

use crate::{Session, StationError};

/// What a snippet was requested for, as written into its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetTag {
    pub assessment: AssessmentId,
    pub step: StepId,
    pub tick_seq: u64,
}

impl SnippetTag {
    pub fn to_tag(&self) -> String {
        format!("{}/{}/{}", self.assessment, self.step, self.tick_seq)
    }

    pub fn parse(tag: &str) -> Option<SnippetTag> {
        let mut parts = tag.splitn(3, '/');
        let assessment = parts.next()?.parse().ok()?;
        let step = StepId::new(parts.next()?);
        let tick_seq = parts.next()?.parse().ok()?;
        Some(SnippetTag { assessment, step, tick_seq })
    }
}

/// What [`Session::absorb`] did with one rig event, for the front end to show.
#[derive(Debug)]
pub enum Absorbed {
    SnippetSaved {
        step: StepId,
        name: String,
        bytes: u64,
    },
    /// The snippet could not be made; a note in the log says why.
    SnippetFailed {
        step: StepId,
        reason: String,
    },
    DeviceLost {
        device: String,
        reason: String,
    },
    DeviceRestored {
        device: String,
    },
    /// An outcome for another assessment (left for that one).
    Elsewhere(SnippetOutcome),
}

impl Session<'_> {
    /// Ticks `step` and, when the rubric wants video or audio of it and a rig runs, asks the rig
    /// for its snippet. The tick is durable when this returns; the snippet follows later.
    pub fn tick_and_capture(
        &mut self,
        rig: Option<&Rig>,
        step: &StepId,
        verdict: Verdict,
        level: Option<&str>,
        note: Option<&str>,
    ) -> Result<EventRecord, StationError> {
        let record = self.tick(step, verdict, level, note)?;
        let wanted = self
            .assessment()
            .rubric
            .step(step)
            .filter(|s| s.evidence.iter().any(|e| matches!(e, EvidenceKind::Video | EvidenceKind::Audio)));
        if let (Some(rig), Some(s)) = (rig, wanted) {
            let tag = SnippetTag { assessment: self.id(), step: step.clone(), tick_seq: record.seq };
            rig.request_snippet(secs(s.pre_roll_s), secs(s.post_roll_s), &tag.to_tag());
        }
        Ok(record)
    }

    /// Records what the rig produced: a finished snippet becomes `snippet_saved` on its step (and
    /// its temporary file is removed), a failed one a note saying why, a device change
    /// `device_lost`/`device_restored`. Outcomes of other assessments are handed back.
    pub fn absorb(&mut self, events: Vec<RigEvent>) -> Result<Vec<Absorbed>, StationError> {
        let mut out = Vec::new();
        for event in events {
            out.push(match event {
                RigEvent::Device(DeviceNotice::Lost { device, reason }) => {
                    self.device_lost(&device, &reason)?;
                    Absorbed::DeviceLost { device, reason }
                }
                RigEvent::Device(DeviceNotice::Restored { device }) => {
                    self.device_restored(&device)?;
                    Absorbed::DeviceRestored { device }
                }
                RigEvent::Snippet(outcome) => self.absorb_snippet(outcome)?,
            });
        }
        Ok(out)
    }

    fn absorb_snippet(&mut self, outcome: SnippetOutcome) -> Result<Absorbed, StationError> {
        if outcome.tag == WHOLE_SESSION_TAG {
            return self.absorb_whole_session(outcome);
        }
        let Some(tag) = SnippetTag::parse(&outcome.tag).filter(|t| t.assessment == self.id()) else {
            return Ok(Absorbed::Elsewhere(outcome));
        };
        let captured_at =
            self.assessment().ticks.iter().find(|t| t.seq == tag.tick_seq).map_or_else(|| self.now(), |t| t.at);
        match outcome.result {
            Ok(file) => {
                let name = format!("{}-{}.mp4", tag.step, tag.tick_seq);
                let reader = std::fs::File::open(&file.path)
                    .map_err(|source| StationError::Io { path: file.path.clone(), source })?;
                let saved = self.attach(Some(&tag.step), &name, "video/mp4", reader, captured_at)?;
                // The bytes are in the cache now; the recorder's copy is no longer needed.
                let _ = std::fs::remove_file(&file.path);
                Ok(Absorbed::SnippetSaved { step: tag.step, name, bytes: saved.bytes })
            }
            Err(e) => {
                let reason = e.to_string();
                self.note(&format!(
                    "The snippet for step {} (tick {}) could not be saved: {reason}",
                    tag.step, tag.tick_seq
                ))?;
                Ok(Absorbed::SnippetFailed { step: tag.step, reason })
            }
        }
    }
}

/// The tag the recorder gives a whole-session recording (`CaptureSettings::whole_session`).
const WHOLE_SESSION_TAG: &str = "session";

impl Session<'_> {
    /// A whole-session recording is evidence of the assessment, not of one step.
    fn absorb_whole_session(&mut self, outcome: SnippetOutcome) -> Result<Absorbed, StationError> {
        let step = StepId::new("whole-session");
        match outcome.result {
            Ok(file) => {
                let name = format!("whole-session-{}.mp4", outcome.ticket.0);
                let reader = std::fs::File::open(&file.path)
                    .map_err(|source| StationError::Io { path: file.path.clone(), source })?;
                let at = self.assessment().started_at.unwrap_or_else(|| self.now());
                let saved = self.attach(None, &name, "video/mp4", reader, at)?;
                let _ = std::fs::remove_file(&file.path);
                Ok(Absorbed::SnippetSaved { step, name, bytes: saved.bytes })
            }
            Err(e) => {
                let reason = e.to_string();
                self.note(&format!("The whole-session recording could not be saved: {reason}"))?;
                Ok(Absorbed::SnippetFailed { step, reason })
            }
        }
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}
