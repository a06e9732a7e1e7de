use benchproof_domain::assessment::{ReplayError, TransitionError};
use benchproof_domain::scoring::Outcome;
use benchproof_domain::{Assessment, EventBody, LifecycleState, Sha256, StepId, Verdict};

use crate::{id, rubric, t};

fn tick(step: &str, verdict: Verdict, level: Option<&str>) -> EventBody {
    EventBody::StepTicked { step: StepId::new(step), verdict, level: level.map(str::to_owned), note: None }
}

fn push(a: &mut Assessment, body: EventBody) -> Result<(), TransitionError> {
    let r = a.next_record(t(a.last_seq as i64 * 1000), body)?;
    a.apply(&r)
}

#[test]
fn legal_path_to_sealed() {
    let (mut a, _) = Assessment::create(id(1), rubric(), "s-001", t(0)).unwrap();
    push(&mut a, EventBody::Started {}).unwrap();
    push(&mut a, tick("safety", Verdict::Pass, None)).unwrap();
    push(&mut a, tick("joint", Verdict::Fail, Some("Novice"))).unwrap();
    push(&mut a, tick("joint", Verdict::Pass, Some("Proficient"))).unwrap();
    push(&mut a, tick("tidy", Verdict::Pass, None)).unwrap();
    push(&mut a, tick("label", Verdict::NotApplicable, None)).unwrap();
    push(&mut a, EventBody::Finished {}).unwrap();
    assert_eq!(a.state, LifecycleState::Finished);
    // Re-ticking keeps history; the score uses the latest tick.
    assert_eq!(a.ticks.len(), 5);
    let s = a.score();
    assert_eq!(s.outcome, Outcome::Passed, "{s:?}");
    assert_eq!(s.points, 3);
    push(&mut a, EventBody::Sealed { bundle_sha256: Sha256::of(b"bundle") }).unwrap();
    assert_eq!(a.state, LifecycleState::Sealed);
}

#[test]
fn illegal_transitions_are_refused_and_change_nothing() {
    use LifecycleState as S;
    let finish = EventBody::Finished {};
    let seal = EventBody::Sealed { bundle_sha256: Sha256::ZERO };
    let abandon = EventBody::Abandoned { reason: "fire alarm".into() };
    let ticked = tick("safety", Verdict::Pass, None);
    // (events to reach a state, event that must be refused there)
    let table: Vec<(Vec<EventBody>, EventBody, S)> = vec![
        (vec![], ticked.clone(), S::Created),
        (vec![], finish.clone(), S::Created),
        (vec![], seal.clone(), S::Created),
        (vec![EventBody::Started {}], EventBody::Started {}, S::Running),
        (vec![EventBody::Started {}], seal.clone(), S::Running),
        (vec![EventBody::Started {}, finish.clone()], ticked.clone(), S::Finished),
        (vec![EventBody::Started {}, finish.clone(), seal.clone()], ticked.clone(), S::Sealed),
        (vec![EventBody::Started {}, finish.clone(), seal.clone()], abandon.clone(), S::Sealed),
        (vec![abandon.clone()], EventBody::Started {}, S::Abandoned),
        (vec![EventBody::Started {}, abandon.clone()], ticked.clone(), S::Abandoned),
    ];
    for (path, refused, state) in table {
        let (mut a, _) = Assessment::create(id(2), rubric(), "s-002", t(0)).unwrap();
        for e in path {
            push(&mut a, e).unwrap();
        }
        assert_eq!(a.state, state);
        let before = a.clone();
        let err = push(&mut a, refused.clone()).unwrap_err();
        assert!(matches!(err, TransitionError::NotAllowed { state: s, .. } if s == state), "{refused:?}: {err}");
        assert_eq!(a, before);
    }
}

#[test]
fn bad_ticks_are_refused_with_typed_errors() {
    let (mut a, _) = Assessment::create(id(3), rubric(), "s-003", t(0)).unwrap();
    push(&mut a, EventBody::Started {}).unwrap();
    assert!(matches!(push(&mut a, tick("nope", Verdict::Pass, None)), Err(TransitionError::UnknownStep(_))));
    assert!(matches!(push(&mut a, tick("joint", Verdict::Pass, None)), Err(TransitionError::LevelRequired(_))));
    assert!(matches!(
        push(&mut a, tick("joint", Verdict::Pass, Some("Expert"))),
        Err(TransitionError::UnknownLevel { .. })
    ));
    assert!(matches!(
        push(&mut a, tick("tidy", Verdict::Pass, Some("Novice"))),
        Err(TransitionError::LevelNotApplicable(_))
    ));
    assert!(Assessment::create(id(4), rubric(), "", t(0)).is_err());
    assert!(Assessment::create(id(4), rubric(), " padded", t(0)).is_err());
}

#[test]
fn replay_rebuilds_the_same_assessment() {
    let (mut a, genesis) = Assessment::create(id(5), rubric(), "s-005", t(0)).unwrap();
    let mut records = vec![genesis];
    for body in [
        EventBody::Started {},
        tick("safety", Verdict::Pass, None),
        EventBody::DeviceLost { device: "camera 0".into(), reason: "unplugged".into() },
        EventBody::Note { text: "student paused".into() },
        EventBody::DeviceRestored { device: "camera 0".into() },
    ] {
        let r = a.next_record(t(records.len() as i64), body).unwrap();
        a.apply(&r).unwrap();
        records.push(r);
    }
    let b = Assessment::replay(rubric(), &records).unwrap();
    assert_eq!(a, b);
    assert!(b.devices_lost.is_empty());

    let mut other = rubric();
    other.sha256 = Sha256::of(b"another text");
    assert!(matches!(Assessment::replay(other, &records), Err(ReplayError::Transition { seq: 1, .. })));
}

#[test]
fn a_withdrawn_tick_stays_in_history_and_stops_counting() {
    let (mut a, _) = Assessment::create(id(3), rubric(), "s-003", t(0)).unwrap();
    push(&mut a, EventBody::Started {}).unwrap();
    push(&mut a, tick("joint", Verdict::Pass, Some("Proficient"))).unwrap(); // seq 3
    push(&mut a, tick("joint", Verdict::Fail, Some("Novice"))).unwrap(); // seq 4, a slip
    assert_eq!(a.last_live_tick().map(|t| t.seq), Some(4));
    push(&mut a, EventBody::TickWithdrawn { tick: 4 }).unwrap();
    assert_eq!(a.ticks.len(), 2, "the withdrawn tick is kept as history");
    assert!(a.ticks[1].withdrawn);
    assert!(a.has_withdrawals());
    let latest = a.latest_tick(&StepId::new("joint")).expect("the earlier tick counts again");
    assert_eq!((latest.seq, latest.verdict), (3, Verdict::Pass));
    // The same tick cannot be withdrawn twice, nor a seq that is not a tick.
    for seq in [4, 2, 99] {
        let refused = push(&mut a, EventBody::TickWithdrawn { tick: seq }).unwrap_err();
        assert_eq!(refused, TransitionError::NoSuchTick(seq));
    }
    push(&mut a, EventBody::TickWithdrawn { tick: 3 }).unwrap();
    assert!(a.latest_tick(&StepId::new("joint")).is_none(), "with both withdrawn the step is unticked");
    assert!(a.decisions().is_empty());
    push(&mut a, EventBody::Finished {}).unwrap();
    let refused = push(&mut a, EventBody::TickWithdrawn { tick: 3 }).unwrap_err();
    assert!(matches!(refused, TransitionError::NotAllowed { .. }), "{refused:?}");
}
