import { invoke } from "@tauri-apps/api/core";
import { isCommandError, type AppInfo, type Backend, type CommandError } from "./types";

/** Calls a command and normalises any rejection into a CommandError. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err: unknown) {
    const error: CommandError = isCommandError(err)
      ? err
      : { code: "ipc", message: String(err) };
    throw error;
  }
}

export class TauriBackend implements Backend {
  readonly kind = "tauri";

  appInfo(): Promise<AppInfo> {
    return call<AppInfo>("app_info");
  }
}
