//! Capture: every source (camera, microphone, simulated pattern or tone) runs on its own thread,
//! stamps what it produces on one monotonic [`StationClock`], and hands it over through a bounded
//! channel that never blocks the producer.
//!
//! From there a [`SnippetRecorder`] owns the rest on one background thread: colour conversion to
//! I420 ([`convert`]), continuous H.264 + Opus encoding ([`encode`]) into a [`Preroll`] of the last
//! N seconds of packets, and on request a snippet cut from the keyframe before the pre-roll to the
//! end of the post-roll ([`snippet`]), spilled to disk while pending ([`spill`]) and muxed into a
//! browser-playable MP4. [`preview`] makes the live view's small JPEGs. [`sim`] holds the clearly
//! labelled simulated sources.

mod clock;
pub mod convert;
pub mod encode;
mod frame;
mod packet;
pub mod preroll;
pub mod preview;
mod recorder;
pub mod sim;
pub mod snippet;
mod source;
pub mod spill;

pub use clock::{ClockTime, StationClock};
pub use frame::{AudioBuffer, PixelFormat, VideoFrame};
pub use packet::{Packet, Track};
pub use preroll::{Preroll, PrerollLimits};
pub use recorder::{
    recover, InputStatus, RecorderError, RecorderReport, RecorderSettings, SnippetOutcome, SnippetRecorder,
    SnippetRequest, SnippetTicket,
};
pub use snippet::{SnippetError, SnippetFile, Window};
pub use source::{CaptureError, Source, SourceEvent, SourceHandle, SourceInfo, SourceKind, SourceSink};
