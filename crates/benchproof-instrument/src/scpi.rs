//! A SCPI client over a raw TCP socket (LXI "SCPI raw", port 5025).
//!
//! Invariants: every connect, read and write has a deadline (no call can block forever); an
//! answer is read against one deadline for the whole answer, however many reads it takes. After
//! any failure mid-answer the connection is dropped and the next call reconnects, so a late
//! answer to one command is never mistaken for the answer to the next.

mod address;
mod idn;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

pub use address::{Address, DEFAULT_PORT};
pub use idn::Idn;

use crate::block::{BlockError, BlockLimits, BlockParser, Progress};

/// Longest text answer accepted without a newline.
const MAX_LINE: usize = 64 * 1024;
/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 64 * 1024;
/// How much of an unexpected answer an error quotes.
const QUOTED: usize = 48;

/// Deadlines for talking to one instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening the TCP connection.
    pub connect: Duration,
    /// A whole text answer, from sending the command to the final newline.
    pub query: Duration,
    /// A whole binary answer (screen dumps are slow on some instruments).
    pub block: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { connect: Duration::from_secs(3), query: Duration::from_secs(5), block: Duration::from_secs(10) }
    }
}

/// How a binary answer is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framing {
    /// An IEEE 488.2 block (`#<n><len><data>` or `#0<data>`).
    Block,
    /// Either a block or a bare BMP file whose length is read from its own header (older
    /// Siglent models answer `SCDP` with a bare BMP).
    BlockOrBmp,
}

/// Why talking to an instrument failed. Every variant names the address, and where one was
/// being sent, the command.
#[derive(Debug, thiserror::Error)]
pub enum ScpiError {
    /// The address could not be parsed.
    #[error("`{input}` is not an instrument address: {reason}; write HOST or HOST:PORT, e.g. 192.168.1.20:5025")]
    BadAddress {
        /// What the user typed.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No TCP connection could be opened.
    #[error(
        "could not connect to the instrument at {address}: {source}; check the instrument's LAN settings \
         (IP address, LAN enabled) and that port {} is open",
        address.port
    )]
    Connect {
        /// The instrument.
        address: Address,
        /// The last connection error.
        source: io::Error,
    },
    /// The instrument did not finish its answer before the deadline.
    #[error(
        "instrument at {address} did not answer `{command}` within {} ({received} byte(s) received); check \
         that the command suits this model (docs/instruments.md) or raise the timeout",
        show_duration(*waited)
    )]
    Timeout {
        /// The instrument.
        address: Address,
        /// The command whose answer was awaited.
        command: String,
        /// The deadline that passed.
        waited: Duration,
        /// Bytes of the answer that did arrive.
        received: usize,
    },
    /// The instrument closed the connection before answering.
    #[error(
        "instrument at {address} closed the connection before answering `{command}`; check that no other \
         program holds the instrument's socket, then retry"
    )]
    Closed {
        /// The instrument.
        address: Address,
        /// The command.
        command: String,
    },
    /// A read or write failed.
    #[error("talking to the instrument at {address} (command `{command}`) failed: {source}")]
    Io {
        /// The instrument.
        address: Address,
        /// The command.
        command: String,
        /// The socket error.
        source: io::Error,
    },
    /// A binary answer was not a well-formed block.
    #[error(
        "the answer to `{command}` from {address} is not a valid IEEE 488.2 block: {source}{}; retry, and if it \
         happens again check the profile's command for this model and firmware (docs/instruments.md)",
        quote(answer_start)
    )]
    Block {
        /// The instrument.
        address: Address,
        /// The command.
        command: String,
        /// What is wrong with the block.
        source: BlockError,
        /// The start of the answer when it did not begin like a block (often an error message).
        answer_start: String,
    },
    /// A bare BMP answer had an impossible header.
    #[error("the answer to `{command}` from {address} is neither a block nor a BMP file: {reason}")]
    BadBmp {
        /// The instrument.
        address: Address,
        /// The command.
        command: String,
        /// What is wrong.
        reason: String,
    },
    /// A text answer went on without a newline.
    #[error("the answer to `{command}` from {address} is longer than {MAX_LINE} bytes without a newline")]
    LineTooLong {
        /// The instrument.
        address: Address,
        /// The command.
        command: String,
    },
    /// The `*IDN?` answer is not `manufacturer,model,serial,firmware`.
    #[error("the answer to `*IDN?` from {address} is not `manufacturer,model,serial,firmware`: {answer:?}")]
    BadIdn {
        /// The instrument.
        address: Address,
        /// What it answered.
        answer: String,
    },
}

fn show_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

fn quote(answer_start: &str) -> String {
    if answer_start.is_empty() {
        String::new()
    } else {
        format!(" (the answer began {answer_start:?})")
    }
}

/// A connection to one instrument.
#[derive(Debug)]
pub struct ScpiClient {
    address: Address,
    timeouts: Timeouts,
    limits: BlockLimits,
    /// `None` after a failure mid-answer: the next call reconnects.
    stream: Option<TcpStream>,
    /// Bytes read but not yet consumed.
    buf: Vec<u8>,
    /// A block ended without its terminator in view: drop a `\n` that starts the next answer.
    skip_newline: bool,
}

impl ScpiClient {
    /// Connects to `address` (`HOST[:PORT]`, port 5025 by default).
    pub fn connect(address: &str, timeouts: Timeouts) -> Result<Self, ScpiError> {
        Self::connect_to(Address::parse(address)?, timeouts)
    }

    /// Connects to a parsed address.
    pub fn connect_to(address: Address, timeouts: Timeouts) -> Result<Self, ScpiError> {
        let mut client = Self {
            address,
            timeouts,
            limits: BlockLimits::default(),
            stream: None,
            buf: Vec::new(),
            skip_newline: false,
        };
        client.stream = Some(client.open()?);
        Ok(client)
    }

    /// The instrument's address.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// Changes the deadlines for later calls.
    pub fn set_timeouts(&mut self, timeouts: Timeouts) {
        self.timeouts = timeouts;
    }

    /// Changes the bounds on binary answers for later calls.
    pub fn set_block_limits(&mut self, limits: BlockLimits) {
        self.limits = limits;
    }

    fn open(&self) -> Result<TcpStream, ScpiError> {
        let connect_err = |source| ScpiError::Connect { address: self.address.clone(), source };
        let addrs: Vec<SocketAddr> =
            (self.address.host.as_str(), self.address.port).to_socket_addrs().map_err(connect_err)?.collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the host name resolved to no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.timeouts.connect) {
                Ok(stream) => {
                    // Commands are small and answered one at a time: do not wait for Nagle.
                    stream.set_nodelay(true).map_err(connect_err)?;
                    stream.set_write_timeout(Some(self.timeouts.query)).map_err(connect_err)?;
                    return Ok(stream);
                }
                Err(e) => last = e,
            }
        }
        Err(connect_err(last))
    }

    /// Forgets the connection after a failure so that the next call starts clean.
    fn drop_connection(&mut self) {
        self.stream = None;
        self.buf.clear();
        self.skip_newline = false;
    }

    /// Sends a command that has no answer (e.g. a setting).
    pub fn send(&mut self, command: &str) -> Result<(), ScpiError> {
        if self.stream.is_none() {
            self.stream = Some(self.open()?);
        }
        let stream = self.stream.as_mut().expect("connected just above");
        let mut line = Vec::with_capacity(command.len() + 1);
        line.extend_from_slice(command.trim_end().as_bytes());
        line.push(b'\n');
        let result = stream.write_all(&line).and_then(|()| stream.flush());
        result.map_err(|source| {
            let err = self.io_error(command, source, self.timeouts.query);
            self.drop_connection();
            err
        })
    }

    /// Sends a query and returns its text answer without the trailing newline.
    pub fn query(&mut self, command: &str) -> Result<String, ScpiError> {
        self.send(command)?;
        let result = self.read_line(command);
        if result.is_err() {
            self.drop_connection();
        }
        result
    }

    /// Sends `*IDN?` and parses the answer.
    pub fn idn(&mut self) -> Result<Idn, ScpiError> {
        let answer = self.query("*IDN?")?;
        Idn::parse(&answer).ok_or_else(|| ScpiError::BadIdn { address: self.address.clone(), answer })
    }

    /// Sends a query whose answer is an IEEE 488.2 block and returns the block's data.
    pub fn query_block(&mut self, command: &str) -> Result<Vec<u8>, ScpiError> {
        self.query_binary(command, Framing::Block)
    }

    /// Sends a query whose answer is binary, framed as `framing` says, and returns the data.
    pub fn query_binary(&mut self, command: &str, framing: Framing) -> Result<Vec<u8>, ScpiError> {
        self.send(command)?;
        let deadline = Instant::now() + self.timeouts.block;
        let result = self.read_binary(command, framing, deadline);
        if result.is_err() {
            self.drop_connection();
        }
        result
    }

    fn read_binary(&mut self, command: &str, framing: Framing, deadline: Instant) -> Result<Vec<u8>, ScpiError> {
        self.skip_leftover_newline(command, deadline)?;
        if framing == Framing::BlockOrBmp {
            self.fill(command, deadline, 1, self.timeouts.block)?;
            if self.buf.first() == Some(&b'B') {
                return self.read_bmp(command, deadline);
            }
        }
        self.read_block(command, deadline)
    }

    fn read_block(&mut self, command: &str, deadline: Instant) -> Result<Vec<u8>, ScpiError> {
        let mut parser = BlockParser::new(self.limits);
        loop {
            if !self.buf.is_empty() {
                match parser.feed(&self.buf) {
                    Ok(used) => {
                        self.buf.drain(..used);
                    }
                    Err(source) => return Err(self.block_error(command, source)),
                }
            }
            match parser.progress() {
                Progress::Done => break,
                Progress::DataComplete if self.buf.is_empty() => {
                    // The terminator may still be in flight: drop it before the next answer.
                    self.skip_newline = true;
                    break;
                }
                Progress::DataComplete => continue,
                Progress::NeedMore => {}
            }
            match self.read_some(command, deadline, parser.received(), self.timeouts.block)? {
                0 => {
                    self.stream = None;
                    break;
                }
                _ => continue,
            }
        }
        parser.finish().map_err(|source| self.block_error(command, source))
    }

    fn read_bmp(&mut self, command: &str, deadline: Instant) -> Result<Vec<u8>, ScpiError> {
        // BITMAPFILEHEADER: "BM", u32 LE file size, 4 reserved bytes, u32 LE pixel data offset.
        const HEADER: usize = 14;
        self.fill(command, deadline, HEADER, self.timeouts.block)?;
        let bad =
            |reason: String| ScpiError::BadBmp { address: self.address.clone(), command: command.to_owned(), reason };
        if &self.buf[..2] != b"BM" {
            return Err(bad(format!("it starts with {:?}", String::from_utf8_lossy(&self.buf[..2]))));
        }
        let size = u32::from_le_bytes([self.buf[2], self.buf[3], self.buf[4], self.buf[5]]) as usize;
        if size < HEADER + 12 {
            return Err(bad(format!("its header declares an impossible size of {size} bytes")));
        }
        if size > self.limits.max_len {
            return Err(bad(format!("its header declares {size} bytes, above the limit of {}", self.limits.max_len)));
        }
        self.fill(command, deadline, size, self.timeouts.block)?;
        let data: Vec<u8> = self.buf.drain(..size).collect();
        if self.buf.is_empty() {
            self.skip_newline = true;
        } else if self.buf.starts_with(b"\n") {
            self.buf.drain(..1);
        }
        Ok(data)
    }

    /// Reads until `buf` holds at least `len` bytes; the stream ending first is a short read.
    fn fill(&mut self, command: &str, deadline: Instant, len: usize, waited: Duration) -> Result<(), ScpiError> {
        while self.buf.len() < len {
            if self.read_some(command, deadline, self.buf.len(), waited)? == 0 {
                let source = BlockError::ShortRead { got: self.buf.len(), expected: Some(len) };
                return Err(ScpiError::Block {
                    address: self.address.clone(),
                    command: command.to_owned(),
                    source,
                    answer_start: String::new(),
                });
            }
        }
        Ok(())
    }

    fn skip_leftover_newline(&mut self, command: &str, deadline: Instant) -> Result<(), ScpiError> {
        if !std::mem::take(&mut self.skip_newline) {
            return Ok(());
        }
        if self.buf.is_empty() && self.read_some(command, deadline, 0, self.timeouts.block)? == 0 {
            return Ok(());
        }
        if self.buf.starts_with(b"\r\n") {
            self.buf.drain(..2);
        } else if self.buf.starts_with(b"\n") {
            self.buf.drain(..1);
        }
        Ok(())
    }

    fn read_line(&mut self, command: &str) -> Result<String, ScpiError> {
        let deadline = Instant::now() + self.timeouts.query;
        self.skip_leftover_newline(command, deadline)?;
        let mut searched = 0;
        loop {
            if let Some(i) = self.buf[searched..].iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..searched + i + 1).collect();
                let text = String::from_utf8_lossy(&line);
                return Ok(text.trim_end_matches(['\n', '\r']).to_owned());
            }
            searched = self.buf.len();
            if searched > MAX_LINE {
                return Err(ScpiError::LineTooLong { address: self.address.clone(), command: command.to_owned() });
            }
            if self.read_some(command, deadline, searched, self.timeouts.query)? == 0 {
                return Err(ScpiError::Closed { address: self.address.clone(), command: command.to_owned() });
            }
        }
    }

    /// One read into `buf` bounded by `deadline`; returns 0 when the peer closed the stream.
    fn read_some(
        &mut self,
        command: &str,
        deadline: Instant,
        received: usize,
        waited: Duration,
    ) -> Result<usize, ScpiError> {
        let timeout =
            || ScpiError::Timeout { address: self.address.clone(), command: command.to_owned(), waited, received };
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(timeout());
        }
        let Some(stream) = self.stream.as_mut() else {
            return Ok(0);
        };
        // `set_read_timeout(Some(0))` is an error, and `remaining` is non-zero here.
        if let Err(source) = stream.set_read_timeout(Some(remaining)) {
            return Err(self.io_error(command, source, waited));
        }
        let start = self.buf.len();
        self.buf.resize(start + READ_CHUNK, 0);
        let result = stream.read(&mut self.buf[start..]);
        let n = *result.as_ref().unwrap_or(&0);
        self.buf.truncate(start + n);
        match result {
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => Err(timeout()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(self.buf.len() - start),
            Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted) => {
                // A reset mid-answer is the same as the instrument closing the socket.
                self.stream = None;
                Ok(0)
            }
            Err(source) => Err(self.io_error(command, source, waited)),
        }
    }

    fn io_error(&self, command: &str, source: io::Error, waited: Duration) -> ScpiError {
        if matches!(source.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) {
            return ScpiError::Timeout {
                address: self.address.clone(),
                command: command.to_owned(),
                waited,
                received: 0,
            };
        }
        ScpiError::Io { address: self.address.clone(), command: command.to_owned(), source }
    }

    fn block_error(&self, command: &str, source: BlockError) -> ScpiError {
        let answer_start = match source {
            BlockError::BadHeader { .. } | BlockError::BadDigitCount { .. } => {
                let end = self.buf.len().min(QUOTED);
                String::from_utf8_lossy(&self.buf[..end]).trim_end().to_owned()
            }
            _ => String::new(),
        };
        ScpiError::Block { address: self.address.clone(), command: command.to_owned(), source, answer_start }
    }
}
