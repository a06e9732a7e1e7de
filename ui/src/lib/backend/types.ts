/**
 * The contract between the UI and the station: every type the Rust side sends or receives.
 *
 * The data shapes are generated from the Rust DTOs in `src-tauri/src/dto/` by ts-rs into
 * `./bindings/` (committed; never edit them by hand). After changing a DTO, run
 * `cargo test -p benchproof-app -- --ignored export_bindings`; `cargo test -p benchproof-app`
 * fails while the committed files are stale. Timestamps are RFC 3339 strings; ids are strings.
 */

export type { AppInfo } from "./bindings/AppInfo";
export type { CommandError } from "./bindings/CommandError";
export type { Verdict } from "./bindings/Verdict";
export type { LifecycleState } from "./bindings/LifecycleState";
export type { Outcome } from "./bindings/Outcome";
export type { EvidenceKind } from "./bindings/EvidenceKind";
export type { StationStatus } from "./bindings/StationStatus";
export type { SetupRequest } from "./bindings/SetupRequest";
export type { FilePurpose } from "./bindings/FilePurpose";
export type { DeviceKind } from "./bindings/DeviceKind";
export type { DeviceInfo } from "./bindings/DeviceInfo";
export type { InstrumentTest } from "./bindings/InstrumentTest";
export type { DeviceEvent } from "./bindings/DeviceEvent";
export type { AudioLevelEvent } from "./bindings/AudioLevelEvent";
export type { ProctorInfo } from "./bindings/ProctorInfo";
export type { RubricSummary } from "./bindings/RubricSummary";
export type { Level } from "./bindings/Level";
export type { Step } from "./bindings/Step";
export type { PassRule } from "./bindings/PassRule";
export type { Rubric } from "./bindings/Rubric";
export type { Tick } from "./bindings/Tick";
export type { Snippet } from "./bindings/Snippet";
export type { ShortOf } from "./bindings/ShortOf";
export type { Score } from "./bindings/Score";
export type { DeviceOutage } from "./bindings/DeviceOutage";
export type { NoteView } from "./bindings/NoteView";
export type { AssessmentView } from "./bindings/AssessmentView";
export type { NewAssessment } from "./bindings/NewAssessment";
export type { TickRequest } from "./bindings/TickRequest";
export type { StudentStepView } from "./bindings/StudentStepView";
export type { StudentView } from "./bindings/StudentView";
export type { Progress } from "./bindings/Progress";
export type { SealedInfo } from "./bindings/SealedInfo";
export type { SyncState } from "./bindings/SyncState";
export type { OutboxItem } from "./bindings/OutboxItem";
export type { QueueStatus } from "./bindings/QueueStatus";
export type { HistoryItem } from "./bindings/HistoryItem";
export type { ScheduleList } from "./bindings/ScheduleList";
export type { ScheduleSlot } from "./bindings/ScheduleSlot";
export type { ScheduleBooking } from "./bindings/ScheduleBooking";
export type { CheckInRequest } from "./bindings/CheckInRequest";

import type { AppInfo } from "./bindings/AppInfo";
import type { AssessmentView } from "./bindings/AssessmentView";
import type { CheckInRequest } from "./bindings/CheckInRequest";
import type { CommandError } from "./bindings/CommandError";
import type { DeviceEvent } from "./bindings/DeviceEvent";
import type { DeviceInfo } from "./bindings/DeviceInfo";
import type { FilePurpose } from "./bindings/FilePurpose";
import type { HistoryItem } from "./bindings/HistoryItem";
import type { InstrumentTest } from "./bindings/InstrumentTest";
import type { NewAssessment } from "./bindings/NewAssessment";
import type { ProctorInfo } from "./bindings/ProctorInfo";
import type { Progress } from "./bindings/Progress";
import type { QueueStatus } from "./bindings/QueueStatus";
import type { RubricSummary } from "./bindings/RubricSummary";
import type { ScheduleList } from "./bindings/ScheduleList";
import type { SealedInfo } from "./bindings/SealedInfo";
import type { SetupRequest } from "./bindings/SetupRequest";
import type { StationStatus } from "./bindings/StationStatus";
import type { StudentView } from "./bindings/StudentView";
import type { TickRequest } from "./bindings/TickRequest";

/** Called with each new preview frame URL; returns nothing. */
export type FrameListener = (url: string) => void;

/** A playable source for evidence media, and how to free it. */
export interface PlayableMedia {
  url: string;
  release(): void;
}
/** Stops a subscription. */
export type Unsubscribe = () => void;

/** Everything the UI may ask of the Rust side. Every method rejects with a `CommandError`. */
export interface Backend {
  /** "tauri" when talking to the desktop shell, "mock" in a plain browser or in tests. */
  readonly kind: "tauri" | "mock";
  appInfo(): Promise<AppInfo>;
  /** Tells the host that the first screen has rendered (start-up is measured from outside). */
  uiReady(): Promise<void>;

  // Station setup
  stationStatus(): Promise<StationStatus>;
  /** Opens a native file dialog; null when the proctor cancels. */
  pickFile(purpose: FilePurpose): Promise<string | null>;
  setupStation(request: SetupRequest): Promise<StationStatus>;
  /** Demo department, demo proctor, simulated devices. */
  startDemo(): Promise<StationStatus>;

  // Devices
  listDevices(): Promise<DeviceInfo[]>;
  /** Asks the instrument at `address` (`HOST[:PORT]`, SCPI over TCP) for `*IDN?`; a failure to
   * reach it is an answer with `ok: false`, only a malformed address rejects. */
  testInstrument(address: string): Promise<InstrumentTest>;
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
  /**
   * A source a <video> or <audio> element can play for evidence at `url` (a snippet's `url`);
   * call `release` when the element goes away. WebKitGTK's media player cannot read a custom
   * protocol (WebKit bug 146351), so the Tauri backend reads the bytes into a Blob URL.
   */
  playableMedia(url: string): Promise<PlayableMedia>;

  // Outbox and history
  queue(): Promise<QueueStatus>;
  retry(assessment: string): Promise<QueueStatus>;
  history(): Promise<HistoryItem[]>;

  // Micro-events
  /** Today's slots from the station's schedule copy; null when none was ever downloaded. */
  schedule(): Promise<ScheduleList | null>;
  /** Checks a booked student in: starts their assessment against the slot's rubric. */
  checkIn(request: CheckInRequest): Promise<AssessmentView>;
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
