import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { createBackend, inTauri, TauriBackend } from ".";

afterEach(() => clearMocks());

describe("Tauri bridge", () => {
  it("calls one command per method, with the arguments the Rust commands take", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return cmd === "station_status" ? { configured: true } : null;
    });
    const b = new TauriBackend();
    expect(await b.stationStatus()).toEqual({ configured: true });
    await b.tick("a1", { step: "s", verdict: "pass", level: null, note: null });
    await b.undoTick("a1");
    await b.createAssessment({ rubric_id: "r", student: "s1", consent: true, previous: null });
    await b.retry("a1");
    expect(calls).toEqual([
      ["station_status", {}],
      ["tick", { id: "a1", request: { step: "s", verdict: "pass", level: null, note: null } }],
      ["undo_tick", { id: "a1" }],
      ["create_assessment", { request: { rubric_id: "r", student: "s1", consent: true, previous: null } }],
      ["retry", { assessment: "a1" }],
    ]);
  });

  it("passes a command's { code, message } through and wraps anything else as code ipc", async () => {
    mockIPC((cmd) => {
      if (cmd === "finish") throw { code: "not_allowed", message: "cannot finish while the assessment is sealed" };
      throw new Error("bridge down");
    });
    const b = new TauriBackend();
    await expect(b.finish("a1")).rejects.toEqual({ code: "not_allowed", message: "cannot finish while the assessment is sealed" });
    await expect(b.queue()).rejects.toMatchObject({ code: "ipc", message: expect.stringContaining("bridge down") });
  });

  it("is chosen inside the Tauri webview", () => {
    mockIPC(() => null);
    expect(inTauri()).toBe(true);
    expect(createBackend().kind).toBe("tauri");
  });
});
