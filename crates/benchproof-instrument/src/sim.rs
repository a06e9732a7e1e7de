//! A simulated SCPI oscilloscope on a loopback TCP port, for the demo and for tests.
//!
//! It answers `*IDN?`, the screenshot command of its profile (a rendered scope screen framed as
//! the profile says: a definite-length block, or a bare BMP for `block-or-bmp` profiles) and
//! every state query of the profile with that query's documented `example` answer. Unknown
//! queries get no answer, as on a real instrument. [`Fault`]s make it misbehave on purpose.
//!
//! Invariants: it binds only to 127.0.0.1; [`SimScope::shutdown`] (or drop) closes every
//! connection and joins every thread it started.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

use crate::block;
use crate::picture::SourceFormat;
use crate::profile::{self, Profile};
use crate::scpi::Framing;

/// The identity the simulator reports unless it impersonates another profile.
pub const SIM_IDN: &str = "Benchproof,Simulated Oscilloscope,SIM0001,1.0";

/// Size of the rendered screen, as on most 7-inch bench oscilloscopes.
pub const SCREEN_WIDTH: u32 = 800;
/// Height of the rendered screen.
pub const SCREEN_HEIGHT: u32 = 480;

/// A deliberate misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Fault {
    /// Behave.
    #[default]
    None,
    /// Wait this long before every answer.
    Delay(Duration),
    /// Wait this long before the screen dump only.
    SlowScreenshot(Duration),
    /// Read commands but never answer anything.
    Silent,
    /// Never answer this one command (others are answered).
    Ignore(String),
    /// Send the block header and half of the image, then close the connection.
    DropMidBlock,
    /// Announce 9 length digits but send fewer.
    WrongLengthDigits,
    /// Announce fewer bytes than are sent.
    LengthTooShort,
    /// Send a well-formed block that holds text, not an image.
    GarbageImage,
}

#[derive(Debug)]
struct Shared {
    profile: Profile,
    idn: String,
    screen: Vec<u8>,
    fault: Mutex<Fault>,
    received: Mutex<Vec<String>>,
    /// Set on shutdown; delays wait on it so that shutdown never waits for a delay.
    stopping: (Mutex<bool>, Condvar),
    streams: Mutex<Vec<TcpStream>>,
}

/// A running simulated oscilloscope.
#[derive(Debug)]
pub struct SimScope {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking connection thread must not take the simulator down with it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimScope {
    /// Starts the simulator with its own profile (`benchproof-sim`) and identity.
    pub fn start() -> io::Result<Self> {
        let profile = profile::find("benchproof-sim").expect("benchproof-sim is a bundled profile");
        Self::start_with(profile, SIM_IDN.to_owned())
    }

    /// Starts a simulator that impersonates an instrument of `profile`: its first manufacturer,
    /// a model built from its first model prefix, the profile's screenshot framing and format.
    pub fn impersonating(profile: &Profile) -> io::Result<Self> {
        let maker = profile.matcher.manufacturers.first().cloned().unwrap_or_default();
        let model = format!("{}SIM", profile.matcher.model_prefixes.first().map(String::as_str).unwrap_or(""));
        Self::start_with(profile.clone(), format!("{maker},{model},SIM0001,1.0"))
    }

    /// Starts a simulator answering `profile`'s commands with the identity `idn`.
    pub fn start_with(profile: Profile, idn: String) -> io::Result<Self> {
        let screen = encode_screen(profile.screenshot.format)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            profile,
            idn,
            screen,
            fault: Mutex::new(Fault::None),
            received: Mutex::new(Vec::new()),
            stopping: (Mutex::new(false), Condvar::new()),
            streams: Mutex::new(Vec::new()),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("sim-scope-accept".into())
                .spawn(move || accept_loop(&listener, &shared))?
        };
        Ok(Self { addr, shared, acceptor: Some(acceptor) })
    }

    /// The loopback address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address as `HOST:PORT`, ready for [`crate::fetch`].
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// The profile it answers.
    pub fn profile(&self) -> &Profile {
        &self.shared.profile
    }

    /// The exact image bytes it sends as its screen (before framing).
    pub fn screen(&self) -> &[u8] {
        &self.shared.screen
    }

    /// Changes its behaviour for the commands that follow.
    pub fn set_fault(&self, fault: Fault) {
        *lock(&self.shared.fault) = fault;
    }

    /// Every command received so far, in order.
    pub fn received(&self) -> Vec<String> {
        lock(&self.shared.received).clone()
    }

    /// Stops listening, closes every connection and joins the threads.
    pub fn shutdown(&mut self) {
        let Some(acceptor) = self.acceptor.take() else { return };
        *lock(&self.shared.stopping.0) = true;
        self.shared.stopping.1.notify_all();
        // Wake the blocking accept with a connection of our own.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        let _ = acceptor.join();
    }
}

impl Drop for SimScope {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn stopping(shared: &Shared) -> bool {
    *lock(&shared.stopping.0)
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut connections = Vec::new();
    for stream in listener.incoming() {
        if stopping(shared) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let Ok(clone) = stream.try_clone() else { continue };
        lock(&shared.streams).push(clone);
        let shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new().name("sim-scope-conn".into()).spawn(move || {
            let _ = serve(stream, &shared);
        });
        if let Ok(handle) = spawned {
            connections.push(handle);
        }
        connections.retain(|h| !h.is_finished());
    }
    // Only this thread adds streams, so after the loop none can be missed: closing them ends
    // every connection thread.
    for stream in lock(&shared.streams).drain(..) {
        let _ = stream.shutdown(Shutdown::Both);
    }
    for handle in connections {
        let _ = handle.join();
    }
}

/// Waits `delay`, or less if the simulator is stopping. Returns false when stopping.
fn pause(shared: &Shared, delay: Duration) -> bool {
    let (flag, wake) = &shared.stopping;
    let guard = lock(flag);
    let (guard, _) = wake.wait_timeout_while(guard, delay, |stop| !*stop).unwrap_or_else(PoisonError::into_inner);
    !*guard
}

fn normalise(command: &str) -> String {
    command.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase()
}

fn serve(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let screenshot_command = normalise(&shared.profile.screenshot.command);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || stopping(shared) {
            return Ok(());
        }
        let command = line.trim().to_owned();
        if command.is_empty() {
            continue;
        }
        lock(&shared.received).push(command.clone());
        let fault = lock(&shared.fault).clone();
        let key = normalise(&command);
        match &fault {
            Fault::Silent => continue,
            Fault::Ignore(c) if normalise(c) == key => continue,
            Fault::Delay(d) if !pause(shared, *d) => return Ok(()),
            _ => {}
        }
        if key == screenshot_command {
            if let Fault::SlowScreenshot(d) = fault {
                if !pause(shared, d) {
                    return Ok(());
                }
            }
            let done = send_screen(&mut writer, shared, &fault)?;
            if done {
                let _ = writer.shutdown(Shutdown::Both);
                return Ok(());
            }
            continue;
        }
        let answer = match key.as_str() {
            "*IDN?" => Some(shared.idn.clone()),
            "*OPC?" => Some("1".to_owned()),
            ":SYST:ERR?" | ":SYSTEM:ERROR?" | "SYST:ERR?" => Some("+0,\"No error\"".to_owned()),
            _ => shared.profile.queries.iter().find(|q| normalise(&q.command) == key).map(|q| q.example.clone()),
        };
        if let Some(answer) = answer {
            writer.write_all(answer.as_bytes())?;
            writer.write_all(b"\n")?;
            writer.flush()?;
        }
    }
}

/// Sends the screen as the profile frames it, or misframed as `fault` says. Returns true when
/// the connection must be closed afterwards.
fn send_screen(writer: &mut TcpStream, shared: &Shared, fault: &Fault) -> io::Result<bool> {
    let data = &shared.screen;
    let len = data.len().to_string();
    let mut out = Vec::with_capacity(data.len() + 16);
    let mut close = false;
    match fault {
        Fault::DropMidBlock => {
            // Declare the full length, send half, hang up.
            out.extend_from_slice(format!("#{}{len}", len.len()).as_bytes());
            out.extend_from_slice(&data[..data.len() / 2]);
            close = true;
        }
        Fault::WrongLengthDigits => {
            out.extend_from_slice(format!("#9{len}").as_bytes());
            out.extend_from_slice(data);
            out.push(b'\n');
        }
        Fault::LengthTooShort => {
            let short = (data.len() - 10).to_string();
            out.extend_from_slice(format!("#{}{short}", short.len()).as_bytes());
            out.extend_from_slice(data);
            out.push(b'\n');
        }
        Fault::GarbageImage => {
            let text = b"this is not an image: the scope sent its help text instead\n".repeat(50);
            out.extend_from_slice(&block::encode_definite(&text).map_err(io::Error::other)?);
            out.push(b'\n');
        }
        _ if shared.profile.screenshot.framing == Framing::BlockOrBmp && data.starts_with(b"BM") => {
            // Classic Siglent firmware: a bare BMP, then a stray newline.
            out.extend_from_slice(data);
            out.push(b'\n');
        }
        _ => {
            out.extend_from_slice(&block::encode_definite(data).map_err(io::Error::other)?);
            out.push(b'\n');
        }
    }
    writer.write_all(&out)?;
    writer.flush()?;
    Ok(close)
}

/// Renders a plausible oscilloscope screen: a dark graticule of 10 × 8 divisions, a yellow
/// 1 kHz-looking sine on channel 1 and a cyan square wave on channel 2.
pub fn render_screen() -> RgbImage {
    let (w, h) = (SCREEN_WIDTH, SCREEN_HEIGHT);
    let mut img = RgbImage::from_pixel(w, h, Rgb([8, 8, 16]));
    let (div_x, div_y) = (w / 10, h / 8);
    for y in 0..h {
        for x in 0..w {
            let on_grid = (x % div_x == 0 || y % div_y == 0) && (x + y) % 4 == 0;
            let on_axis = (x == w / 2 || y == h / 2) && (x + y) % 2 == 0;
            if on_axis {
                img.put_pixel(x, y, Rgb([140, 140, 140]));
            } else if on_grid {
                img.put_pixel(x, y, Rgb([70, 70, 70]));
            }
        }
    }
    let mut previous: Option<(i64, i64)> = None;
    for x in 0..w {
        let phase = f64::from(x) / f64::from(div_x) * std::f64::consts::PI * 2.0 / 4.0;
        let sine = (f64::from(h) / 2.0 - 0.9 * f64::from(div_y) * 2.5 * phase.sin()).round() as i64;
        let high = (x / (div_x * 2)) % 2 == 0;
        let base = i64::from(h / 2 + div_y * 2);
        let square = base + if high { -i64::from(div_y) } else { i64::from(div_y) };
        for dy in -1..=1 {
            plot(&mut img, i64::from(x), sine + dy, Rgb([250, 220, 40]));
            plot(&mut img, i64::from(x), square + dy, Rgb([40, 210, 230]));
        }
        if let Some((px, py)) = previous {
            // Join steep segments so that the trace is continuous.
            for y in py.min(sine)..=py.max(sine) {
                plot(&mut img, px, y, Rgb([250, 220, 40]));
            }
        }
        previous = Some((i64::from(x), sine));
        if x > 0 && x % (div_x * 2) == 0 {
            for y in (base - i64::from(div_y))..=(base + i64::from(div_y)) {
                plot(&mut img, i64::from(x), y, Rgb([40, 210, 230]));
            }
        }
    }
    img
}

fn plot(img: &mut RgbImage, x: i64, y: i64, colour: Rgb<u8>) {
    if let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) {
        if x < img.width() && y < img.height() {
            img.put_pixel(x, y, colour);
        }
    }
}

fn encode_screen(format: SourceFormat) -> io::Result<Vec<u8>> {
    let image = DynamicImage::ImageRgb8(render_screen());
    let format = match format {
        SourceFormat::Png => ImageFormat::Png,
        SourceFormat::Bmp => ImageFormat::Bmp,
        SourceFormat::Jpeg => ImageFormat::Jpeg,
    };
    let mut out = Vec::new();
    image.write_to(&mut io::Cursor::new(&mut out), format).map_err(io::Error::other)?;
    Ok(out)
}
