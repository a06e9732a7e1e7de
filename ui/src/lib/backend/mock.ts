import type { AppInfo, Backend } from "./types";

/** Canned answers for a plain browser and for tests: not connected to any station. */
export class MockBackend implements Backend {
  readonly kind = "mock";

  constructor(private readonly info: AppInfo = { version: "0.0.0-demo", data_dir: "(demo: no data directory)" }) {}

  appInfo(): Promise<AppInfo> {
    return Promise.resolve({ ...this.info });
  }
}
