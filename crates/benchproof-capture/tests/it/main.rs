//! Integration tests of the capture pipeline: the recorder end to end, crash recovery, A/V sync
//! checked with Debian's ffmpeg, and playback in headless Chromium.

mod playback;
mod recorder;
mod support;
mod sync;
