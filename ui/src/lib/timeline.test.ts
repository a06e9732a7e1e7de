import { describe, expect, it } from "vitest";
import { MOCK_RUBRICS } from "./backend";
import type { AssessmentView } from "./backend";
import { score } from "./backend/mock/scoring";
import { buildTimeline } from "./timeline";

const rubric = MOCK_RUBRICS.find((r) => r.id === "probe-compensation")!;

function assessment(over: Partial<AssessmentView>): AssessmentView {
  const base = {
    id: "a1",
    student: "s1",
    rubric,
    state: "running" as const,
    created_at: "2026-01-01T10:00:00.000Z",
    started_at: "2026-01-01T10:00:00.000Z",
    finished_at: null,
    previous: null,
    ticks: [],
    snippets: [],
    notes: [],
    outages: [],
    signed_by: null,
    current_step: 0,
    ...over,
  };
  return { ...base, score: score(rubric, base.ticks) };
}

describe("timeline", () => {
  it("merges ticks, clips, notes and outages in time order, keeping undone ticks marked", () => {
    const a = assessment({
      ticks: [
        { seq: 3, at: "2026-01-01T10:01:00.000Z", step: "inspect-probe", verdict: "fail", level: null, note: null, undone: true },
        { seq: 5, at: "2026-01-01T10:03:00.000Z", step: "inspect-probe", verdict: "pass", level: null, note: null, undone: false },
        { seq: 6, at: "2026-01-01T10:03:00.000Z", step: "adjust-trimmer", verdict: "pass", level: "Competent", note: "tidy", undone: false },
      ],
      snippets: [
        {
          seq: 4,
          snippet: "x",
          step: "inspect-probe",
          name: "inspect-probe.webm",
          media_type: "video/webm",
          sha256: "00",
          bytes: 10,
          captured_at: "2026-01-01T10:02:00.000Z",
          url: "blob:x",
          thumbnail_url: "data:thumb",
        },
      ],
      notes: [{ seq: 7, at: "2026-01-01T10:04:00.000Z", text: "student paused" }],
      outages: [{ device: "sim:camera:0", reason: "unplugged", lost_at: "2026-01-01T10:02:30.000Z", restored_at: "2026-01-01T10:02:40.000Z" }],
    });
    const t = buildTimeline(a);
    expect(t.map((e) => e.kind)).toEqual(["tick", "snippet", "device-lost", "device-restored", "tick", "tick", "note"]);
    expect(t[0]).toMatchObject({ step: "Identify and inspect the probes", text: "Fail — undone", undone: true });
    expect(t[1]).toMatchObject({ thumbnail: "data:thumb", text: "Saved inspect-probe.webm" });
    expect(t[5]).toMatchObject({ step: "Adjust the compensation", text: "Pass (Competent)" });
    expect(t[6]?.text).toBe("Note: student paused");
  });

  it("is empty for a fresh assessment", () => {
    expect(buildTimeline(assessment({}))).toEqual([]);
  });
});
