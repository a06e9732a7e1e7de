import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "./app";
import { DEMO_PROCTOR, DEMO_PROCTOR_PIN, MockBackend } from "./lib/backend";
import type { Backend } from "./lib/backend";

let root: HTMLElement;
let backend: MockBackend | null = null;

beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div>';
  root = document.getElementById("app")!;
  window.location.hash = "";
});
afterEach(() => {
  render(null, root);
  backend?.dispose();
  backend = null;
});

/** Waits (polling the DOM, no fixed sleeps) until `predicate` holds. */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await act(() => new Promise((r) => setTimeout(r, 5)));
  }
  throw new Error(`timed out waiting for ${what}; page says: ${root.textContent?.slice(0, 300)}`);
}

const text = () => root.textContent ?? "";
const mount = async (b: Backend) => act(() => render(<App backend={b} />, root));

describe("station app", () => {
  it("opens on setup for a fresh station, then sign-in after demo mode, with the demo banner", async () => {
    backend = new MockBackend({ storage: null });
    await mount(backend);
    await until(() => text().includes("Set up this station"), "setup screen");
    const demo = [...root.querySelectorAll("button")].find((b) => b.textContent === "Start demo mode")!;
    await act(() => demo.click());
    await until(() => text().includes("Proctor sign-in"), "sign-in screen");
    expect(root.querySelector('[data-testid="demo-banner"]')).not.toBeNull();
    expect((root.querySelector("#proctor-name") as HTMLInputElement).value).toBe(DEMO_PROCTOR);
  });

  it("resumes an open assessment straight into the assessment screen", async () => {
    backend = new MockBackend({ storage: null });
    await backend.startDemo();
    await backend.signIn(DEMO_PROCTOR, DEMO_PROCTOR_PIN);
    const a = await backend.createAssessment({ rubric_id: "probe-compensation", student: "s42", consent: true, previous: null });
    await backend.tick(a.id, { step: "inspect-probe", verdict: "pass", level: null, note: null });
    await mount(backend);
    await until(() => text().includes("1 of 11 steps ticked"), "assessment screen");
    expect(root.querySelector("#assess-title")?.textContent).toContain("s42");
  });

  it("opens review for a finished but unsealed assessment, showing the outcome and failed critical steps", async () => {
    backend = new MockBackend({ storage: null });
    await backend.startDemo();
    await backend.signIn(DEMO_PROCTOR, DEMO_PROCTOR_PIN);
    const a = await backend.createAssessment({ rubric_id: "probe-compensation", student: "s43", consent: true, previous: null });
    await backend.tick(a.id, { step: "configure-channel", verdict: "fail", level: null, note: null });
    await backend.finish(a.id);
    await mount(backend);
    await until(() => text().includes("Review and sign"), "review screen");
    expect(root.querySelector('[data-testid="outcome"]')?.textContent).toBe("Not yet competent");
    expect(root.querySelector('[data-testid="failed-critical"]')?.textContent).toContain("Configure the channel");
  });

  it("shows a command error with its code when the station cannot be read", async () => {
    const failing = {
      kind: "tauri",
      stationStatus: () => Promise.reject({ code: "store_unavailable", message: "cannot open the station database" }),
    } as unknown as Backend;
    await mount(failing);
    await until(() => root.querySelector('[role="alert"]') !== null, "error");
    expect(root.querySelector('[role="alert"]')?.textContent).toContain("cannot open the station database (store_unavailable)");
  });

  it("picks the mock outside Tauri", async () => {
    const { createBackend } = await import("./lib/backend");
    const b = createBackend();
    expect(b.kind).toBe("mock");
    (b as MockBackend).dispose();
  });
});
