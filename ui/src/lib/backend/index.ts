import { MockBackend } from "./mock";
import { TauriBackend } from "./tauri";
import type { Backend } from "./types";

export type * from "./types";
export { describeError, isCommandError } from "./types";
export { DEMO_PROCTOR, DEMO_PROCTOR_PIN, MOCK_RUBRICS, MockBackend } from "./mock";
export { TauriBackend } from "./tauri";

/** True inside the Tauri webview, where the IPC bridge is injected. */
export function inTauri(win: Window = window): boolean {
  return "__TAURI_INTERNALS__" in win;
}

/** The one way the UI reaches Rust: the real bridge in the app, the mock elsewhere. */
export function createBackend(win: Window = window): Backend {
  return inTauri(win) ? new TauriBackend() : new MockBackend();
}
