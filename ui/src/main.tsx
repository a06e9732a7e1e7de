import { render } from "preact";
import { App } from "./app";
import { createBackend, MockBackend } from "./lib/backend";
import "./style.css";

declare global {
  interface Window {
    /** The mock station's test hooks (loseDevice, restoreDevice, …); only in mock mode. */
    __mock?: MockBackend;
  }
}

const backend = createBackend();
if (backend instanceof MockBackend) window.__mock = backend;
const root = document.getElementById("app");
if (root) render(<App backend={backend} />, root);
