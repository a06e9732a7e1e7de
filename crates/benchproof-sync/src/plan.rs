//! The pure planning step of the sync worker (diff → **plan** → execute): given the outbox as the
//! store reports it, the time, whether the server is reachable and the retry policy, decide what
//! to do for each bundle. No IO, no clock, no randomness except the seed passed in.
//!
//! Invariants (each covered by a property test):
//! - at most one action per bundle, and none for a delivered bundle;
//! - a bundle is never "given up" twice, and nothing here ever deletes anything — a bundle only
//!   leaves the queue as `delivered`, after its receipt verified;
//! - a bundle the server refused for good (403, 409 conflict, 422) is not retried: after
//!   [`Policy::max_permanent_failures`] refusals it is alerted, and until then it waits out the
//!   longest backoff;
//! - backoff grows monotonically with the attempts and never exceeds [`Policy::max_backoff_ms`]
//!   (jitter included).

use benchproof_domain::{AssessmentId, Timestamp};
use benchproof_store::{DeliveryState, SyncItem};

/// Retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Delay after the first failure.
    pub base_backoff_ms: i64,
    /// Upper bound of any delay, jitter included.
    pub max_backoff_ms: i64,
    /// Give up (alert) after this many refusals by the server (403, 409 conflict, 422).
    pub max_permanent_failures: u32,
    /// How often to look again while offline or idle.
    pub poll_ms: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { base_backoff_ms: 5_000, max_backoff_ms: 30 * 60_000, max_permanent_failures: 1, poll_ms: 30_000 }
    }
}

/// Whether the department server answered the last probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connectivity {
    Online,
    Offline,
}

/// The planner's view of one outbox bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub assessment: AssessmentId,
    pub state: DeliveryState,
    pub attempts: u32,
    pub permanent_failures: u32,
    pub next_attempt_at: Option<Timestamp>,
    /// The server created an upload for it already (resume rather than create).
    pub has_upload: bool,
    /// The server confirmed holding every byte (only the receipt is missing).
    pub fully_sent: bool,
}

impl From<&SyncItem> for OutboxItem {
    fn from(item: &SyncItem) -> Self {
        OutboxItem {
            assessment: item.assessment,
            state: item.state,
            attempts: item.attempts,
            permanent_failures: item.permanent_failures,
            next_attempt_at: item.next_attempt_at,
            has_upload: item.upload_url.is_some(),
            fully_sent: item.upload_url.is_some() && item.bytes_confirmed == item.bundle_bytes,
        }
    }
}

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Create an upload and send the bundle.
    Upload { assessment: AssessmentId },
    /// Ask the server for its offset and send the rest.
    Resume { assessment: AssessmentId },
    /// Every byte is on the server: fetch (and verify) the receipt.
    FetchReceipt { assessment: AssessmentId },
    /// Stop retrying and tell an operator.
    GiveUp { assessment: AssessmentId, reason: String },
    /// Nothing is due before `until`: sleep (the worker may wake earlier for new bundles).
    Wait { until: Timestamp },
}

impl Action {
    /// The bundle this action is about, if any.
    pub fn assessment(&self) -> Option<AssessmentId> {
        match self {
            Action::Upload { assessment }
            | Action::Resume { assessment }
            | Action::FetchReceipt { assessment }
            | Action::GiveUp { assessment, .. } => Some(*assessment),
            Action::Wait { .. } => None,
        }
    }
}

/// Decides what to do now. Bundle actions come first, in queue order; a final
/// [`Action::Wait`] says when to look again if anything is still outstanding.
pub fn plan(items: &[OutboxItem], now: Timestamp, connectivity: Connectivity, policy: &Policy) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut wake: Option<Timestamp> = None;
    let mut earliest = |t: Timestamp| wake = Some(wake.map_or(t, |w: Timestamp| w.min(t)));
    for item in items {
        match item.state {
            DeliveryState::Delivered | DeliveryState::Failed => continue,
            DeliveryState::Pending | DeliveryState::Uploading => {}
        }
        if item.permanent_failures >= policy.max_permanent_failures {
            actions.push(Action::GiveUp {
                assessment: item.assessment,
                reason: format!(
                    "the department server refused this bundle {} time(s); it will not be sent again until an operator \
                     checks the reason and retries it",
                    item.permanent_failures
                ),
            });
            continue;
        }
        if let Some(at) = item.next_attempt_at.filter(|at| *at > now) {
            earliest(at);
            continue;
        }
        if connectivity == Connectivity::Offline {
            earliest(now.plus_millis(policy.poll_ms));
            continue;
        }
        let assessment = item.assessment;
        actions.push(if item.fully_sent {
            Action::FetchReceipt { assessment }
        } else if item.has_upload {
            Action::Resume { assessment }
        } else {
            Action::Upload { assessment }
        });
    }
    if let Some(until) = wake {
        actions.push(Action::Wait { until });
    }
    actions
}

/// How a failed attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Network trouble, a busy or broken server: retry with backoff.
    Transient,
    /// The server refused the bundle or the station for good: do not retry blindly.
    Permanent,
}

/// When to try again after the `attempts`-th failure (1 = first): exponential backoff
/// `base · 2^(attempts-1)` capped at `max_backoff_ms`, with "equal jitter" (a random point in the
/// upper half) drawn from `seed`, so the same inputs give the same answer. Permanent failures wait
/// the maximum.
pub fn next_attempt(now: Timestamp, attempts: u32, kind: FailureKind, policy: &Policy, seed: u64) -> Timestamp {
    now.plus_millis(backoff_ms(attempts, kind, policy, seed))
}

/// The delay of [`next_attempt`], in milliseconds, within `[ceiling/2, ceiling]` where
/// `ceiling = min(base · 2^(attempts-1), max)`.
pub fn backoff_ms(attempts: u32, kind: FailureKind, policy: &Policy, seed: u64) -> i64 {
    let max = policy.max_backoff_ms.max(1);
    let ceiling = match kind {
        FailureKind::Permanent => max,
        FailureKind::Transient => {
            let doublings = attempts.saturating_sub(1).min(62);
            policy.base_backoff_ms.max(1).checked_mul(1_i64 << doublings.min(40)).map_or(max, |d| d.min(max))
        }
    };
    let half = ceiling / 2;
    half + (splitmix64(seed ^ u64::from(attempts)) % (ceiling - half + 1) as u64) as i64
}

/// SplitMix64: a tiny, well-mixed deterministic generator for jitter.
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}
