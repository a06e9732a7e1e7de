//! IEEE 488.2 arbitrary block responses (IEEE 488.2-1992 §8.7.9–8.7.10).
//!
//! A definite-length block is `#<n><n length digits><bytes>`, where `n` is `1`–`9`; an indefinite
//! block is `#0<bytes>` ended by a newline sent with END (EOI). Instruments usually follow a block
//! with a newline terminator.
//!
//! [`BlockParser`] is incremental: feed it whatever a socket returned, in any chunking, and it
//! consumes exactly the bytes of one block (plus its optional `\n` or `\r\n` terminator) and
//! never more. It never allocates more than [`BlockLimits::max_len`] bytes of payload, and it
//! checks a declared length against that limit before reading any data.

use std::fmt;

/// Largest block accepted unless the caller says otherwise: 64 MiB, far above any screen dump.
pub const DEFAULT_MAX_LEN: usize = 64 * 1024 * 1024;

/// How many bytes of unexpected trailing data an error keeps to show the user.
const GARBAGE_SHOWN: usize = 16;

/// What to do with an indefinite-length (`#0`) block.
///
/// Over GPIB the END message (EOI) marks the last byte. A raw TCP socket has no EOI, so the end
/// must be inferred: either the first newline ends the block (only safe for text payloads — PNG
/// data contains newlines) or the instrument closes the connection after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indefinite {
    /// `#0` is an error ([`BlockError::IndefiniteNotAllowed`]).
    Refuse,
    /// The block ends at the first `\n`, which is not part of the data.
    UntilNewline,
    /// The block ends when the stream ends; one trailing `\n` is dropped from the data.
    UntilClose,
}

/// Bounds on one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockLimits {
    /// Largest payload accepted, in bytes.
    pub max_len: usize,
    /// Whether and how `#0` blocks are accepted.
    pub indefinite: Indefinite,
}

impl Default for BlockLimits {
    fn default() -> Self {
        Self { max_len: DEFAULT_MAX_LEN, indefinite: Indefinite::UntilClose }
    }
}

/// Why a block could not be read. Every variant says what was expected and what arrived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// The first byte was not `#`.
    #[error("expected `#` to start an IEEE 488.2 block, found {}", show_byte(*found))]
    BadHeader {
        /// The byte that arrived instead.
        found: u8,
    },
    /// The byte after `#` was not a digit.
    #[error("expected the digit count (0-9) after `#`, found {}", show_byte(*found))]
    BadDigitCount {
        /// The byte that arrived instead.
        found: u8,
    },
    /// The header announced `declared` length digits but a non-digit came after `got` of them.
    #[error(
        "the block header announces {declared} length digits but only {got} digit(s) follow before {}; \
         the instrument sent a malformed header",
        show_byte(*found)
    )]
    LengthDigits {
        /// The `n` of `#<n>`.
        declared: u8,
        /// Digits read before the non-digit.
        got: u8,
        /// The non-digit byte.
        found: u8,
    },
    /// A `#0` block arrived where [`Indefinite::Refuse`] was asked for.
    #[error("got an indefinite-length block (`#0`) where a definite-length block was expected")]
    IndefiniteNotAllowed,
    /// The stream ended before the block was complete.
    #[error("{}", short_read_text(*got, *expected))]
    ShortRead {
        /// Bytes received: payload bytes if the header was complete, else header bytes.
        got: usize,
        /// The declared payload length, if the header was complete.
        expected: Option<usize>,
    },
    /// Bytes other than a `\n` / `\r\n` terminator followed the block.
    #[error("unexpected data after the block: {} (is the length in the header wrong?)", show_bytes(bytes))]
    TrailingGarbage {
        /// The first few unexpected bytes.
        bytes: Vec<u8>,
    },
    /// The block is (or declares itself) larger than [`BlockLimits::max_len`].
    #[error("block of {len} bytes is larger than the limit of {max} bytes")]
    TooLarge {
        /// Declared or received length.
        len: usize,
        /// The limit in force.
        max: usize,
    },
}

fn short_read_text(got: usize, expected: Option<usize>) -> String {
    match expected {
        Some(expected) => format!("short read: got {got} of {expected} bytes before the data stopped"),
        None => format!("short read: the data stopped inside the block header after {got} byte(s)"),
    }
}

fn show_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

fn show_bytes(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{} ({:?})", hex.join(" "), String::from_utf8_lossy(bytes))
}

/// Where the parser is inside the block.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Hash,
    DigitCount,
    Length { declared: u8, got: u8, value: usize },
    Data { expected: usize },
    Indefinite,
    Terminator { saw_cr: bool },
    Done,
}

/// How far a [`BlockParser`] has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// More bytes are needed.
    NeedMore,
    /// All payload bytes are in; a `\n` terminator may still follow (and will be consumed if fed).
    DataComplete,
    /// The block and its terminator are complete; no further byte will be consumed.
    Done,
}

/// An incremental parser for one block.
///
/// Invariant: `feed` consumes a prefix of its input and never reads past the end of the block
/// (payload plus optional terminator), so the caller keeps any bytes that follow.
#[derive(Debug, Clone)]
pub struct BlockParser {
    limits: BlockLimits,
    state: State,
    header_len: usize,
    data: Vec<u8>,
}

impl BlockParser {
    /// A parser for one block within `limits`.
    pub fn new(limits: BlockLimits) -> Self {
        Self { limits, state: State::Hash, header_len: 0, data: Vec::new() }
    }

    /// How far the block has come.
    pub fn progress(&self) -> Progress {
        match self.state {
            State::Done => Progress::Done,
            State::Terminator { .. } => Progress::DataComplete,
            _ => Progress::NeedMore,
        }
    }

    /// Payload bytes received so far.
    pub fn received(&self) -> usize {
        self.data.len()
    }

    /// The declared payload length, once the header is complete (`None` for `#0` blocks).
    pub fn expected(&self) -> Option<usize> {
        match self.state {
            State::Data { expected } => Some(expected),
            State::Terminator { .. } | State::Done => Some(self.data.len()),
            _ => None,
        }
    }

    /// Consumes bytes from `input` and returns how many were used. Stops at the end of the block.
    pub fn feed(&mut self, input: &[u8]) -> Result<usize, BlockError> {
        let mut used = 0;
        while used < input.len() {
            let rest = &input[used..];
            match self.state {
                State::Done => break,
                State::Data { expected } => {
                    let take = (expected - self.data.len()).min(rest.len());
                    self.data.extend_from_slice(&rest[..take]);
                    used += take;
                    if self.data.len() == expected {
                        self.state = State::Terminator { saw_cr: false };
                    }
                }
                State::Indefinite => {
                    let (take, ended) = match self.limits.indefinite {
                        Indefinite::UntilNewline => match rest.iter().position(|&b| b == b'\n') {
                            Some(i) => (i, true),
                            None => (rest.len(), false),
                        },
                        _ => (rest.len(), false),
                    };
                    if self.data.len() + take > self.limits.max_len {
                        return Err(BlockError::TooLarge { len: self.data.len() + take, max: self.limits.max_len });
                    }
                    self.data.extend_from_slice(&rest[..take]);
                    used += take;
                    if ended {
                        used += 1;
                        self.state = State::Done;
                    }
                }
                _ => {
                    self.step(rest[0])?;
                    used += 1;
                }
            }
        }
        Ok(used)
    }

    /// One byte of header or terminator.
    fn step(&mut self, b: u8) -> Result<(), BlockError> {
        self.header_len += 1;
        self.state = match self.state {
            State::Hash if b == b'#' => State::DigitCount,
            State::Hash => return Err(BlockError::BadHeader { found: b }),
            State::DigitCount => match b {
                b'0' => match self.limits.indefinite {
                    Indefinite::Refuse => return Err(BlockError::IndefiniteNotAllowed),
                    _ => State::Indefinite,
                },
                b'1'..=b'9' => State::Length { declared: b - b'0', got: 0, value: 0 },
                _ => return Err(BlockError::BadDigitCount { found: b }),
            },
            State::Length { declared, got, value } => {
                if !b.is_ascii_digit() {
                    return Err(BlockError::LengthDigits { declared, got, found: b });
                }
                // At most nine digits, so this cannot overflow even a 32-bit usize.
                let value = value * 10 + usize::from(b - b'0');
                if got + 1 < declared {
                    State::Length { declared, got: got + 1, value }
                } else if value > self.limits.max_len {
                    return Err(BlockError::TooLarge { len: value, max: self.limits.max_len });
                } else {
                    self.data.reserve_exact(value);
                    if value == 0 {
                        State::Terminator { saw_cr: false }
                    } else {
                        State::Data { expected: value }
                    }
                }
            }
            State::Terminator { saw_cr } => match b {
                b'\n' => State::Done,
                b'\r' if !saw_cr => State::Terminator { saw_cr: true },
                _ => {
                    let mut bytes = Vec::new();
                    if saw_cr {
                        bytes.push(b'\r');
                    }
                    bytes.push(b);
                    return Err(BlockError::TrailingGarbage { bytes });
                }
            },
            State::Data { .. } | State::Indefinite | State::Done => unreachable!("handled in feed"),
        };
        Ok(())
    }

    /// Ends the block because the stream ended (or the caller stopped reading), returning the
    /// payload. A block that is not complete is a [`BlockError::ShortRead`].
    pub fn finish(self) -> Result<Vec<u8>, BlockError> {
        match self.state {
            State::Done | State::Terminator { .. } => Ok(self.data),
            State::Data { expected } => Err(BlockError::ShortRead { got: self.data.len(), expected: Some(expected) }),
            State::Indefinite if self.limits.indefinite == Indefinite::UntilClose => {
                let mut data = self.data;
                if data.last() == Some(&b'\n') {
                    data.pop();
                }
                Ok(data)
            }
            State::Indefinite => Err(BlockError::ShortRead { got: self.data.len(), expected: None }),
            State::Hash | State::DigitCount | State::Length { .. } => {
                Err(BlockError::ShortRead { got: self.header_len, expected: None })
            }
        }
    }
}

/// Parses a complete response held in memory: one block, then at most a `\n` or `\r\n`.
pub fn parse(bytes: &[u8], limits: BlockLimits) -> Result<Vec<u8>, BlockError> {
    let mut parser = BlockParser::new(limits);
    let used = parser.feed(bytes)?;
    if used < bytes.len() {
        let end = bytes.len().min(used + GARBAGE_SHOWN);
        return Err(BlockError::TrailingGarbage { bytes: bytes[used..end].to_vec() });
    }
    parser.finish()
}

/// Encodes `data` as a definite-length block (without a terminator).
pub fn encode_definite(data: &[u8]) -> Result<Vec<u8>, BlockError> {
    let len = data.len().to_string();
    if len.len() > 9 {
        return Err(BlockError::TooLarge { len: data.len(), max: 999_999_999 });
    }
    let mut out = Vec::with_capacity(2 + len.len() + data.len());
    out.push(b'#');
    out.extend_from_slice(len.len().to_string().as_bytes());
    out.extend_from_slice(len.as_bytes());
    out.extend_from_slice(data);
    Ok(out)
}

impl fmt::Display for Indefinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Indefinite::Refuse => "refuse",
            Indefinite::UntilNewline => "until-newline",
            Indefinite::UntilClose => "until-close",
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn limits() -> BlockLimits {
        BlockLimits::default()
    }

    #[test]
    fn definite_blocks_parse_with_or_without_terminator() {
        assert_eq!(parse(b"#15hello", limits()).unwrap(), b"hello");
        assert_eq!(parse(b"#15hello\n", limits()).unwrap(), b"hello");
        assert_eq!(parse(b"#15hello\r\n", limits()).unwrap(), b"hello");
        assert_eq!(parse(b"#10", limits()).unwrap(), b"");
        assert_eq!(parse(b"#209abc\ndefgh", limits()).unwrap(), b"abc\ndefgh");
    }

    #[test]
    fn header_errors_are_specific() {
        assert_eq!(parse(b"X15hello", limits()), Err(BlockError::BadHeader { found: b'X' }));
        assert_eq!(parse(b"#A5hello", limits()), Err(BlockError::BadDigitCount { found: b'A' }));
        assert_eq!(parse(b"#412\x89PNG", limits()), Err(BlockError::LengthDigits { declared: 4, got: 2, found: 0x89 }));
        let refuse = BlockLimits { indefinite: Indefinite::Refuse, ..limits() };
        assert_eq!(parse(b"#0abc\n", refuse), Err(BlockError::IndefiniteNotAllowed));
    }

    #[test]
    fn wrong_lengths_are_short_reads_or_trailing_garbage() {
        assert_eq!(parse(b"#16hello", limits()), Err(BlockError::ShortRead { got: 5, expected: Some(6) }));
        assert_eq!(parse(b"#14hello", limits()), Err(BlockError::TrailingGarbage { bytes: b"o".to_vec() }));
        assert_eq!(parse(b"#14hell\r\rx", limits()), Err(BlockError::TrailingGarbage { bytes: b"\r\r".to_vec() }));
        assert_eq!(parse(b"#1", limits()), Err(BlockError::ShortRead { got: 2, expected: None }));
        assert_eq!(parse(b"", limits()), Err(BlockError::ShortRead { got: 0, expected: None }));
    }

    #[test]
    fn limits_are_checked_before_reading_data() {
        let small = BlockLimits { max_len: 4, ..limits() };
        assert_eq!(parse(b"#15", small), Err(BlockError::TooLarge { len: 5, max: 4 }));
        assert_eq!(parse(b"#0hello", small), Err(BlockError::TooLarge { len: 5, max: 4 }));
        let huge = b"#9999999999";
        assert_eq!(parse(huge, limits()), Err(BlockError::TooLarge { len: 999_999_999, max: DEFAULT_MAX_LEN }));
    }

    #[test]
    fn indefinite_blocks_end_per_mode() {
        assert_eq!(parse(b"#0a\nb\n", limits()).unwrap(), b"a\nb");
        let newline = BlockLimits { indefinite: Indefinite::UntilNewline, ..limits() };
        assert_eq!(parse(b"#0abc\n", newline).unwrap(), b"abc");
        assert_eq!(parse(b"#0abc\nxy", newline), Err(BlockError::TrailingGarbage { bytes: b"xy".to_vec() }));
        assert_eq!(parse(b"#0abc", newline), Err(BlockError::ShortRead { got: 3, expected: None }));
    }

    #[test]
    fn parser_stops_at_the_end_of_the_block() {
        let mut p = BlockParser::new(limits());
        assert_eq!(p.feed(b"#13abc\n*IDN?").unwrap(), 7);
        assert_eq!(p.progress(), Progress::Done);
        let mut p = BlockParser::new(limits());
        assert_eq!(p.feed(b"#13abc").unwrap(), 6);
        assert_eq!(p.progress(), Progress::DataComplete);
        assert_eq!(p.finish().unwrap(), b"abc");
    }

    fn feed_chunked(encoded: &[u8], cuts: &[usize]) -> Result<Vec<u8>, BlockError> {
        let mut parser = BlockParser::new(limits());
        let mut pos = 0;
        for &cut in cuts.iter().chain(std::iter::once(&encoded.len())) {
            let cut = cut.clamp(pos, encoded.len());
            let mut chunk = &encoded[pos..cut];
            while !chunk.is_empty() {
                let used = parser.feed(chunk)?;
                assert!(used > 0, "the parser must make progress on a non-empty chunk");
                chunk = &chunk[used..];
            }
            pos = cut;
        }
        parser.finish()
    }

    proptest! {
        #[test]
        fn round_trips_any_bytes_at_any_chunking(
            data in proptest::collection::vec(any::<u8>(), 0..2048),
            mut cuts in proptest::collection::vec(0usize..2100, 0..12),
            terminator in prop_oneof![Just(&b""[..]), Just(&b"\n"[..]), Just(&b"\r\n"[..])],
        ) {
            cuts.sort_unstable();
            let mut encoded = encode_definite(&data).unwrap();
            encoded.extend_from_slice(terminator);
            prop_assert_eq!(feed_chunked(&encoded, &cuts)?, data);
        }

        #[test]
        fn every_truncation_is_a_short_read(
            data in proptest::collection::vec(any::<u8>(), 1..1024),
            cut in any::<prop::sample::Index>(),
            mut cuts in proptest::collection::vec(0usize..1100, 0..6),
        ) {
            let encoded = encode_definite(&data).unwrap();
            let cut = cut.index(encoded.len());
            let truncated = &encoded[..cut];
            cuts.sort_unstable();
            let result = feed_chunked(truncated, &cuts);
            prop_assert!(matches!(result, Err(BlockError::ShortRead { .. })), "{:?}", result);
            if let Err(BlockError::ShortRead { got, expected: Some(expected) }) = result {
                prop_assert_eq!(expected, data.len());
                prop_assert_eq!(got, cut - (encoded.len() - data.len()));
            }
        }
    }
}
