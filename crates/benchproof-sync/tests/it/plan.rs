//! The planner: a table of situations, and properties over arbitrary outboxes.

use benchproof_domain::{AssessmentId, Timestamp};
use benchproof_store::DeliveryState;
use benchproof_sync::plan::{backoff_ms, next_attempt, plan, Action, Connectivity, FailureKind, OutboxItem, Policy};
use proptest::prelude::*;

fn id(n: u8) -> AssessmentId {
    AssessmentId::from_uuid(uuid::Builder::from_unix_timestamp_millis(1_795_935_053_000, &[n; 10]).into_uuid())
        .expect("a v7 uuid")
}

fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_795_935_053_000 + ms)
}

fn item(n: u8) -> OutboxItem {
    OutboxItem {
        assessment: id(n),
        state: DeliveryState::Pending,
        attempts: 0,
        permanent_failures: 0,
        next_attempt_at: None,
        has_upload: false,
        fully_sent: false,
    }
}

const POLICY: Policy =
    Policy { base_backoff_ms: 1_000, max_backoff_ms: 60_000, max_permanent_failures: 2, poll_ms: 30_000 };

#[test]
fn table_of_situations() {
    let uploading = OutboxItem { state: DeliveryState::Uploading, has_upload: true, ..item(2) };
    let sent = OutboxItem { state: DeliveryState::Uploading, has_upload: true, fully_sent: true, ..item(3) };
    let backing_off = OutboxItem { attempts: 2, next_attempt_at: Some(t(5_000)), ..item(4) };
    let due = OutboxItem { attempts: 2, next_attempt_at: Some(t(0)), ..item(5) };
    let refused = OutboxItem { permanent_failures: 2, next_attempt_at: Some(t(90_000)), ..item(6) };
    let delivered = OutboxItem { state: DeliveryState::Delivered, ..item(7) };
    let failed = OutboxItem { state: DeliveryState::Failed, permanent_failures: 9, ..item(8) };

    let cases: Vec<(&str, Vec<OutboxItem>, Connectivity, Vec<Action>)> = vec![
        ("empty outbox: nothing, not even a wait", vec![], Connectivity::Online, vec![]),
        ("new bundle online: upload", vec![item(1)], Connectivity::Online, vec![Action::Upload { assessment: id(1) }]),
        (
            "new bundle offline: wait one poll",
            vec![item(1)],
            Connectivity::Offline,
            vec![Action::Wait { until: t(30_000) }],
        ),
        (
            "interrupted upload: resume",
            vec![uploading.clone()],
            Connectivity::Online,
            vec![Action::Resume { assessment: id(2) }],
        ),
        (
            "all bytes sent: fetch receipt",
            vec![sent],
            Connectivity::Online,
            vec![Action::FetchReceipt { assessment: id(3) }],
        ),
        (
            "backing off: wait until due",
            vec![backing_off.clone()],
            Connectivity::Online,
            vec![Action::Wait { until: t(5_000) }],
        ),
        ("backoff over: retry", vec![due], Connectivity::Online, vec![Action::Upload { assessment: id(5) }]),
        ("delivered and failed: nothing", vec![delivered, failed], Connectivity::Online, vec![]),
        (
            "mixed: actions in queue order, then the earliest wake",
            vec![backing_off, uploading, item(1)],
            Connectivity::Online,
            vec![
                Action::Resume { assessment: id(2) },
                Action::Upload { assessment: id(1) },
                Action::Wait { until: t(5_000) },
            ],
        ),
    ];
    for (name, items, connectivity, expected) in cases {
        assert_eq!(plan(&items, t(0), connectivity, &POLICY), expected, "{name}");
    }
    // Refused twice: given up even while offline and even before its backoff ends.
    let actions = plan(&[refused], t(0), Connectivity::Offline, &POLICY);
    assert!(matches!(actions.as_slice(), [Action::GiveUp { assessment, .. }] if *assessment == id(6)));
}

#[test]
fn backoff_doubles_then_caps() {
    let ceilings: Vec<i64> = (1..=9).map(|a| backoff_ms(a, FailureKind::Transient, &POLICY, u64::MAX)).collect();
    // With equal jitter every value lies in [ceiling/2, ceiling].
    for (attempt, value) in (1..=9u32).zip(&ceilings) {
        let ceiling = (1_000i64 << (attempt - 1)).min(60_000);
        assert!((ceiling / 2..=ceiling).contains(value), "attempt {attempt}: {value}");
    }
    assert!(backoff_ms(1, FailureKind::Permanent, &POLICY, 0) >= 30_000);
    assert_eq!(
        next_attempt(t(0), 1, FailureKind::Transient, &POLICY, 7),
        t(backoff_ms(1, FailureKind::Transient, &POLICY, 7))
    );
}

fn arb_state() -> impl Strategy<Value = DeliveryState> {
    prop_oneof![
        Just(DeliveryState::Pending),
        Just(DeliveryState::Uploading),
        Just(DeliveryState::Delivered),
        Just(DeliveryState::Failed)
    ]
}

fn arb_item() -> impl Strategy<Value = OutboxItem> {
    (
        any::<u8>(),
        arb_state(),
        0u32..20,
        0u32..4,
        proptest::option::of(-100_000i64..100_000),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(n, state, attempts, permanent_failures, next, has_upload, fully_sent)| OutboxItem {
            assessment: id(n),
            state,
            attempts,
            permanent_failures,
            next_attempt_at: next.map(t),
            has_upload,
            fully_sent: has_upload && fully_sent,
        })
}

fn arb_outbox() -> impl Strategy<Value = Vec<OutboxItem>> {
    // Distinct assessments, as the outbox's primary key guarantees.
    proptest::collection::vec(arb_item(), 0..24).prop_map(|mut items| {
        items.sort_by_key(|i| i.assessment.to_string());
        items.dedup_by_key(|i| i.assessment);
        items
    })
}

proptest! {
    #[test]
    fn plan_invariants(items in arb_outbox(), now in -50_000i64..50_000, online in any::<bool>(), max_perm in 1u32..4) {
        let policy = Policy { max_permanent_failures: max_perm, ..POLICY };
        let connectivity = if online { Connectivity::Online } else { Connectivity::Offline };
        let now = t(now);
        let actions = plan(&items, now, connectivity, &policy);

        // At most one action per bundle, and at most one wait, which comes last.
        let mut seen = std::collections::HashSet::new();
        for action in &actions {
            if let Some(a) = action.assessment() {
                prop_assert!(seen.insert(a), "two actions for {a}");
            }
        }
        let waits = actions.iter().filter(|a| matches!(a, Action::Wait { .. })).count();
        prop_assert!(waits <= 1);
        if waits == 1 {
            let last_is_wait = matches!(actions.last(), Some(Action::Wait { .. }));
            prop_assert!(last_is_wait);
        }
        for action in &actions {
            let Some(a) = action.assessment() else {
                let Action::Wait { until } = action else { unreachable!() };
                prop_assert!(*until > now, "a wait into the past");
                continue;
            };
            let item = items.iter().find(|i| i.assessment == a).unwrap();
            // Nothing for delivered or given-up bundles.
            prop_assert!(!matches!(item.state, DeliveryState::Delivered | DeliveryState::Failed));
            match action {
                Action::GiveUp { .. } => prop_assert!(item.permanent_failures >= policy.max_permanent_failures),
                _ => {
                    // Refused bundles are never retried blindly; nothing is sent offline or early.
                    prop_assert!(item.permanent_failures < policy.max_permanent_failures);
                    prop_assert!(online);
                    prop_assert!(item.next_attempt_at.is_none_or(|at| at <= now));
                }
            }
            if let Action::Upload { .. } = action { prop_assert!(!item.has_upload); }
            if let Action::Resume { .. } = action { prop_assert!(item.has_upload && !item.fully_sent); }
            if let Action::FetchReceipt { .. } = action { prop_assert!(item.fully_sent); }
        }
        // Every outstanding bundle is either acted on or covered by the wait.
        let outstanding = items.iter().filter(|i| matches!(i.state, DeliveryState::Pending | DeliveryState::Uploading)).count();
        prop_assert!(outstanding == 0 || !actions.is_empty());
    }

    #[test]
    fn backoff_is_monotone_and_capped(base in 1i64..10_000, max in 1i64..10_000_000, seed_a in any::<u64>(), seed_b in any::<u64>(), attempts in 1u32..80) {
        let policy = Policy { base_backoff_ms: base, max_backoff_ms: max, ..POLICY };
        let a = backoff_ms(attempts, FailureKind::Transient, &policy, seed_a);
        let b = backoff_ms(attempts + 1, FailureKind::Transient, &policy, seed_b);
        prop_assert!(a >= 0 && a <= max && b <= max);
        // Equal jitter: below the cap, any draw for the next attempt is at least any draw for
        // this one, whatever the seeds.
        let next_ceiling = base.checked_mul(1i64 << attempts.min(40)).unwrap_or(i64::MAX);
        if next_ceiling <= max {
            prop_assert!(b >= a, "attempt {} gave {b} < {a}", attempts + 1);
        }
        let permanent = backoff_ms(attempts, FailureKind::Permanent, &policy, seed_a);
        prop_assert!(permanent >= max / 2 && permanent <= max);
        // Same inputs, same answer: the jitter is a pure function of the seed.
        prop_assert_eq!(a, backoff_ms(attempts, FailureKind::Transient, &policy, seed_a));
    }
}
