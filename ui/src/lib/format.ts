/** Words and numbers as the proctor reads them. Pure helpers. */
import type { OutboxItem, Outcome, Rubric, ShortOf, StationStatus, SyncState, Verdict } from "./backend/types";

export function verdictLabel(v: Verdict): string {
  return v === "pass" ? "Pass" : v === "fail" ? "Fail" : "Not applicable";
}

export function outcomeLabel(o: Outcome): string {
  return o === "passed" ? "Passed" : o === "not-yet-competent" ? "Not yet competent" : "Incomplete";
}

/** Elapsed time as m:ss, or h:mm:ss from an hour. Negative spans count as zero. */
export function elapsed(fromIso: string, to: Date): string {
  const total = Math.max(0, Math.floor((to.getTime() - new Date(fromIso).getTime()) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** One sentence for each reason an assessment fell short. */
export function shortOfText(s: ShortOf, rubric: Rubric): string {
  const title = (id: string): string => rubric.steps.find((x) => x.id === id)?.title ?? id;
  switch (s.reason) {
    case "critical-failed":
      return `Critical step failed: ${title(s.step)}`;
    case "critical-not-applicable":
      return `Critical step marked not applicable: ${title(s.step)}`;
    case "critical-untested":
      return `Critical step not ticked yet: ${title(s.step)}`;
    case "required-failed":
      return `Required step failed: ${title(s.step)}`;
    case "required-untested":
      return `Required step not ticked yet: ${title(s.step)}`;
    case "share-below":
      return `Passed ${percent(s.share)} of the other steps; needs ${percent(s.min_share)}`;
    case "points-below":
      return `${s.points} level points; needs ${s.min_points}`;
  }
}

export function syncLabel(state: SyncState, progress: number): string {
  switch (state) {
    case "pending":
      return "Waiting to upload";
    case "uploading":
      return `Uploading ${percent(progress)}`;
    case "delivered":
      return "Delivered";
    case "failed":
      return "Upload failed";
  }
}

/** What a delivered bundle's receipt proves: its leaf in the department's transparency log. */
export function receiptText(i: Pick<OutboxItem, "receipt" | "leaf_index" | "tree_size">): string {
  if (i.leaf_index !== null && i.tree_size !== null) {
    return `Receipt: entry ${i.leaf_index + 1} of ${i.tree_size} in the department's log`;
  }
  return i.receipt ? `Receipt ${i.receipt}` : "Delivered without a receipt on record";
}

/** The header's words for this station: demo, which department, or not set up yet. */
export function stationLabel(s: Pick<StationStatus, "configured" | "demo" | "station_name" | "department">): string {
  if (!s.configured) return "station not set up";
  if (s.demo) return "demo station · simulated devices";
  return s.station_name ?? (s.department ? `station of ${s.department}` : "station");
}

export function shortTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function shortDate(iso: string): string {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}
