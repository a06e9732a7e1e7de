import { beforeEach, describe, expect, it } from "vitest";
import { renderApp } from "./app";
import { createBackend, MockBackend } from "./lib/backend";
import type { AppInfo, Backend } from "./lib/backend";

describe("station page", () => {
  let root: HTMLElement;
  beforeEach(() => {
    document.body.innerHTML = '<div id="app"></div>';
    root = document.getElementById("app")!;
  });

  it("renders title, version, data dir and the demo state with the mock backend", async () => {
    await renderApp(root, new MockBackend({ version: "9.8.7", data_dir: "/tmp/bp-home" }));
    expect(root.querySelector("h1")?.textContent).toBe("benchproof station");
    expect(root.querySelector('[data-testid="version"]')?.textContent).toBe("9.8.7");
    expect(root.querySelector('[data-testid="data-dir"]')?.textContent).toBe("/tmp/bp-home");
    expect(root.textContent).toContain("demo / not connected");
  });

  it("picks the mock outside Tauri", () => {
    expect(createBackend().kind).toBe("mock");
  });

  it("shows a command error instead of the facts", async () => {
    const failing: Backend = {
      kind: "tauri",
      appInfo: (): Promise<AppInfo> => Promise.reject({ code: "no_home", message: "no home directory" }),
    };
    await renderApp(root, failing);
    expect(root.querySelector('[role="alert"]')?.textContent).toContain("no_home: no home directory");
    expect(root.textContent).not.toContain("demo / not connected");
  });
});
