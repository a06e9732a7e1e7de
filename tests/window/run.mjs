// The real-window test: the debug station app under Xvfb, driven over WebDriver (tauri-driver +
// Debian's WebKitWebDriver) with plain HTTP, on simulated devices in a temporary data directory.
// Setup screen: "Test connection" talks SCPI to a loopback instrument → demo mode → sign in →
// start an assessment → the live preview shows frames that change and the audio meter moves →
// tick every step (keyboard and IPC) → finish → a snippet plays in the review → sign and seal; then `benchproof verify` must
// accept the sealed bundle. Screenshots go to docs/screenshots/window-*.png.
//
// Run through tests/window/run.sh (it builds the binaries and starts Xvfb).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { button, cliBinary, root, startDemoAssessment, startSession, until } from "./driver.mjs";

const shots = join(root, "docs/screenshots");
const home = mkdtempSync(join(tmpdir(), "benchproof-window-"));
const PIN = "demo-proctor-pin";
const IDN = "Benchproof,Window Test Scope,WT0001,1.0";

/** An instrument on loopback that speaks just enough SCPI: it answers `*IDN?`. */
function scpiInstrument() {
  const server = createServer((socket) => {
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const command = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (command === "*IDN?") socket.write(`${IDN}\n`);
      }
    });
    socket.on("error", () => {});
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

/**
 * Counts the frames the preview <img>s finish loading, with each one's decoded width and URL.
 * (Polling naturalWidth does not work: WebKit reports 0 while the next frame is on its way,
 * which is most of the time.) `load` does not bubble, so one capturing listener on the document
 * hears every preview image, including ones the UI re-creates after the watch starts.
 */
const WATCH_PREVIEW = `window.__preview = { loads: [] };
  document.addEventListener("load", (e) => {
    const img = e.target;
    if (img instanceof HTMLImageElement && img.closest("[data-testid^='preview-']"))
      window.__preview.loads.push({ src: img.src, width: img.naturalWidth, height: img.naturalHeight });
  }, true);`;

let failed = false;
let w = null;
const instrument = await scpiInstrument();
try {
  w = await startSession({ BENCHPROOF_HOME: home });
  const shot = async (name) => writeFileSync(join(shots, `window-${name}.png`), await w.screenshot());

  // Setup: a real SCPI exchange with the loopback instrument, and a specific answer when nobody listens.
  await w.type("//input[@id='instrument-address']", `127.0.0.1:${instrument.address().port}`);
  await w.click(button("Test connection"));
  await w.find(`//*[@data-testid='instrument-result' and contains(., 'Connected to') and contains(., '${IDN}')]`);
  await shot("setup");
  instrument.close();
  await w.click(button("Test connection"));
  await w.find("//*[@data-testid='instrument-result' and contains(., 'instrument_unreachable')]");

  await startDemoAssessment(w, {
    pin: PIN,
    student: "s-window-1",
    rubricTitle: "Passive probe compensation",
    beforeSignIn: () => shot("sign-in"),
  });
  await w.find("//header//*[contains(., 'demo station')]");

  // The live preview decodes real frames, and they keep coming; the meter hears the tone.
  await w.js(WATCH_PREVIEW);
  const loads = await until("two decoded preview frames", async () => {
    const l = (await w.js("return window.__preview.loads;")).filter((f) => f.width > 0);
    return new Set(l.map((f) => f.src)).size >= 2 ? l : null;
  });
  const [first, later] = [loads[0], loads[loads.length - 1]];
  if (!first.src.startsWith("preview://localhost/sim%3Acamera")) throw new Error(`unexpected preview URL ${first.src}`);
  console.log(`window test: preview ${first.width}×${first.height}, ${first.src} → ${later.src}`);
  const levels = new Set();
  await until("the audio meter to move", async () => {
    levels.add(await w.js(`return document.querySelector("[role=meter]")?.getAttribute("aria-valuenow") ?? null;`));
    return [...levels].filter((l) => l !== null && l !== "0").length >= 2;
  });
  await shot("assessment");

  // The first step by keyboard, as a proctor with gloves would; the rest through the same IPC.
  const id = (await w.invoke("station_status", {})).in_progress;
  await w.key("p");
  await until("the keyboard tick", async () => (await w.invoke("assessment", { id })).ticks.length === 1);
  const view = await w.invoke("assessment", { id });
  for (const step of view.rubric.steps.slice(1)) {
    const level = step.levels.length ? step.levels[step.levels.length - 1].name : null;
    await w.invoke("tick", { id, request: { step: step.id, verdict: "pass", level, note: null } });
  }
  await w.click(button("Finish and review"));
  await w.find("//*[@data-testid='outcome' and contains(., 'Passed')]");
  // A snippet plays in the app's own webview (WebKitGTK + GStreamer): it decodes and time moves.
  let last = null;
  const played = await until("a snippet to play in the review", async () => {
    last = await w.js(`const v = document.querySelector("figure.evidence video");
      if (!v) return { none: document.querySelector("figure.evidence")?.textContent ?? "no evidence figure" };
      if (v.error) return { error: v.error.code + " " + (v.error.message || "") };
      // Asked again while paused: a reload of the review may have replaced the element.
      if (v.paused) { v.muted = true; v.play().catch((e) => { if (e.name !== "AbortError") window.__playError = String(e); }); }
      if (window.__playError) return { error: window.__playError };
      return { width: v.videoWidth, height: v.videoHeight, time: v.currentTime, ready: v.readyState, network: v.networkState, paused: v.paused, src: v.src.slice(0, 40) };`);
    return last.error || last.time > 0.2 ? last : null;
  }).catch((e) => {
    throw new Error(`${e.message}; last state ${JSON.stringify(last)}`);
  });
  if (played.error) throw new Error(`snippet playback failed in the webview: ${played.error}`);
  console.log(`window test: a snippet plays (${played.width}×${played.height}, ${played.time.toFixed(1)} s in)`);
  await shot("review");
  await w.type("//label[contains(., 'Your PIN or passphrase')]/following::input[1]", PIN);
  await w.click(button("Sign and seal"));
  await w.find("//h1[contains(., 'Upload queue')]");
  await shot("queue");

  const bundle = readdirSync(join(home, "outbox")).find((f) => f.endsWith(".zip"));
  if (!bundle) throw new Error("no bundle in the outbox");
  const verify = spawnSync(cliBinary, ["verify", join(home, "outbox", bundle), "--data-dir", home], { encoding: "utf8" });
  process.stdout.write(verify.stdout + verify.stderr);
  if (verify.status !== 0) throw new Error(`benchproof verify exited ${verify.status}`);
  console.log(`window test: sealed and verified ${bundle}`);
} catch (e) {
  failed = true;
  console.error(`window test FAILED: ${e.stack ?? e}`);
  if (w) await w.screenshot().then((png) => writeFileSync(join(shots, "window-failure.png"), png), () => {});
} finally {
  instrument.close();
  await w?.close();
}
process.exit(failed ? 1 : 0);
