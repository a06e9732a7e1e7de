// The real-window test: the debug station app under Xvfb, driven over WebDriver (tauri-driver +
// Debian's WebKitWebDriver) with plain HTTP, on simulated devices in a temporary data directory.
// Demo mode → sign in → start an assessment → tick every step (keyboard and IPC) → finish →
// sign and seal; then `benchproof verify` must accept the sealed bundle. Screenshots go to
// docs/screenshots/window-*.png.
//
// Run through tests/window/run.sh (it builds the binaries and starts Xvfb).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer } from "node:net";

const root = resolve(import.meta.dirname, "../..");
// Cargo's own rule: $CARGO_TARGET_DIR when set, else target/ in the workspace.
const target = process.env.CARGO_TARGET_DIR || join(root, "target");
const app = join(target, "debug/benchproof-app");
const cli = join(target, "debug/benchproof");
const shots = join(root, "docs/screenshots");
const home = mkdtempSync(join(tmpdir(), "benchproof-window-"));
const PIN = "demo-proctor-pin";

const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

const port = await freePort();
const nativePort = await freePort();
const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
  env: { ...process.env, BENCHPROOF_HOME: home },
  stdio: ["ignore", "inherit", "inherit"],
});
const base = `http://127.0.0.1:${port}`;
let session = null;

async function wd(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value)}`);
  return json.value;
}
const s = (path) => `/session/${session}${path}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (the app answers asynchronously). */
async function until(what, fn, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
}
const find = (xpath) =>
  until(xpath, async () => Object.values(await wd("POST", s("/element"), { using: "xpath", value: xpath }))[0]);
const click = async (xpath) => wd("POST", s(`/element/${await find(xpath)}/click`), {});
const type = async (xpath, text) => wd("POST", s(`/element/${await find(xpath)}/value`), { text });
const js = (script, args = []) => wd("POST", s("/execute/sync"), { script, args });
const invoke = (cmd, args) =>
  wd("POST", s("/execute/async"), {
    script: `const done = arguments[arguments.length - 1];
      window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then((v) => done({ ok: v }), (e) => done({ err: e }));`,
    args: [cmd, args],
  }).then((r) => {
    if (r.err) throw new Error(`${cmd}: ${JSON.stringify(r.err)}`);
    return r.ok;
  });
async function screenshot(name) {
  const png = await wd("GET", s("/screenshot"));
  writeFileSync(join(shots, `window-${name}.png`), Buffer.from(png, "base64"));
}
const button = (label) => `//button[normalize-space()='${label}']`;

let failed = false;
try {
  await until("tauri-driver", () => fetch(`${base}/status`).then((r) => r.ok));
  session = (
    await wd("POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: app } } },
    })
  ).sessionId;

  await click(button("Start demo mode"));
  await type("//input[@id='proctor-pin']", PIN);
  await screenshot("sign-in");
  await click(button("Sign in"));
  await find("//h1[@id='start-title']");
  await click("//label[contains(., 'Passive probe compensation')]//input");
  await type("//input[@id='student-id']", "s-window-1");
  await click("//label[contains(., 'agrees to be recorded')]//input");
  await click("//button[@type='submit' and contains(., 'Start assessment')]");
  await find("//*[@id='assess-title']");
  await screenshot("assessment");

  // The first step by keyboard, as a proctor with gloves would; the rest through the same IPC.
  const id = (await invoke("station_status", {})).in_progress;
  await wd("POST", s("/actions"), {
    actions: [{ type: "key", id: "kbd", actions: [{ type: "keyDown", value: "p" }, { type: "keyUp", value: "p" }] }],
  });
  await until("the keyboard tick", async () => (await invoke("assessment", { id })).ticks.length === 1);
  const view = await invoke("assessment", { id });
  for (const step of view.rubric.steps.slice(1)) {
    const level = step.levels.length ? step.levels[step.levels.length - 1].name : null;
    await invoke("tick", { id, request: { step: step.id, verdict: "pass", level, note: null } });
  }
  await click(button("Finish and review"));
  await find("//*[@data-testid='outcome' and contains(., 'Passed')]");
  await screenshot("review");
  await type("//label[contains(., 'Your PIN or passphrase')]/following::input[1]", PIN);
  await click(button("Sign and seal"));
  await find("//h1[contains(., 'Upload queue')]");
  await screenshot("queue");

  const bundle = readdirSync(join(home, "outbox")).find((f) => f.endsWith(".zip"));
  if (!bundle) throw new Error("no bundle in the outbox");
  const verify = spawnSync(cli, ["verify", join(home, "outbox", bundle), "--data-dir", home], { encoding: "utf8" });
  process.stdout.write(verify.stdout + verify.stderr);
  if (verify.status !== 0) throw new Error(`benchproof verify exited ${verify.status}`);
  console.log(`window test: sealed and verified ${bundle}`);
} catch (e) {
  failed = true;
  console.error(`window test FAILED: ${e.stack ?? e}`);
  if (session) await screenshot("failure").catch(() => {});
} finally {
  if (session) await wd("DELETE", s("")).catch(() => {});
  driver.kill();
}
process.exit(failed ? 1 : 0);
