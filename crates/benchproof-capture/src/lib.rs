//! Capture: every source (camera, microphone, simulated pattern or tone) runs on its own thread,
//! stamps what it produces on one monotonic [`StationClock`], and hands it over through a bounded
//! channel that never blocks the producer.

mod clock;
mod frame;
mod source;

pub use clock::{ClockTime, StationClock};
pub use frame::{AudioBuffer, PixelFormat, VideoFrame};
pub use source::{CaptureError, Source, SourceEvent, SourceHandle, SourceInfo, SourceKind, SourceSink};
