//! Reading a Siglent-size screen dump (800×480 24-bit BMP, 1 152 054 bytes) in a definite-length
//! block over loopback with `ScpiClient::query_block`, against a named peer measured in the same
//! run: the same bytes read by a bare `read_exact` of the known length from an identical server
//! (no parsing, no deadlines: the floor for this socket). Also times BMP → PNG + thumbnail.
//!
//! `cargo bench -p benchproof-instrument --bench screen_dump`
#![allow(clippy::print_stdout)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use benchproof_instrument::{block, normalise, ScpiClient, Timeouts};

const ROUNDS: usize = 40;

fn bmp() -> Vec<u8> {
    let img = benchproof_instrument::sim::render_screen();
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Bmp).unwrap();
    out
}

/// Answers every line with `answer`, like an instrument answering a screen-dump query.
fn server(answer: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            writer.write_all(&answer).unwrap();
            line.clear();
        }
    });
    addr
}

fn best_of(mut f: impl FnMut()) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        f();
        best = best.min(start.elapsed());
    }
    best
}

fn main() {
    let data = bmp();
    let mut answer = block::encode_definite(&data).unwrap();
    answer.push(b'\n');

    let ours_addr = server(answer.clone());
    let mut client = ScpiClient::connect(&ours_addr, Timeouts::default()).unwrap();
    let ours = best_of(|| assert_eq!(client.query_block("SCDP").unwrap().len(), data.len()));

    let peer_addr = server(answer.clone());
    let mut peer = TcpStream::connect(&peer_addr).unwrap();
    peer.set_nodelay(true).unwrap();
    let mut buf = vec![0u8; answer.len()];
    let peer_time = best_of(|| {
        peer.write_all(b"SCDP\n").unwrap();
        peer.read_exact(&mut buf).unwrap();
    });

    let png = best_of(|| {
        normalise(&data).unwrap();
    });
    let mb = data.len() as f64 / 1e6;
    println!("screen dump of {} bytes, best of {ROUNDS}:", data.len());
    println!("  ScpiClient::query_block : {:>8.2} ms ({:.0} MB/s)", ms(ours), mb / ours.as_secs_f64());
    println!("  peer read_exact (floor) : {:>8.2} ms ({:.0} MB/s)", ms(peer_time), mb / peer_time.as_secs_f64());
    println!("  ratio ours/peer         : {:>8.2}", ours.as_secs_f64() / peer_time.as_secs_f64());
    println!("  BMP -> PNG + thumbnail  : {:>8.2} ms", ms(png));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
