/**
 * The contract between the UI and the station: every type the Rust side sends or receives.
 *
 * Plain JSON-able interfaces with snake_case fields, so they can be replaced one for one by
 * ts-rs bindings generated from the Rust types. Timestamps are RFC 3339 strings (what
 * `benchproof_domain::Timestamp` serialises to); ids are strings.
 */

/** Mirrors `AppInfo` in src-tauri/src/commands.rs. */
export interface AppInfo {
  version: string;
  data_dir: string;
}

/** Mirrors `CommandError` in src-tauri/src/commands.rs: how every command fails. */
export interface CommandError {
  /** Stable code (`StationError::code()` or a shell code such as `ipc`); react to this. */
  code: string;
  message: string;
}

/** Mirrors `benchproof_domain::Verdict` (kebab-case). */
export type Verdict = "pass" | "fail" | "not-applicable";

/** Mirrors `benchproof_domain::LifecycleState`. */
export type LifecycleState = "created" | "running" | "finished" | "sealed" | "abandoned";

/** Mirrors `benchproof_domain::Outcome`. */
export type Outcome = "passed" | "not-yet-competent" | "incomplete";

/** Mirrors `benchproof_domain::EvidenceKind`. */
export type EvidenceKind = "video" | "audio" | "instrument-screenshot" | "instrument-state";

/** How the station is set up: decides which screen the app opens on. */
export interface StationStatus {
  /** False until enrolment and trust are loaded or demo mode is chosen. */
  configured: boolean;
  /** True when running on simulated devices with the demo department (show the banner). */
  demo: boolean;
  station_name: string | null;
  department: string | null;
  /** The signed-in proctor's name, if any. */
  proctor: string | null;
  /** An assessment left running or finished but unsealed: the app resumes it. */
  in_progress: string | null;
}

/** What `setupStation` needs: files chosen with `pickFile` and the devices to use. */
export interface SetupRequest {
  enrolment_path: string;
  trust_path: string;
  devices: string[];
}

/** Which file `pickFile` asks for. */
export type FilePurpose = "enrolment" | "trust";

export type DeviceKind = "camera" | "microphone" | "instrument";

/** Mirrors `benchproof_capture::SourceInfo` plus live health. */
export interface DeviceInfo {
  /** Stable id, e.g. `camera:/dev/video0`, `sim:camera:0`. */
  id: string;
  label: string;
  kind: DeviceKind;
  simulated: boolean;
  /** False between a `lost` and a `restored` event. */
  connected: boolean;
}

/** Result of an instrument's "test connection". */
export interface InstrumentTest {
  device: string;
  ok: boolean;
  /** E.g. the instrument's `*IDN?` answer, or why it failed. */
  detail: string;
}

/** Events the station pushes to the UI. */
export type DeviceEvent =
  | { kind: "lost"; device: string; reason: string; at: string }
  | { kind: "restored"; device: string; at: string };

/** The signed-in proctor. */
export interface ProctorInfo {
  name: string;
  did: string;
}

/** One rubric in the catalogue (search results). */
export interface RubricSummary {
  id: string;
  version: string;
  title: string;
  description: string;
  steps: number;
  sha256: string;
}

/** Mirrors `benchproof_domain::Level`. */
export interface Level {
  name: string;
  points: number;
  description: string;
}

/** Mirrors `benchproof_domain::Step` (the proctor's view; `look_for` is proctor-only). */
export interface Step {
  id: string;
  title: string;
  instruction: string;
  look_for: string;
  critical: boolean;
  evidence: EvidenceKind[];
  pre_roll_s: number;
  post_roll_s: number;
  /** Lowest first; empty when the step is simply passed or failed. */
  levels: Level[];
}

/** Mirrors `benchproof_domain::PassRule`. */
export interface PassRule {
  min_share: number | null;
  min_points: number | null;
  required: string[];
}

/** Mirrors `benchproof_domain::Rubric`. */
export interface Rubric {
  id: string;
  version: string;
  title: string;
  description: string;
  steps: Step[];
  pass_rule: PassRule;
  sha256: string;
}

/** Mirrors `benchproof_domain::assessment::Tick`, plus whether it was undone. */
export interface Tick {
  seq: number;
  at: string;
  step: string;
  verdict: Verdict;
  level: string | null;
  note: string | null;
  /** True once an `undo` event withdrew it: kept as history, no longer counts. */
  undone: boolean;
}

/** Mirrors `benchproof_domain::assessment::SnippetRecord`, plus a URL the webview can load. */
export interface Snippet {
  seq: number;
  snippet: string;
  step: string | null;
  name: string;
  media_type: string;
  sha256: string;
  bytes: number;
  captured_at: string;
  /** Where the webview loads it from (custom protocol in the app, object URL in the mock). */
  url: string;
  /** A small still for the timeline, if the evidence has one. */
  thumbnail_url: string | null;
}

/** Mirrors `benchproof_domain::ShortOf`. */
export type ShortOf =
  | { reason: "critical-failed" | "critical-not-applicable" | "critical-untested"; step: string }
  | { reason: "required-failed" | "required-untested"; step: string }
  | { reason: "share-below"; share: number; min_share: number }
  | { reason: "points-below"; points: number; min_points: number };

/** Mirrors `benchproof_domain::Score`. */
export interface Score {
  outcome: Outcome;
  passed: number;
  failed: number;
  not_applicable: number;
  untested: number;
  share: number;
  points: number;
  max_points: number;
  failed_critical: string[];
  short_of: ShortOf[];
}

/** A device outage recorded in the log. */
export interface DeviceOutage {
  device: string;
  reason: string;
  lost_at: string;
  restored_at: string | null;
}

/** One assessment as the proctor sees it (the `AssessmentReport` plus live detail). */
export interface AssessmentView {
  id: string;
  student: string;
  rubric: Rubric;
  state: LifecycleState;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The assessment this one re-assesses, if any. */
  previous: string | null;
  ticks: Tick[];
  snippets: Snippet[];
  /** Free notes (proctor only; never shown on the student view). */
  notes: { seq: number; at: string; text: string }[];
  outages: DeviceOutage[];
  score: Score;
  /** Set once signed by the proctor. */
  signed_by: string | null;
  /** Index of the step the proctor is on (`setCurrentStep`); restored on resume. */
  current_step: number;
}

/** What `createAssessment` needs. */
export interface NewAssessment {
  rubric_id: string;
  student: string;
  /** The student agreed to be recorded; the station refuses without it. */
  consent: boolean;
  /** Re-assessment: the earlier attempt of the same student and rubric. */
  previous: string | null;
}

/** What the proctor decides for one step. */
export interface TickRequest {
  step: string;
  verdict: Verdict;
  level: string | null;
  note: string | null;
}

/** The student view's data: deliberately without notes or `look_for`. */
export interface StudentView {
  student: string;
  rubric_title: string;
  recording: boolean;
  current_step: number;
  steps: { id: string; title: string; instruction: string; ticked: boolean }[];
}

/** Progress of a long job (sealing), 0..=1. */
export interface Progress {
  stage: string;
  fraction: number;
}

/** Mirrors `benchproof_station::bundles::SealedInfo`. */
export interface SealedInfo {
  assessment: string;
  path: string;
  digest: string;
  bytes: number;
}

export type SyncState = "pending" | "uploading" | "delivered" | "failed";

/** One bundle in the outbox (`OutboxEntry` plus upload progress and receipt). */
export interface OutboxItem {
  assessment: string;
  student: string;
  rubric_title: string;
  bundle_sha256: string;
  bundle_bytes: number;
  state: SyncState;
  /** 0..=1 while uploading. */
  progress: number;
  attempts: number;
  last_error: string | null;
  /** The server's receipt id once delivered. */
  receipt: string | null;
  queued_at: string;
}

/** The outbox and whether the department server answers. */
export interface QueueStatus {
  server_reachable: boolean;
  server_url: string | null;
  items: OutboxItem[];
}

/** One row of the history screen. */
export interface HistoryItem {
  id: string;
  student: string;
  rubric_id: string;
  rubric_title: string;
  state: LifecycleState;
  outcome: Outcome;
  created_at: string;
  /** The attempt this one re-assesses. */
  previous: string | null;
}

/** Called with each new preview frame URL; returns nothing. */
export type FrameListener = (url: string) => void;
/** Stops a subscription. */
export type Unsubscribe = () => void;

/** Everything the UI may ask of the Rust side. Every method rejects with a `CommandError`. */
export interface Backend {
  /** "tauri" when talking to the desktop shell, "mock" in a plain browser or in tests. */
  readonly kind: "tauri" | "mock";
  appInfo(): Promise<AppInfo>;

  // Station setup
  stationStatus(): Promise<StationStatus>;
  /** Opens a native file dialog; null when the proctor cancels. */
  pickFile(purpose: FilePurpose): Promise<string | null>;
  setupStation(request: SetupRequest): Promise<StationStatus>;
  /** Demo department, demo proctor, simulated devices. */
  startDemo(): Promise<StationStatus>;

  // Devices
  listDevices(): Promise<DeviceInfo[]>;
  testInstrument(device: string): Promise<InstrumentTest>;
  /** The latest preview frame of a camera, loadable by an <img>. */
  previewUrl(device: string): string;
  /** Calls `listener` with each new frame URL of `device`. */
  subscribeFrames(device: string, listener: FrameListener): Unsubscribe;
  /** Calls `listener` with the microphone's level (0..=1), about ten times a second. */
  subscribeAudioLevel(device: string, listener: (level: number) => void): Unsubscribe;
  subscribeDeviceEvents(listener: (event: DeviceEvent) => void): Unsubscribe;
  /** Calls `listener` after any change to the station's assessments or outbox (from any window). */
  subscribeChanges(listener: () => void): Unsubscribe;

  // Proctor
  signIn(name: string, passphrase: string): Promise<ProctorInfo>;
  signOut(): Promise<void>;

  // Assessments
  listRubrics(): Promise<RubricSummary[]>;
  createAssessment(request: NewAssessment): Promise<AssessmentView>;
  assessment(id: string): Promise<AssessmentView>;
  tick(id: string, request: TickRequest): Promise<AssessmentView>;
  /** Withdraws the latest tick that still counts (recorded as an event, never erased). */
  undoTick(id: string): Promise<AssessmentView>;
  note(id: string, text: string): Promise<AssessmentView>;
  /** Saves the pre/post-roll around now as evidence for `step`. */
  saveSnippet(id: string, step: string | null): Promise<AssessmentView>;
  finish(id: string): Promise<AssessmentView>;
  abandon(id: string, reason: string): Promise<AssessmentView>;
  /** Signs as the signed-in proctor and seals into the outbox, reporting progress. */
  seal(id: string, passphrase: string, onProgress: (p: Progress) => void): Promise<SealedInfo>;
  /** Which step the proctor is on (drives the student view). */
  setCurrentStep(id: string, index: number): Promise<void>;
  studentView(): Promise<StudentView | null>;
  /** Instrument state captured as evidence, parsed from its JSON. */
  instrumentState(id: string, snippet: string): Promise<Record<string, unknown>>;

  // Outbox and history
  queue(): Promise<QueueStatus>;
  retry(assessment: string): Promise<QueueStatus>;
  history(): Promise<HistoryItem[]>;
}

export function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === "string" &&
    typeof (value as Record<string, unknown>).message === "string"
  );
}

/** "code: message" for any rejection, for error states. */
export function describeError(err: unknown): string {
  return isCommandError(err) ? `${err.message} (${err.code})` : String(err);
}
