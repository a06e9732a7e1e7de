//! One assessment in progress at the bench.

use std::io::Read;
use std::path::Path;

use benchproof_domain::assessment::SnippetRecord;
use benchproof_domain::{Assessment, AssessmentId, EventBody, EventRecord, SnippetId, StepId, Timestamp, Verdict};

use crate::{Station, StationError};

/// An open assessment. Every method makes its event durable before it returns: what the
/// proctor saw acknowledged survives a crash or power loss.
#[derive(Debug)]
pub struct Session<'s> {
    station: &'s mut Station,
    assessment: Assessment,
}

impl<'s> Session<'s> {
    pub(crate) fn new(station: &'s mut Station, assessment: Assessment) -> Self {
        Session { station, assessment }
    }

    pub fn id(&self) -> AssessmentId {
        self.assessment.id
    }

    pub fn assessment(&self) -> &Assessment {
        &self.assessment
    }

    /// The station's time now.
    pub fn now(&self) -> Timestamp {
        self.station.clock.now()
    }

    /// Validate with the state machine, persist, then apply: nothing changes unless all three hold.
    pub(crate) fn commit_event(&mut self, body: EventBody) -> Result<EventRecord, StationError> {
        self.commit(body)
    }

    fn commit(&mut self, body: EventBody) -> Result<EventRecord, StationError> {
        let record = self.assessment.next_record(self.station.clock.now(), body)?;
        self.station.store.append(&record)?;
        self.assessment.apply(&record).expect("a record validated by next_record applies");
        Ok(record)
    }

    pub fn start(&mut self) -> Result<EventRecord, StationError> {
        self.commit(EventBody::Started {})
    }

    pub fn tick(
        &mut self,
        step: &StepId,
        verdict: Verdict,
        level: Option<&str>,
        note: Option<&str>,
    ) -> Result<EventRecord, StationError> {
        self.commit(EventBody::StepTicked {
            step: step.clone(),
            verdict,
            level: level.map(str::to_owned),
            note: note.filter(|n| !n.trim().is_empty()).map(str::to_owned),
        })
    }

    /// Withdraws the most recent tick that still counts (the proctor's "undo"). The tick stays
    /// in the log, marked withdrawn; the step goes back to its earlier tick, or to unticked.
    pub fn undo_tick(&mut self) -> Result<EventRecord, StationError> {
        let tick = self.assessment.last_live_tick().map(|t| t.seq).ok_or(StationError::NothingToUndo)?;
        self.commit(EventBody::TickWithdrawn { tick })
    }

    pub fn note(&mut self, text: &str) -> Result<EventRecord, StationError> {
        self.commit(EventBody::Note { text: text.to_owned() })
    }

    pub fn device_lost(&mut self, device: &str, reason: &str) -> Result<EventRecord, StationError> {
        self.commit(EventBody::DeviceLost { device: device.to_owned(), reason: reason.to_owned() })
    }

    pub fn device_restored(&mut self, device: &str) -> Result<EventRecord, StationError> {
        self.commit(EventBody::DeviceRestored { device: device.to_owned() })
    }

    pub fn finish(&mut self) -> Result<EventRecord, StationError> {
        self.commit(EventBody::Finished {})
    }

    pub fn abandon(&mut self, reason: &str) -> Result<EventRecord, StationError> {
        self.commit(EventBody::Abandoned { reason: reason.to_owned() })
    }

    /// Streams a piece of evidence into the media store and records it against `step`.
    pub fn attach(
        &mut self,
        step: Option<&StepId>,
        name: &str,
        media_type: &str,
        reader: impl Read,
        captured_at: Timestamp,
    ) -> Result<SnippetRecord, StationError> {
        // Check first, so a refused attachment stores no bytes.
        let probe = EventBody::SnippetSaved {
            snippet: new_snippet_id(),
            step: step.cloned(),
            name: name.to_owned(),
            media_type: media_type.to_owned(),
            sha256: benchproof_domain::Sha256::ZERO,
            bytes: 0,
            captured_at,
        };
        self.assessment.check(&probe)?;
        let media = self.station.store.ingest_media(reader, self.station.clock.now())?;
        let EventBody::SnippetSaved { snippet, .. } = probe else { unreachable!("built above") };
        self.commit(EventBody::SnippetSaved {
            snippet,
            step: step.cloned(),
            name: name.to_owned(),
            media_type: media_type.to_owned(),
            sha256: media.sha256,
            bytes: media.bytes,
            captured_at,
        })?;
        Ok(self.assessment.snippets.last().expect("just saved").clone())
    }

    /// Attaches a file, naming it after the file and typing it by its extension.
    pub fn attach_file(&mut self, step: Option<&StepId>, path: &Path) -> Result<SnippetRecord, StationError> {
        let file = std::fs::File::open(path).map_err(|source| StationError::Io { path: path.to_owned(), source })?;
        let name = path.file_name().map_or_else(|| "evidence".to_owned(), |n| n.to_string_lossy().into_owned());
        let now = self.station.clock.now();
        self.attach(step, &name, media_type_for(path), file, now)
    }
}

fn new_snippet_id() -> SnippetId {
    SnippetId::from_uuid(uuid::Uuid::now_v7()).expect("now_v7 makes version 7 UUIDs")
}

/// The media type of an evidence file, from its extension.
pub fn media_type_for(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("bmp") => "image/bmp",
        Some("mp4") => "video/mp4",
        Some("webm") => "video/webm",
        Some("wav") => "audio/wav",
        Some("ogg" | "opus") => "audio/ogg",
        Some("json") => "application/json",
        Some("csv") => "text/csv",
        Some("txt") => "text/plain",
        _ => "application/octet-stream",
    }
}
