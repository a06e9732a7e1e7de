/**
 * The real bridge: each method is one Tauri command (snake_case name, camelCase arguments as
 * Tauri 2 expects) or one event subscription. No logic here; the station does the work.
 */
import { Channel, convertFileSrc, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import {
  isCommandError,
  type AppInfo,
  type AssessmentView,
  type AudioLevelEvent,
  type Backend,
  type CheckInRequest,
  type CommandError,
  type DeviceEvent,
  type DeviceInfo,
  type FilePurpose,
  type FrameListener,
  type HistoryItem,
  type InstrumentTest,
  type NewAssessment,
  type PlayableMedia,
  type ProctorInfo,
  type Progress,
  type QueueStatus,
  type RubricSummary,
  type ScheduleList,
  type SealedInfo,
  type SetupRequest,
  type StationStatus,
  type StudentView,
  type TickRequest,
  type Unsubscribe,
} from "./types";

/** Calls a command and normalises any rejection into a CommandError. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err: unknown) {
    const error: CommandError = isCommandError(err) ? err : { code: "ipc", message: String(err) };
    throw error;
  }
}

/** Subscribes to a Tauri event; the returned function unsubscribes even if called early. */
function subscribe<T>(event: string, handler: (payload: T) => void): Unsubscribe {
  let stop: UnlistenFn | null = null;
  let stopped = false;
  void listen<T>(event, (e) => handler(e.payload)).then((fn) => {
    if (stopped) fn();
    else stop = fn;
  });
  return () => {
    stopped = true;
    stop?.();
  };
}

export class TauriBackend implements Backend {
  readonly kind = "tauri";

  appInfo(): Promise<AppInfo> {
    return call("app_info");
  }
  uiReady(): Promise<void> {
    return call("ui_ready");
  }
  stationStatus(): Promise<StationStatus> {
    return call("station_status");
  }
  pickFile(purpose: FilePurpose): Promise<string | null> {
    return call("pick_file", { purpose });
  }
  setupStation(request: SetupRequest): Promise<StationStatus> {
    return call("setup_station", { request });
  }
  startDemo(): Promise<StationStatus> {
    return call("start_demo");
  }
  listDevices(): Promise<DeviceInfo[]> {
    return call("list_devices");
  }
  testInstrument(address: string): Promise<InstrumentTest> {
    return call("test_instrument", { address });
  }
  /**
   * The shell serves the latest JPEG of each camera on the `preview` custom protocol:
   * `preview://localhost/<id>` on Linux and macOS, `http://preview.localhost/<id>` on Windows.
   * `convertFileSrc` percent-encodes the id itself; encoding it first as well made the shell
   * look for a camera called `sim%3Acamera%3A0` and answer 404 (a broken image).
   */
  previewUrl(device: string): string {
    return convertFileSrc(device, "preview");
  }
  /** `preview-frame` carries `{ device, seq }`; the frame itself is fetched by URL, never as JSON. */
  subscribeFrames(device: string, listener: FrameListener): Unsubscribe {
    const base = this.previewUrl(device);
    return subscribe<{ device: string; seq: number }>("preview-frame", (p) => {
      if (p.device === device) listener(`${base}?seq=${p.seq}`);
    });
  }
  subscribeAudioLevel(device: string, listener: (level: number) => void): Unsubscribe {
    return subscribe<AudioLevelEvent>("audio-level", (p) => {
      if (p.device === device) listener(p.level);
    });
  }
  subscribeDeviceEvents(listener: (event: DeviceEvent) => void): Unsubscribe {
    return subscribe<DeviceEvent>("device-event", listener);
  }
  subscribeChanges(listener: () => void): Unsubscribe {
    return subscribe<null>("station-changed", () => listener());
  }
  signIn(name: string, passphrase: string): Promise<ProctorInfo> {
    return call("sign_in", { name, passphrase });
  }
  signOut(): Promise<void> {
    return call("sign_out");
  }
  listRubrics(): Promise<RubricSummary[]> {
    return call("list_rubrics");
  }
  createAssessment(request: NewAssessment): Promise<AssessmentView> {
    return call("create_assessment", { request });
  }
  assessment(id: string): Promise<AssessmentView> {
    return call("assessment", { id });
  }
  tick(id: string, request: TickRequest): Promise<AssessmentView> {
    return call("tick", { id, request });
  }
  undoTick(id: string): Promise<AssessmentView> {
    return call("undo_tick", { id });
  }
  note(id: string, text: string): Promise<AssessmentView> {
    return call("note", { id, text });
  }
  saveSnippet(id: string, step: string | null): Promise<AssessmentView> {
    return call("save_snippet", { id, step });
  }
  finish(id: string): Promise<AssessmentView> {
    return call("finish", { id });
  }
  abandon(id: string, reason: string): Promise<AssessmentView> {
    return call("abandon", { id, reason });
  }
  seal(id: string, passphrase: string, onProgress: (p: Progress) => void): Promise<SealedInfo> {
    const channel = new Channel<Progress>();
    channel.onmessage = onProgress;
    return call("seal", { id, passphrase, onProgress: channel });
  }
  setCurrentStep(id: string, index: number): Promise<void> {
    return call("set_current_step", { id, index });
  }
  studentView(): Promise<StudentView | null> {
    return call("student_view");
  }
  instrumentState(id: string, snippet: string): Promise<Record<string, unknown>> {
    return call("instrument_state", { id, snippet });
  }
  /** Snippets are a few megabytes: read whole through `fetch` (which the custom protocol
   * serves), played from memory, freed by `release`. */
  async playableMedia(url: string): Promise<PlayableMedia> {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the evidence could not be read (${response.status}): ${await response.text()}`);
    const objectUrl = URL.createObjectURL(await response.blob());
    return { url: objectUrl, release: () => URL.revokeObjectURL(objectUrl) };
  }
  queue(): Promise<QueueStatus> {
    return call("queue");
  }
  retry(assessment: string): Promise<QueueStatus> {
    return call("retry", { assessment });
  }
  history(): Promise<HistoryItem[]> {
    return call("history");
  }
  schedule(): Promise<ScheduleList | null> {
    return call("schedule");
  }
  checkIn(request: CheckInRequest): Promise<AssessmentView> {
    return call("check_in", { request });
  }
}
