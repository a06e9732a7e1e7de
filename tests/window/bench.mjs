// The station app's benchmark (docs/performance.md, "Station app"), under Xvfb:
//
// 1. Start-up to first screen and idle memory, the app against a named peer in the same run:
//    Debian's Chromium in --app mode opening the same built UI (ui/dist, mock backend) from a
//    loopback server. Both print one line when the first screen has rendered (the app via its
//    `ui_ready` command, Chromium via --enable-logging=stderr and the UI's console.info); the time
//    is from spawning the process to that line. Memory is the PSS of the whole process tree (the
//    app with WebKitWebProcess and WebKitNetworkProcess; Chromium with its zygote, renderer, GPU
//    and utility processes), 5 s after the first screen, from /proc/<pid>/smaps_rollup, with
//    where it goes per process (procfs.mjs, by mapping).
// 2. Camera preview in the real window (demo mode, simulated 1280×720 camera at 30 fps): frames
//    shown per second (load events of the preview <img>), the CPU it all takes (per process, and
//    per thread in the app), memory while recording, and glass-to-glass latency: the station time
//    burned into the frame on screen (read from a WebDriver screenshot) against the station clock
//    asked just before and just after the screenshot.
//
// Run: tests/window/bench.sh [runs]   (BENCHPROOF_APP=path/to/benchproof-app measures that build,
// e.g. target/release/benchproof-app; the default is the debug build)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { serve } from "../ui/server.mjs";
import { readBurnedClock } from "./burned-clock.mjs";
import { appBinary, root, sleep, startDemoAssessment, startSession, until } from "./driver.mjs";
import { decodePng } from "./png.mjs";
import { cpuShare, cpuTicks, memory, tree } from "./procfs.mjs";

const RUNS = Number(process.argv[2] ?? 5);
const IDLE_MS = 5000;
const SIM_FRAME = { width: 1280, height: 720 }; // PatternSettings::default()
const EXE = basename(appBinary);
const COMM = EXE.slice(0, 15); // what /proc/<pid>/comm holds

/** Spawns `cmd` in its own process group; resolves when stderr shows `marker`. */
async function startUntil(cmd, args, env, marker, exe) {
  const t0 = performance.now();
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const ready = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${cmd}: no "${marker}" within 60 s; stderr:\n${log.slice(-2000)}`)), 60000);
    child.stderr.on("data", (d) => {
      log += d;
      if (log.includes(marker)) {
        clearTimeout(timer);
        ok(performance.now() - t0);
      }
    });
    child.on("exit", (code) => fail(new Error(`${cmd} exited ${code} before "${marker}"; stderr:\n${log.slice(-2000)}`)));
  });
  child.stderr.on("data", () => {});
  await sleep(IDLE_MS);
  const mem = memory(child.pid, exe);
  process.kill(-child.pid, "SIGKILL");
  await new Promise((r) => (child.exitCode !== null ? r() : child.on("exit", r)));
  return { ms: ready, ...mem };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function startupAndMemory() {
  const site = await serve(join(root, "ui/dist"));
  const app = [];
  const peer = [];
  try {
    // One discarded run of each first: the page cache holds the binaries and libraries then,
    // as on a station that has been switched on for a while.
    for (let i = 0; i <= RUNS; i++) {
      const home = mkdtempSync(join(tmpdir(), "benchproof-bench-app-"));
      const profile = mkdtempSync(join(tmpdir(), "benchproof-bench-chromium-"));
      try {
        const a = await startUntil(appBinary, [], { BENCHPROOF_HOME: home }, "first screen rendered", EXE);
        const args = [
          "--no-sandbox", // the benchmark runs as root in CI
          `--user-data-dir=${profile}`,
          "--enable-logging=stderr",
          "--no-first-run",
          "--no-default-browser-check",
          "--window-size=1280,800",
          `--app=${site.url}`,
        ];
        const c = await startUntil("/usr/bin/chromium", args, {}, "benchproof-ui: first screen rendered", "chromium");
        if (i > 0) {
          app.push(a);
          peer.push(c);
        }
      } finally {
        rmSync(home, { recursive: true, force: true });
        rmSync(profile, { recursive: true, force: true });
      }
    }
  } finally {
    await site.close();
  }
  // The breakdown shown is that of the run whose PSS is the median.
  const sum = (rs) => ({
    startMs: median(rs.map((r) => r.ms)),
    pssMiB: median(rs.map((r) => r.pssMiB)),
    rssMiB: median(rs.map((r) => r.rssMiB)),
    processes: [...rs].sort((x, y) => x.pssMiB - y.pssMiB)[(rs.length - 1) >> 1].processes,
  });
  return { runs: RUNS, app: sum(app), chromium: sum(peer) };
}

const RECT = `const r = document.querySelector("[data-testid^='preview-'] img").getBoundingClientRect();
  return { x: r.x * devicePixelRatio, y: r.y * devicePixelRatio, width: r.width * devicePixelRatio, height: r.height * devicePixelRatio };`;

/** The part of `picture` inside `rect` (device pixels), as a picture of its own. */
function crop(picture, rect) {
  return { width: rect.width, height: rect.height, luma: (x, y) => picture.luma(x + rect.x, y + rect.y) };
}

const procName = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return null;
  }
};

async function preview() {
  const home = mkdtempSync(join(tmpdir(), "benchproof-bench-preview-"));
  const w = await startSession({ BENCHPROOF_HOME: home });
  try {
    await startDemoAssessment(w, { pin: "demo-proctor-pin", student: "s-bench", rubricTitle: "Passive probe compensation" });
    await until("a decoded preview frame", () =>
      w.js(`const i = document.querySelector("[data-testid^='preview-'] img"); return i && i.naturalWidth > 0;`),
    );
    // Frames shown per second: load events of the <img> over 5 s.
    // (A capturing listener on the document: the UI may replace the <img> element.)
    await w.js(`window.__frames = { n: 0, t0: performance.now() };
      document.addEventListener("load", (e) => {
        if (e.target instanceof HTMLImageElement && e.target.closest("[data-testid^='preview-']")) {
          window.__frames.n++;
          window.__frames.t1 = performance.now();
        }
      }, true);`);
    // CPU over the same 5 s: the app's processes (not the WebDriver processes that run it).
    const appPids = () => {
      const all = tree(w.driverPid);
      const app = all.find((p) => procName(p) === COMM);
      return app ? tree(app) : [];
    };
    const pids = appPids();
    const c0 = cpuTicks(pids, COMM);
    const t0 = performance.now();
    await sleep(5000);
    const cpu = cpuShare(c0, cpuTicks(pids, COMM), performance.now() - t0);
    const f = await w.js("return window.__frames;");
    const fps = f.n > 1 ? ((f.n - 1) * 1000) / (f.t1 - f.t0) : 0;
    const recording = memory(pids[0], EXE);
    // Glass-to-glass: burned-in station time on screen vs the station clock around the screenshot.
    const samples = [];
    let unreadable = 0;
    for (let i = 0; i < 25; i++) {
      const before = await w.invoke("station_clock", {});
      // A window screenshot cropped to the image: WebKit's element screenshot scrolls the image
      // under the app's sticky header, which then hides the burned-in clock.
      const rect = await w.js(RECT);
      const png = await w.screenshot({ live: true });
      const after = await w.invoke("station_clock", {});
      const shown = readBurnedClock(crop(decodePng(png), rect), SIM_FRAME.width, SIM_FRAME.height);
      if (!shown) {
        unreadable++;
        continue;
      }
      samples.push({ latency: (before + after) / 2 - shown.ms, halfWindow: (after - before) / 2 });
    }
    if (samples.length < 10) throw new Error(`could read the burned-in clock in only ${samples.length} of 25 screenshots`);
    return {
      fps,
      cpu,
      recording,
      cameraFps: 30,
      latencyMs: median(samples.map((s) => s.latency)),
      latencyMinMs: Math.min(...samples.map((s) => s.latency)),
      uncertaintyMs: median(samples.map((s) => s.halfWindow)),
      samples: samples.length,
      unreadable,
    };
  } finally {
    await w.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const build = process.env.BENCH_BUILD ?? (/\/release\//.test(appBinary) ? "release" : /\/debug\//.test(appBinary) ? "debug" : "custom");
const r = await startupAndMemory();
const p = await preview();
const f1 = (x) => x.toFixed(1);
const binary = { path: appBinary, build, mib: statSync(appBinary).size / 2 ** 20 };
console.log(JSON.stringify({ binary, startup: r, preview: p }, null, 2));

/** Per process: PSS and its parts, as table rows. */
const parts = (processes) =>
  processes
    .map((q) => {
      const items = Object.entries(q.parts)
        .filter(([, v]) => v >= 0.5)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${f1(v)}`);
      return `| ${q.name} (${q.threads} threads) | ${f1(q.pssMiB)} MiB | ${items.join("; ")} |`;
    })
    .join("\n");
const pct = (rows, n = 6) => rows.slice(0, n).map(([k, v]) => `${k} ${f1(v)} %`).join(", ");
const total = (rows) => rows.reduce((a, [, v]) => a + v, 0);

console.log(`
binary: ${binary.path} (${build} build, ${f1(binary.mib)} MiB)

| measure (${build} build, Xvfb) | benchproof-app | Chromium --app (peer) | app / peer | goal |
|---|---|---|---|---|
| start to first screen, median of ${r.runs} | ${r.app.startMs.toFixed(0)} ms | ${r.chromium.startMs.toFixed(0)} ms | ${f1(r.app.startMs / r.chromium.startMs)}× | ≤ 1500 ms |
| idle memory, PSS of all processes | ${f1(r.app.pssMiB)} MiB | ${f1(r.chromium.pssMiB)} MiB | ${f1(r.app.pssMiB / r.chromium.pssMiB)}× | ≤ 150 MB (143 MiB) |
| idle memory, RSS summed (double-counts shared pages) | ${f1(r.app.rssMiB)} MiB | ${f1(r.chromium.rssMiB)} MiB | ${f1(r.app.rssMiB / r.chromium.rssMiB)}× | |

| idle process (median run) | PSS | where it goes (MiB) |
|---|---|---|
${parts(r.app.processes)}
${parts(r.chromium.processes)}

| preview (simulated 1280×720 camera at ${p.cameraFps} fps) | value |
|---|---|
| frames shown per second | ${f1(p.fps)} |
| glass-to-glass latency, median of ${p.samples} (${p.unreadable} unreadable) | ${p.latencyMs.toFixed(0)} ms ± ${p.uncertaintyMs.toFixed(0)} ms |
| glass-to-glass latency, lowest | ${p.latencyMinMs.toFixed(0)} ms |
| CPU while recording with the preview shown (% of one core) | ${f1(total(p.cpu.byProcess))} %: ${pct(p.cpu.byProcess)} |
| … of which benchproof-app's threads | ${pct(p.cpu.byThread, 8)} |
| memory while recording (PSS, pre-roll included) | ${f1(p.recording.pssMiB)} MiB |`);
process.exit(0);
