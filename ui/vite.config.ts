import { defineConfig } from "vitest/config";

// Tauri serves ui/dist from the app bundle; relative asset paths keep it portable.
export default defineConfig({
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
  },
});
