import { describe, expect, it } from "vitest";
import type { Tick, Verdict } from "../types";
import rubrics from "./rubrics.json";
import type { Rubric } from "../types";
import { score } from "./scoring";

const rubric = (rubrics as Rubric[]).find((r) => r.id === "probe-compensation")!;

/** Ticks every step: `overrides` by step id, otherwise pass (levelled steps at Competent). */
function ticks(overrides: Record<string, Verdict | [Verdict, string]> = {}, skip: string[] = []): Tick[] {
  return rubric.steps
    .filter((s) => !skip.includes(s.id))
    .map((s, i) => {
      const o = overrides[s.id];
      const [verdict, level] = Array.isArray(o) ? o : [o ?? "pass", null];
      const lvl = verdict === "pass" ? (level ?? (s.levels.length ? "Competent" : null)) : null;
      return { seq: i + 3, at: "2026-01-01T10:00:00Z", step: s.id, verdict, level: lvl, note: null, undone: false };
    });
}

describe("scoring, as benchproof_domain::scoring::score", () => {
  it("passes when every step passes at Competent (6 of 9 points)", () => {
    const s = score(rubric, ticks());
    expect(s).toMatchObject({ outcome: "passed", passed: 11, points: 6, max_points: 9, share: 1, short_of: [] });
  });

  it("a failed critical step fails outright, even with other steps untested", () => {
    const s = score(rubric, ticks({ "adjust-trimmer": "fail" }, ["deskew-channels"]));
    expect(s.outcome).toBe("not-yet-competent");
    expect(s.failed_critical).toEqual(["adjust-trimmer"]);
    expect(s.short_of).toContainEqual({ reason: "critical-failed", step: "adjust-trimmer" });
    expect(s.short_of).toContainEqual({ reason: "required-untested", step: "deskew-channels" });
  });

  it("a critical step marked not applicable counts as failed", () => {
    const s = score(rubric, ticks({ "configure-channel": "not-applicable" }));
    expect(s.outcome).toBe("not-yet-competent");
    expect(s.failed_critical).toEqual(["configure-channel"]);
  });

  it("an untested critical step makes it incomplete, not failed", () => {
    const s = score(rubric, ticks({}, ["configure-channel"]));
    expect(s.outcome).toBe("incomplete");
    expect(s.untested).toBe(1);
  });

  it("a failed required step fails outright", () => {
    expect(score(rubric, ticks({ "deskew-channels": "fail" })).outcome).toBe("not-yet-competent");
  });

  it("thresholds: points below the minimum fail once nothing is missing", () => {
    const s = score(rubric, ticks({ "diagnose-compensation": ["pass", "Developing"] }));
    expect(s.points).toBe(5);
    expect(s.outcome).toBe("not-yet-competent");
    expect(s.short_of).toEqual([{ reason: "points-below", points: 5, min_points: 6 }]);
  });

  it("share counts applicable non-critical steps only", () => {
    // 9 non-critical steps; N/A on one leaves 8; failing three of them gives 5/8 < 0.75.
    const s = score(
      rubric,
      ticks({ "record-and-label": "not-applicable", "inspect-probe": "fail", "connect-comp-output": "fail", "verify-amplitude": "fail" }),
    );
    expect(s.share).toBe(5 / 8);
    expect(s.outcome).toBe("not-yet-competent");
    expect(s.short_of).toEqual([{ reason: "share-below", share: 5 / 8, min_share: 0.75 }]);
  });

  it("only the latest tick that is not undone counts", () => {
    const t = ticks();
    t.push({ seq: 99, at: "2026-01-01T10:05:00Z", step: "adjust-trimmer", verdict: "fail", level: null, note: null, undone: true });
    expect(score(rubric, t).outcome).toBe("passed");
    t.push({ seq: 100, at: "2026-01-01T10:06:00Z", step: "adjust-trimmer", verdict: "fail", level: null, note: null, undone: false });
    expect(score(rubric, t).outcome).toBe("not-yet-competent");
  });
});
