// Plays a snippet in Debian's headless Chromium and reports what the browser saw.
//
// Usage: node check.mjs <url of the MP4> <expected duration in seconds> [chromium path]
// Prints one JSON line {duration, width, height, videoBytes, audioBytes, seeked} and exits 0 when
// the video reached canplaythrough, its duration is within 0.15 s of the expected one, both the
// video and the audio track decoded, and a seek to the middle completed; otherwise prints the
// reason on stderr and exits 1.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, expectedText, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!url || !expectedText) {
  console.error("usage: node check.mjs <mp4 url> <expected seconds> [chromium]");
  process.exit(2);
}
const expected = Number(expectedText);
const profile = mkdtempSync(join(tmpdir(), "benchproof-playback-"));
const args = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--autoplay-policy=no-user-gesture-required",
];

let context;
try {
  context = await chromium.launchPersistentContext(profile, { executablePath, args, headless: true });
  const page = context.pages()[0] ?? (await context.newPage());
  // Same origin as the media, so the page needs no network beyond the test's server.
  await page.goto(new URL("/", url).href);
  const result = await page.evaluate(async (src) => {
    const video = document.createElement("video");
    video.muted = false;
    video.preload = "auto";
    document.body.appendChild(video);
    const event = (name, ms) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms (networkState ${video.networkState}, readyState ${video.readyState}, error ${video.error?.code} ${video.error?.message ?? ""})`)), ms);
        video.addEventListener(name, () => { clearTimeout(timer); resolve(); }, { once: true });
        video.addEventListener("error", () => { clearTimeout(timer); reject(new Error(`media error ${video.error?.code}: ${video.error?.message}`)); }, { once: true });
      });
    const ready = event("canplaythrough", 30000);
    video.src = src;
    await ready;
    const duration = video.duration;
    await video.play();
    await new Promise((r) => setTimeout(r, 1200));
    video.pause();
    const seekTo = duration / 2;
    const seeked = event("seeked", 15000);
    video.currentTime = seekTo;
    await seeked;
    return {
      duration,
      width: video.videoWidth,
      height: video.videoHeight,
      videoBytes: video.webkitVideoDecodedByteCount,
      audioBytes: video.webkitAudioDecodedByteCount,
      seeked: Math.abs(video.currentTime - seekTo) < 0.5,
    };
  }, url);
  console.log(JSON.stringify(result));
  const problems = [];
  if (!(Math.abs(result.duration - expected) <= 0.15)) problems.push(`duration ${result.duration} s, expected ${expected} s`);
  if (!(result.videoBytes > 0)) problems.push("no video was decoded");
  if (!(result.audioBytes > 0)) problems.push("no audio was decoded");
  if (!result.seeked) problems.push("seeking to the middle did not land there");
  if (problems.length) {
    console.error(problems.join("; "));
    process.exitCode = 1;
  }
} catch (e) {
  console.error(`playback failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
}
