//! Background threads that keep the windows current: the desk pump (snippets and device
//! changes, every 200 ms), the preview ticker (a `preview-frame` event per new camera frame), the
//! audio meter (an `audio-level` event every 100 ms: RMS and peak since the last one, never the
//! samples) and the background sync (one pass to the department server every 30 s when one is configured).
//!
//! Invariant: no thread holds the desk's lock between iterations (the sync pass holds it not at
//! all: it runs on a station of its own), and all stop when the app handle's event loop is gone
//! (an emit fails).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use benchproof_devices::DeviceNotice;
use benchproof_station::desk::Desk;
use benchproof_station::{Clock, SystemClock};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

use crate::commands::announce_change;
use crate::dto::{AudioLevelEvent, DeviceEvent};

const PUMP_EVERY: Duration = Duration::from_millis(200);
const PREVIEW_EVERY: Duration = Duration::from_millis(15);
const SYNC_EVERY: Duration = Duration::from_secs(30);
const METER_EVERY: Duration = Duration::from_millis(100);

/// Payload of `preview-frame`: which camera has a new frame; the frame itself is fetched by URL.
#[derive(Debug, Clone, Serialize)]
struct PreviewFrame<'a> {
    device: &'a str,
    seq: u64,
}

/// Starts the threads.
pub fn start<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>) {
    let (app3, desk3) = (app.clone(), desk.clone());
    std::thread::Builder::new()
        .name("background-sync".into())
        .spawn(move || sync(&app3, &desk3))
        .expect("spawning a thread at start-up");
    let (app4, desk4) = (app.clone(), desk.clone());
    std::thread::Builder::new()
        .name("audio-meter".into())
        .spawn(move || meter(&app4, &desk4))
        .expect("spawning a thread at start-up");
    let (app2, desk2) = (app.clone(), desk.clone());
    std::thread::Builder::new()
        .name("desk-pump".into())
        .spawn(move || pump(&app2, &desk2))
        .expect("spawning a thread at start-up");
    std::thread::Builder::new()
        .name("preview-ticker".into())
        .spawn(move || preview(&app, &desk))
        .expect("spawning a thread at start-up");
}

fn pump<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    loop {
        std::thread::sleep(PUMP_EVERY);
        // A failed pump (e.g. a full disk) is retried next time; the rig keeps its outcomes.
        let Ok(report) = desk.pump() else { continue };
        let at = SystemClock.now().to_string();
        let changed = report.changed();
        for notice in report.devices {
            let event = match notice {
                DeviceNotice::Lost { device, reason } => DeviceEvent::Lost { device, reason, at: at.clone() },
                DeviceNotice::Restored { device } => DeviceEvent::Restored { device, at: at.clone() },
            };
            if app.emit("device-event", event).is_err() {
                return;
            }
        }
        if changed {
            announce_change(app);
        }
    }
}

fn meter<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    loop {
        std::thread::sleep(METER_EVERY);
        let Some((device, level)) = desk.audio_level() else { continue };
        if app.emit("audio-level", AudioLevelEvent::new(device, level)).is_err() {
            return;
        }
    }
}

fn sync<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    // The schedule is stored on every pass; only a new revision changes what the UI shows.
    let mut schedule_revision = None;
    loop {
        std::thread::sleep(SYNC_EVERY);
        // Per-bundle failures are recorded in the store by the worker; an error here (e.g. the
        // station lost its enrolment) is shown by the queue screen and retried next time.
        let Ok(Some(report)) = desk.sync_now() else { continue };
        let schedule_changed = report.schedule.as_ref().is_some_and(|s| {
            let new_revision = s.revision.is_some() && s.revision != schedule_revision;
            schedule_revision = s.revision.or(schedule_revision);
            new_revision || !s.reported.is_empty() || !s.refused.is_empty()
        });
        let changed =
            schedule_changed || !(report.delivered.is_empty() && report.failed.is_empty() && report.gave_up.is_empty());
        if changed && app.emit(crate::commands::STATION_CHANGED, ()).is_err() {
            return;
        }
    }
}

fn preview<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    let mut last: HashMap<String, u64> = HashMap::new();
    loop {
        std::thread::sleep(PREVIEW_EVERY);
        for (device, seq) in desk.frame_seqs() {
            if last.get(&device) == Some(&seq) {
                continue;
            }
            if app.emit("preview-frame", PreviewFrame { device: &device, seq }).is_err() {
                return;
            }
            last.insert(device, seq);
        }
    }
}
