// WebDriver over plain HTTP for the real app: starts tauri-driver (which starts Debian's
// WebKitWebDriver and the app) on free loopback ports, and gives the few commands the window
// test and the benchmark use. Shared by run.mjs and bench.mjs.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "../..");
// Cargo's own rule: $CARGO_TARGET_DIR when set, else target/ in the workspace.
export const target = process.env.CARGO_TARGET_DIR || join(root, "target");
// The app under test: $BENCHPROOF_APP when set (e.g. a release build for the benchmark), else the
// debug build.
export const appBinary = process.env.BENCHPROOF_APP ? resolve(process.env.BENCHPROOF_APP) : join(target, "debug/benchproof-app");
export const cliBinary = join(target, "debug/benchproof");

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port nobody listens on right now. */
export const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

/** Polls `fn` until it returns a truthy value (the app answers asynchronously). */
export async function until(what, fn, timeoutMs = 30000) {
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

/**
 * Starts tauri-driver and a session of the app with `env` (e.g. BENCHPROOF_HOME). Returns the
 * session's commands; `close()` ends the session and the driver.
 */
export async function startSession(env) {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
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
  let session = null;
  try {
    await until("tauri-driver", () => fetch(`${base}/status`).then((r) => r.ok));
    session = (
      await wd("POST", "/session", {
        capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: appBinary } } },
      })
    ).sessionId;
  } catch (e) {
    driver.kill();
    throw e;
  }
  const s = (path) => `/session/${session}${path}`;
  const find = (xpath) =>
    until(xpath, async () => Object.values(await wd("POST", s("/element"), { using: "xpath", value: xpath }))[0]);
  const js = (script, args = []) => wd("POST", s("/execute/sync"), { script, args });
  return {
    /** The tauri-driver process: the app runs in its process tree. */
    driverPid: driver.pid,
    wd,
    s,
    find,
    js,
    click: async (xpath) => wd("POST", s(`/element/${await find(xpath)}/click`), {}),
    type: async (xpath, text) => wd("POST", s(`/element/${await find(xpath)}/value`), { text }),
    clear: async (xpath) => wd("POST", s(`/element/${await find(xpath)}/clear`), {}),
    key: (value) =>
      wd("POST", s("/actions"), {
        actions: [{ type: "key", id: "kbd", actions: [{ type: "keyDown", value }, { type: "keyUp", value }] }],
      }),
    /** Calls a Tauri command from the page, as the UI does. */
    invoke: (cmd, args) =>
      wd("POST", s("/execute/async"), {
        script: `const done = arguments[arguments.length - 1];
          window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then((v) => done({ ok: v }), (e) => done({ err: e }));`,
        args: [cmd, args],
      }).then((r) => {
        if (r.err) throw new Error(`${cmd}: ${JSON.stringify(r.err)}`);
        return r.ok;
      }),
    /**
     * The whole window as PNG bytes. `{ live: true }` skips the repaint nudge ([`REPAINT`]) on a
     * page that repaints by itself (the benchmark's latency bracket stays as tight as it can).
     */
    screenshot: async ({ live = false } = {}) => {
      if (!live) await js(REPAINT);
      return Buffer.from(await wd("GET", s("/screenshot")), "base64");
    },
    /** One element as PNG bytes. */
    elementScreenshot: async (xpath) => {
      await js(REPAINT);
      return Buffer.from(await wd("GET", s(`/element/${await find(xpath)}/screenshot`)), "base64");
    },
    close: async () => {
      await wd("DELETE", s("")).catch(() => {});
      driver.kill();
    },
  };
}

/**
 * The app paints on the CPU (src-tauri/src/webkit.rs), and then WebKitWebDriver's screenshot
 * waits for the page's next paint: on a page where nothing changes (the upload queue) it would
 * wait forever. This script makes the page paint a few times over the next second, with a 1-px
 * element at 1 % opacity in the top-left corner toggled every 100 ms and then removed: invisible
 * in the picture.
 */
const REPAINT = `const dot = document.createElement("div");
  dot.style.cssText = "position:fixed;left:0;top:0;width:1px;height:1px;opacity:0.01;background:#000;pointer-events:none";
  let n = 0;
  const timer = setInterval(() => {
    if (++n > 10) { clearInterval(timer); dot.remove(); }
    else if (dot.isConnected) dot.remove();
    else document.body.append(dot);
  }, 100);`;

export const button = (label) => `//button[normalize-space()='${label}']`;

/** Demo mode → sign in (after `beforeSignIn`) → an assessment of `rubricTitle` for `student`, on the assessment screen. */
export async function startDemoAssessment(w, { pin, student, rubricTitle, beforeSignIn = async () => {} }) {
  await w.click(button("Start demo mode"));
  await w.type("//input[@id='proctor-pin']", pin);
  await beforeSignIn();
  await w.click(button("Sign in"));
  await w.find("//h1[@id='start-title']");
  await w.click(`//label[contains(., '${rubricTitle}')]//input`);
  await w.type("//input[@id='student-id']", student);
  await w.click("//label[contains(., 'agrees to be recorded')]//input");
  await w.click("//button[@type='submit' and contains(., 'Start assessment')]");
  await w.find("//*[@id='assess-title']");
}
