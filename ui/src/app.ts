import { isCommandError, type Backend } from "./lib/backend";

function el(tag: string, text: string, attrs: Record<string, string> = {}): HTMLElement {
  const node = document.createElement(tag);
  node.textContent = text;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

/** Renders the station page into `root` using `backend` for every Rust call. */
export async function renderApp(root: HTMLElement, backend: Backend): Promise<void> {
  root.replaceChildren(el("h1", "benchproof station"));
  if (backend.kind === "mock") {
    root.append(el("p", "demo / not connected: showing sample data, no station backend", { class: "banner", role: "status" }));
  }
  try {
    const info = await backend.appInfo();
    const facts = document.createElement("dl");
    facts.append(
      el("dt", "Version"),
      el("dd", info.version, { "data-testid": "version" }),
      el("dt", "Data directory"),
      el("dd", info.data_dir, { "data-testid": "data-dir" }),
    );
    root.append(facts);
  } catch (err: unknown) {
    const message = isCommandError(err) ? `${err.code}: ${err.message}` : String(err);
    root.append(el("p", `Could not read app info (${message})`, { class: "error", role: "alert" }));
  }
}
