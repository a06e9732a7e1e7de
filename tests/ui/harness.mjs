// A minimal test harness: named async tests run in order, each failure reported, non-zero exit.
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = join(here, "..", "..", "docs", "screenshots");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Waits until `locator`'s text contains `text` (Playwright's own timeout applies). */
export async function waitText(page, selector, text, timeout = 10000) {
  await page.waitForFunction(
    ([sel, t]) => [...document.querySelectorAll(sel)].some((n) => n.textContent?.includes(t)),
    [selector, text],
    { timeout },
  );
}

export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Runs axe-core in the page; fails on any serious or critical violation. */
export async function checkAccessibility(page, screen) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert(bad.length === 0, `${screen}: accessibility violations:\n${JSON.stringify(bad, null, 2)}`);
  return violations.length;
}

export async function runAll(tests, afterEach) {
  let failed = 0;
  for (const [name, fn] of tests) {
    const started = Date.now();
    let error = null;
    try {
      await fn();
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed += 1;
      error = err;
      console.log(`FAIL ${name}\n${err?.stack ?? err}`);
    }
    await afterEach(name, error);
  }
  console.log(`\n${tests.length - failed} passed, ${failed} failed`);
  return failed;
}
