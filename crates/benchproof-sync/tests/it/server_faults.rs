//! The project's client against the project's server, through the fault-injecting proxy: real
//! sealed bundles of a few MiB go through `SyncWorker::run_once` while the connection is cut at
//! random byte offsets, stalled, or the server restarts mid-upload. Every bundle must arrive
//! exactly once (archived once, one log leaf each), its receipt must verify, and a cut may cost
//! at most one chunk of re-sent body bytes. `SOAK_TRIALS=<n>` runs more random cuts.

use std::path::Path;
use std::time::Duration;

use benchproof_bundle::Trust;
use benchproof_domain::rubric::parse;
use benchproof_domain::{AssessmentId, Sha256};
use benchproof_server::meta::BundleRow;
use benchproof_server::{RunningServer, ServerConfig};
use benchproof_store::{DeliveryState, Store};
use benchproof_sync::{Progress, SyncConfig, SyncReport, SyncWorker, TusClient, TusConfig};
use benchproof_tlog::Receipt;

use crate::proxy::{Fault, Proxy};
use crate::sealed::{self, Keys};
use crate::Rng;

const RUBRIC: &str = include_str!("../../../../fixtures/rubrics/test-skill.toml");
pub const CHUNK: usize = 256 * 1024;
const IO_TIMEOUT: Duration = Duration::from_secs(3);
/// Passes allowed per bundle before the test calls it stuck (one fault needs at most two).
const MAX_PASSES: usize = 6;

/// The real department server (embedded backend, temp dir, golden department key) on its own
/// Tokio runtime, restartable on the same port.
pub struct Department {
    rt: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    pub config: ServerConfig,
    _dir: tempfile::TempDir,
}

impl Department {
    fn start(keys: &Keys) -> Department {
        Department::start_in(keys, tempfile::tempdir().expect("temp dir"))
    }

    /// A server keeping its data under `dir/server`.
    pub fn start_in(keys: &Keys, dir: tempfile::TempDir) -> Department {
        let trust = Trust { department: keys.department.did_key(), revocations: None };
        let department = benchproof_evidence::SigningKey::from_seed_bytes(&[1; 32]).expect("seed");
        let mut config =
            ServerConfig::embedded(dir.path().join("server"), "127.0.0.1:0".parse().expect("addr"), department, trust);
        config.log_origin = "benchproof.test/log".into();
        config.body_idle_timeout = Duration::from_secs(20);
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let server = rt.block_on(benchproof_server::serve(config.clone())).expect("the server starts");
        // Restarts bind the same port, so the proxy in front keeps working.
        config.addr = server.addr();
        Department { rt, server: Some(server), config, _dir: dir }
    }

    pub fn port(&self) -> u16 {
        self.config.addr.port()
    }

    /// Stops the server as a crash would (requests in flight are aborted) and starts it again on
    /// the same data and port.
    fn restart(&mut self) {
        let old = self.server.take().expect("running");
        let config = self.config.clone();
        let server = self.rt.block_on(async move {
            old.stop().await;
            benchproof_server::serve(config).await
        });
        self.server = Some(server.expect("the server restarts on its port"));
    }

    fn bundles(&self) -> Vec<BundleRow> {
        let meta = self.server.as_ref().expect("running").state().meta.clone();
        self.rt.block_on(meta.bundles()).expect("list bundles")
    }

    fn leaves(&self) -> usize {
        let meta = self.server.as_ref().expect("running").state().meta.clone();
        self.rt.block_on(meta.leaves()).expect("list leaves").len()
    }

    fn archived(&self) -> usize {
        let dir = self.config.data_dir.join("blobs").join("archive");
        std::fs::read_dir(dir).map_or(0, |d| d.count())
    }
}

/// A station store with the test rubric, and a worker that goes through `proxy`.
pub struct Station {
    pub store: Store,
    worker: SyncWorker,
    dir: tempfile::TempDir,
    keys: Keys,
    /// The pass clock: each pass is a day after the last, past any backoff.
    passes: i64,
}

impl Station {
    pub fn new(proxy: &Proxy) -> Station {
        let keys = sealed::keys();
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        store.put_rubric(&parse("test.toml", RUBRIC).expect("rubric"), RUBRIC, sealed::now()).expect("rubric");
        let mut config = SyncConfig::new(proxy.url(""), keys.department.did_key());
        config.chunk_size = CHUNK;
        config.io_timeout = IO_TIMEOUT;
        config.connect_timeout = IO_TIMEOUT;
        let worker = SyncWorker::new(config, sealed::station_identity(&keys), 7);
        Station { store, worker, dir, keys, passes: 0 }
    }

    /// Seals a bundle of about `media` bytes into the outbox; returns its id and bytes.
    pub fn queue(&mut self, media: usize, rng: &mut Rng) -> (AssessmentId, Vec<u8>) {
        let sealed = sealed::bundle(&self.keys, media, rng);
        self.store.create_assessment(&sealed.genesis).expect("create");
        let path = self.dir.path().join(format!("{}.zip", sealed.id));
        std::fs::write(&path, &sealed.zip).expect("write bundle");
        let size = sealed.zip.len() as u64;
        self.store
            .enqueue_bundle(sealed.id, Sha256::of(&sealed.zip), size, &path.display().to_string(), sealed::now())
            .expect("enqueue");
        (sealed.id, sealed.zip)
    }

    /// The offset the server holds for `id`'s upload (0 before one is created).
    pub fn held(&self, id: AssessmentId) -> u64 {
        let Some(url) = self.store.sync_item(id).expect("item").upload_url else { return 0 };
        let files = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base).to_owned() + "/";
        let client = TusClient::new(TusConfig::new(files), Some(sealed::station_identity(&self.keys)));
        client.offset(&url).unwrap_or(0)
    }

    /// Runs passes until `id` is delivered, calling `during` with every progress report.
    /// Returns the body bytes handed to the network beyond the bundle's length (re-sent bytes).
    pub fn deliver(&mut self, id: AssessmentId, length: u64, during: &mut dyn FnMut(Progress)) -> u64 {
        let mut handed = 0u64;
        for _ in 0..MAX_PASSES {
            // Where this pass starts: what the server already holds.
            let mut prev = self.held(id);
            let report = self.pass(&mut |p| {
                handed += p.sent.saturating_sub(prev);
                prev = p.sent;
                during(p);
            });
            assert!(report.gave_up.is_empty() && report.alerts.is_empty(), "{report:?}");
            if self.store.sync_item(id).expect("item").state == DeliveryState::Delivered {
                return handed.saturating_sub(length);
            }
        }
        panic!("{id} was not delivered in {MAX_PASSES} passes: {:?}", self.store.sync_item(id));
    }

    /// One worker pass, a day after the last (past any backoff).
    pub fn pass(&mut self, during: &mut dyn FnMut(Progress)) -> SyncReport {
        self.passes += 1;
        let now = sealed::now().plus_millis(self.passes * 86_400_000);
        self.worker.run_once(&self.store, now, &mut |_, p| during(p)).expect("the store works")
    }

    /// The stored receipt of `id`, verified against the bundle and the department key.
    pub fn verify_receipt(&self, id: AssessmentId, zip: &[u8]) -> Receipt {
        let item = self.store.sync_item(id).expect("item");
        let receipt: Receipt = serde_json::from_str(item.receipt.as_deref().expect("a receipt")).expect("receipt json");
        receipt.verify(&benchproof_tlog::sha256(zip), &self.keys.department.did_key()).expect("the receipt verifies");
        assert_eq!(receipt.assessment, id.to_string());
        receipt
    }
}

/// Checks the server holds exactly `delivered`, each once, in one leaf each.
pub fn assert_exactly_once(dept: &Department, delivered: &[(AssessmentId, Vec<u8>)]) {
    let rows = dept.bundles();
    assert_eq!(rows.len(), delivered.len(), "one archive row per bundle");
    assert_eq!(dept.leaves(), delivered.len(), "one log leaf per bundle");
    assert_eq!(dept.archived(), delivered.len(), "one archived file per bundle");
    for (id, zip) in delivered {
        let hex = benchproof_tlog::to_hex(&benchproof_tlog::sha256(zip));
        let held: Vec<&BundleRow> = rows.iter().filter(|r| r.assessment == id.to_string()).collect();
        assert_eq!(held.len(), 1, "{id} is held once");
        assert_eq!(held[0].sha256, hex, "{id} is held with the bytes the station sealed");
        assert!(dept.config.data_dir.join("blobs").join("archive").join(format!("{hex}.zip")).exists());
    }
}

fn trials() -> u64 {
    std::env::var("SOAK_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(20)
}

#[test]
fn bundles_arrive_exactly_once_through_random_cuts() {
    let keys = sealed::keys();
    let dept = Department::start(&keys);
    let proxy = Proxy::start(dept.port());
    let mut station = Station::new(&proxy);
    let mut rng = Rng(0x5eed_0001 ^ trials());
    let mut delivered = Vec::new();
    let mut total_resent = 0;
    for trial in 0..trials() {
        let media = (1 << 20) + (rng.next_u64() % (2 << 20)) as usize;
        let (id, zip) = station.queue(media, &mut rng);
        // Anywhere in the requests of the first pass, headers included.
        let cut = rng.next_u64() % (zip.len() as u64 + 8 * 1024);
        proxy.plan(&[(cut, Fault::Cut)]);
        let resent = station.deliver(id, zip.len() as u64, &mut |_| {});
        assert!(resent <= CHUNK as u64, "trial {trial}: a cut at byte {cut} re-sent {resent} bytes");
        total_resent += resent;
        let receipt = station.verify_receipt(id, &zip);
        assert_eq!(receipt.leaf_index, trial, "leaves are dense and in delivery order");
        delivered.push((id, zip));
    }
    assert_eq!(proxy.faults_fired.load(std::sync::atomic::Ordering::SeqCst), trials(), "every planned cut fired");
    assert!(total_resent > 0, "cuts inside request bodies cost some bytes: the meter measures");
    assert_exactly_once(&dept, &delivered);
    assert_eq!(
        station.store.latest_log_checkpoint().expect("checkpoint").expect("kept").tree_size,
        trials(),
        "the station kept the latest checkpoint, proved consistent with the ones before"
    );
}

#[test]
fn a_stalled_connection_times_out_and_resumes() {
    let keys = sealed::keys();
    let dept = Department::start(&keys);
    let proxy = Proxy::start(dept.port());
    let mut station = Station::new(&proxy);
    let mut rng = Rng(0x5eed_0002);
    let (id, zip) = station.queue(2 << 20, &mut rng);
    // The link goes silent in the middle of the body for longer than the client waits.
    proxy.plan(&[(zip.len() as u64 / 2, Fault::Stall(IO_TIMEOUT + Duration::from_secs(2)))]);
    let resent = station.deliver(id, zip.len() as u64, &mut |_| {});
    assert!(resent <= CHUNK as u64, "a stall re-sent {resent} bytes");
    assert_eq!(proxy.faults_fired.load(std::sync::atomic::Ordering::SeqCst), 1);
    station.verify_receipt(id, &zip);
    assert_exactly_once(&dept, &[(id, zip)]);
}

#[test]
fn a_server_restart_mid_upload_resumes_from_what_it_kept() {
    let keys = sealed::keys();
    let mut dept = Department::start(&keys);
    let proxy = Proxy::start(dept.port());
    let mut station = Station::new(&proxy);
    let mut rng = Rng(0x5eed_0003);
    let (a, zip_a) = station.queue(3 << 20, &mut rng);
    let length = zip_a.len() as u64;
    let mut restarted = false;
    let mut restart_at = 0;
    let resent = station.deliver(a, length, &mut |p| {
        if !restarted && p.sent > length / 2 {
            restarted = true;
            restart_at = p.sent;
            // A crash takes the connections with it: the request in flight is cut too.
            proxy.plan(&[(0, Fault::Cut)]);
            dept.restart();
        }
    });
    assert!(restarted, "the server restarted mid-upload");
    assert!(resent <= CHUNK as u64, "a restart at byte {restart_at} re-sent {resent} bytes");
    station.verify_receipt(a, &zip_a);

    // The restarted server keeps its log: the next bundle is leaf 1, consistent with leaf 0.
    let (b, zip_b) = station.queue(1 << 20, &mut rng);
    station.deliver(b, zip_b.len() as u64, &mut |_| {});
    assert_eq!(station.verify_receipt(b, &zip_b).leaf_index, 1);
    assert_exactly_once(&dept, &[(a, zip_a), (b, zip_b)]);
    assert!(Path::new(&station.store.sync_item(a).expect("item").bundle_path).exists(), "nothing is deleted");
}

#[test]
fn a_power_cut_that_lost_the_end_of_an_upload_starts_it_again() {
    let keys = sealed::keys();
    let mut dept = Department::start(&keys);
    let proxy = Proxy::start(dept.port());
    let mut station = Station::new(&proxy);
    let mut rng = Rng(0x5eed_0005);
    let (id, zip) = station.queue(3 << 20, &mut rng);
    let length = zip.len() as u64;
    let uploads = dept.config.data_dir.join("blobs").join("uploads");
    let mut cut = false;
    let resent = station.deliver(id, length, &mut |p| {
        if !cut && p.sent > length / 2 {
            cut = true;
            proxy.plan(&[(0, Fault::Cut)]);
            dept.restart();
            // The server acknowledged offsets its disk had not written yet; the power cut took
            // the end of the file with it.
            let file = std::fs::read_dir(&uploads).expect("uploads").next().expect("one upload").expect("entry");
            let f = std::fs::OpenOptions::new().write(true).open(file.path()).expect("open");
            f.set_len(CHUNK as u64 / 2).expect("shorten");
        }
    });
    assert!(cut, "the power was cut mid-upload");
    assert!(resent >= CHUNK as u64 / 2, "the lost bytes were sent again ({resent})");
    station.verify_receipt(id, &zip);
    assert_exactly_once(&dept, &[(id, zip)]);
    assert_eq!(std::fs::read_dir(&uploads).expect("uploads").count(), 0, "the lost upload was discarded");
}

#[test]
fn a_lost_answer_to_the_last_patch_costs_no_resend() {
    let keys = sealed::keys();
    let dept = Department::start(&keys);
    let proxy = Proxy::start(dept.port());
    let mut station = Station::new(&proxy);
    let mut rng = Rng(0x5eed_0004);
    let (id, zip) = station.queue(2 << 20, &mut rng);
    let length = zip.len() as u64;
    // The server receives every byte and archives the bundle, but its answer never arrives.
    let mut armed = true;
    let resent = station.deliver(id, length, &mut |p| {
        // The last chunk's bytes are being read into the request: its answer is next.
        if armed && p.sent == length {
            armed = false;
            proxy.swallow_next_answer();
        }
    });
    assert_eq!(proxy.faults_fired.load(std::sync::atomic::Ordering::SeqCst), 1, "the answer was lost");
    assert_eq!(resent, 0, "the receipt is fetched, not earned by sending the bundle again");
    station.verify_receipt(id, &zip);
    assert_exactly_once(&dept, &[(id, zip)]);
}
