import { afterEach, describe, expect, it, vi } from "vitest";
import { DEMO_PROCTOR, DEMO_PROCTOR_PIN, MockBackend } from "./mock";
import type { DeviceEvent, Progress } from "./types";

let backend: MockBackend;
afterEach(() => {
  backend?.dispose();
  vi.useRealTimers();
});

async function signedIn(options: ConstructorParameters<typeof MockBackend>[0] = {}): Promise<MockBackend> {
  backend = new MockBackend({ storage: null, clipSeconds: 0, sealStepMs: 0, ...options });
  await backend.startDemo();
  await backend.signIn(DEMO_PROCTOR, DEMO_PROCTOR_PIN);
  return backend;
}

const start = (b: MockBackend, rubric = "probe-compensation") =>
  b.createAssessment({ rubric_id: rubric, student: "s1", consent: true, previous: null });

describe("mock station: setup and sign-in", () => {
  it("refuses sign-in before setup, a wrong PIN and an unknown proctor, with codes", async () => {
    backend = new MockBackend({ storage: null });
    await expect(backend.signIn(DEMO_PROCTOR, DEMO_PROCTOR_PIN)).rejects.toMatchObject({ code: "not_enrolled" });
    await backend.startDemo();
    await expect(backend.signIn(DEMO_PROCTOR, "nope")).rejects.toMatchObject({ code: "wrong_passphrase" });
    await expect(backend.signIn("Mallory", DEMO_PROCTOR_PIN)).rejects.toMatchObject({ code: "unknown_proctor" });
    expect((await backend.stationStatus()).proctor).toBeNull();
  });

  it("setup needs both files and a device", async () => {
    backend = new MockBackend({ storage: null });
    await expect(backend.setupStation({ enrolment_path: "x.txt", trust_path: "t.json", devices: ["sim:camera:0"] })).rejects.toMatchObject({
      code: "keys_or_trust",
    });
    await expect(backend.setupStation({ enrolment_path: "e.json", trust_path: "t.json", devices: [] })).rejects.toMatchObject({
      code: "invalid_input",
    });
    const s = await backend.setupStation({ enrolment_path: "e.json", trust_path: "t.json", devices: ["sim:camera:0"] });
    expect(s).toMatchObject({ configured: true, demo: false });
  });
});

describe("mock station: the assessment state machine", () => {
  it("needs consent and a valid student, and allows one open assessment at a time", async () => {
    const b = await signedIn();
    await expect(b.createAssessment({ rubric_id: "probe-compensation", student: "s1", consent: false, previous: null })).rejects.toMatchObject({
      code: "consent_required",
    });
    await expect(b.createAssessment({ rubric_id: "probe-compensation", student: "  ", consent: true, previous: null })).rejects.toMatchObject({
      code: "invalid_input",
    });
    await expect(b.createAssessment({ rubric_id: "nope", student: "s1", consent: true, previous: null })).rejects.toMatchObject({
      code: "unknown_rubric",
    });
    const a = await start(b);
    expect((await b.stationStatus()).in_progress).toBe(a.id);
    await expect(start(b)).rejects.toMatchObject({ code: "not_allowed" });
  });

  it("checks levels like the domain", async () => {
    const b = await signedIn();
    const a = await start(b);
    await expect(b.tick(a.id, { step: "adjust-trimmer", verdict: "pass", level: null, note: null })).rejects.toMatchObject({
      message: expect.stringContaining("needs a level"),
    });
    await expect(b.tick(a.id, { step: "adjust-trimmer", verdict: "pass", level: "Great", note: null })).rejects.toMatchObject({
      code: "invalid_input",
    });
    await expect(b.tick(a.id, { step: "inspect-probe", verdict: "pass", level: "Competent", note: null })).rejects.toMatchObject({
      code: "invalid_input",
    });
    await expect(b.tick(a.id, { step: "no-such-step", verdict: "pass", level: null, note: null })).rejects.toMatchObject({ code: "invalid_input" });
    const v = await b.tick(a.id, { step: "adjust-trimmer", verdict: "pass", level: "Competent", note: " " });
    expect(v.ticks).toEqual([expect.objectContaining({ step: "adjust-trimmer", level: "Competent", note: null })]);
  });

  it("undo withdraws the latest counting tick, keeps it as history, and refuses when nothing is left", async () => {
    const b = await signedIn();
    const a = await start(b);
    await b.tick(a.id, { step: "inspect-probe", verdict: "pass", level: null, note: null });
    await b.tick(a.id, { step: "inspect-probe", verdict: "fail", level: null, note: null });
    let v = await b.undoTick(a.id);
    expect(v.ticks.map((t) => t.undone)).toEqual([false, true]);
    expect(v.score.passed).toBe(1);
    v = await b.undoTick(a.id);
    expect(v.score.untested).toBe(11);
    expect(v.ticks).toHaveLength(2);
    await expect(b.undoTick(a.id)).rejects.toMatchObject({ code: "nothing_to_undo" });
  });

  it("cannot tick, note, undo or save after finish; seals only when finished, with the right PIN", async () => {
    const b = await signedIn();
    const a = await start(b);
    await expect(b.seal(a.id, DEMO_PROCTOR_PIN, () => undefined)).rejects.toMatchObject({ code: "not_finished" });
    await b.tick(a.id, { step: "inspect-probe", verdict: "pass", level: null, note: null });
    const f = await b.finish(a.id);
    expect(f.state).toBe("finished");
    await expect(b.tick(a.id, { step: "inspect-probe", verdict: "fail", level: null, note: null })).rejects.toMatchObject({ code: "not_allowed" });
    await expect(b.undoTick(a.id)).rejects.toMatchObject({ code: "not_allowed" });
    await expect(b.note(a.id, "late")).rejects.toMatchObject({ code: "not_allowed" });
    await expect(b.saveSnippet(a.id, null)).rejects.toMatchObject({ code: "not_allowed" });
    await expect(b.finish(a.id)).rejects.toMatchObject({ code: "not_allowed" });
    await expect(b.seal(a.id, "wrong", () => undefined)).rejects.toMatchObject({ code: "wrong_passphrase" });
    const progress: Progress[] = [];
    const info = await b.seal(a.id, DEMO_PROCTOR_PIN, (p) => progress.push(p));
    expect(info.assessment).toBe(a.id);
    expect(progress.at(-1)).toEqual({ stage: "sealed", fraction: 1 });
    expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort());
    expect((await b.assessment(a.id)).state).toBe("sealed");
    expect((await b.stationStatus()).in_progress).toBeNull();
    await expect(b.abandon(a.id, "x")).rejects.toMatchObject({ code: "not_allowed" });
  });

  it("saves the evidence kinds a step asks for", async () => {
    const b = await signedIn();
    const a = await start(b);
    const v = await b.saveSnippet(a.id, "display-comp-signal");
    expect(v.snippets.map((s) => s.name)).toEqual([
      "display-comp-signal.jpg",
      "display-comp-signal-scope.svg",
      "display-comp-signal-scope-state.json",
    ]);
    const state = await b.instrumentState(a.id, v.snippets[2]!.snippet);
    expect(state).toMatchObject({ ch1_probe: "10x", ch1_coupling: "DC" });
  });

  it("records device outages in the running assessment and tells listeners", async () => {
    const b = await signedIn();
    const a = await start(b);
    const events: DeviceEvent[] = [];
    b.subscribeDeviceEvents((e) => events.push(e));
    b.loseDevice("sim:camera:0", "unplugged");
    expect((await b.listDevices()).find((d) => d.id === "sim:camera:0")?.connected).toBe(false);
    b.restoreDevice("sim:camera:0");
    expect(events.map((e) => e.kind)).toEqual(["lost", "restored"]);
    const v = await b.assessment(a.id);
    expect(v.outages).toEqual([expect.objectContaining({ device: "sim:camera:0", reason: "unplugged", restored_at: expect.any(String) })]);
  });

  it("the student view carries no notes and no look-for text", async () => {
    const b = await signedIn();
    const a = await start(b);
    await b.tick(a.id, { step: "inspect-probe", verdict: "fail", level: null, note: "SECRET" });
    await b.note(a.id, "SECRET too");
    await b.setCurrentStep(a.id, 1);
    const s = await b.studentView();
    const text = JSON.stringify(s);
    expect(text).not.toContain("SECRET");
    expect(text).not.toContain("look_for");
    expect(text).not.toContain("fail");
    expect(s).toMatchObject({ recording: true, current_step: 1 });
    expect(s?.steps[0]?.ticked).toBe(true);
  });

  it("resumes from storage: a new instance on the same storage sees the open assessment", async () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    } as unknown as Storage;
    const b = await signedIn({ storage });
    const a = await start(b);
    await b.tick(a.id, { step: "inspect-probe", verdict: "pass", level: null, note: null });
    b.dispose();
    backend = new MockBackend({ storage });
    expect((await backend.stationStatus()).in_progress).toBe(a.id);
    expect((await backend.assessment(a.id)).ticks).toHaveLength(1);
  });
});

describe("mock station: sync", () => {
  it("pending → uploading 25 % steps → delivered with a receipt; failures wait for retry", async () => {
    vi.useFakeTimers();
    const b = await signedIn({ syncIntervalMs: 100 });
    const a = await start(b);
    await b.finish(a.id);
    const sealing = b.seal(a.id, DEMO_PROCTOR_PIN, () => undefined);
    // Four 0 ms stages; fake timers count each as at least 1 ms.
    await vi.advanceTimersByTimeAsync(10);
    await sealing;
    expect((await b.queue()).items[0]).toMatchObject({ state: "pending", progress: 0 });
    await vi.advanceTimersByTimeAsync(100);
    expect((await b.queue()).items[0]).toMatchObject({ state: "uploading", attempts: 1 });
    await vi.advanceTimersByTimeAsync(300);
    expect((await b.queue()).items[0]).toMatchObject({ state: "uploading", progress: 0.75 });
    b.failNextUpload("server said 507");
    await vi.advanceTimersByTimeAsync(100);
    expect((await b.queue()).items[0]).toMatchObject({ state: "failed", last_error: "server said 507" });
    await vi.advanceTimersByTimeAsync(1000);
    expect((await b.queue()).items[0]?.state).toBe("failed");
    b.setServerReachable(false);
    await b.retry(a.id);
    await vi.advanceTimersByTimeAsync(500);
    expect((await b.queue())).toMatchObject({ server_reachable: false, items: [{ state: "pending" }] });
    b.setServerReachable(true);
    await vi.advanceTimersByTimeAsync(600);
    const item = (await b.queue()).items[0];
    expect(item).toMatchObject({ state: "delivered", progress: 1, attempts: 2 });
    expect(item?.receipt).toMatch(/^receipt-/);
    await expect(b.retry(a.id)).rejects.toMatchObject({ code: "not_allowed" });
  });
});
