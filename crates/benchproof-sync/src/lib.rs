//! The station's side of sync (`docs/sync-protocol.md`): a tus 1.0 client that signs its
//! requests, and the worker that drives the outbox to the department server.
//!
//! Diff → plan → execute:
//! - diff: the store's outbox rows ([`benchproof_store::SyncItem`]);
//! - plan: [`plan::plan`], a pure function of the rows, the time, connectivity and the
//!   [`plan::Policy`], with [`plan::next_attempt`] for backoff with seeded jitter;
//! - execute: [`SyncWorker::run_once`] uploads with [`TusClient`], accepts receipts with
//!   [`receipts::accept`] (verified with `benchproof-tlog`, log consistency checked against the
//!   last checkpoint kept) and records every outcome.
//!
//! [`schedule`] downloads the station's micro-event schedule into the store and reports the
//! check-ins made from it (outbox-style, each once).
//!
//! [`signing`] is RFC 9421 request signing (also usable by a server to verify). Nothing here
//! deletes a bundle: a bundle leaves the queue only as delivered, with a verified receipt.

pub mod error;
pub mod plan;
pub mod receipts;
pub mod schedule;
pub mod signing;
pub mod throttle;
pub mod tus;
pub mod worker;

pub use error::{Problem, TusError};
pub use plan::{Action, Connectivity, FailureKind, OutboxItem, Policy};
pub use tus::{Capabilities, Completion, Progress, StationIdentity, TusClient, TusConfig};
pub use worker::{SyncConfig, SyncReport, SyncWorker};
