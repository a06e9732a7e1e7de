import { clearMocks, mockConvertFileSrc, mockIPC } from "@tauri-apps/api/mocks";
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

  it("builds preview URLs the shell's protocol decodes back to the camera id (encoded once)", () => {
    mockConvertFileSrc("linux");
    expect(new TauriBackend().previewUrl("sim:camera:0")).toBe("preview://localhost/sim%3Acamera%3A0");
    mockConvertFileSrc("windows");
    expect(new TauriBackend().previewUrl("camera:/dev/video0")).toBe("http://preview.localhost/camera%3A%2Fdev%2Fvideo0");
  });

  it("asks for an instrument test by address", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return { address: "10.0.0.5:5025", ok: true, code: null, detail: "RIGOL,DS1104Z,1,2", profile: "rigol-ds1000z" };
    });
    expect((await new TauriBackend().testInstrument("10.0.0.5")).ok).toBe(true);
    expect(calls).toEqual([["test_instrument", { address: "10.0.0.5" }]]);
  });

  it("is chosen inside the Tauri webview", () => {
    mockIPC(() => null);
    expect(inTauri()).toBe(true);
    expect(createBackend().kind).toBe("tauri");
  });
});
