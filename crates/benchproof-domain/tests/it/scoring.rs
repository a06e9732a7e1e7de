use std::collections::HashMap;

use benchproof_domain::scoring::{score, Decision, Outcome, ShortOf};
use benchproof_domain::{StepId, Verdict};
use proptest::prelude::*;

use crate::rubric;

/// (step, verdict, level)
type Tick<'a> = (&'a str, Verdict, Option<&'a str>);

fn decide(pairs: &[Tick<'_>]) -> HashMap<StepId, Decision> {
    pairs.iter().map(|(s, v, l)| (StepId::new(*s), Decision { verdict: *v, level: l.map(str::to_owned) })).collect()
}

#[test]
fn outcome_table() {
    use Verdict::*;
    let r = rubric();
    let cases: Vec<(Vec<Tick<'_>>, Outcome)> = vec![
        (vec![], Outcome::Incomplete),
        (vec![("safety", Pass, None), ("joint", Pass, Some("Proficient")), ("tidy", Pass, None)], Outcome::Passed),
        (vec![("safety", Fail, None)], Outcome::NotYetCompetent),
        (vec![("safety", NotApplicable, None), ("joint", Pass, Some("Proficient"))], Outcome::NotYetCompetent),
        // Points below min_points (Novice = 1 < 2).
        (vec![("safety", Pass, None), ("joint", Pass, Some("Novice")), ("tidy", Pass, None)], Outcome::NotYetCompetent),
        // Share of non-critical: tidy fail, label fail → 0 < 0.5.
        (
            vec![
                ("safety", Pass, None),
                ("joint", Pass, Some("Proficient")),
                ("tidy", Fail, None),
                ("label", Fail, None),
            ],
            Outcome::NotYetCompetent,
        ),
        // Label N/A, tidy pass → share 1.
        (
            vec![
                ("safety", Pass, None),
                ("joint", Pass, Some("Proficient")),
                ("tidy", Pass, None),
                ("label", NotApplicable, None),
            ],
            Outcome::Passed,
        ),
    ];
    for (pairs, want) in cases {
        let s = score(&r, &decide(&pairs));
        assert_eq!(s.outcome, want, "{pairs:?} → {s:?}");
    }
    let s = score(&r, &decide(&[("safety", Fail, None)]));
    assert_eq!(s.failed_critical, vec![StepId::new("safety")]);
    assert!(s.short_of.contains(&ShortOf::CriticalUntested { step: StepId::new("joint") }));
}

fn verdict() -> impl Strategy<Value = Option<(Verdict, Option<&'static str>)>> {
    prop_oneof![
        Just(None),
        Just(Some((Verdict::Pass, None))),
        Just(Some((Verdict::Fail, None))),
        Just(Some((Verdict::NotApplicable, None))),
    ]
}

fn joint_level() -> impl Strategy<Value = Option<(Verdict, Option<&'static str>)>> {
    prop_oneof![
        Just(None),
        Just(Some((Verdict::Pass, Some("Novice")))),
        Just(Some((Verdict::Pass, Some("Proficient")))),
        Just(Some((Verdict::Fail, None))),
        Just(Some((Verdict::NotApplicable, None))),
    ]
}

fn build(v: [Option<(Verdict, Option<&'static str>)>; 4]) -> HashMap<StepId, Decision> {
    ["safety", "joint", "tidy", "label"]
        .iter()
        .zip(v)
        .filter_map(|(s, d)| d.map(|(verdict, l)| (StepId::new(*s), Decision { verdict, level: l.map(str::to_owned) })))
        .collect()
}

proptest! {
    /// Whatever else happens, a critical step that did not pass means no pass.
    #[test]
    fn critical_not_passed_never_passes(a in verdict(), b in joint_level(), c in verdict(), d in verdict()) {
        let s = score(&rubric(), &build([a, b, c, d]));
        let critical_ok = matches!(a, Some((Verdict::Pass, _))) && matches!(b, Some((Verdict::Pass, _)));
        if !critical_ok {
            prop_assert_ne!(s.outcome, Outcome::Passed);
        }
        prop_assert_eq!(s.outcome == Outcome::Passed, s.short_of.is_empty());
        prop_assert!(s.points <= s.max_points);
        prop_assert_eq!(s.passed + s.failed + s.not_applicable + s.untested, 4);
    }

    /// Turning a failed non-critical step into a pass never turns a pass into something else.
    #[test]
    fn passing_more_is_monotone(a in verdict(), b in joint_level(), c in verdict(), d in verdict()) {
        let before = score(&rubric(), &build([a, b, c, d]));
        let better = [a, b, Some((Verdict::Pass, None)), d];
        let after = score(&rubric(), &build(better));
        if before.outcome == Outcome::Passed {
            prop_assert_eq!(after.outcome, Outcome::Passed);
        }
        prop_assert!(after.share >= before.share);
    }
}
