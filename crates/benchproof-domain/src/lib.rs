//! The benchproof domain: what an assessment *is*, with no IO and no clock.
//!
//! - [`rubric::Rubric`]: a competency with its steps and pass rule, parsed from TOML with
//!   diagnostics that name line and column ([`rubric::parse`]).
//! - [`assessment::Assessment`]: the lifecycle state machine (created → running → finished →
//!   sealed, or abandoned). It changes only by applying an [`event::EventBody`], and refuses
//!   illegal transitions with a typed [`assessment::TransitionError`].
//! - [`event::EventRecord`]: one link of the hash-chained event log; [`event::verify_chain`]
//!   finds the first broken link.
//! - [`scoring::score`]: the outcome, as a pure function of the rubric and the latest verdicts.
//!
//! Time is always passed in as a [`Timestamp`]; identifiers are UUIDv7 newtypes created by the
//! caller ([`id`]). Hashing is SHA-256 ([`Sha256`]), which is computation, not IO.

pub mod assessment;
pub mod digest;
pub mod event;
pub mod id;
pub mod rubric;
pub mod scoring;
pub mod time;

pub use assessment::{Assessment, LifecycleState, TransitionError, Verdict};
pub use digest::Sha256;
pub use event::{ChainBreak, EventBody, EventRecord};
pub use id::{AssessmentId, IdError, SnippetId};
pub use rubric::{Rubric, RubricRef, StepId};
pub use scoring::{score, Outcome, Score};
pub use time::Timestamp;
