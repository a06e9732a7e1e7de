/**
 * A faithful port of `benchproof_domain::scoring::score` for the mock backend.
 *
 * Invariant: same inputs, same `Score` as the Rust function (critical steps must pass; a
 * missing critical or required verdict makes the outcome incomplete unless something already
 * failed outright; thresholds count only once nothing is missing).
 */
import type { Rubric, Score, ShortOf, Tick, Verdict } from "../types";

/** The latest decision per step among ticks that still count (not undone). */
export function decisions(ticks: readonly Tick[]): Map<string, { verdict: Verdict; level: string | null }> {
  const latest = new Map<string, { verdict: Verdict; level: string | null }>();
  for (const t of ticks) if (!t.undone) latest.set(t.step, { verdict: t.verdict, level: t.level });
  return latest;
}

/** Scores `ticks` against `rubric` exactly as the domain does. */
export function score(rubric: Rubric, ticks: readonly Tick[]): Score {
  const decided = decisions(ticks);
  let passed = 0;
  let failed = 0;
  let notApplicable = 0;
  let untested = 0;
  let ncApplicable = 0;
  let ncPassed = 0;
  let points = 0;
  const failing: ShortOf[] = [];
  const missing: ShortOf[] = [];
  const failedCritical: string[] = [];

  for (const step of rubric.steps) {
    const d = decided.get(step.id);
    const required = rubric.pass_rule.required.includes(step.id);
    if (d?.verdict === "pass") passed += 1;
    else if (d?.verdict === "fail") failed += 1;
    else if (d?.verdict === "not-applicable") notApplicable += 1;
    else untested += 1;
    if (d?.verdict === "pass" && d.level !== null) {
      points += step.levels.find((l) => l.name === d.level)?.points ?? 0;
    }
    if (step.critical) {
      if (d?.verdict === "fail") {
        failedCritical.push(step.id);
        failing.push({ reason: "critical-failed", step: step.id });
      } else if (d?.verdict === "not-applicable") {
        failedCritical.push(step.id);
        failing.push({ reason: "critical-not-applicable", step: step.id });
      } else if (d === undefined) {
        missing.push({ reason: "critical-untested", step: step.id });
      }
      continue;
    }
    if (d?.verdict === "not-applicable") continue;
    ncApplicable += 1;
    if (d?.verdict === "pass") ncPassed += 1;
    else if (d?.verdict === "fail" && required) failing.push({ reason: "required-failed", step: step.id });
    else if (d === undefined && required) missing.push({ reason: "required-untested", step: step.id });
  }

  const share = ncApplicable === 0 ? 1 : ncPassed / ncApplicable;
  const { min_share, min_points } = rubric.pass_rule;
  if (min_share !== null && share < min_share) failing.push({ reason: "share-below", share, min_share });
  if (min_points !== null && points < min_points) failing.push({ reason: "points-below", points, min_points });

  const outright = failing.some(
    (s) => s.reason === "critical-failed" || s.reason === "critical-not-applicable" || s.reason === "required-failed",
  );
  const outcome = outright
    ? "not-yet-competent"
    : missing.length > 0
      ? "incomplete"
      : failing.length > 0
        ? "not-yet-competent"
        : "passed";

  const maxPoints = rubric.steps.reduce((sum, s) => sum + Math.max(0, ...s.levels.map((l) => l.points)), 0);
  return {
    outcome,
    passed,
    failed,
    not_applicable: notApplicable,
    untested,
    share,
    points,
    max_points: maxPoints,
    failed_critical: failedCritical,
    short_of: [...failing, ...missing],
  };
}
