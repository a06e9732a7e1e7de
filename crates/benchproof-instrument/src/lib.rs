//! Instrument screenshots and state for the benchproof station.
//!
//! - [`fetch()`]: over the network (LXI "SCPI raw", TCP port 5025), identify an instrument by
//!   `*IDN?`, fetch its screen dump and read a profile's list of state queries, giving an
//!   [`InstrumentCapture`]: the screen as PNG plus thumbnail, and a JSON "instrument state"
//!   evidence document in which each failed query is recorded rather than failing the capture.
//! - [`block`]: the IEEE 488.2 arbitrary block parser (definite `#<n><len>` and indefinite `#0`),
//!   incremental and bounded.
//! - [`scpi`]: the SCPI client; every read, write and connect has a deadline.
//! - [`profile`]: instrument profiles (strict TOML, errors with line and column); the Rigol
//!   DS1000Z, Keysight InfiniiVision, Siglent SDS and simulator profiles are compiled in.
//! - [`picture`]: PNG/BMP/JPEG decoding, PNG normalisation and thumbnails.
//! - [`folder`]: importing screenshots that a scope saved to a folder or USB stick, once each.
//! - [`sim`]: a simulated SCPI oscilloscope on loopback, with fault injection.
//!
//! No async runtime: std threads and `std::net` only. The crate reads no clock for evidence
//! (the caller passes `captured_at`).

pub mod block;
pub mod fetch;
pub mod folder;
pub mod picture;
pub mod profile;
pub mod scpi;
pub mod sim;

pub use block::{BlockError, BlockLimits, BlockParser, Indefinite};
pub use fetch::{fetch, FetchError, FetchOptions, InstrumentCapture, ProfileChoice, STATE_FORMAT};
pub use folder::{watch, FolderEvent, FolderImporter, ImportedImage, WatchEvent, Watcher};
pub use picture::{normalise, Picture, PictureError, SourceFormat};
pub use profile::{Profile, ProfileError};
pub use scpi::{Address, Framing, Idn, ScpiClient, ScpiError, Timeouts, DEFAULT_PORT};
pub use sim::{Fault, SimScope};

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
