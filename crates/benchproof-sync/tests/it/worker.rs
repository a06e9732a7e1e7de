//! The worker end to end against the department stand-in: delivery with a verified receipt and
//! stored checkpoints, offline, a refused bundle, a rewritten log and an untrusted log key.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use benchproof_domain::rubric::parse;
use benchproof_domain::{Assessment, AssessmentId, Sha256, Timestamp};
use benchproof_store::{DeliveryState, Store};
use benchproof_sync::{Connectivity, SyncConfig, SyncWorker};
use benchproof_tlog::Receipt;

use crate::department::{Department, Mode};
use crate::{identity, key, Rng};

const RUBRIC: &str = include_str!("../../../../fixtures/rubrics/test-skill.toml");

fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_795_935_053_000 + ms)
}

/// A store in `dir` with the test rubric.
fn store(dir: &Path) -> Store {
    let store = Store::open(dir).unwrap();
    store.put_rubric(&parse("test.toml", RUBRIC).unwrap(), RUBRIC, t(0)).unwrap();
    store
}

/// Seals a stand-in bundle (random bytes) into the outbox; returns its id and zip digest.
fn queue_bundle(store: &mut Store, dir: &Path, rng: &mut Rng) -> (AssessmentId, [u8; 32]) {
    let id = AssessmentId::from_uuid(uuid::Uuid::now_v7()).unwrap();
    let (_, genesis) = Assessment::create(id, parse("test.toml", RUBRIC).unwrap(), "student", t(1)).unwrap();
    store.create_assessment(&genesis).unwrap();
    let bytes: Vec<u8> = (0..(300 * 1024 + rng.next_u64() % 400_000)).map(|_| rng.next_u64() as u8).collect();
    let path = dir.join(format!("{id}.zip"));
    std::fs::File::create(&path).unwrap().write_all(&bytes).unwrap();
    store
        .enqueue_bundle(id, Sha256::of(b"tag manifest"), bytes.len() as u64, &path.display().to_string(), t(2))
        .unwrap();
    (id, benchproof_tlog::sha256(&bytes))
}

fn worker(dept: &Department, trusted: benchproof_evidence::DidKey) -> SyncWorker {
    let mut config = SyncConfig::new(dept.url(), trusted);
    config.chunk_size = 128 * 1024;
    config.io_timeout = Duration::from_secs(5);
    SyncWorker::new(config, identity(), 42)
}

#[test]
fn delivers_with_a_verified_receipt_and_keeps_the_checkpoints() {
    let dept = Department::start(key(1));
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let mut rng = Rng(7);
    let (a, digest_a) = queue_bundle(&mut store, dir.path(), &mut rng);
    let sync = worker(&dept, dept.key.did_key());

    let mut progress = Vec::new();
    let report = sync.run_once(&store, t(10), &mut |id, p| progress.push((id, p))).unwrap();
    assert_eq!(report.delivered, vec![a], "{report:?}");
    assert_eq!(report.connectivity, Some(Connectivity::Online));
    assert!(progress.last().is_some_and(|(id, p)| *id == a && p.sent == p.total));
    let item = store.sync_item(a).unwrap();
    assert_eq!(item.state, DeliveryState::Delivered);
    let receipt: Receipt = serde_json::from_str(item.receipt.as_deref().unwrap()).unwrap();
    receipt.verify(&digest_a, &dept.key.did_key()).unwrap();
    assert_eq!(store.latest_log_checkpoint().unwrap().unwrap().tree_size, 1);
    assert!(Path::new(&item.bundle_path).exists(), "nothing is deleted");

    // A second bundle: the log grows, and its consistency with size 1 is checked and kept.
    let (b, _) = queue_bundle(&mut store, dir.path(), &mut rng);
    let report = sync.run_once(&store, t(20), &mut |_, _| {}).unwrap();
    assert_eq!(report.delivered, vec![b]);
    assert_eq!(store.latest_log_checkpoint().unwrap().unwrap().tree_size, 2);

    // Nothing left: a pass does nothing and needs no server.
    let report = sync.run_once(&store, t(30), &mut |_, _| {}).unwrap();
    assert_eq!((report.connectivity, report.delivered.len(), report.next_wake), (None, 0, None));
    assert_eq!(dept.state.lock().unwrap().bad_signatures, 0, "every request was signed correctly");
}

#[test]
fn offline_waits_without_counting_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let (a, _) = queue_bundle(&mut store, dir.path(), &mut Rng(8));
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut config = SyncConfig::new(format!("http://127.0.0.1:{closed}"), key(1).did_key());
    config.connect_timeout = Duration::from_secs(2);
    let sync = SyncWorker::new(config, identity(), 1);
    let report = sync.run_once(&store, t(0), &mut |_, _| {}).unwrap();
    assert_eq!(report.connectivity, Some(Connectivity::Offline));
    assert!(report.failed.is_empty() && report.delivered.is_empty());
    assert_eq!(report.next_wake, Some(t(30_000)));
    let item = store.sync_item(a).unwrap();
    assert_eq!((item.state, item.attempts), (DeliveryState::Pending, 0));
}

#[test]
fn a_refused_bundle_is_alerted_not_retried() {
    let dept = Department::start(key(1));
    dept.state.lock().unwrap().mode = Mode::RefuseBundles;
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let (a, _) = queue_bundle(&mut store, dir.path(), &mut Rng(9));
    let sync = worker(&dept, dept.key.did_key());
    let report = sync.run_once(&store, t(0), &mut |_, _| {}).unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(report.failed[0].1.contains("422") && report.failed[0].1.contains("invalid-bundle"), "{report:?}");
    assert_eq!(report.gave_up.len(), 1);
    let item = store.sync_item(a).unwrap();
    assert_eq!((item.state, item.permanent_failures), (DeliveryState::Failed, 1));
    assert!(item.alert.is_some());
    assert_eq!(store.sync_alerts().unwrap()[0].kind, "bundle-refused");
    assert!(Path::new(&item.bundle_path).exists(), "nothing is deleted");
    // Later passes leave it alone.
    let report = sync.run_once(&store, t(10_000_000), &mut |_, _| {}).unwrap();
    assert!(report.failed.is_empty() && report.connectivity.is_none());
}

#[test]
fn a_rewritten_log_is_an_alert() {
    let dept = Department::start(key(1));
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let mut rng = Rng(10);
    let (a, _) = queue_bundle(&mut store, dir.path(), &mut rng);
    let sync = worker(&dept, dept.key.did_key());
    assert_eq!(sync.run_once(&store, t(0), &mut |_, _| {}).unwrap().delivered, vec![a]);

    dept.rewrite_history();
    let (b, _) = queue_bundle(&mut store, dir.path(), &mut rng);
    let report = sync.run_once(&store, t(10), &mut |_, _| {}).unwrap();
    assert!(report.delivered.is_empty(), "{report:?}");
    assert_eq!(report.alerts.len(), 1);
    assert!(report.alerts[0].contains("rewritten"), "{report:?}");
    let item = store.sync_item(b).unwrap();
    assert_eq!(item.state, DeliveryState::Failed);
    assert!(store.sync_alerts().unwrap().iter().any(|al| al.kind == "log-rewritten" && al.assessment == Some(b)));
    assert_eq!(store.latest_log_checkpoint().unwrap().unwrap().tree_size, 1, "the rewritten head is not kept");
}

#[test]
fn a_receipt_from_an_untrusted_key_is_not_a_delivery() {
    let dept = Department::start(key(1));
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let (a, _) = queue_bundle(&mut store, dir.path(), &mut Rng(11));
    let sync = worker(&dept, key(2).did_key());
    let report = sync.run_once(&store, t(0), &mut |_, _| {}).unwrap();
    assert!(report.delivered.is_empty());
    assert!(report.failed[0].1.contains("log key"), "{report:?}");
    let item = store.sync_item(a).unwrap();
    assert_eq!(item.state, DeliveryState::Uploading);
    assert_eq!(item.bytes_confirmed, item.bundle_bytes);
    assert!(item.next_attempt_at.is_some_and(|at| at > t(0)));
    // Next time (after the backoff) it only fetches the receipt: no bytes are sent again.
    let report = sync.run_once(&store, t(100_000_000), &mut |_, _| {}).unwrap();
    assert_eq!(report.bytes_sent, 0);
    assert!(report.delivered.is_empty());
}
