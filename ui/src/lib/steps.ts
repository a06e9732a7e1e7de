/** Per-step facts derived from an assessment view. Pure. */
import type { AssessmentView, Verdict } from "./backend/types";

/** The tick that counts for each step: the latest one not undone. */
export function latestVerdicts(a: Pick<AssessmentView, "ticks">): Map<string, { verdict: Verdict; level: string | null; note: string | null }> {
  const m = new Map<string, { verdict: Verdict; level: string | null; note: string | null }>();
  for (const t of a.ticks) if (!t.undone) m.set(t.step, { verdict: t.verdict, level: t.level, note: t.note });
  return m;
}
