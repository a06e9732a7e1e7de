import { useState } from "preact/hooks";
import type { Backend, InstrumentTest } from "../lib/backend";
import { ErrorNote } from "./Notice";

/**
 * "Test connection" for an oscilloscope on the LAN: the station asks it `*IDN?` over SCPI/TCP
 * and shows who answered, or why nothing did and what to check.
 */
export function InstrumentCheck({ backend }: { backend: Backend }) {
  const [address, setAddress] = useState("");
  const [result, setResult] = useState<InstrumentTest | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const test = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await backend.testInstrument(address));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="instrument-check" onSubmit={(e) => void test(e)} aria-labelledby="instrument-title">
      <h2 id="instrument-title">Oscilloscope (optional)</h2>
      <label for="instrument-address">LAN address (HOST or HOST:PORT; SCPI port 5025 by default)</label>
      <div class="file-row">
        <input
          id="instrument-address"
          type="text"
          placeholder="192.168.1.20:5025"
          value={address}
          onInput={(e) => setAddress((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="secondary" disabled={busy}>
          {busy ? "Testing…" : "Test connection"}
        </button>
      </div>
      <ErrorNote error={error} />
      {result && (
        <p role="status" class={result.ok ? "ok" : "bad"} data-testid="instrument-result">
          {result.ok ? `Connected to ${result.address}: ` : `Failed (${result.code ?? "error"}): `}
          {result.detail}
          {result.ok && (result.profile ? ` — profile ${result.profile}` : " — no bundled profile fits this model")}
        </p>
      )}
    </form>
  );
}
