/**
 * The mock backend: a faithful in-memory station for a plain browser and for tests.
 *
 * State lives in `mock/state.ts` (pure transitions); this class adds what a station process
 * would: persistence (localStorage, so a reload resumes like the real SQLite store, and a
 * second window — the student view — sees the same station), timers for sync progress, simulated
 * camera frames and audio levels, device events, and the `window.__mock` hooks tests use.
 */
import rubricsJson from "./mock/rubrics.json";
import { instrumentScreenshot, instrumentState, jsonUrl, patternFrame, recordClip } from "./mock/media";
import * as Sched from "./mock/schedule";
import * as S from "./mock/state";
import type {
  AppInfo,
  AssessmentView,
  Backend,
  CheckInRequest,
  DeviceEvent,
  DeviceInfo,
  FilePurpose,
  FrameListener,
  HistoryItem,
  InstrumentTest,
  NewAssessment,
  PlayableMedia,
  ProctorInfo,
  Progress,
  QueueStatus,
  Rubric,
  RubricSummary,
  ScheduleList,
  SealedInfo,
  SetupRequest,
  Snippet,
  StationStatus,
  StudentView,
  TickRequest,
  Unsubscribe,
} from "./types";

/** The rubrics bundled with the station (generated from assets/rubrics/*.toml). */
export const MOCK_RUBRICS = rubricsJson as Rubric[];
/** The demo proctor of `benchproof_station::demo` and their PIN. */
export const DEMO_PROCTOR = "Demo Proctor";
export const DEMO_PROCTOR_PIN = "demo-proctor-pin";
const STORAGE_KEY = "benchproof-mock-station";

/** How the mock is wired to its surroundings; tests inject these. */
export interface MockOptions {
  info?: AppInfo;
  /** Where state persists; null keeps it in memory only. */
  storage?: Storage | null;
  now?: () => Date;
  /** Milliseconds between sync steps (uploads advance 25 % per step). */
  syncIntervalMs?: number;
  /** Seconds of test pattern recorded per saved clip. */
  clipSeconds?: number;
  /** Milliseconds between seal progress stages. */
  sealStepMs?: number;
}

function defaultStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

function newId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class MockBackend implements Backend {
  readonly kind = "mock";
  private state: S.MockState;
  private readonly info: AppInfo;
  private readonly storage: Storage | null;
  private readonly now: () => Date;
  private readonly syncIntervalMs: number;
  private readonly clipSeconds: number;
  private readonly sealStepMs: number;
  private readonly deviceListeners = new Set<(e: DeviceEvent) => void>();
  private readonly changeListeners = new Set<() => void>();
  private syncTimer: ReturnType<typeof setInterval> | null = null;

  constructor(options: MockOptions = {}) {
    this.info = options.info ?? { version: "0.0.0-demo", data_dir: "(mock: in-browser station, no data directory)" };
    this.storage = options.storage === undefined ? defaultStorage() : options.storage;
    this.now = options.now ?? (() => new Date());
    this.syncIntervalMs = options.syncIntervalMs ?? 700;
    this.clipSeconds = options.clipSeconds ?? 1.5;
    this.sealStepMs = options.sealStepMs ?? 250;
    this.state = this.load();
    if (typeof window !== "undefined") {
      window.addEventListener("storage", (e) => {
        if (e.key !== STORAGE_KEY) return;
        this.state = this.load();
        this.changed(false);
      });
    }
    this.scheduleSync();
  }

  private load(): S.MockState {
    const raw = this.storage?.getItem(STORAGE_KEY);
    if (!raw) return S.emptyState();
    try {
      return { ...S.emptyState(), ...(JSON.parse(raw) as S.MockState) };
    } catch {
      return S.emptyState();
    }
  }

  /** Persists and notifies; `persist` is false when the change came from another window. */
  private changed(persist = true): void {
    if (persist) {
      try {
        this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.state));
      } catch {
        // Storage full (many clips): the station keeps working in memory; a reload loses it.
      }
    }
    for (const l of this.changeListeners) l();
    // Only the window that changed the outbox advances its sync, so two windows never race.
    if (persist) this.scheduleSync();
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private find(id: string): S.StoredAssessment {
    const a = this.state.assessments.find((x) => x.id === id);
    if (!a) S.refuse("unknown_assessment", `no assessment ${id} on this station`);
    return a;
  }

  /** Runs `change` on an assessment, persists, and answers with the new view. */
  private mutate(id: string, change: (a: S.StoredAssessment) => void): Promise<AssessmentView> {
    try {
      const a = this.find(id);
      change(a);
      this.changed();
      return Promise.resolve(S.view(a));
    } catch (err: unknown) {
      return Promise.reject(err);
    }
  }

  private requireProctor(): string {
    if (!this.state.configured) S.refuse("not_enrolled", "this station is not set up yet: load the enrolment or start demo mode");
    if (this.state.proctor === null) S.refuse("not_signed_in", "sign in as a proctor first");
    return this.state.proctor;
  }

  private scheduleSync(): void {
    const busy = this.state.outbox.some((i) => i.state === "pending" || i.state === "uploading");
    if (busy && this.syncTimer === null) {
      this.syncTimer = setInterval(() => {
        S.syncStep(this.state, (item) => `receipt-${item.bundle_sha256.slice(0, 12)}`);
        this.changed();
      }, this.syncIntervalMs);
    } else if (!busy && this.syncTimer !== null) {
      clearInterval(this.syncTimer);
      this.syncTimer = null;
    }
  }

  /** Stops timers (tests call this when done). */
  dispose(): void {
    if (this.syncTimer !== null) clearInterval(this.syncTimer);
    this.syncTimer = null;
  }

  appInfo(): Promise<AppInfo> {
    return Promise.resolve({ ...this.info });
  }

  stationStatus(): Promise<StationStatus> {
    const s = this.state;
    return Promise.resolve({
      configured: s.configured,
      demo: s.demo,
      station_name: s.station_name,
      department: s.department,
      proctor: s.proctor,
      in_progress: S.inProgress(s)?.id ?? null,
      // A fixed did:key for the mock station (the real one is this station's key).
      station_did: "did:key:z6MkmockStationDoesNotSignAnything",
      remarks: s.demo ? ["demo mode: simulated camera and microphone"] : [],
    });
  }

  pickFile(purpose: FilePurpose): Promise<string | null> {
    return Promise.resolve(
      purpose === "enrolment" ? "/media/usb/department/station-enrolment.json" : "/media/usb/department/department-trust.json",
    );
  }

  async setupStation(request: SetupRequest): Promise<StationStatus> {
    if (!request.enrolment_path.endsWith(".json")) {
      S.refuse("keys_or_trust", `${request.enrolment_path}: not an enrolment file; choose the station-enrolment.json your department sent`);
    }
    if (!request.trust_path.endsWith(".json")) {
      S.refuse("keys_or_trust", `${request.trust_path}: not a trust file; choose the department-trust.json your department sent`);
    }
    if (request.devices.length === 0) S.refuse("invalid_input", "choose at least one camera or microphone");
    Object.assign(this.state, { configured: true, demo: false, station_name: "bench-3", department: "Physics teaching labs" });
    this.changed();
    return this.stationStatus();
  }

  async startDemo(): Promise<StationStatus> {
    Object.assign(this.state, {
      configured: true,
      demo: true,
      station_name: "demo station",
      department: "Demo department (simulated, not trusted)",
      devices: S.simulatedDevices(),
    });
    this.changed();
    return this.stationStatus();
  }

  /** In a browser the console is the host's log (Chromium prints it with --enable-logging). */
  uiReady(): Promise<void> {
    console.info("benchproof-ui: first screen rendered");
    return Promise.resolve();
  }

  listDevices(): Promise<DeviceInfo[]> {
    return Promise.resolve(structuredClone(this.state.devices));
  }

  /** The mock's simulated oscilloscope listens on loopback (any port); nothing else answers. */
  testInstrument(address: string): Promise<InstrumentTest> {
    const m = /^\s*([A-Za-z0-9.-]+)(?::(\d{1,5}))?\s*$/.exec(address);
    if (!m || Number(m[2] ?? 5025) > 65535) {
      return Promise.reject({
        code: "invalid_input",
        message: `\`${address}\` is not an instrument address; write HOST or HOST:PORT, e.g. 192.168.1.20:5025`,
      });
    }
    const shown = `${m[1]}:${m[2] ?? 5025}`;
    const sim = this.state.devices.find((x) => x.kind === "instrument");
    if ((m[1] === "127.0.0.1" || m[1] === "localhost") && sim?.connected) {
      return Promise.resolve({
        address: shown,
        ok: true,
        code: null,
        detail: "Benchproof,Simulated Oscilloscope,SIM0001,1.0",
        profile: "benchproof-sim",
      });
    }
    return Promise.resolve({
      address: shown,
      ok: false,
      code: "instrument_unreachable",
      detail: `could not connect to the instrument at ${shown}: connection refused; check the instrument's LAN settings (IP address, LAN enabled) and that port ${m[2] ?? 5025} is open`,
      profile: null,
    });
  }

  /** The mock's clips are data/blob URLs already. */
  async playableMedia(url: string): Promise<PlayableMedia> {
    return { url, release: () => {} };
  }

  previewUrl(device: string): string {
    // The device id and a burned-in clock, like the station's simulated camera.
    return patternFrame(device, this.now());
  }

  subscribeFrames(device: string, listener: FrameListener): Unsubscribe {
    const timer = setInterval(() => {
      if (this.state.devices.find((x) => x.id === device)?.connected) listener(this.previewUrl(device));
    }, 200);
    return () => clearInterval(timer);
  }

  subscribeAudioLevel(device: string, listener: (level: number) => void): Unsubscribe {
    const timer = setInterval(() => {
      const live = this.state.devices.find((x) => x.id === device)?.connected ?? false;
      const t = this.now().getTime() / 1000;
      listener(live ? 0.35 + 0.3 * Math.abs(Math.sin(t * 2.1)) : 0);
    }, 100);
    return () => clearInterval(timer);
  }

  subscribeDeviceEvents(listener: (event: DeviceEvent) => void): Unsubscribe {
    this.deviceListeners.add(listener);
    return () => this.deviceListeners.delete(listener);
  }

  /** Notified after any change to the station (also changes made by another window). */
  subscribeChanges(listener: () => void): Unsubscribe {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  async signIn(name: string, passphrase: string): Promise<ProctorInfo> {
    if (!this.state.configured) S.refuse("not_enrolled", "this station is not set up yet: load the enrolment or start demo mode");
    if (name.trim() !== DEMO_PROCTOR) {
      S.refuse("unknown_proctor", `no proctor "${name.trim()}" is enrolled on this station; in demo mode use "${DEMO_PROCTOR}"`);
    }
    if (passphrase !== DEMO_PROCTOR_PIN) S.refuse("wrong_passphrase", "that PIN or passphrase is not right; try again");
    this.state.proctor = DEMO_PROCTOR;
    this.changed();
    return { name: DEMO_PROCTOR, did: "did:key:z6MkDemoProctorSimulatedKeyNotTrusted" };
  }

  async signOut(): Promise<void> {
    this.state.proctor = null;
    this.changed();
  }

  listRubrics(): Promise<RubricSummary[]> {
    return Promise.resolve(
      MOCK_RUBRICS.map((r) => ({
        id: r.id,
        version: r.version,
        title: r.title,
        description: r.description,
        steps: r.steps.length,
        sha256: r.sha256,
      })),
    );
  }

  async createAssessment(request: NewAssessment): Promise<AssessmentView> {
    this.requireProctor();
    const open = S.inProgress(this.state);
    if (open) S.refuse("not_allowed", `assessment of ${open.student} is still open: finish and seal or abandon it first`);
    if (!request.consent) S.refuse("consent_required", "the student must agree to be recorded before the assessment starts");
    const rubric = MOCK_RUBRICS.find((r) => r.id === request.rubric_id);
    if (!rubric) S.refuse("unknown_rubric", `no rubric "${request.rubric_id}"; pick one from the list`);
    if (request.previous !== null) this.find(request.previous);
    const a = S.create(structuredClone(rubric), request.student, request.previous, newId(), this.stamp());
    this.state.assessments.push(a);
    this.changed();
    return S.view(a);
  }

  async assessment(id: string): Promise<AssessmentView> {
    return S.view(this.find(id));
  }

  tick(id: string, request: TickRequest): Promise<AssessmentView> {
    return this.mutate(id, (a) => S.tick(a, request, this.stamp()));
  }

  undoTick(id: string): Promise<AssessmentView> {
    return this.mutate(id, (a) => S.undo(a));
  }

  note(id: string, text: string): Promise<AssessmentView> {
    return this.mutate(id, (a) => S.note(a, text, this.stamp()));
  }

  async saveSnippet(id: string, step: string | null): Promise<AssessmentView> {
    const a = this.find(id);
    if (a.state !== "running") S.refuse("not_allowed", `cannot save evidence while the assessment is ${a.state}`);
    const kinds = step === null ? ["video"] : (a.rubric.steps.find((s) => s.id === step)?.evidence ?? ["video"]);
    const at = this.now();
    const base = { step, captured_at: at.toISOString(), sha256: "", bytes: 0, snippet: "", thumbnail_url: null };
    const makers: ((seq: number) => Snippet)[] = [];
    const label = step ?? "general";
    const thumb = patternFrame("sim:camera:0", at, 160, 90);
    if (kinds.includes("video") || kinds.includes("audio")) {
      const clip = await recordClip("sim:camera:0", this.clipSeconds);
      const file = clip
        ? { name: `${label}.webm`, media_type: "video/webm", url: clip.url, bytes: clip.bytes }
        : { name: `${label}.jpg`, media_type: "image/jpeg", url: thumb, bytes: thumb.length };
      makers.push((seq) => ({ ...base, ...file, seq, snippet: newId(), sha256: digestOf(file.url), thumbnail_url: thumb }));
    }
    if (kinds.includes("instrument-screenshot")) {
      const shot = instrumentScreenshot(at);
      const ext = shot.media_type === "image/png" ? "png" : "svg";
      makers.push((seq) => ({
        ...base,
        seq,
        snippet: newId(),
        name: `${label}-scope.${ext}`,
        media_type: shot.media_type,
        url: shot.url,
        bytes: shot.url.length,
        sha256: digestOf(shot.url),
        thumbnail_url: shot.url,
      }));
    }
    if (kinds.includes("instrument-state")) {
      const url = jsonUrl(instrumentState(at));
      makers.push((seq) => ({
        ...base,
        seq,
        snippet: newId(),
        name: `${label}-scope-state.json`,
        media_type: "application/json",
        url,
        bytes: url.length,
        sha256: digestOf(url),
      }));
    }
    return this.mutate(id, (x) => S.attach(x, makers));
  }

  finish(id: string): Promise<AssessmentView> {
    return this.mutate(id, (a) => S.finish(a, this.stamp()));
  }

  abandon(id: string, reason: string): Promise<AssessmentView> {
    return this.mutate(id, (a) => S.abandon(a, reason));
  }

  async seal(id: string, passphrase: string, onProgress: (p: Progress) => void): Promise<SealedInfo> {
    const proctor = this.requireProctor();
    const a = this.find(id);
    if (a.state !== "finished") S.refuse("not_finished", `assessment ${id} is ${a.state}; only a finished assessment can be sealed`);
    if (passphrase !== DEMO_PROCTOR_PIN) S.refuse("wrong_passphrase", "that PIN or passphrase is not right; nothing was signed");
    const stages = ["hashing evidence", "signing as station and proctor", "writing the bundle", "queueing for sync"];
    for (const [i, stage] of stages.entries()) {
      onProgress({ stage, fraction: i / stages.length });
      await delay(this.sealStepMs);
    }
    S.seal(a, proctor);
    const digest = digestOf(`${a.id}:${a.last_seq}`);
    const bytes = a.snippets.reduce((n, s) => n + s.bytes, 4096);
    this.state.outbox.push({
      assessment: a.id,
      student: a.student,
      rubric_title: a.rubric.title,
      bundle_sha256: digest,
      bundle_bytes: bytes,
      state: "pending",
      progress: 0,
      attempts: 0,
      last_error: null,
      receipt: null,
      queued_at: this.stamp(),
      next_attempt: null,
      alert: null,
      leaf_index: null,
      tree_size: null,
    });
    this.changed();
    onProgress({ stage: "sealed", fraction: 1 });
    return { assessment: a.id, path: `outbox/${a.id}.bagit.zip`, digest, bytes };
  }

  async setCurrentStep(id: string, index: number): Promise<void> {
    const a = this.find(id);
    a.current_step = Math.max(0, Math.min(index, a.rubric.steps.length - 1));
    this.changed();
  }

  async studentView(): Promise<StudentView | null> {
    const a = S.inProgress(this.state);
    if (!a) return null;
    const counting = new Set(a.ticks.filter((t) => !t.undone).map((t) => t.step));
    return {
      student: a.student,
      rubric_title: a.rubric.title,
      recording: a.state === "running",
      current_step: a.current_step,
      steps: a.rubric.steps.map((s) => ({ id: s.id, title: s.title, instruction: s.instruction, ticked: counting.has(s.id) })),
    };
  }

  async instrumentState(id: string, snippet: string): Promise<Record<string, unknown>> {
    const s = this.find(id).snippets.find((x) => x.snippet === snippet);
    if (!s || s.media_type !== "application/json") S.refuse("unknown_snippet", `no instrument state ${snippet} in this assessment`);
    const body = decodeURIComponent(s.url.slice(s.url.indexOf(",") + 1));
    return JSON.parse(body) as Record<string, unknown>;
  }

  async queue(): Promise<QueueStatus> {
    return {
      server_reachable: this.state.server_reachable,
      server_url: this.state.demo ? null : "https://badges.example.edu",
      server_detail: this.state.server_reachable ? null : "the department server did not answer the probe",
      items: structuredClone(this.state.outbox),
    };
  }

  async retry(assessment: string): Promise<QueueStatus> {
    S.retry(this.state, assessment);
    this.changed();
    return this.queue();
  }

  async history(): Promise<HistoryItem[]> {
    return this.state.assessments
      .map((a) => {
        const v = S.view(a);
        return {
          id: a.id,
          student: a.student,
          rubric_id: a.rubric.id,
          rubric_title: a.rubric.title,
          state: a.state,
          outcome: v.score.outcome,
          created_at: a.created_at,
          previous: a.previous,
        };
      })
      .reverse();
  }

  async schedule(): Promise<ScheduleList | null> {
    return this.state.schedule === null ? null : structuredClone(this.state.schedule);
  }

  async checkIn(request: CheckInRequest): Promise<AssessmentView> {
    this.requireProctor();
    const { slot, booking } = Sched.target(this.state.schedule, request.booking);
    const view = await this.createAssessment({ rubric_id: slot.rubric_id, student: booking.student, consent: request.consent, previous: null });
    Sched.checkedIn(booking, view.id);
    this.changed();
    return view;
  }

  // ---- test hooks (exposed as window.__mock in mock mode only) ----

  /** Stores a schedule copy as the sync worker would (`demo`: today's demo slots). */
  loadSchedule(schedule: ScheduleList | "demo"): void {
    this.state.schedule =
      schedule === "demo" ? Sched.demoSchedule(this.now(), MOCK_RUBRICS) : Sched.derive(schedule, MOCK_RUBRICS);
    this.changed();
  }

  /** Simulates a device dropping out: emits `lost` and records it in a running assessment. */
  loseDevice(device: string, reason = "device stopped delivering frames"): void {
    const d = this.state.devices.find((x) => x.id === device);
    if (!d) throw new Error(`no device ${device}`);
    d.connected = false;
    const at = this.stamp();
    const a = S.inProgress(this.state);
    if (a) S.deviceLost(a, device, reason, at);
    this.changed();
    for (const l of this.deviceListeners) l({ kind: "lost", device, reason, at });
  }

  /** Simulates the device coming back. */
  restoreDevice(device: string): void {
    const d = this.state.devices.find((x) => x.id === device);
    if (!d) throw new Error(`no device ${device}`);
    d.connected = true;
    const at = this.stamp();
    const a = S.inProgress(this.state);
    if (a) S.deviceRestored(a, device, at);
    this.changed();
    for (const l of this.deviceListeners) l({ kind: "restored", device, at });
  }

  setServerReachable(reachable: boolean): void {
    this.state.server_reachable = reachable;
    this.changed();
  }

  failNextUpload(reason: string): void {
    this.state.fail_next_upload = reason;
    this.changed();
  }

  /** Forgets everything (a fresh station). */
  reset(): void {
    this.state = S.emptyState();
    this.changed();
  }
}

/** A stable pseudo-digest (FNV-1a, hex) standing in for SHA-256 in the mock. */
function digestOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0").repeat(8);
}
