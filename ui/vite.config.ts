import { defineConfig } from "vitest/config";

// Tauri serves ui/dist from the app bundle; relative asset paths keep it portable.
// JSX is Preact's automatic runtime, compiled by Vite's built-in oxc transform (no plugin).
export default defineConfig({
  base: "./",
  clearScreen: false,
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
