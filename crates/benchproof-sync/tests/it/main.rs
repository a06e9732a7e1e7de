//! Integration tests of the sync crate: the pure planner (tables and properties), the tus client
//! against the independent `@tus/server` (directly and through a fault-injecting proxy), and the
//! worker end to end against a small department stand-in that issues real receipts, and against
//! the real department server through cuts, a stall, a restart, a lost answer
//! (`server_faults`) and a full disk (`disk_full`); the micro-event schedule and check-ins against
//! the real server (`schedule`).

mod department;
mod disk_full;
mod plan;
mod proxy;
mod schedule;
mod sealed;
mod server_faults;
mod tus_interop;
mod tus_server;
mod worker;

use benchproof_evidence::{SecretSeed, SigningKey};
use benchproof_sync::StationIdentity;

pub use sealed::Rng;

pub fn key(n: u8) -> SigningKey {
    SigningKey::from_seed(&SecretSeed::from_bytes([n; 32])).expect("seed")
}

/// A station identity with a stand-in enrolment (the independent server ignores it).
pub fn identity() -> StationIdentity {
    StationIdentity { key: key(11), enrolment: serde_json::json!({"type": "BenchproofEnrolment", "test": true}) }
}
