// Browser tests: the built ui/ served on loopback with its mock backend, driven in Debian's
// headless Chromium by playwright-core. Each test starts from an empty mock station.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { assert, checkAccessibility, runAll, screenshot, waitText } from "./harness.mjs";
import { serve } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const server = await serve(join(here, "..", "..", "ui", "dist"));
const profile = await mkdtemp(join(tmpdir(), "benchproof-ui-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1280, height: 800 },
});
context.setDefaultTimeout(15000);

const PIN = "demo-proctor-pin";

/** A fresh page on an empty mock station. */
async function freshPage() {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(server.url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  page.errors = errors;
  return page;
}

async function demoSignedIn(page) {
  await page.getByRole("button", { name: "Start demo mode" }).click();
  await page.getByLabel("PIN or passphrase").fill(PIN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Start an assessment" }).waitFor();
}

async function startAssessment(page, search, rubricTitle, student) {
  await page.getByLabel("Search rubrics").fill(search);
  await page.getByRole("radio", { name: new RegExp(rubricTitle) }).check();
  await page.getByLabel("Student id (type or scan)").fill(student);
  await page.getByLabel(/agrees to be recorded/).check();
  await page.getByRole("button", { name: "Start assessment" }).click();
  await page.locator("#assess-title").waitFor();
}

/** The verdict shown in the step list for `stepId`. */
const stepVerdict = (page, stepId) => page.locator(`[data-testid="step-${stepId}"] .step-verdict`).innerText();

const tests = [
  [
    "first run: setup screen, demo banner, sign-in refuses a wrong PIN",
    async () => {
      const page = await freshPage();
      await page.getByRole("heading", { name: "Set up this station" }).waitFor();
      await page.getByLabel("LAN address").fill("scope:notaport");
      await page.getByRole("button", { name: "Test connection" }).click();
      await waitText(page, "[role=alert]", "is not an instrument address");
      await page.getByLabel("LAN address").fill("192.0.2.7");
      await page.getByRole("button", { name: "Test connection" }).click();
      await waitText(page, "[data-testid=instrument-result]", "Failed (instrument_unreachable)");
      await page.getByLabel("LAN address").fill("127.0.0.1:5025");
      await page.getByRole("button", { name: "Test connection" }).click();
      await waitText(page, "[data-testid=instrument-result]", "Connected to 127.0.0.1:5025: Benchproof,Simulated Oscilloscope");
      await page.getByRole("button", { name: "Set up station" }).click();
      await waitText(page, "[role=alert]", "choose both the enrolment file and the trust file");
      await screenshot(page, "setup");
      await checkAccessibility(page, "setup");
      await page.getByRole("button", { name: "Start demo mode" }).click();
      await page.getByRole("heading", { name: "Proctor sign-in" }).waitFor();
      assert(await page.getByTestId("demo-banner").isVisible(), "demo banner is shown");
      await page.getByLabel("PIN or passphrase").fill("wrong");
      await page.getByRole("button", { name: "Sign in" }).click();
      await waitText(page, "[role=alert]", "wrong_passphrase");
      await screenshot(page, "sign-in");
      await checkAccessibility(page, "sign-in");
      // Focus order follows reading order: name → PIN → Sign in.
      await page.locator("#proctor-name").focus();
      await page.keyboard.press("Tab");
      assert((await page.evaluate(() => document.activeElement?.id)) === "proctor-pin", "Tab goes from name to PIN");
      await page.keyboard.press("Tab");
      assert((await page.evaluate(() => document.activeElement?.textContent)) === "Sign in", "then to Sign in");
      await page.getByLabel("PIN or passphrase").fill(PIN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Start an assessment" }).waitFor();
      assert(await page.getByTestId("demo-banner").isVisible(), "demo banner stays after sign-in");
      assert(page.errors.length === 0, `no page errors: ${page.errors}`);
      await page.close();
    },
  ],
  [
    "setup with department files: both files and a device are needed, then sign-in without the demo banner",
    async () => {
      const page = await freshPage();
      await page.getByRole("button", { name: "Choose enrolment file…" }).click();
      await waitText(page, '[data-testid="path-enrolment"]', ".json");
      await page.getByRole("button", { name: "Set up station" }).click();
      await waitText(page, "[role=alert]", "choose both the enrolment file and the trust file");
      await page.getByRole("button", { name: "Choose trust file…" }).click();
      for (const box of await page.getByRole("checkbox").all()) await box.uncheck();
      await page.getByRole("button", { name: "Set up station" }).click();
      await waitText(page, "[role=alert]", "choose at least one camera or microphone");
      await page.getByRole("checkbox", { name: "Simulated camera (test pattern)" }).check();
      await page.getByRole("button", { name: "Set up station" }).click();
      await page.getByRole("heading", { name: "Proctor sign-in" }).waitFor();
      assert((await page.getByTestId("demo-banner").count()) === 0, "no demo banner for a real department");
      assert(page.errors.length === 0, `no page errors: ${page.errors}`);
    },
  ],
  [
    "whole assessment by keyboard: undo, device lost, student window, resume, review, seal, queue",
    async () => {
      const page = await freshPage();
      await demoSignedIn(page);
      // Start needs consent.
      await page.getByLabel("Search rubrics").fill("deskew");
      assert((await page.getByRole("radio").count()) === 1, "search narrows the list to one rubric");
      await page.getByRole("radio", { name: /Passive probe compensation/ }).check();
      await page.getByLabel("Student id (type or scan)").fill("s1234567");
      await page.getByRole("button", { name: "Start assessment" }).click();
      await waitText(page, "[role=alert]", "consent");
      await screenshot(page, "start");
      await checkAccessibility(page, "start");
      await page.getByLabel(/agrees to be recorded/).check();
      await page.getByRole("button", { name: "Start assessment" }).click();
      await page.locator("#assess-title").waitFor();
      await page.locator("body").click({ position: { x: 5, y: 300 } });

      // Fail step 1, then undo: the step has no verdict again and the timeline keeps the undone tick.
      await page.keyboard.press("f");
      await waitText(page, '[data-testid="timeline"]', "Fail");
      assert((await stepVerdict(page, "inspect-probe")) === "Fail", "F fails step 1");
      await page.keyboard.press("u");
      await waitText(page, '[data-testid="timeline"]', "undone");
      assert((await stepVerdict(page, "inspect-probe")) === "—", "U withdraws the tick");
      await page.keyboard.press("k");
      await page.keyboard.press("p");
      await waitText(page, '[data-testid="step-inspect-probe"]', "Pass");

      // Steps 2-11: P for plain steps; levelled steps need a level (L twice = Competent, 2 points).
      const rubric = await page.evaluate(async () => (await window.__mock.listRubrics()).find((r) => r.id === "probe-compensation"));
      assert(rubric.steps === 11, "probe-compensation has 11 steps");
      const levelled = new Set(["diagnose-compensation", "adjust-trimmer", "use-short-ground"]);
      const ids = [
        "configure-channel",
        "connect-comp-output",
        "display-comp-signal",
        "diagnose-compensation",
        "adjust-trimmer",
        "verify-amplitude",
        "compensate-second-probe",
        "use-short-ground",
        "deskew-channels",
        "record-and-label",
      ];
      for (const id of ids) {
        await page.locator(`[data-testid="step-${id}"][aria-current="step"]`).waitFor();
        if (id === "display-comp-signal") {
          await page.keyboard.press("s");
          await waitText(page, '[data-testid="timeline"]', "display-comp-signal-scope-state.json");
        }
        if (levelled.has(id)) {
          await page.keyboard.press("p");
          await waitText(page, '[data-testid="hint"]', "Choose a level");
          await page.keyboard.press("l");
          await page.keyboard.press("l");
          await page.keyboard.press("Enter");
        } else {
          await page.keyboard.press("p");
        }
        await waitText(page, `[data-testid="step-${id}"]`, "Pass");
      }
      await waitText(page, '[data-testid="progress"]', "11 of 11");
      assert((await stepVerdict(page, "adjust-trimmer")) === "Pass · Competent", "levelled pass records the level");
      await page.getByLabel("Note for this tick (proctor only)").fill("SECRET-PROCTOR-NOTE");
      await page.getByRole("button", { name: "Add as general note" }).click();
      await waitText(page, '[data-testid="timeline"]', "SECRET-PROCTOR-NOTE");
      await screenshot(page, "assessment");
      await checkAccessibility(page, "assessment");

      // Device lost: an alert that cannot be missed, gone when the device is back.
      await page.evaluate(() => window.__mock.loseDevice("sim:camera:0", "USB cable unplugged"));
      await waitText(page, '[data-testid="device-alert"]', "Device lost: sim:camera:0");
      assert((await page.getByTestId("device-alert").getAttribute("role")) === "alert", "warning is role=alert");
      await screenshot(page, "device-lost");
      await page.evaluate(() => window.__mock.restoreDevice("sim:camera:0"));
      await page.getByTestId("device-alert").waitFor({ state: "detached" });
      await waitText(page, '[data-testid="timeline"]', "sim:camera:0 restored");

      // The student window: current step, ticks, recording — no proctor notes or look-for text.
      await page.keyboard.press("k");
      const student = await context.newPage();
      await student.goto(`${server.url}#/student`);
      await waitText(student, '[data-testid="student-instruction"]', "Put both probes");
      await waitText(student, '[data-testid="recording"]', "Recording");
      const studentText = await student.locator("body").innerText();
      assert(!studentText.includes("SECRET-PROCTOR-NOTE"), "student view shows no proctor notes");
      assert(!studentText.includes("Look for"), "student view shows no look-for text");
      assert((studentText.match(/✔/g) ?? []).length === 11, "student view marks all 11 steps ticked");
      await screenshot(student, "student-view");
      await checkAccessibility(student, "student view");
      await page.keyboard.press("j");
      await waitText(student, '[data-testid="student-instruction"]', "On the result sheet");

      // Resume: reloading mid-assessment goes straight back into it.
      await page.reload();
      await waitText(page, '[data-testid="progress"]', "11 of 11");
      await page.locator('[data-testid="step-record-and-label"][aria-current="step"]').waitFor();
      await page.setViewportSize({ width: 1920, height: 1080 });
      await screenshot(page, "assessment-1920");
      await page.setViewportSize({ width: 1280, height: 800 });

      // Finish, review, sign and seal.
      await page.getByRole("button", { name: "Finish and review" }).click();
      await waitText(page, '[data-testid="outcome"]', "Passed");
      assert((await page.locator("video").count()) >= 1, "the saved clip is shown in a <video>");
      // The clip really decodes: its metadata loads and it has a picture.
      await page.waitForFunction(() => {
        const v = document.querySelector("video");
        return v !== null && v.readyState >= 1 && v.videoWidth > 0;
      });
      await page.locator(".state-table").first().waitFor();
      await waitText(page, ".state-table", "ch1_probe");
      assert((await student.getByTestId("recording").innerText()).includes("stopped"), "student view shows recording stopped");
      await screenshot(page, "review");
      await checkAccessibility(page, "review");
      await page.getByLabel("Your PIN or passphrase").fill("nope");
      await page.getByRole("button", { name: "Sign and seal" }).click();
      await waitText(page, "[role=alert]", "wrong_passphrase");
      await page.getByLabel("Your PIN or passphrase").fill(PIN);
      await page.getByRole("button", { name: "Sign and seal" }).click();
      await page.locator("progress#seal-progress").waitFor();
      await page.getByRole("heading", { name: "Upload queue" }).waitFor();
      await waitText(page, '[data-testid="flash"]', "Sealed s1234567");
      const row = page.locator('[data-testid^="queue-"]');
      await page.waitForFunction(() => document.querySelector('[data-testid^="queue-"]')?.getAttribute("data-state") === "uploading");
      await waitText(page, '[data-testid^="queue-"]', "Uploading");
      await page.waitForFunction(() => document.querySelector('[data-testid^="queue-"]')?.getAttribute("data-state") === "delivered");
      assert((await row.innerText()).includes("Receipt: entry 1 of 1 in the department's log"), "delivered shows where the receipt puts it");
      assert(page.errors.length === 0, `no page errors: ${page.errors}`);
      await student.close();
      await page.close();
    },
  ],
  [
    "failed critical step, failed upload with retry, unreachable server, history and re-assessment",
    async () => {
      const page = await freshPage();
      await demoSignedIn(page);
      await startAssessment(page, "soldering", "Through-hole soldering", "s7654321");
      await page.locator("body").click({ position: { x: 5, y: 300 } });
      const critical = await page.evaluate(async () => {
        const id = (await window.__mock.stationStatus()).in_progress;
        const a = await window.__mock.assessment(id);
        return a.rubric.steps.findIndex((s) => s.critical);
      });
      for (let i = 0; i < critical; i++) await page.keyboard.press("j");
      await page.keyboard.press("f");
      await waitText(page, '[data-testid="timeline"]', "Fail");
      await page.getByRole("button", { name: "Finish and review" }).click();
      await waitText(page, '[data-testid="outcome"]', "Not yet competent");
      await page.getByTestId("failed-critical").waitFor();
      await page.evaluate(() => window.__mock.failNextUpload("server refused the bundle: 507 insufficient storage"));
      await page.getByLabel("Your PIN or passphrase").fill(PIN);
      await page.getByRole("button", { name: "Sign and seal" }).click();
      await page.getByRole("heading", { name: "Upload queue" }).waitFor();
      await waitText(page, '[data-testid^="queue-"]', "507 insufficient storage", 20000);
      await page.evaluate(() => window.__mock.setServerReachable(false));
      await waitText(page, '[data-testid="server"]', "not reachable");
      await waitText(page, '[data-testid="server-detail"]', "did not answer the probe");
      await waitText(page, '[data-testid^="queue-"]', "1 attempt");
      await screenshot(page, "queue");
      await checkAccessibility(page, "queue");
      await page.evaluate(() => window.__mock.setServerReachable(true));
      await page.getByRole("button", { name: "Retry" }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid^="queue-"]')?.getAttribute("data-state") === "delivered", null, { timeout: 20000 });

      await page.getByRole("link", { name: "History" }).click();
      await page.getByRole("heading", { name: "History" }).waitFor();
      await page.getByRole("link", { name: "Re-assess" }).click();
      await page.getByTestId("reassess-note").waitFor();
      assert((await page.getByLabel("Student id (type or scan)").inputValue()) === "s7654321", "re-assessment keeps the student");
      await page.getByLabel(/agrees to be recorded/).check();
      await page.getByRole("button", { name: "Start assessment" }).click();
      await page.locator("#assess-title").waitFor();
      await page.getByRole("button", { name: "Abandon…" }).click();
      await page.getByLabel("Reason for abandoning").fill("fire alarm");
      await page.getByRole("button", { name: "Abandon assessment" }).click();
      await page.getByRole("link", { name: "History" }).click();
      await waitText(page, ".history-table", "Re-assessment of the attempt on");
      await screenshot(page, "history");
      await checkAccessibility(page, "history");
      assert(page.errors.length === 0, `no page errors: ${page.errors}`);
      await page.close();
    },
  ],
  [
    "today's slots: a booked student is checked in with one click, the form filled from the booking",
    async () => {
      const page = await freshPage();
      await demoSignedIn(page);
      assert((await page.getByTestId("todays-slots").count()) === 0, "no slot list before a schedule is downloaded");
      await page.evaluate(() => window.__mock.loadSchedule("demo"));
      await page.getByRole("heading", { name: "Today's slots" }).waitFor();
      await waitText(page, '[data-testid="todays-slots"]', "This slot was cancelled by the department.");
      assert((await page.getByRole("button", { name: /^Check in/ }).count()) === 2, "booked and no-show students can be checked in");
      await page.getByRole("button", { name: "Check in S-2026-0101" }).click();
      assert((await page.getByLabel("Student id (type or scan)").inputValue()) === "S-2026-0101", "the student id is filled");
      assert(await page.getByRole("radio", { name: /Passive probe compensation/ }).isChecked(), "the slot's rubric is chosen");
      await waitText(page, '[data-testid="check-in-note"]', "Checking in S-2026-0101");
      await screenshot(page, "start-slots");
      await checkAccessibility(page, "start-slots");
      await page.getByLabel(/agrees to be recorded/).check();
      await page.getByRole("button", { name: "Start assessment" }).click();
      await page.locator("#assess-title").waitFor();
      const booking = await page.evaluate(async () => (await window.__mock.schedule()).slots[0].bookings[0]);
      const status = await page.evaluate(() => window.__mock.stationStatus());
      assert(booking.assessment === status.in_progress, "the check-in is recorded against the started assessment");
      assert(page.errors.length === 0, `no page errors: ${page.errors}`);
      await page.close();
    },
  ],
];

let failed = 1;
try {
  // Every test starts clean: pages a failed test left open are closed before the next one.
  failed = await runAll(tests, async (name, err) => {
    let i = 0;
    for (const p of context.pages()) {
      if (err) {
        const shot = join(tmpdir(), `benchproof-ui-failure-${(i += 1)}.png`);
        await p.screenshot({ path: shot }).catch(() => undefined);
        console.log(`     failure screenshot: ${shot} (${p.url()})`);
      }
      await p.close();
    }
  });
} finally {
  await context.close();
  await server.close();
  await rm(profile, { recursive: true, force: true });
}
process.exit(failed === 0 ? 0 : 1);
