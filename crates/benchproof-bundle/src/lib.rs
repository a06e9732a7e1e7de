//! Sealed evidence bundles: what an outsider checks, years later, to trust an assessment.
//!
//! - [`document`]: `data/assessment.json` (format version 1), a pure function of the event log
//!   and the rubric ([`document::describe`]).
//! - [`seal::seal`]: one streaming pass from a finished assessment to a BagIt zip with a proof
//!   set by the station and the proctor (Data Integrity `eddsa-jcs-2022`).
//! - [`verify::verify_path`]: the checks, in order, stopping at the first failure with a
//!   [`verify::Refusal`] that names it.
//! - [`keyfile`]: secret keys on disk (PKCS#8, mode 0600, optionally passphrase-sealed).
//!
//! The format is specified byte by byte in `docs/bundle-format.md`.

pub mod document;
pub mod keyfile;
pub mod seal;
pub mod verify;

pub use seal::{seal, SealError, SealInput, SealedBundle};
pub use verify::{
    inspect_path, read_rubric, verify_path, Check, Inspected, Refusal, Registry, Trust, Verified, VerifyError,
};
