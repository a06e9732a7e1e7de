//! Snippets of the simulated devices rendered after the fact, for scripted assessments (the
//! demo, `benchproof assess`): a script is a recording of the past, so its snippets are drawn
//! for the window around each tick on the script's own timeline instead of being captured live.
//! They go through the same encoders and muxer as live snippets, and are labelled simulated
//! like every simulated source (the test pattern says so on screen).

use std::path::Path;
use std::time::Duration;

use benchproof_capture::encode::{AudioEncoder, VideoEncoder, VideoSettings};
use benchproof_capture::sim::{PatternGenerator, PatternSettings, ToneGenerator, ToneSettings};
use benchproof_capture::snippet::{write_mp4_file, Cut, SnippetFile, Window};
use benchproof_capture::{ClockTime, Packet};

use crate::StationError;

/// A smaller picture than the live default: a scripted run renders every snippet at once.
pub const RENDER_SIZE: (u32, u32) = (640, 360);
pub const RENDER_FPS: u32 = 10;

/// Renders the simulated camera and microphone for `pre` before and `post` after `at` seconds
/// of the script, into the MP4 `out`.
pub fn render_simulated(out: &Path, at_s: f64, pre: Duration, post: Duration) -> Result<SnippetFile, StationError> {
    let fail =
        |what: &str, e: &dyn std::fmt::Display| StationError::Capture(format!("rendering a snippet: {what}: {e}"));
    let at = ClockTime::from_duration(Duration::from_secs_f64(at_s.max(0.0)));
    let window = Window { at, pre, post };
    let (width, height) = RENDER_SIZE;
    let mut pattern =
        PatternGenerator::new(PatternSettings { width, height, fps: RENDER_FPS, flashes: None }, window.start());
    let mut tone = ToneGenerator::new(ToneSettings::default(), window.start());
    let settings = VideoSettings { bitrate: 250_000, fps: RENDER_FPS as f32, ..VideoSettings::default() };
    let mut video = VideoEncoder::new(settings).map_err(|e| fail("video encoder", &e))?;
    let mut audio = AudioEncoder::new(32_000).map_err(|e| fail("audio encoder", &e))?;
    let mut packets: Vec<Packet> = Vec::new();
    let end = window.end();
    while pattern.next_at() <= end || tone.next_at() <= end {
        if pattern.next_at() <= tone.next_at() {
            let frame = pattern.next_frame();
            packets.extend(video.encode(&frame).map_err(|e| fail("video", &e))?);
        } else {
            let buffer = tone.next_buffer();
            audio.encode(&buffer, &mut packets).map_err(|e| fail("audio", &e))?;
        }
    }
    let cut = Cut::from_packets(&packets, window);
    write_mp4_file(&cut, width, height, out).map_err(|e| fail(&out.display().to_string(), &e))
}
