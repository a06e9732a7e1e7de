//! A fault-injecting TCP proxy for the tests: forwards loopback connections to an upstream and,
//! when the total client→server bytes cross one of its planned offsets, either cuts the
//! connection that carried them or stalls it (stops forwarding, then closes). It can also
//! swallow the server's next answer (closing that connection instead of forwarding it).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What to do at a planned offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Cut,
    /// Stop forwarding for this long, then close.
    Stall(Duration),
}

#[derive(Debug)]
pub struct Proxy {
    pub port: u16,
    faults: Arc<Mutex<Vec<(u64, Fault)>>>,
    upstream_bytes: Arc<AtomicU64>,
    pub faults_fired: Arc<AtomicU64>,
    swallow: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    /// A proxy to `127.0.0.1:upstream_port`.
    pub fn start(upstream_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let proxy = Proxy {
            port,
            faults: Arc::new(Mutex::new(Vec::new())),
            upstream_bytes: Arc::new(AtomicU64::new(0)),
            faults_fired: Arc::new(AtomicU64::new(0)),
            swallow: Arc::new(AtomicBool::new(false)),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (faults, counter, fired, stop) =
            (proxy.faults.clone(), proxy.upstream_bytes.clone(), proxy.faults_fired.clone(), proxy.stop.clone());
        let swallow = proxy.swallow.clone();
        thread::spawn(move || {
            for client in listener.incoming() {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream_port)) else { continue };
                let (faults, counter, fired) = (faults.clone(), counter.clone(), fired.clone());
                let (c2, s2) = (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
                let (swallow, fired_down) = (swallow.clone(), fired.clone());
                thread::spawn(move || pump_down(s2, c2, &swallow, &fired_down));
                thread::spawn(move || pump_up(client, server, &faults, &counter, &fired));
            }
        });
        proxy
    }

    /// Plans faults at these offsets of the client→server byte stream, counted from now.
    pub fn plan(&self, faults: &[(u64, Fault)]) {
        let base = self.upstream_bytes.load(Ordering::SeqCst);
        let mut planned: Vec<(u64, Fault)> = faults.iter().map(|(at, f)| (base + at, *f)).collect();
        planned.sort_by_key(|(at, _)| *at);
        *self.faults.lock().expect("lock") = planned;
    }

    /// The next server→client bytes are dropped and their connection closed (a fault).
    pub fn swallow_next_answer(&self) {
        self.swallow.store(true, Ordering::SeqCst);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn pump_down(mut from: TcpStream, mut to: TcpStream, swallow: &AtomicBool, fired: &AtomicU64) {
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n > 0 && swallow.swap(false, Ordering::SeqCst) {
            fired.fetch_add(1, Ordering::SeqCst);
            break;
        }
        if n == 0 || to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

fn pump_up(
    mut from: TcpStream,
    mut to: TcpStream,
    faults: &Mutex<Vec<(u64, Fault)>>,
    counter: &AtomicU64,
    fired: &AtomicU64,
) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let start = counter.fetch_add(n as u64, Ordering::SeqCst);
        let fault = {
            let mut planned = faults.lock().expect("lock");
            match planned.first() {
                Some((at, fault)) if *at < start + n as u64 => {
                    let (at, fault) = (*at, *fault);
                    planned.remove(0);
                    Some((at.saturating_sub(start) as usize, fault))
                }
                _ => None,
            }
        };
        match fault {
            None => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Some((keep, fault)) => {
                fired.fetch_add(1, Ordering::SeqCst);
                let _ = to.write_all(&buf[..keep.min(n)]);
                if let Fault::Stall(pause) = fault {
                    thread::sleep(pause);
                }
                break;
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}
