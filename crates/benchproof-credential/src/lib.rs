//! Open Badges 3.0 credentials for benchproof. Pure computation: no file or network IO, no
//! clock (times are passed in), no printing.
//!
//! - [`badge`]: build ([`badge::build`]) and sign ([`badge::issue`]) the `OpenBadgeCredential`
//!   of a passed assessment from plain inputs ([`badge::BadgeInput`]).
//! - [`assessment`]: [`assessment::badge_input`] maps a verified bundle's `assessment.json` onto a
//!   [`BadgeInput`] (shared by the station and the department server).
//! - [`verify`]: [`verify_credential`] checks structure, proof, issuer trust, validity, the
//!   revocation bit and evidence digests, refusing with one specific [`CredentialError`].
//! - [`proof`]: Data Integrity `eddsa-rdfc-2022` sign and verify; [`rdfc`]: JSON-LD → RDFC-1.0
//!   canonical N-Quads over the shipped [`contexts`], refusing undefined terms.
//! - [`issuer`]: the department's `did:key`/`did:web` and DID document, and [`TrustedIssuers`].
//! - [`status`]: Bitstring Status List v1.0 (revocation).
//! - [`bake`]: baked PNG/SVG badges and default badge images; [`report`]: cohort rows as CSV/JSON.
//! - [`digest`] computes and parses `digestMultibase`.

pub mod assessment;
pub mod badge;
pub mod bake;
pub mod contexts;
pub mod digest;
pub mod issuer;
pub mod proof;
pub mod rdfc;
pub mod report;
pub mod status;
pub mod verify;

pub use badge::{BadgeInput, IssueError};
pub use issuer::{Issuer, IssuerDid, TrustedIssuers};
pub use verify::{verify_credential, verify_credential_json, CredentialError, VerifiedCredential, VerifyPolicy};
