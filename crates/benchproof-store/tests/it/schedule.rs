//! The schedule copy and the check-in outbox.

use benchproof_store::StoreError;

use crate::{new_id, open_store, t};

#[test]
fn schedule_copy_never_rolls_back() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open_store(tmp.path());
    assert_eq!(store.schedule().unwrap(), None);
    assert!(store.save_schedule("http://a", 5, "{\"revision\":5}", t(1)).unwrap());
    assert!(!store.save_schedule("http://a", 4, "{\"revision\":4}", t(2)).unwrap(), "a late, older answer");
    assert_eq!(store.schedule().unwrap().unwrap().revision, 5);
    assert!(store.save_schedule("http://a", 5, "{\"same\":5}", t(3)).unwrap(), "the same revision refreshes");
    assert!(store.save_schedule("http://b", 1, "{\"other\":1}", t(4)).unwrap(), "another server replaces it");
    let kept = store.schedule().unwrap().unwrap();
    assert_eq!((kept.server.as_str(), kept.revision, kept.document.as_str()), ("http://b", 1, "{\"other\":1}"));
    drop(store);
    assert_eq!(open_store(tmp.path()).schedule().unwrap().unwrap().fetched_at, t(4), "durable");
}

#[test]
fn check_ins_are_recorded_once_and_reported_once() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open_store(tmp.path());
    let (a, b) = (new_id(), new_id());
    store.record_check_in("booking-1", a, "S-1", t(1)).unwrap();
    store.record_check_in("booking-2", b, "S-2", t(2)).unwrap();
    match store.record_check_in("booking-1", b, "S-1", t(3)) {
        Err(StoreError::AlreadyCheckedIn { booking, assessment }) => {
            assert_eq!((booking.as_str(), assessment), ("booking-1", a.to_string()));
        }
        other => panic!("a second check-in must be refused: {other:?}"),
    }
    assert_eq!(store.unreported_check_ins().unwrap().len(), 2);
    store.mark_check_in_reported("booking-1", t(5)).unwrap();
    store.mark_check_in_refused("booking-2", "booking-closed: moved").unwrap();
    assert!(store.unreported_check_ins().unwrap().is_empty());
    let rows = store.check_ins().unwrap();
    assert_eq!(rows[0].reported_at, Some(t(5)));
    assert_eq!(rows[1].refused.as_deref(), Some("booking-closed: moved"));
    assert_eq!(store.check_in("booking-1").unwrap().unwrap().assessment, a);
}
