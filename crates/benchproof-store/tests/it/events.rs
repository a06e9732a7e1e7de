//! The event log: lifecycle, refusals, append-only triggers, tampering, concurrent readers.

use std::time::{Duration, Instant};

use benchproof_domain::{Assessment, ChainBreak, EventBody, LifecycleState, Sha256, StepId, Verdict};
use benchproof_store::StoreError;

use crate::{new_id, new_snippet_id, note, open_store, rubric, second_connection, t, tick, Live};

fn count(conn: &rusqlite::Connection, sql: &str, id: &str) -> i64 {
    conn.query_row(sql, [id], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn a_whole_lifecycle_is_stored_and_summarised() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    let (mut live, genesis) = Live::create(&mut store, "s-0042", t(0)).unwrap();
    let id = live.id();
    let s = store.summary(id).unwrap();
    assert_eq!((s.state, s.events, s.head), (LifecycleState::Created, 1, genesis.hash));
    assert_eq!((s.student.as_str(), s.rubric_id.as_str(), s.rubric_version.as_str()), ("s-0042", "test-skill", "1"));
    assert_eq!(s.rubric_sha256, rubric().sha256);
    assert_eq!((s.created_at, s.updated_at), (t(0), t(0)));

    let clip = b"not really a video, but bytes all the same".repeat(100);
    let media = store.ingest_media(&clip[..], t(500)).unwrap();
    let bodies = vec![
        EventBody::Started {},
        tick("safety", Verdict::Pass, None),
        tick("joint", Verdict::Fail, None),
        tick("joint", Verdict::Pass, Some("Proficient")),
        EventBody::SnippetSaved {
            snippet: new_snippet_id(),
            step: Some(StepId::new("joint")),
            name: "joint.mp4".into(),
            media_type: "video/mp4".into(),
            sha256: media.sha256,
            bytes: media.bytes,
            captured_at: t(500),
        },
        EventBody::DeviceLost { device: "scope".into(), reason: "USB unplugged".into() },
        EventBody::DeviceRestored { device: "scope".into() },
        tick("tidy", Verdict::NotApplicable, None),
        EventBody::StepTicked {
            step: StepId::new("label"),
            verdict: Verdict::Fail,
            level: None,
            note: Some("illegible\nredo".into()),
        },
        note("a calm, careful candidate"),
        EventBody::Finished {},
        note("notes are allowed after finishing"),
        EventBody::Sealed { bundle_sha256: Sha256::of(b"bundle") },
    ];
    let mut records = vec![genesis];
    let mut at = 0;
    for body in bodies {
        at += 1000;
        let r = live.push(&mut store, t(at), body).unwrap();
        // The summary follows every event.
        let s = store.summary(id).unwrap();
        assert_eq!((s.state, s.events, s.head, s.updated_at), (live.a.state, r.seq, r.hash, r.at), "after {r}");
        records.push(r);
    }
    assert_eq!(store.events(id).unwrap(), records);
    assert_eq!(store.verify_chain(id).unwrap(), live.a.head);
    let s = store.summary(id).unwrap();
    assert_eq!(s.state, LifecycleState::Sealed);
    assert_eq!(s.events, records.len() as u64);
    assert_eq!(s.head, records.last().unwrap().hash);
    assert_eq!((s.created_at, s.updated_at), (t(0), t(at)));
    assert_eq!(store.list_assessments().unwrap(), vec![s]);
    // Replaying the stored log gives back the live assessment.
    assert_eq!(Assessment::replay(rubric(), &store.events(id).unwrap()).unwrap(), live.a);

    // The projections agree with the log.
    let conn = second_connection(tmp.path());
    let id_s = id.to_string();
    let ticks = "SELECT COUNT(*) FROM events WHERE assessment_id = ?1 AND kind = 'step_ticked'";
    assert_eq!(count(&conn, ticks, &id_s), 5);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM snippets WHERE assessment_id = ?1", &id_s), 1);
    let record: String = conn
        .query_row("SELECT record FROM events WHERE assessment_id = ?1 AND seq = 5", [&id_s], |r| r.get(0))
        .unwrap();
    assert!(record.contains(r#""level":"Proficient""#), "{record}");

    // A sealed log is closed, even to a record that links correctly.
    let late = live.forged(live.a.last_seq + 1, live.a.head, note("too late"));
    match store.append(&late) {
        Err(StoreError::Closed { id: i, state: LifecycleState::Sealed }) => assert_eq!(i, id),
        other => panic!("expected Closed, got {other:?}"),
    }
    assert_eq!(store.events(id).unwrap().len(), records.len());
}

#[test]
fn an_abandoned_log_is_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    let (mut live, _) = Live::create(&mut store, "s", t(0)).unwrap();
    live.push(&mut store, t(1), EventBody::Started {}).unwrap();
    live.push(&mut store, t(2), EventBody::Abandoned { reason: "fire alarm".into() }).unwrap();
    assert_eq!(store.summary(live.id()).unwrap().state, LifecycleState::Abandoned);
    for body in [EventBody::Started {}, note("after"), EventBody::Abandoned { reason: "again".into() }] {
        let r = live.forged(4, live.a.head, body);
        assert!(
            matches!(store.append(&r), Err(StoreError::Closed { state: LifecycleState::Abandoned, .. })),
            "an abandoned log takes no more events"
        );
    }
    assert_eq!(store.verify_chain(live.id()).unwrap(), live.a.head);
}

#[test]
fn assessments_are_listed_newest_first() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    assert!(store.list_assessments().unwrap().is_empty());
    let mut ids = Vec::new();
    for (i, ms) in [3_000, 1_000, 2_000].into_iter().enumerate() {
        let (mut live, _) = Live::create(&mut store, &format!("s{i}"), t(ms)).unwrap();
        if i == 1 {
            live.push(&mut store, t(ms + 1), EventBody::Started {}).unwrap();
        }
        ids.push((ms, live.id()));
    }
    ids.sort_by(|a, b| b.cmp(a));
    let listed = store.list_assessments().unwrap();
    assert_eq!(listed.iter().map(|s| s.id).collect::<Vec<_>>(), ids.iter().map(|(_, id)| *id).collect::<Vec<_>>());
    let states: Vec<_> = listed.iter().map(|s| (s.state, s.events)).collect();
    assert_eq!(states, [(LifecycleState::Created, 1), (LifecycleState::Created, 1), (LifecycleState::Running, 2)]);
}

#[test]
fn stale_or_misplaced_events_conflict() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    let (mut live, _) = Live::create(&mut store, "s", t(0)).unwrap();
    live.push(&mut store, t(1), EventBody::Started {}).unwrap();
    let id = live.id();

    // Two writers build event 3 from the same state; the second one is stale.
    let first = live.a.next_record(t(2), tick("safety", Verdict::Pass, None)).unwrap();
    let second = live.a.next_record(t(2), tick("safety", Verdict::Fail, None)).unwrap();
    store.append(&first).unwrap();
    match store.append(&second) {
        Err(StoreError::Conflict { id: i, stored: 3, offered: 3 }) => assert_eq!(i, id),
        other => panic!("expected Conflict, got {other:?}"),
    }
    // A retry of an event already stored is not stored twice.
    assert!(matches!(store.append(&first), Err(StoreError::Conflict { stored: 3, offered: 3, .. })));
    live.a.apply(&first).unwrap();

    // The right number but the wrong predecessor; a gap; going backwards.
    let wrong_prev = live.forged(4, Sha256::of(b"some other head"), note("x"));
    let gap = live.forged(6, live.a.head, note("x"));
    let back = live.forged(2, live.a.head, note("x"));
    for (what, r) in [("wrong prev", wrong_prev), ("gap", gap), ("backwards", back)] {
        match store.append(&r) {
            Err(StoreError::Conflict { stored: 3, offered, .. }) => assert_eq!(offered, r.seq, "{what}"),
            other => panic!("{what}: expected Conflict, got {other:?}"),
        }
    }
    assert_eq!(store.events(id).unwrap().len(), 3);
    assert_eq!(store.verify_chain(id).unwrap(), live.a.head);
}

#[test]
fn unknown_things_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = benchproof_store::Store::open(tmp.path()).unwrap();
    // No rubric stored yet.
    let (a, genesis) = Assessment::create(new_id(), rubric(), "s", t(0)).unwrap();
    match store.create_assessment(&genesis) {
        Err(StoreError::RubricNotFound(sha)) => assert_eq!(sha, rubric().sha256.to_hex()),
        other => panic!("expected RubricNotFound, got {other:?}"),
    }
    assert!(matches!(store.rubric(&rubric().sha256), Err(StoreError::RubricNotFound(_))));
    store.put_rubric(&rubric(), crate::RUBRIC, t(0)).unwrap();
    store.put_rubric(&rubric(), crate::RUBRIC, t(1)).unwrap(); // idempotent
    store.create_assessment(&genesis).unwrap();
    assert!(matches!(store.create_assessment(&genesis), Err(StoreError::AlreadyExists(i)) if i == a.id));

    // A genesis must be a `created` event.
    let started = a.next_record(t(1), EventBody::Started {}).unwrap();
    assert!(matches!(store.create_assessment(&started), Err(StoreError::Decode { .. })));

    // Events of an assessment that does not exist.
    let ghost = new_id();
    let (_, ghost_genesis) = Assessment::create(ghost, rubric(), "s", t(0)).unwrap();
    let ghost_event = Assessment::create(ghost, rubric(), "s", t(0)).unwrap().0.next_record(t(1), note("x")).unwrap();
    assert!(matches!(store.append(&ghost_event), Err(StoreError::NotFound(i)) if i == ghost));
    assert!(matches!(store.append(&ghost_genesis), Err(StoreError::NotFound(_))));
    assert!(matches!(store.events(ghost), Err(StoreError::NotFound(_))));
    assert!(matches!(store.summary(ghost), Err(StoreError::NotFound(_))));
    assert!(matches!(store.verify_chain(ghost), Err(StoreError::NotFound(_))));
    assert_eq!(store.list_assessments().unwrap().len(), 1);
}

#[test]
fn a_failed_append_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    let (mut live, _) = Live::create(&mut store, "s", t(0)).unwrap();
    live.push(&mut store, t(1), EventBody::Started {}).unwrap();
    let before = store.summary(live.id()).unwrap();
    // A snippet whose bytes were never ingested: the media row it refers to is missing, so the
    // whole transaction (event, projection, head) rolls back.
    let orphan = live
        .a
        .next_record(
            t(2),
            EventBody::SnippetSaved {
                snippet: new_snippet_id(),
                step: None,
                name: "ghost.png".into(),
                media_type: "image/png".into(),
                sha256: Sha256::of(b"never ingested"),
                bytes: 14,
                captured_at: t(2),
            },
        )
        .unwrap();
    assert!(store.append(&orphan).is_err(), "a snippet must refer to stored media");
    assert_eq!(store.summary(live.id()).unwrap(), before);
    assert_eq!(store.events(live.id()).unwrap().len(), 2);
    let conn = second_connection(tmp.path());
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM snippets WHERE assessment_id = ?1", &live.id().to_string()), 0);
    // The store is still usable, and the chain goes on from where it was.
    live.push(&mut store, t(3), tick("safety", Verdict::Pass, None)).unwrap();
    assert_eq!(store.verify_chain(live.id()).unwrap(), live.a.head);
}

#[test]
fn the_event_table_refuses_update_and_delete() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    let (mut live, _) = Live::create(&mut store, "s", t(0)).unwrap();
    live.push(&mut store, t(1), EventBody::Started {}).unwrap();
    let id = live.id().to_string();

    let conn = second_connection(tmp.path());
    for sql in [
        "UPDATE events SET kind = kind WHERE assessment_id = ?1",
        "UPDATE events SET record = '{}' WHERE assessment_id = ?1 AND seq = 2",
        "DELETE FROM events WHERE assessment_id = ?1 AND seq = 2",
        "DELETE FROM events WHERE assessment_id = ?1",
    ] {
        let err = conn.execute(sql, [&id]).expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(store.events(live.id()).unwrap().len(), 2);
    assert_eq!(store.verify_chain(live.id()).unwrap(), live.a.head);
}

/// Drops the append-only triggers from another connection, as an attacker with the file would.
fn drop_triggers(conn: &rusqlite::Connection) {
    conn.execute_batch("DROP TRIGGER events_are_append_only_update; DROP TRIGGER events_are_append_only_delete;")
        .unwrap();
}

#[test]
fn tampering_behind_the_triggers_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    let mut lives = Vec::new();
    for student in ["edited", "cut-end", "cut-middle"] {
        let (mut live, _) = Live::create(&mut store, student, t(0)).unwrap();
        live.push(&mut store, t(1), EventBody::Started {}).unwrap();
        live.push(&mut store, t(2), tick("safety", Verdict::Fail, None)).unwrap();
        live.push(&mut store, t(3), tick("tidy", Verdict::Pass, None)).unwrap();
        assert_eq!(store.verify_chain(live.id()).unwrap(), live.a.head);
        lives.push(live);
    }
    let conn = second_connection(tmp.path());
    drop_triggers(&conn);

    // A failed critical step turned into a pass in the stored JSON.
    let edited = lives[0].id();
    let changed = conn
        .execute(
            "UPDATE events SET record = replace(record, '\"verdict\":\"fail\"', '\"verdict\":\"pass\"')
             WHERE assessment_id = ?1 AND seq = 3",
            [edited.to_string()],
        )
        .unwrap();
    assert_eq!(changed, 1);
    match store.verify_chain(edited) {
        Err(StoreError::Chain { id, source: ChainBreak::Tampered { seq: 3 } }) => assert_eq!(id, edited),
        other => panic!("expected a Tampered chain, got {other:?}"),
    }

    // The last event removed: the links still hold, the recorded head does not.
    let cut_end = lives[1].id();
    conn.execute("DELETE FROM events WHERE assessment_id = ?1 AND seq = 4", [cut_end.to_string()]).unwrap();
    assert!(matches!(
        store.verify_chain(cut_end),
        Err(StoreError::Chain { source: ChainBreak::HeadMismatch { .. }, .. })
    ));

    // An event removed from the middle.
    let cut_middle = lives[2].id();
    conn.execute("DELETE FROM events WHERE assessment_id = ?1 AND seq = 2", [cut_middle.to_string()]).unwrap();
    assert!(matches!(
        store.verify_chain(cut_middle),
        Err(StoreError::Chain { source: ChainBreak::OutOfSequence { position: 2, expected: 2, found: 3 }, .. })
    ));
}

#[test]
fn a_replaced_event_is_refused() {
    // `INSERT OR REPLACE` deletes the old row without firing the delete trigger (SQLite fires
    // it only with recursive_triggers on); migration 0003 refuses the insert itself.
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    let (mut live, _) = Live::create(&mut store, "s", t(0)).unwrap();
    live.push(&mut store, t(1), EventBody::Started {}).unwrap();
    let failed = live.push(&mut store, t(2), tick("safety", Verdict::Fail, None)).unwrap();
    live.push(&mut store, t(3), note("after")).unwrap();
    let mut forged = failed.clone();
    forged.event = tick("safety", Verdict::Pass, None);
    let conn = second_connection(tmp.path());
    let replaced = conn.execute(
        "INSERT OR REPLACE INTO events (assessment_id, seq, kind, record) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![forged.assessment.to_string(), forged.seq as i64, forged.event.kind(), forged.to_json_line()],
    );
    let err = replaced.expect_err("the replace must be refused");
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(store.verify_chain(live.id()).is_ok());
}

#[test]
fn readers_on_another_connection_never_block_the_writer() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    let (mut live, _) = Live::create(&mut store, "s", t(0)).unwrap();
    live.push(&mut store, t(1), EventBody::Started {}).unwrap();
    let id = live.id().to_string();
    const SQL: &str = "SELECT COUNT(*) FROM events WHERE assessment_id = ?1";

    // A reader holding a snapshot open: the writer goes on, the snapshot stays put.
    let reader = second_connection(tmp.path());
    reader.busy_timeout(Duration::ZERO).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    assert_eq!(count(&reader, SQL, &id), 2);
    let started = Instant::now();
    for i in 0..10 {
        live.push(&mut store, t(10 + i), note("while a reader holds a snapshot")).unwrap();
    }
    assert!(started.elapsed() < Duration::from_secs(5), "the writer waited for the reader");
    assert_eq!(count(&reader, SQL, &id), 2, "the reader's snapshot is stable");
    reader.execute_batch("COMMIT").unwrap();
    assert_eq!(count(&reader, SQL, &id), 12);

    // A reader polling (without any busy timeout) while the store appends in another thread.
    let appends = 150;
    let reads = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            for i in 0..appends {
                live.push(&mut store, t(100 + i), tick("tidy", Verdict::Pass, None)).unwrap();
            }
        });
        let mut last = 0;
        let mut reads = 0;
        while !writer.is_finished() {
            let n = reader
                .query_row(SQL, [&id], |r| r.get::<_, i64>(0))
                .unwrap_or_else(|e| panic!("a reader must not be refused while the store writes: {e}"));
            assert!(n >= last, "counts only grow ({last} then {n})");
            last = n;
            reads += 1;
        }
        writer.join().unwrap();
        reads
    });
    assert!(reads > 0);
    assert_eq!(count(&reader, SQL, &id), 12 + appends);
    assert_eq!(store.verify_chain(live.id()).unwrap(), live.a.head);
}
