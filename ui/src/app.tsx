import { useEffect, useRef, useState } from "preact/hooks";
import { DemoBanner, ErrorNote, Loading } from "./components/Notice";
import type { AssessmentView, Backend, SealedInfo } from "./lib/backend";
import { stationLabel } from "./lib/format";
import { parseRoute, type Route } from "./lib/router";
import { useAsync } from "./lib/useAsync";
import { Assess } from "./views/Assess";
import { History } from "./views/History";
import { Queue } from "./views/Queue";
import { Review } from "./views/Review";
import { SignIn } from "./views/SignIn";
import { Setup } from "./views/Setup";
import { Start } from "./views/Start";
import { Student } from "./views/Student";

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

/**
 * The station app. Which screen shows is decided by the station's status first (set up? signed
 * in? an assessment open? — then it resumes it), and only then by the hash route.
 */
export function App({ backend }: { backend: Backend }) {
  const route = useRoute();
  const status = useAsync(() => backend.stationStatus(), [backend]);
  const current = useAsync<AssessmentView | null>(
    async () => (status.value?.in_progress ? backend.assessment(status.value.in_progress) : null),
    // Refetched on every status reload: finishing keeps the id but changes the state.
    [backend, status.value],
  );
  const [flash, setFlash] = useState<string | null>(null);
  // Once a real screen (not the loading note) is on screen, say so, once (start-up benchmark).
  const ready = useRef(false);
  useEffect(() => {
    if (ready.current || route.screen === "student" || (!status.value && !status.error)) return;
    ready.current = true;
    void backend.uiReady().catch(() => undefined);
  }, [backend, status.value, status.error, route.screen]);

  if (route.screen === "student") {
    return (
      <>
        {(status.value?.demo ?? false) && <DemoBanner />}
        <Student backend={backend} />
      </>
    );
  }
  if (status.loading && !status.value) return <Loading what="the station" />;
  const s = status.value;
  if (!s) {
    return (
      <main class="screen narrow">
        <h1>benchproof station</h1>
        <ErrorNote error={status.error} />
        <button type="button" class="primary" onClick={status.reload}>
          Try again
        </button>
      </main>
    );
  }

  const sealed = (info: SealedInfo, a: AssessmentView) => {
    setFlash(`Sealed ${a.student}'s ${a.rubric.title} assessment: bundle ${info.digest.slice(0, 12)} is queued for upload.`);
    window.location.hash = "#/queue";
    status.reload();
  };

  let body;
  if (!s.configured) body = <Setup backend={backend} onDone={status.reload} />;
  else if (s.proctor === null) body = <SignIn backend={backend} demo={s.demo} onDone={status.reload} />;
  else if (s.in_progress !== null) {
    if (current.loading || !current.value) body = current.error ? <ErrorNote error={current.error} /> : <Loading what="the open assessment" />;
    else if (current.value.state === "running") body = <Assess backend={backend} id={current.value.id} onFinished={status.reload} />;
    else body = <Review backend={backend} id={current.value.id} onSealed={sealed} />;
  } else if (route.screen === "queue") body = <Queue backend={backend} flash={flash} />;
  else if (route.screen === "history") body = <History backend={backend} />;
  else body = <Start key={route.previous ?? ""} backend={backend} previous={route.previous} onStarted={status.reload} />;

  const nav = s.configured && s.proctor !== null && s.in_progress === null;
  return (
    <>
      {s.demo && <DemoBanner />}
      <header class="top">
        <span class="brand">benchproof</span>
        <span class="station">
          {stationLabel(s)}
          {s.proctor ? ` · ${s.proctor}` : ""}
        </span>
        {nav && (
          <nav aria-label="Main">
            <a href="#/start" aria-current={route.screen === "start" ? "page" : undefined}>
              New assessment
            </a>
            <a href="#/queue" aria-current={route.screen === "queue" ? "page" : undefined}>
              Queue
            </a>
            <a href="#/history" aria-current={route.screen === "history" ? "page" : undefined}>
              History
            </a>
            <button type="button" class="secondary" onClick={() => void backend.signOut().then(status.reload)}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      {body}
    </>
  );
}
