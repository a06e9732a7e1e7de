import { useState } from "preact/hooks";
import { ErrorNote } from "../components/Notice";
import type { Backend } from "../lib/backend";

/** Proctor sign-in with name and PIN/passphrase; the key stays sealed until this succeeds. */
export function SignIn({ backend, demo, onDone }: { backend: Backend; demo: boolean; onDone: () => void }) {
  const [name, setName] = useState(demo ? "Demo Proctor" : "");
  const [passphrase, setPassphrase] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await backend.signIn(name, passphrase);
      onDone();
    } catch (err) {
      setError(err);
      setPassphrase("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="screen narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">Proctor sign-in</h1>
      <form class="card" onSubmit={(e) => void submit(e)}>
        <label for="proctor-name">Name</label>
        <input id="proctor-name" autocomplete="username" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        <label for="proctor-pin">PIN or passphrase</label>
        <input
          id="proctor-pin"
          type="password"
          autocomplete="current-password"
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
          required
        />
        {demo && <p class="hint">Demo mode: the PIN is demo-proctor-pin.</p>}
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
