//! One network capture: identify the instrument, fetch its screen, read its state.
//!
//! Invariants: a returned [`InstrumentCapture`] always holds a screenshot that decoded; a state
//! query that fails (timeout, unparsable answer) is recorded in the state evidence with its
//! error and never fails the capture; this module reads no clock (the caller supplies
//! `captured_at`).

use serde_json::{json, Value};

use crate::block::BlockLimits;
use crate::picture::{self, Picture, PictureError};
use crate::profile::{self, parse_answer, Profile};
use crate::scpi::{Address, Idn, ScpiClient, ScpiError, Timeouts};
use crate::sha256_hex;

/// Version tag of the state evidence document; bump when a field changes meaning.
pub const STATE_FORMAT: &str = "benchproof-instrument-state/1";

/// Which profile a fetch uses.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileChoice {
    /// The first bundled profile whose match rule fits the instrument's `*IDN?`.
    Detect,
    /// A bundled profile by name (`--profile NAME`).
    Named(String),
    /// A profile the caller loaded (e.g. from a department's own file).
    Given(Box<Profile>),
}

/// What [`fetch`] needs besides the address.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchOptions {
    /// Which profile to use.
    pub profile: ProfileChoice,
    /// When the capture was taken (RFC 3339), recorded in the state evidence.
    pub captured_at: String,
    /// Deadlines overriding the profile's own.
    pub timeouts: Option<Timeouts>,
}

impl FetchOptions {
    /// Auto-detection with the profile's deadlines.
    pub fn detect(captured_at: impl Into<String>) -> Self {
        Self { profile: ProfileChoice::Detect, captured_at: captured_at.into(), timeouts: None }
    }
}

/// A screenshot and state fetched from one instrument.
#[derive(Debug, Clone)]
pub struct InstrumentCapture {
    /// The instrument's identity.
    pub idn: Idn,
    /// The profile used.
    pub profile: String,
    /// The screen as PNG, with a thumbnail.
    pub screenshot: Picture,
    /// The "instrument state" evidence document (format [`STATE_FORMAT`]).
    pub state: Value,
}

impl InstrumentCapture {
    /// State queries that failed (their errors are in [`InstrumentCapture::state`]).
    pub fn failed_queries(&self) -> Vec<String> {
        let queries = self.state["queries"].as_array().map(Vec::as_slice).unwrap_or_default();
        queries
            .iter()
            .filter(|q| q.get("error").is_some())
            .filter_map(|q| q["name"].as_str().map(str::to_owned))
            .collect()
    }
}

/// Why a capture could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Talking to the instrument failed (connect, `*IDN?` or the screen dump).
    #[error(transparent)]
    Scpi(#[from] ScpiError),
    /// `--profile` named no bundled profile.
    #[error("there is no instrument profile named `{name}`; available: {}", available.join(", "))]
    UnknownProfile {
        /// What was asked for.
        name: String,
        /// The bundled profile names.
        available: Vec<String>,
    },
    /// No bundled profile fits the instrument.
    #[error(
        "no instrument profile matches `{}` at {address}; pass a profile explicitly (available: {})",
        idn.raw,
        available.join(", ")
    )]
    NoProfile {
        /// The instrument.
        address: Address,
        /// Its identity.
        idn: Box<Idn>,
        /// The bundled profile names.
        available: Vec<String>,
    },
    /// The screen dump arrived but is not a usable image.
    #[error("the screen dump from {address} (`{command}`) is not a usable image: {source}")]
    Picture {
        /// The instrument.
        address: Address,
        /// The screenshot command.
        command: String,
        /// What is wrong with the image.
        source: PictureError,
    },
}

/// Connects to `address` (`HOST[:PORT]`, port 5025 by default), identifies the instrument, and
/// fetches its screen and state as the chosen profile says.
pub fn fetch(address: &str, options: &FetchOptions) -> Result<InstrumentCapture, FetchError> {
    let address = Address::parse(address)?;
    let named =
        match &options.profile {
            ProfileChoice::Named(name) => Some(profile::find(name).ok_or_else(|| FetchError::UnknownProfile {
                name: name.clone(),
                available: profile::bundled_names(),
            })?),
            ProfileChoice::Given(p) => Some((**p).clone()),
            ProfileChoice::Detect => None,
        };
    let first_timeouts = options.timeouts.or(named.as_ref().map(|p| p.timeouts)).unwrap_or_default();
    let mut client = ScpiClient::connect_to(address.clone(), first_timeouts)?;
    let idn = client.idn()?;
    let profile = match named {
        Some(p) => p,
        None => {
            let bundled = profile::bundled();
            profile::detect(&idn, &bundled).cloned().ok_or_else(|| FetchError::NoProfile {
                address: address.clone(),
                idn: Box::new(idn.clone()),
                available: bundled.iter().map(|p| p.name.clone()).collect(),
            })?
        }
    };
    client.set_timeouts(options.timeouts.unwrap_or(profile.timeouts));
    client.set_block_limits(BlockLimits { indefinite: profile.screenshot.indefinite, ..BlockLimits::default() });

    let command = &profile.screenshot.command;
    let raw = client.query_binary(command, profile.screenshot.framing)?;
    let screenshot = picture::normalise(&raw).map_err(|source| FetchError::Picture {
        address: address.clone(),
        command: command.clone(),
        source,
    })?;
    let queries = read_state(&mut client, &profile);
    let state = json!({
        "format": STATE_FORMAT,
        "captured_at": options.captured_at,
        "address": address.to_string(),
        "instrument": &idn,
        "profile": { "name": profile.name, "title": profile.title },
        "screenshot": {
            "command": command,
            "format_expected": profile.screenshot.format.as_str(),
            "format_received": screenshot.source_format.as_str(),
            "received_bytes": raw.len(),
            "width": screenshot.width,
            "height": screenshot.height,
            "png_sha256": sha256_hex(&screenshot.png),
        },
        "queries": queries,
    });
    Ok(InstrumentCapture { idn, profile: profile.name, screenshot, state })
}

/// Asks every state query in order; each answer, parse failure or skip becomes one JSON entry.
fn read_state(client: &mut ScpiClient, profile: &Profile) -> Vec<Value> {
    let mut entries: Vec<Value> = Vec::with_capacity(profile.queries.len());
    for query in &profile.queries {
        let mut entry = json!({ "name": query.name, "command": query.command });
        if let Some(unit) = &query.unit {
            entry["unit"] = json!(unit);
        }
        if let Some(when) = &query.when {
            let condition = entries.iter().find(|e| e["name"] == json!(when));
            if condition.and_then(|e| e.get("value")) != Some(&Value::Bool(true)) {
                entry["skipped"] = json!(format!("`{when}` is not true"));
                entries.push(entry);
                continue;
            }
        }
        match client.query(&query.command) {
            Ok(raw) => {
                entry["raw"] = json!(raw);
                match parse_answer(query.kind, &query.values, &raw) {
                    Ok(value) => entry["value"] = value,
                    Err(e) => entry["error"] = json!(e.to_string()),
                }
            }
            Err(e) => entry["error"] = json!(e.to_string()),
        }
        entries.push(entry);
    }
    entries
}
