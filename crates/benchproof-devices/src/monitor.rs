//! Turns the `Lost`/`Restored` events of many sources into per-device notices for the station
//! (which records `device_lost`/`device_restored` and warns the proctor).
//!
//! Invariant: for each device, notices alternate — `Lost`, `Restored`, `Lost`, … — starting with
//! `Lost`; repeated or out-of-order events from a source are absorbed, never passed on.

use std::collections::BTreeMap;

use benchproof_capture::SourceEvent;
use serde::Serialize;

/// A change in one device's health.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeviceNotice {
    /// The device stopped delivering; `reason` is for people.
    Lost { device: String, reason: String },
    /// The device is delivering again.
    Restored { device: String },
}

/// Tracks which devices are currently lost.
#[derive(Debug, Default)]
pub struct DeviceMonitor {
    /// Device id → the reason it is lost; absent means healthy.
    lost: BTreeMap<String, String>,
}

impl DeviceMonitor {
    /// A monitor with every device healthy.
    pub fn new() -> DeviceMonitor {
        DeviceMonitor::default()
    }

    /// Looks at one event from `device`; returns a notice when its health changed. Media events
    /// and repeats return `None`.
    pub fn observe(&mut self, device: &str, event: &SourceEvent) -> Option<DeviceNotice> {
        match event {
            SourceEvent::Lost { reason } => {
                if self.lost.contains_key(device) {
                    return None;
                }
                self.lost.insert(device.to_string(), reason.clone());
                Some(DeviceNotice::Lost { device: device.to_string(), reason: reason.clone() })
            }
            SourceEvent::Restored => {
                self.lost.remove(device)?;
                Some(DeviceNotice::Restored { device: device.to_string() })
            }
            SourceEvent::Video(_) | SourceEvent::Audio(_) => None,
        }
    }

    /// True when `device` is currently lost.
    pub fn is_lost(&self, device: &str) -> bool {
        self.lost.contains_key(device)
    }

    /// Every lost device with its reason, sorted by id (for a warning banner).
    pub fn lost(&self) -> impl Iterator<Item = (&str, &str)> {
        self.lost.iter().map(|(device, reason)| (device.as_str(), reason.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use benchproof_capture::{AudioBuffer, ClockTime};

    fn lost(reason: &str) -> SourceEvent {
        SourceEvent::Lost { reason: reason.to_string() }
    }

    #[test]
    fn notices_alternate_per_device_and_absorb_repeats() {
        let mut m = DeviceMonitor::new();
        let audio = SourceEvent::Audio(AudioBuffer { at: ClockTime::ZERO, sample_rate: 48_000, samples: vec![0.0] });
        assert_eq!(m.observe("mic", &audio), None);
        assert_eq!(m.observe("mic", &SourceEvent::Restored), None, "restored without lost is absorbed");
        assert_eq!(
            m.observe("mic", &lost("stalled")),
            Some(DeviceNotice::Lost { device: "mic".into(), reason: "stalled".into() })
        );
        assert_eq!(m.observe("mic", &lost("again")), None);
        assert_eq!(m.observe("cam", &lost("unplugged")).map(|_| ()), Some(()));
        assert!(m.is_lost("mic") && m.is_lost("cam"));
        assert_eq!(m.lost().collect::<Vec<_>>(), [("cam", "unplugged"), ("mic", "stalled")]);
        assert_eq!(m.observe("mic", &SourceEvent::Restored), Some(DeviceNotice::Restored { device: "mic".into() }));
        assert!(!m.is_lost("mic") && m.is_lost("cam"));
    }

    #[test]
    fn notices_serialise_with_a_kind_tag() {
        let json = serde_json::to_string(&DeviceNotice::Restored { device: "camera:/dev/video0".into() }).unwrap();
        assert_eq!(json, r#"{"kind":"restored","device":"camera:/dev/video0"}"#);
    }
}
