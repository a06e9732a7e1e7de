use benchproof_domain::event::verify_chain;
use benchproof_domain::{Assessment, ChainBreak, EventBody, EventRecord, StepId, Verdict};
use proptest::prelude::*;

use crate::{id, rubric, t};

/// A valid chain of `n` events after the genesis (start, then ticks and notes).
fn chain(n: usize) -> Vec<EventRecord> {
    let (mut a, genesis) = Assessment::create(id(9), rubric(), "s-009", t(0)).unwrap();
    let mut out = vec![genesis];
    for i in 0..=n {
        let body = match i {
            0 => EventBody::Started {},
            i if i % 3 == 0 => EventBody::Note { text: format!("note {i}") },
            i => EventBody::StepTicked {
                step: StepId::new(if i % 2 == 0 { "tidy" } else { "safety" }),
                verdict: Verdict::Pass,
                level: None,
                note: Some(format!("tick {i}")),
            },
        };
        let r = a.next_record(t(i as i64 * 10), body).unwrap();
        a.apply(&r).unwrap();
        out.push(r);
    }
    out
}

#[test]
fn a_valid_chain_verifies_and_round_trips_as_json_lines() {
    let c = chain(10);
    let head = verify_chain(&c, None).unwrap();
    assert_eq!(head, c.last().unwrap().hash);
    let lines: Vec<_> = c.iter().map(EventRecord::to_json_line).collect();
    let back: Vec<EventRecord> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(back, c);
    assert!(verify_chain(&back, Some(head)).is_ok());
}

#[test]
fn each_kind_of_break_is_named() {
    let c = chain(6);
    let head = c.last().unwrap().hash;

    let mut removed = c.clone();
    removed.remove(3);
    assert!(matches!(verify_chain(&removed, Some(head)), Err(ChainBreak::OutOfSequence { position: 4, .. })));

    let mut swapped = c.clone();
    swapped.swap(2, 3);
    assert!(matches!(verify_chain(&swapped, Some(head)), Err(ChainBreak::OutOfSequence { .. })));

    let mut edited = c.clone();
    edited[4].at = t(99_999);
    assert_eq!(verify_chain(&edited, Some(head)), Err(ChainBreak::Tampered { seq: 5 }));

    let mut truncated = c.clone();
    truncated.pop();
    assert!(matches!(verify_chain(&truncated, Some(head)), Err(ChainBreak::HeadMismatch { .. })));

    // Renumbered and re-hashed after a removal: the links give it away.
    let mut relinked = c.clone();
    relinked.remove(3);
    for (i, r) in relinked.iter_mut().enumerate() {
        *r = EventRecord::new(r.assessment, i as u64 + 1, r.at, r.prev, r.event.clone());
    }
    assert!(matches!(verify_chain(&relinked, None), Err(ChainBreak::BrokenLink { seq: 4 })));
    assert_eq!(verify_chain(&[], None), Err(ChainBreak::Empty));
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Swap(usize, usize),
    EditNote(usize),
    EditTime(usize),
}

fn mutation(len: usize) -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0..len).prop_map(Mutation::Delete),
        (0..len, 0..len).prop_filter("distinct", |(a, b)| a != b).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (0..len).prop_map(Mutation::EditNote),
        (0..len).prop_map(Mutation::EditTime),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Any deletion, reorder or edit of an event is detected (the head is known, as it is in a
    /// bundle's signed assessment.json or the store's assessment row).
    #[test]
    fn any_mutation_is_detected((n, m) in (1usize..25).prop_flat_map(|n| (Just(n), mutation(n + 2)))) {
        let c = chain(n);
        let head = c.last().unwrap().hash;
        let mut bad = c.clone();
        match m {
            Mutation::Delete(i) => { bad.remove(i); }
            Mutation::Swap(a, b) => bad.swap(a, b),
            Mutation::EditNote(i) => {
                bad[i].event = EventBody::Note { text: "rewritten".into() };
            }
            Mutation::EditTime(i) => bad[i].at = bad[i].at.plus_millis(1),
        }
        if bad != c {
            prop_assert!(verify_chain(&bad, Some(head)).is_err(), "{:?} went undetected", m);
        }
    }
}
