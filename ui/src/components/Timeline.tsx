import type { AssessmentView } from "../lib/backend";
import { shortTime } from "../lib/format";
import { buildTimeline } from "../lib/timeline";
import { Empty } from "./Notice";

/** Ticks, saved clips (with thumbnails), notes and device outages, newest first. */
export function Timeline({ assessment, showNotes = true }: { assessment: AssessmentView; showNotes?: boolean }) {
  const entries = buildTimeline(assessment)
    .filter((e) => showNotes || e.kind !== "note")
    .reverse();
  return (
    <section class="timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      {entries.length === 0 && <Empty>Nothing recorded yet. Ticks and saved clips appear here.</Empty>}
      <ol data-testid="timeline" tabIndex={0} aria-label="Timeline entries">
        {entries.map((e) => (
          <li key={e.key} class={`tl-${e.kind}${e.undone ? " undone" : ""}`}>
            <time dateTime={e.at}>{shortTime(e.at)}</time>
            {e.thumbnail && <img src={e.thumbnail} alt="" width={64} height={36} />}
            <span>
              {e.step && <strong>{e.step}: </strong>}
              {e.undone ? <s>{e.text}</s> : e.text}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
