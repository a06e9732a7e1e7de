import { useEffect, useState } from "preact/hooks";
import { Empty, ErrorNote, Loading } from "../components/Notice";
import type { AssessmentView, Backend, Progress, SealedInfo, Snippet } from "../lib/backend";
import { bytes, outcomeLabel, shortOfText, verdictLabel } from "../lib/format";
import { latestVerdicts } from "../lib/steps";
import { useAsync } from "../lib/useAsync";

/** Instrument state JSON as a two-column table (nested values shown as JSON). */
function StateTable({ backend, id, snippet }: { backend: Backend; id: string; snippet: Snippet }) {
  const state = useAsync(() => backend.instrumentState(id, snippet.snippet), [backend, id, snippet.snippet]);
  if (state.loading) return <Loading what="instrument state" />;
  if (!state.value) return <ErrorNote error={state.error} />;
  return (
    <table class="state-table">
      <caption>{snippet.name}</caption>
      <tbody>
        {Object.entries(state.value).map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{typeof v === "object" ? JSON.stringify(v) : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A clip's player, once the backend has a source the webview can play. */
function Clip({ backend, s }: { backend: Backend; s: Snippet }) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    let release = () => {};
    backend.playableMedia(s.url).then(
      (media) => {
        if (!live) return media.release();
        release = media.release;
        setSrc(media.url);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
      release();
    };
  }, [backend, s.url]);
  if (error) return <ErrorNote error={error} />;
  if (!src) return <Loading what={`clip ${s.name}`} />;
  return <video src={src} controls preload="metadata" width={320} aria-label={`Clip ${s.name}`} />;
}

function Evidence({ backend, a, s }: { backend: Backend; a: AssessmentView; s: Snippet }) {
  if (s.media_type.startsWith("video/") || s.media_type.startsWith("audio/")) {
    return (
      <figure class="evidence">
        <Clip backend={backend} s={s} />
        <figcaption>
          {s.name} · {bytes(s.bytes)}
        </figcaption>
      </figure>
    );
  }
  if (s.media_type.startsWith("image/")) {
    return (
      <figure class="evidence">
        <img src={s.url} alt={`Screenshot ${s.name}`} width={320} />
        <figcaption>{s.name}</figcaption>
      </figure>
    );
  }
  if (s.media_type === "application/json") return <StateTable backend={backend} id={a.id} snippet={s} />;
  return <p>{s.name}</p>;
}

/**
 * Review and sign: every step's result with its evidence, the computed outcome and why it fell
 * short, then the proctor's passphrase to sign and seal (with progress).
 */
export function Review({ backend, id, onSealed }: { backend: Backend; id: string; onSealed: (info: SealedInfo, a: AssessmentView) => void }) {
  const loaded = useAsync(() => backend.assessment(id), [backend, id]);
  const [passphrase, setPassphrase] = useState("");
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);

  if (loaded.loading) return <Loading what="the assessment" />;
  const a = loaded.value;
  if (!a) return <ErrorNote error={loaded.error} />;
  const verdicts = latestVerdicts(a);
  const general = a.snippets.filter((s) => s.step === null);

  const seal = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setProgress({ stage: "starting", fraction: 0 });
    try {
      const info = await backend.seal(id, passphrase, setProgress);
      onSealed(info, a);
    } catch (err) {
      setError(err);
      setProgress(null);
      setPassphrase("");
    }
  };

  return (
    <main class="screen review" aria-labelledby="review-title">
      <h1 id="review-title">
        Review and sign: {a.student} · {a.rubric.title}
      </h1>
      <section class={`card outcome o-${a.score.outcome}`} aria-labelledby="outcome-title">
        <h2 id="outcome-title">
          Outcome: <span data-testid="outcome">{outcomeLabel(a.score.outcome)}</span>
        </h2>
        <p>
          {a.score.passed} passed · {a.score.failed} failed · {a.score.not_applicable} not applicable · {a.score.untested} not ticked ·{" "}
          {a.score.points} of {a.score.max_points} level points
        </p>
        {a.score.failed_critical.length > 0 && (
          <p class="bad" data-testid="failed-critical">
            Failed critical steps:{" "}
            {a.score.failed_critical.map((s) => a.rubric.steps.find((x) => x.id === s)?.title ?? s).join(", ")}
          </p>
        )}
        {a.score.short_of.length > 0 && (
          <ul>
            {a.score.short_of.map((s, i) => (
              <li key={i}>{shortOfText(s, a.rubric)}</li>
            ))}
          </ul>
        )}
        {a.outages.length > 0 && (
          <p class="warning">
            Device outages during the assessment: {a.outages.map((o) => `${o.device} (${o.reason})`).join("; ")}
          </p>
        )}
      </section>
      <section aria-labelledby="steps-title">
        <h2 id="steps-title">Steps and evidence</h2>
        <ol class="review-steps">
          {a.rubric.steps.map((s) => {
            const v = verdicts.get(s.id);
            const evidence = a.snippets.filter((x) => x.step === s.id);
            return (
              <li key={s.id} class="card">
                <h3>
                  {s.title} {s.critical && <span class="badge critical">critical</span>}
                </h3>
                <p class={v ? `v-${v.verdict}` : ""}>
                  {v ? `${verdictLabel(v.verdict)}${v.level ? ` · ${v.level}` : ""}` : "Not ticked"}
                  {v?.note ? ` — note: ${v.note}` : ""}
                </p>
                <div class="evidence-row">
                  {evidence.length === 0 ? <Empty>No evidence saved for this step.</Empty> : evidence.map((x) => <Evidence key={x.snippet} backend={backend} a={a} s={x} />)}
                </div>
              </li>
            );
          })}
        </ol>
        {general.length > 0 && (
          <div class="evidence-row">
            {general.map((x) => (
              <Evidence key={x.snippet} backend={backend} a={a} s={x} />
            ))}
          </div>
        )}
        {a.notes.length > 0 && (
          <ul class="notes">
            {a.notes.map((n) => (
              <li key={n.seq}>Note: {n.text}</li>
            ))}
          </ul>
        )}
      </section>
      <form class="card sign" onSubmit={(e) => void seal(e)} aria-labelledby="sign-title">
        <h2 id="sign-title">Sign and seal</h2>
        <p>Signing seals the evidence bundle: nothing in it can be changed afterwards.</p>
        <label for="seal-pass">Your PIN or passphrase</label>
        <input id="seal-pass" type="password" autocomplete="current-password" value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} required />
        <ErrorNote error={error} />
        {progress && (
          <div role="status" aria-live="polite">
            <label for="seal-progress">{progress.stage}</label>
            <progress id="seal-progress" max={1} value={progress.fraction} />
          </div>
        )}
        <button type="submit" class="primary big" disabled={progress !== null}>
          Sign and seal
        </button>
      </form>
    </main>
  );
}
