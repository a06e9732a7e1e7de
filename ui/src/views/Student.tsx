import { useEffect } from "preact/hooks";
import { Loading } from "../components/Notice";
import type { Backend } from "../lib/backend";
import { useAsync } from "../lib/useAsync";

/**
 * The student's screen (a second window at `#/student`): the current step's instruction, which
 * steps are ticked, and whether recording is on. Invariant: never shows proctor notes,
 * `look_for` text or verdicts — only that a step was ticked.
 */
export function Student({ backend }: { backend: Backend }) {
  const v = useAsync(() => backend.studentView(), [backend]);
  useEffect(() => backend.subscribeChanges(v.reload), [backend]);
  if (v.loading && v.value === undefined) return <Loading what="the student view" />;
  const s = v.value;
  if (!s) {
    return (
      <main class="screen student" aria-labelledby="student-title">
        <h1 id="student-title">Waiting for the assessment to start</h1>
        <p class="lead">Your proctor will start the assessment on the station.</p>
      </main>
    );
  }
  const current = s.steps[s.current_step];
  return (
    <main class="screen student" aria-labelledby="student-title">
      <header class="student-head">
        <h1 id="student-title">{s.rubric_title}</h1>
        {s.recording ? (
          <span class="rec" role="status" data-testid="recording">
            ● Recording
          </span>
        ) : (
          <span role="status" data-testid="recording">
            Recording stopped
          </span>
        )}
      </header>
      {current && (
        <section class="card current-step" aria-labelledby="now-title">
          <h2 id="now-title">
            Now: step {s.current_step + 1} — {current.title}
          </h2>
          <p class="instruction big-text" data-testid="student-instruction">
            {current.instruction}
          </p>
        </section>
      )}
      <ol class="student-steps" data-testid="student-steps">
        {s.steps.map((st, i) => (
          <li key={st.id} class={i === s.current_step ? "current" : ""}>
            <span aria-hidden="true">{st.ticked ? "✔" : "○"}</span> {st.title}
            <span class="sr-only">{st.ticked ? " (done)" : " (not yet)"}</span>
          </li>
        ))}
      </ol>
    </main>
  );
}
