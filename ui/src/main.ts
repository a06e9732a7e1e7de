import { renderApp } from "./app";
import { createBackend } from "./lib/backend";
import "./style.css";

const root = document.getElementById("app");
if (root) void renderApp(root, createBackend());
