import { useState } from "preact/hooks";
import { AudioMeter, Preview } from "../components/Preview";
import { InstrumentCheck } from "../components/InstrumentCheck";
import { Empty, ErrorNote, Loading } from "../components/Notice";
import type { Backend, FilePurpose } from "../lib/backend";
import { useAsync } from "../lib/useAsync";

/**
 * First run: load the department's enrolment and trust files and choose devices, or start demo
 * mode on simulated devices. Calls `onDone` once the station is configured.
 */
export function Setup({ backend, onDone }: { backend: Backend; onDone: () => void }) {
  const devices = useAsync(() => backend.listDevices(), [backend]);
  const [paths, setPaths] = useState<Record<FilePurpose, string>>({ enrolment: "", trust: "" });
  const [chosen, setChosen] = useState<Set<string> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const selected = chosen ?? new Set((devices.value ?? []).filter((d) => d.kind !== "instrument").map((d) => d.id));
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  const pick = async (purpose: FilePurpose) => {
    try {
      const path = await backend.pickFile(purpose);
      if (path !== null) setPaths((p) => ({ ...p, [purpose]: path }));
    } catch (e) {
      setError(e);
    }
  };
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const setUp = () => {
    if (!paths.enrolment || !paths.trust) {
      setError({ code: "missing_files", message: "choose both the enrolment file and the trust file first" });
      return;
    }
    void run(() => backend.setupStation({ enrolment_path: paths.enrolment, trust_path: paths.trust, devices: [...selected] }));
  };

  return (
    <main class="screen setup" aria-labelledby="setup-title">
      <h1 id="setup-title">Set up this station</h1>
      <p class="lead">
        Load the files your department sent for this station, or try everything in demo mode on simulated devices.
      </p>
      <ErrorNote error={error} />
      <div class="columns">
        <section class="card" aria-labelledby="files-title">
          <h2 id="files-title">Department files</h2>
          {(["enrolment", "trust"] as const).map((purpose) => (
            <div class="file-row" key={purpose}>
              <button type="button" class="secondary" onClick={() => void pick(purpose)}>
                Choose {purpose === "enrolment" ? "enrolment file" : "trust file"}…
              </button>
              <span data-testid={`path-${purpose}`}>{paths[purpose] || "none chosen"}</span>
            </div>
          ))}
          <h2>Devices</h2>
          {devices.loading && <Loading what="devices" />}
          <ErrorNote error={devices.error} />
          {devices.value?.length === 0 && <Empty>No cameras, microphones or instruments found. Plug one in, then reload.</Empty>}
          <ul class="devices">
            {devices.value?.map((d) => (
              <li key={d.id}>
                <label class="check">
                  <input type="checkbox" checked={selected.has(d.id)} onChange={() => toggle(d.id)} />
                  {d.label}
                </label>
                {d.kind === "camera" && <Preview backend={backend} device={d} small />}
                {d.kind === "microphone" && <AudioMeter backend={backend} device={d} />}
              </li>
            ))}
          </ul>
          <InstrumentCheck backend={backend} />
          <button type="button" class="primary" disabled={busy} onClick={setUp}>
            Set up station
          </button>
        </section>
        <section class="card" aria-labelledby="demo-title">
          <h2 id="demo-title">Demo mode</h2>
          <p>
            Runs on simulated cameras, a simulated microphone and a simulated oscilloscope, with a demo department. A
            banner stays on screen the whole time; nothing made in demo mode is trusted evidence.
          </p>
          <p>
            Demo proctor: <strong>Demo Proctor</strong>, PIN <strong>demo-proctor-pin</strong>.
          </p>
          <button type="button" class="primary" disabled={busy} onClick={() => void run(() => backend.startDemo())}>
            Start demo mode
          </button>
        </section>
      </div>
    </main>
  );
}
