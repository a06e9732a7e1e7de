//! Which ALSA PCMs a proctor is shown as microphones: a pure rule over what ALSA lists.
//!
//! ALSA lists every PCM plugin its configuration defines (`jack`, `oss`, `speex`, `upmix`,
//! `dmix`, `surround51`, …), most of which are not inputs or only wrap another device. The rule:
//! - `default`, then `pulse` and `pipewire` when present, in that order;
//! - one entry per sound card, from its `sysdefault:` PCM, else `plughw:`, else `hw:` (lowest
//!   device number first), labelled with the card's description;
//! - nothing else.
//!
//! Cards are listed by ALSA both by id (`CARD=PCH`) and, from cpal's own probing, by index
//! (`CARD=0`); `card_ids` maps indices to ids so that a card appears once. Ids are the PCM names
//! themselves, unchanged, so a saved choice keeps resolving.

use std::collections::BTreeMap;

/// One PCM as ALSA lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pcm {
    /// The PCM name, e.g. `default` or `plughw:CARD=PCH,DEV=0`.
    pub name: String,
    /// The first line of ALSA's description, e.g. `HDA Intel PCH, ALC892 Analog`.
    pub description: Option<String>,
}

/// The virtual inputs kept, in the order they are shown.
const SERVERS: [&str; 3] = ["default", "pulse", "pipewire"];
/// Per-card PCM kinds kept, best first: `sysdefault` shares the card and converts formats,
/// `plughw` converts, `hw` is the raw device.
const CARD_KINDS: [&str; 3] = ["sysdefault", "plughw", "hw"];

/// The PCMs to offer, in order, each with a label for people. `card_ids` maps a card index (as
/// in `/proc/asound/card<N>/id`) to the card's id.
pub(crate) fn choose(pcms: &[Pcm], card_ids: &BTreeMap<u32, String>) -> Vec<(String, String)> {
    let mut chosen = Vec::new();
    for server in SERVERS {
        if let Some(pcm) = pcms.iter().find(|p| p.name == server) {
            let label = match server {
                "default" => "System default input".to_string(),
                _ => pcm.description.clone().unwrap_or_else(|| pcm.name.clone()),
            };
            chosen.push((pcm.name.clone(), label));
        }
    }
    // Card id → (kind rank, device number, pcm) of the best PCM seen so far.
    let mut cards: BTreeMap<String, (usize, u32, &Pcm)> = BTreeMap::new();
    for pcm in pcms {
        let Some((rank, card, device)) = card_pcm(&pcm.name) else { continue };
        let card = card.parse::<u32>().ok().and_then(|i| card_ids.get(&i).cloned()).unwrap_or(card);
        let better = cards.get(&card).is_none_or(|&(r, d, _)| (rank, device) < (r, d));
        if better {
            cards.insert(card, (rank, device, pcm));
        }
    }
    for (card, (_, _, pcm)) in cards {
        let label = pcm.description.clone().unwrap_or_else(|| format!("Sound card {card}"));
        chosen.push((pcm.name.clone(), label));
    }
    chosen
}

/// `(kind rank, card, device)` of a per-card PCM name such as `plughw:CARD=PCH,DEV=0`,
/// `sysdefault:CARD=PCH` or `hw:0,1`; None for anything else.
fn card_pcm(name: &str) -> Option<(usize, String, u32)> {
    let (kind, args) = name.split_once(':')?;
    let rank = CARD_KINDS.iter().position(|k| *k == kind)?;
    let (mut card, mut device) = (None, 0);
    for (i, arg) in args.split(',').enumerate() {
        let (key, value) = match arg.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None if i == 0 => ("CARD", arg.trim()),
            None if i == 1 => ("DEV", arg.trim()),
            None => return None,
        };
        match key {
            "CARD" if !value.is_empty() => card = Some(value.to_string()),
            "DEV" => device = value.parse().ok()?,
            _ => return None,
        }
    }
    Some((rank, card?, device))
}

/// Card indices to ids from `/proc/asound/card<N>/id`; empty where there is no `/proc/asound`.
pub(crate) fn card_ids() -> BTreeMap<u32, String> {
    let mut ids = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc/asound") else { return ids };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(index) = name.to_str().and_then(|n| n.strip_prefix("card")).and_then(|n| n.parse().ok()) else {
            continue;
        };
        if let Ok(id) = std::fs::read_to_string(entry.path().join("id")) {
            ids.insert(index, id.trim().to_string());
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcm(name: &str, description: Option<&str>) -> Pcm {
        Pcm { name: name.to_string(), description: description.map(str::to_string) }
    }

    /// What ALSA lists on a desktop with PulseAudio and one onboard card plus a USB microphone.
    fn desktop() -> Vec<Pcm> {
        vec![
            pcm("null", Some("Discard all samples (playback) or generate zero samples (capture)")),
            pcm("jack", Some("JACK Audio Connection Kit")),
            pcm("oss", Some("Open Sound System")),
            pcm("pulse", Some("PulseAudio Sound Server")),
            pcm("speex", Some("Plugin using Speex DSP (resample, agc, denoise, echo, dereverb)")),
            pcm("upmix", Some("Plugin for channel upmix (4,6,8)")),
            pcm("vdownmix", Some("Plugin for channel downmix (stereo) with a simple spacialization")),
            pcm("speexrate", Some("Rate Converter Plugin Using Speex Resampler")),
            pcm("default", Some("Default ALSA Output (currently PulseAudio Sound Server)")),
            pcm("hw:CARD=PCH,DEV=0", Some("HDA Intel PCH, ALC892 Analog")),
            pcm("plughw:CARD=PCH,DEV=0", Some("HDA Intel PCH, ALC892 Analog")),
            pcm("sysdefault:CARD=PCH", Some("HDA Intel PCH, ALC892 Analog")),
            pcm("front:CARD=PCH,DEV=0", Some("HDA Intel PCH, ALC892 Analog")),
            pcm("dsnoop:CARD=PCH,DEV=0", Some("HDA Intel PCH, ALC892 Analog")),
            pcm("surround51:CARD=PCH,DEV=0", Some("HDA Intel PCH, ALC892 Analog")),
            pcm("hw:CARD=PCH,DEV=2", Some("HDA Intel PCH, ALC892 Alt Analog")),
            pcm("hw:CARD=Mic,DEV=0", Some("Blue Yeti, USB Audio")),
            pcm("plughw:CARD=Mic,DEV=0", Some("Blue Yeti, USB Audio")),
            // cpal's own probing, by card index.
            pcm("hw:CARD=0,DEV=0", Some("HDA Intel PCH, ALC892 Analog")),
            pcm("plughw:CARD=0,DEV=0", Some("HDA Intel PCH, ALC892 Analog")),
            pcm("hw:CARD=1,DEV=0", Some("Blue Yeti, USB Audio")),
            pcm("plughw:CARD=1,DEV=0", Some("Blue Yeti, USB Audio")),
        ]
    }

    fn ids() -> BTreeMap<u32, String> {
        BTreeMap::from([(0, "PCH".to_string()), (1, "Mic".to_string())])
    }

    #[test]
    fn keeps_default_servers_and_one_pcm_per_card() {
        let chosen = choose(&desktop(), &ids());
        let names: Vec<&str> = chosen.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["default", "pulse", "plughw:CARD=Mic,DEV=0", "sysdefault:CARD=PCH"]);
        assert_eq!(chosen[0].1, "System default input");
        assert_eq!(chosen[1].1, "PulseAudio Sound Server");
        assert_eq!(chosen[2].1, "Blue Yeti, USB Audio");
        assert_eq!(chosen[3].1, "HDA Intel PCH, ALC892 Analog");
    }

    #[test]
    fn cards_known_only_by_index_are_kept_once_each() {
        let pcms: Vec<Pcm> =
            desktop().into_iter().filter(|p| p.name.contains("CARD=0") || p.name.contains("CARD=1")).collect();
        let names: Vec<String> = choose(&pcms, &BTreeMap::new()).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["plughw:CARD=0,DEV=0", "plughw:CARD=1,DEV=0"]);
        let names: Vec<String> = choose(&pcms, &ids()).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["plughw:CARD=1,DEV=0", "plughw:CARD=0,DEV=0"], "ordered by card id: Mic, PCH");
    }

    #[test]
    fn the_lowest_device_wins_within_a_kind_and_pipewire_is_kept() {
        let pcms = vec![
            pcm("hw:CARD=X,DEV=3", None),
            pcm("hw:CARD=X,DEV=1", None),
            pcm("pipewire", Some("PipeWire Sound Server")),
        ];
        assert_eq!(
            choose(&pcms, &BTreeMap::new()),
            [
                ("pipewire".to_string(), "PipeWire Sound Server".to_string()),
                ("hw:CARD=X,DEV=1".to_string(), "Sound card X".to_string())
            ]
        );
    }

    #[test]
    fn plugin_only_and_malformed_names_are_dropped() {
        let pcms: Vec<Pcm> = [
            "jack",
            "oss",
            "speex",
            "upmix",
            "hw:",
            "hw:CARD=",
            "plughw:CARD=A,DEV=x",
            "hw:CARD=A,SUBDEV=1",
            "front:CARD=A,DEV=0",
        ]
        .into_iter()
        .map(|n| pcm(n, None))
        .collect();
        assert!(choose(&pcms, &BTreeMap::new()).is_empty());
        assert_eq!(card_pcm("hw:1,2"), Some((2, "1".to_string(), 2)));
        assert_eq!(card_pcm("sysdefault:CARD=PCH"), Some((0, "PCH".to_string(), 0)));
    }
}
