// Opens employer review links of a running department server in Debian's headless Chromium.
//
// Usage: node check.mjs <config.json> [chromium path]
// config.json: {"live": URL, "code": CODE, "expired": URL, "revoked": URL, "other_media": URL}
//   live       a live link that needs CODE: the page must first ask for the code, then show the
//              steps, and its first <video> must reach canplaythrough and play;
//   expired    must answer 410 with the "expired" page and no evidence in it;
//   revoked    must answer 410 with the "withdrawn" page and no evidence in it;
//   other_media (optional) a media URL of the live link naming another assessment's file: 404.
// Prints one JSON line with what the browser saw; exits 0 when every expectation held, else
// prints the reasons on stderr and exits 1.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [configPath, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!configPath) {
  console.error("usage: node check.mjs <config.json> [chromium]");
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, "utf8"));
const profile = mkdtempSync(join(tmpdir(), "benchproof-review-"));
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

const problems = [];
const seen = {};
let context;
try {
  context = await chromium.launchPersistentContext(profile, { executablePath, args, headless: true });
  const page = context.pages()[0] ?? (await context.newPage());

  // The live link: code form first.
  let res = await page.goto(config.live);
  seen.codeFormStatus = res.status();
  if (res.status() !== 401) problems.push(`the live link answered ${res.status()} before the code, not 401`);
  if ((await page.locator("video").count()) !== 0) problems.push("evidence was shown before the code was entered");
  await page.fill("input[name=code]", "WRONG-CODE");
  await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("button[type=submit]")]);
  await page.waitForLoadState("load");
  seen.wrongCodeRefused = (await page.locator("[role=alert]").textContent())?.includes("not right") ?? false;
  if (!seen.wrongCodeRefused) problems.push("a wrong code was not refused with a message");
  await page.fill("input[name=code]", config.code.toLowerCase());
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "GET" && r.url() === config.live),
    page.click("button[type=submit]"),
  ]);
  await page.waitForLoadState("load");
  seen.title = await page.title();
  seen.steps = await page.locator("section.step").count();
  seen.checks = await page.locator("#checks li").count();
  seen.checkpoint = ((await page.locator("#checkpoint").textContent()) ?? "").split("\n")[0];
  if (seen.steps < 1) problems.push("the review page shows no steps");
  if (seen.checks < 1) problems.push("the review page lists no checks");
  if (!seen.checkpoint) problems.push("the review page shows no transparency checkpoint");
  const playback = await page.evaluate(async () => {
    const video = document.querySelector("video");
    if (!video) return { error: "no <video> on the page" };
    const event = (name, ms) =>
      new Promise((resolve, reject) => {
        if (name === "canplaythrough" && video.readyState >= 4) return resolve();
        const timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms (readyState ${video.readyState}, error ${video.error?.code})`)), ms);
        video.addEventListener(name, () => { clearTimeout(timer); resolve(); }, { once: true });
        video.addEventListener("error", () => { clearTimeout(timer); reject(new Error(`media error ${video.error?.code}: ${video.error?.message}`)); }, { once: true });
      });
    try {
      video.muted = true;
      video.preload = "auto";
      const ready = event("canplaythrough", 30000);
      video.load();
      await ready;
      await video.play();
      await new Promise((r) => setTimeout(r, 500));
      video.pause();
      return { duration: video.duration, width: video.videoWidth, played: video.currentTime > 0, decoded: video.webkitVideoDecodedByteCount };
    } catch (e) {
      return { error: e.message };
    }
  });
  seen.playback = playback;
  if (playback.error) problems.push(`playback: ${playback.error}`);
  else if (!playback.played || !(playback.decoded > 0)) problems.push("the snippet did not play");

  for (const [name, word] of [["expired", "expired"], ["revoked", "withdrawn"]]) {
    res = await page.goto(config[name]);
    const text = (await page.locator("main").textContent()) ?? "";
    seen[name] = { status: res.status(), text: text.slice(0, 120) };
    if (res.status() !== 410) problems.push(`the ${name} link answered ${res.status()}, not 410`);
    if (!text.includes(word)) problems.push(`the ${name} link's page does not say "${word}": ${text}`);
    if ((await page.locator("video, img, section.step, #checkpoint").count()) !== 0) problems.push(`the ${name} link's page shows evidence`);
  }

  if (config.other_media) {
    res = await page.goto(config.other_media);
    seen.otherMedia = res.status();
    if (res.status() !== 404) problems.push(`another assessment's file answered ${res.status()}, not 404`);
  }
} catch (e) {
  problems.push(`browser: ${e.message}`);
} finally {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(seen));
if (problems.length) {
  console.error(problems.join("\n"));
  process.exitCode = 1;
}
