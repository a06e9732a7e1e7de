//! The department server: enrolled stations upload sealed bundles over tus 1.0.0; each is verified
//! on receipt (the checks `benchproof verify` runs), stored append-only and idempotently, and
//! logged in an RFC 6962 transparency log whose signed checkpoints back the station's receipt.
//! The wire contract is `docs/sync-protocol.md`; operating it is `docs/server.md`.
//!
//! - [`ServerConfig`] / [`Backend`]: data dir, address, `sqlite+files` or PostgreSQL + S3, and the
//!   department's trust inputs. [`serve`] starts it ([`RunningServer::addr`] is the bound
//!   address), [`run`] blocks; [`set_admin_password`] manages admin logins.
//! - [`tus`]: the upload protocol; [`auth`]: station signatures (RFC 9421) and admin sessions;
//!   [`receive`]: verify → archive / conflict / quarantine; [`log`]: checkpoints, proofs, receipts.
//! - [`meta::MetaStore`] and [`blob::BlobStore`]: the two backend traits, with SQLite / PostgreSQL
//!   and files / S3 implementations.
//! - [`credentials`]: Open Badges 3.0 issuance for archived passed bundles, the status list,
//!   `did:web`, exports; [`review`]: expiring employer review links and their access log.
//! - [`events`]: micro-events — assessment slots, bookings, re-bookings and no-shows for admins;
//!   each station's schedule and its check-ins.
//! - [`problem::Problem`]: every API error as `application/problem+json`.

pub mod auth;
pub mod blob;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod events;
pub mod html;
pub mod log;
pub mod meta;
pub mod oauth;
pub mod pages;
pub mod problem;
pub mod receive;
pub mod review;
pub mod server;
pub mod staging;
pub mod state;
pub mod tus;

pub use clock::Clock;
pub use config::{Backend, S3Config, ServerConfig};
pub use server::{run, serve, set_admin_password, RunningServer, StartError};
