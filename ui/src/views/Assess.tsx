import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { DeviceWarnings } from "../components/DeviceWarnings";
import { ErrorNote, Loading } from "../components/Notice";
import { AudioMeter, Preview } from "../components/Preview";
import { Timeline } from "../components/Timeline";
import type { AssessmentView, Backend, DeviceInfo, Verdict } from "../lib/backend";
import { elapsed, verdictLabel } from "../lib/format";
import { cycleLevel, keyAction, KEY_LEGEND, moveStep } from "../lib/keys";
import { latestVerdicts } from "../lib/steps";
import { useAsync } from "../lib/useAsync";

/**
 * The assessment in progress: live devices, the rubric's steps with big verdict buttons and
 * one-key shortcuts, level picker, note, timeline, device warnings and elapsed time.
 * Every action goes to the backend first; the screen shows what the backend answers.
 */
export function Assess({ backend, id, onFinished }: { backend: Backend; id: string; onFinished: () => void }) {
  const loaded = useAsync(() => backend.assessment(id), [backend, id]);
  const devices = useAsync(() => backend.listDevices(), [backend]);
  const [a, setA] = useState<AssessmentView | null>(null);
  const [index, setIndex] = useState(0);
  const [levels, setLevels] = useState<Record<string, string | null>>({});
  const [pendingPass, setPendingPass] = useState(false);
  const [note, setNote] = useState("");
  const [hint, setHint] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => new Date());
  const [abandoning, setAbandoning] = useState(false);
  const [reason, setReason] = useState("");

  const view = a ?? loaded.value ?? null;
  // On resume, start on the step the proctor was on.
  // Keys may arrive faster than renders: handlers read the latest values from refs and run one
  // after another on `chain`, so typing ahead (P, P, J, F…) acts in order on the right step.
  const viewRef = useRef(view);
  viewRef.current = view;
  const indexRef = useRef(index);
  indexRef.current = index;
  const resumed = useRef(false);
  useEffect(() => {
    if (resumed.current || !loaded.value) return;
    resumed.current = true;
    const at = Math.max(0, Math.min(loaded.value.current_step, loaded.value.rubric.steps.length - 1));
    indexRef.current = at;
    setIndex(at);
  }, [loaded.value]);
  const levelsRef = useRef(levels);
  levelsRef.current = levels;
  const pendingRef = useRef(pendingPass);
  pendingRef.current = pendingPass;
  const noteRef = useRef(note);
  noteRef.current = note;
  const chain = useRef<Promise<unknown>>(Promise.resolve());

  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  useEffect(
    () =>
      backend.subscribeDeviceEvents(() => {
        devices.reload();
        void backend.assessment(id).then(setA, () => undefined);
      }),
    [backend, id],
  );

  const act = useCallback(async (action: () => Promise<AssessmentView>, done?: string) => {
    setBusy(true);
    setError(null);
    try {
      const next = await action();
      viewRef.current = next;
      setA(next);
      if (done) setHint(done);
      return next;
    } catch (e) {
      setError(e);
      return null;
    } finally {
      setBusy(false);
    }
  }, []);

  const steps = view?.rubric.steps ?? [];
  const step = steps[index];
  const go = (i: number) => {
    indexRef.current = i;
    setIndex(i);
    pendingRef.current = false;
    setPendingPass(false);
    void backend.setCurrentStep(id, i).catch(setError);
  };

  const tick = async (verdict: Verdict) => {
    const all = viewRef.current?.rubric.steps ?? [];
    const at = indexRef.current;
    const current = all[at];
    if (!current) return;
    const level = verdict === "pass" ? (levelsRef.current[current.id] ?? null) : null;
    if (verdict === "pass" && current.levels.length > 0 && level === null) {
      pendingRef.current = true;
      setPendingPass(true);
      setHint(`Choose a level for “${current.title}” (press L or tap one), then press Enter or Pass.`);
      return;
    }
    const text = noteRef.current.trim() === "" ? null : noteRef.current;
    const next = await act(
      () => backend.tick(id, { step: current.id, verdict, level, note: text }),
      `${current.title}: ${verdictLabel(verdict)}${level ? ` (${level})` : ""}`,
    );
    if (next) {
      noteRef.current = "";
      setNote("");
      pendingRef.current = false;
      setPendingPass(false);
      if (at < all.length - 1) go(at + 1);
    }
  };

  const saveClip = () => {
    const current = viewRef.current?.rubric.steps[indexRef.current];
    return act(() => backend.saveSnippet(id, current?.id ?? null), `Clip saved for ${current?.title ?? "the assessment"}`);
  };
  const undo = () => act(() => backend.undoTick(id), "Last tick undone");
  const queue = (run: () => Promise<unknown> | void) => {
    chain.current = chain.current.then(run, run);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const action = keyAction({ key: e.key, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey, targetTag: target?.tagName ?? "" });
      if (!action || viewRef.current?.state !== "running") return;
      e.preventDefault();
      queue(() => {
        const all = viewRef.current?.rubric.steps ?? [];
        const current = all[indexRef.current];
        switch (action.kind) {
          case "verdict":
            return tick(action.verdict);
          case "move":
            return go(moveStep(indexRef.current, action.by, all.length));
          case "undo":
            return undo();
          case "cycle-level":
            if (current && current.levels.length > 0) {
              const next = { ...levelsRef.current, [current.id]: cycleLevel(current.levels, levelsRef.current[current.id] ?? null) };
              levelsRef.current = next;
              setLevels(next);
            }
            return;
          case "confirm":
            return pendingRef.current ? tick("pass") : undefined;
          case "save-clip":
            return saveClip();
        }
      });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [backend, id]);

  if (loaded.loading && !view) return <Loading what="the assessment" />;
  if (!view) return <ErrorNote error={loaded.error} />;

  const verdicts = latestVerdicts(view);
  const ticked = verdicts.size;
  const cams = (devices.value ?? []).filter((d: DeviceInfo) => d.kind === "camera");
  const mics = (devices.value ?? []).filter((d: DeviceInfo) => d.kind === "microphone");
  const instruments = (devices.value ?? []).filter((d: DeviceInfo) => d.kind === "instrument");
  const chosenLevel = step ? (levels[step.id] ?? null) : null;

  return (
    <main class="screen assess" aria-labelledby="assess-title">
      <DeviceWarnings backend={backend} />
      <header class="assess-head">
        <h1 id="assess-title">
          {view.student} · {view.rubric.title}
        </h1>
        <span class="rec" aria-label="Recording">
          ● REC
        </span>
        <span class="elapsed" data-testid="elapsed" aria-label="Elapsed time">
          {view.started_at ? elapsed(view.started_at, now) : "0:00"}
        </span>
        <span data-testid="progress">
          {ticked} of {steps.length} steps ticked
        </span>
        <button type="button" class="secondary" onClick={() => window.open("#/student", "benchproof-student")}>
          Open student view
        </button>
      </header>
      <div class="assess-grid">
        <aside class="media" aria-label="Devices">
          {cams.map((d) => (
            <Preview key={d.id} backend={backend} device={d} />
          ))}
          {mics.map((d) => (
            <AudioMeter key={d.id} backend={backend} device={d} />
          ))}
          {instruments.map((d) => (
            <p key={d.id} class={d.connected ? "ok" : "bad"}>
              {d.label}: {d.connected ? "connected" : "NOT CONNECTED"}
            </p>
          ))}
          <Timeline assessment={view} />
        </aside>
        <section class="steps" aria-label="Rubric steps">
          {step && (
            <article class="card current-step" aria-labelledby="step-title">
              <h2 id="step-title">
                Step {index + 1}: {step.title} {step.critical && <span class="badge critical">critical</span>}
              </h2>
              {step.levels.length > 0 && (
                <div class="levels" role="group" aria-label="Level">
                  {step.levels.map((l) => (
                    <button
                      type="button"
                      key={l.name}
                      class="level"
                      aria-pressed={chosenLevel === l.name}
                      title={l.description}
                      onClick={() => {
                        levelsRef.current = { ...levelsRef.current, [step.id]: l.name };
                        setLevels(levelsRef.current);
                      }}
                    >
                      {l.name} ({l.points})
                    </button>
                  ))}
                </div>
              )}
              <div class="verdicts">
                <button type="button" class="verdict pass" disabled={busy} onClick={() => void tick("pass")}>
                  Pass <kbd>P</kbd>
                </button>
                <button type="button" class="verdict fail" disabled={busy} onClick={() => void tick("fail")}>
                  Fail <kbd>F</kbd>
                </button>
                <button type="button" class="verdict na" disabled={busy} onClick={() => void tick("not-applicable")}>
                  Not applicable <kbd>N</kbd>
                </button>
              </div>
              <p class="instruction">{step.instruction}</p>
              <details open>
                <summary>Look for (proctor only)</summary>
                <p>{step.look_for}</p>
              </details>
              <label for="tick-note">Note for this tick (proctor only)</label>
              <textarea id="tick-note" rows={2} value={note} onInput={(e) => {
                  noteRef.current = e.currentTarget.value;
                  setNote(e.currentTarget.value);
                }} />
              <div class="row">
                <button type="button" class="secondary" disabled={busy} onClick={() => void undo()}>
                  Undo last tick <kbd>U</kbd>
                </button>
                <button type="button" class="secondary" disabled={busy} onClick={() => void saveClip()}>
                  Save clip <kbd>S</kbd>
                </button>
                <button
                  type="button"
                  class="secondary"
                  disabled={busy || note.trim() === ""}
                  onClick={() => void act(() => backend.note(id, note), "Note added").then((v) => v && setNote(""))}
                >
                  Add as general note
                </button>
              </div>
            </article>
          )}
          <ol class="step-list">
            {steps.map((s, i) => {
              const v = verdicts.get(s.id);
              return (
                <li key={s.id}>
                  <button
                    type="button"
                    class={`step-item ${i === index ? "current" : ""} ${v ? `v-${v.verdict}` : ""}`}
                    aria-current={i === index ? "step" : undefined}
                    onClick={() => go(i)}
                    data-testid={`step-${s.id}`}
                  >
                    <span>
                      {i + 1}. {s.title}
                      {s.critical ? " (critical)" : ""}
                    </span>
                    <span class="step-verdict">{v ? `${verdictLabel(v.verdict)}${v.level ? ` · ${v.level}` : ""}` : "—"}</span>
                  </button>
                </li>
              );
            })}
          </ol>
          <p class="hint" role="status" aria-live="polite" data-testid="hint">
            {hint}
          </p>
          <ErrorNote error={error} />
          <dl class="legend" aria-label="Keyboard shortcuts">
            {KEY_LEGEND.map((k) => (
              <div key={k.keys}>
                <dt>
                  <kbd>{k.keys}</kbd>
                </dt>
                <dd>{k.does}</dd>
              </div>
            ))}
          </dl>
          <div class="row end">
            {abandoning ? (
              <span class="row">
                <label for="abandon-reason">Reason for abandoning</label>
                <input id="abandon-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
                <button type="button" class="danger" onClick={() => void act(() => backend.abandon(id, reason)).then((v) => v && onFinished())}>
                  Abandon assessment
                </button>
                <button type="button" class="secondary" onClick={() => setAbandoning(false)}>
                  Keep going
                </button>
              </span>
            ) : (
              <button type="button" class="secondary" onClick={() => setAbandoning(true)}>
                Abandon…
              </button>
            )}
            <button type="button" class="primary big" disabled={busy} onClick={() => void act(() => backend.finish(id)).then((v) => v && onFinished())}>
              Finish and review
            </button>
          </div>
        </section>
      </div>
    </main>
  );
}
