/**
 * Builds the assessment timeline: ticks (undone ones kept, struck through), saved evidence,
 * notes and device outages, oldest first. Pure, so it is tested without a DOM.
 */
import type { AssessmentView } from "./backend/types";
import { verdictLabel } from "./format";

export interface TimelineEntry {
  key: string;
  at: string;
  kind: "tick" | "snippet" | "note" | "device-lost" | "device-restored";
  text: string;
  /** The step's title, when the entry belongs to one. */
  step: string | null;
  thumbnail: string | null;
  /** A withdrawn tick: shown, but no longer counts. */
  undone: boolean;
}

export function buildTimeline(a: AssessmentView): TimelineEntry[] {
  const title = (id: string | null): string | null =>
    id === null ? null : (a.rubric.steps.find((s) => s.id === id)?.title ?? id);
  const entries: (TimelineEntry & { order: number })[] = [];
  for (const t of a.ticks) {
    const level = t.level ? ` (${t.level})` : "";
    entries.push({
      key: `t${t.seq}`,
      order: t.seq,
      at: t.at,
      kind: "tick",
      text: `${verdictLabel(t.verdict)}${level}${t.undone ? " — undone" : ""}`,
      step: title(t.step),
      thumbnail: null,
      undone: t.undone,
    });
  }
  for (const s of a.snippets) {
    entries.push({
      key: `s${s.seq}`,
      order: s.seq,
      at: s.captured_at,
      kind: "snippet",
      text: `Saved ${s.name}`,
      step: title(s.step),
      thumbnail: s.thumbnail_url,
      undone: false,
    });
  }
  for (const n of a.notes) {
    entries.push({ key: `n${n.seq}`, order: n.seq, at: n.at, kind: "note", text: `Note: ${n.text}`, step: null, thumbnail: null, undone: false });
  }
  a.outages.forEach((o, i) => {
    entries.push({
      key: `l${i}`,
      order: Number.MAX_SAFE_INTEGER,
      at: o.lost_at,
      kind: "device-lost",
      text: `${o.device} lost: ${o.reason}`,
      step: null,
      thumbnail: null,
      undone: false,
    });
    if (o.restored_at !== null) {
      entries.push({
        key: `r${i}`,
        order: Number.MAX_SAFE_INTEGER,
        at: o.restored_at,
        kind: "device-restored",
        text: `${o.device} restored`,
        step: null,
        thumbnail: null,
        undone: false,
      });
    }
  });
  entries.sort((x, y) => (x.at === y.at ? x.order - y.order : x.at < y.at ? -1 : 1));
  return entries.map(({ order: _order, ...e }) => e);
}
