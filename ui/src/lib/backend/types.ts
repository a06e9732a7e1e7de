/** Mirrors `AppInfo` in src-tauri/src/commands.rs. */
export interface AppInfo {
  version: string;
  data_dir: string;
}

/** Mirrors `CommandError` in src-tauri/src/commands.rs: how every command fails. */
export interface CommandError {
  code: string;
  message: string;
}

/** Everything the UI may ask of the Rust side. */
export interface Backend {
  /** "tauri" when talking to the desktop shell, "mock" in a plain browser or in tests. */
  readonly kind: "tauri" | "mock";
  appInfo(): Promise<AppInfo>;
}

export function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === "string" &&
    typeof (value as Record<string, unknown>).message === "string"
  );
}
