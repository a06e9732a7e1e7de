import { useMemo, useState } from "preact/hooks";
import { Preview } from "../components/Preview";
import { Empty, ErrorNote, Loading } from "../components/Notice";
import { TodaysSlots, type PickedBooking } from "../components/TodaysSlots";
import type { Backend, HistoryItem, RubricSummary } from "../lib/backend";
import { useAsync } from "../lib/useAsync";

/** Case-insensitive search over a rubric's id, title and description; every word must match. */
export function searchRubrics(rubrics: readonly RubricSummary[], query: string): RubricSummary[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return rubrics.filter((r) => {
    const text = `${r.id} ${r.title} ${r.description}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/**
 * Start an assessment: pick a rubric, enter the student id, record consent, check devices.
 * `previous` pre-fills a re-assessment of an earlier attempt.
 */
export function Start({ backend, previous, onStarted }: { backend: Backend; previous: string | null; onStarted: () => void }) {
  const rubrics = useAsync(() => backend.listRubrics(), [backend]);
  const devices = useAsync(() => backend.listDevices(), [backend]);
  const earlier = useAsync<HistoryItem | null>(
    async () => (previous === null ? null : ((await backend.history()).find((h) => h.id === previous) ?? null)),
    [backend, previous],
  );
  const [query, setQuery] = useState("");
  const [rubricId, setRubricId] = useState<string | null>(null);
  const [student, setStudent] = useState<string | null>(null);
  const [consent, setConsent] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  /** A booking from today's slots: Start then checks that student in. */
  const [picked, setPicked] = useState<PickedBooking | null>(null);

  const found = useMemo(() => searchRubrics(rubrics.value ?? [], query), [rubrics.value, query]);
  const chosenRubric = rubricId ?? earlier.value?.rubric_id ?? null;
  const studentId = student ?? earlier.value?.student ?? "";
  const lost = (devices.value ?? []).filter((d) => !d.connected);

  const start = async (e: Event) => {
    e.preventDefault();
    if (chosenRubric === null) return setError({ code: "no_rubric", message: "choose a rubric from the list first" });
    if (studentId.trim() === "") return setError({ code: "no_student", message: "enter or scan the student's id" });
    if (!consent) return setError({ code: "consent_required", message: "tick the consent box once the student has agreed to be recorded" });
    setBusy(true);
    setError(null);
    try {
      if (picked !== null) await backend.checkIn({ booking: picked.booking.id, consent });
      else await backend.createAssessment({ rubric_id: chosenRubric, student: studentId, consent, previous });
      onStarted();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="screen" aria-labelledby="start-title">
      <h1 id="start-title">{previous ? "Re-assess a student" : "Start an assessment"}</h1>
      {earlier.value && (
        <p class="hint" data-testid="reassess-note">
          Re-assessment of {earlier.value.student}'s attempt at {earlier.value.rubric_title}; the new attempt links to it.
        </p>
      )}
      {previous === null && (
        <TodaysSlots
          backend={backend}
          picked={picked?.booking.id ?? null}
          onPick={(p) => {
            setPicked(p);
            setRubricId(p.slot.rubric_id);
            setStudent(p.booking.student);
            setQuery("");
            setError(null);
          }}
        />
      )}
      <form class="columns" onSubmit={(e) => void start(e)}>
        <section class="card" aria-labelledby="rubric-title">
          <h2 id="rubric-title">Rubric</h2>
          <label for="rubric-search">Search rubrics</label>
          <input id="rubric-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
          {rubrics.loading && <Loading what="rubrics" />}
          <ErrorNote error={rubrics.error} />
          {rubrics.value && found.length === 0 && <Empty>No rubric matches “{query}”.</Empty>}
          <fieldset class="rubric-list">
            <legend class="sr-only">Rubric</legend>
            {found.map((r) => (
              <label class="rubric-option" key={r.id}>
                <input type="radio" name="rubric" value={r.id} checked={chosenRubric === r.id} onChange={() => {
                    setRubricId(r.id);
                    setPicked(null);
                  }} />
                <span>
                  <strong>{r.title}</strong>
                  <small>
                    {r.id} v{r.version} · {r.steps} steps
                  </small>
                </span>
              </label>
            ))}
          </fieldset>
        </section>
        <section class="card" aria-labelledby="student-title">
          <h2 id="student-title">Student</h2>
          <label for="student-id">Student id (type or scan)</label>
          <input id="student-id" autocomplete="off" value={studentId} onInput={(e) => {
              setStudent(e.currentTarget.value);
              setPicked(null);
            }} />
          {picked && (
            <p class="hint" data-testid="check-in-note">
              Checking in {picked.booking.student}, booked for {picked.slot.rubric_title ?? picked.slot.rubric_id}; Start
              records the check-in for the department.
            </p>
          )}
          <label class="check consent">
            <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />
            The student agrees to be recorded on video and audio for this assessment.
          </label>
          <h2>Device check</h2>
          {devices.loading && <Loading what="devices" />}
          <ErrorNote error={devices.error} />
          {lost.length > 0 && (
            <p class="warning" role="alert">
              Not connected: {lost.map((d) => d.label).join(", ")}. Fix this before starting.
            </p>
          )}
          <div class="preview-row">
            {devices.value
              ?.filter((d) => d.kind === "camera")
              .map((d) => <Preview key={d.id} backend={backend} device={d} small />)}
          </div>
          <ul class="device-status">
            {devices.value
              ?.filter((d) => d.kind !== "camera")
              .map((d) => (
                <li key={d.id}>
                  {d.connected ? "✔" : "✖"} {d.label}
                </li>
              ))}
          </ul>
          <ErrorNote error={error} />
          <button type="submit" class="primary big" disabled={busy}>
            Start assessment
          </button>
        </section>
      </form>
    </main>
  );
}
