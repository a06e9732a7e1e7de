import { describe, expect, it } from "vitest";
import { MOCK_RUBRICS } from "./backend";
import { elapsed, outcomeLabel, receiptText, shortOfText, stationLabel, syncLabel } from "./format";

const rubric = MOCK_RUBRICS.find((r) => r.id === "probe-compensation")!;

describe("scoring display", () => {
  it("names outcomes in words", () => {
    expect(outcomeLabel("passed")).toBe("Passed");
    expect(outcomeLabel("not-yet-competent")).toBe("Not yet competent");
    expect(outcomeLabel("incomplete")).toBe("Incomplete");
  });

  it("explains each shortfall with the step's title, not its id", () => {
    expect(shortOfText({ reason: "critical-failed", step: "adjust-trimmer" }, rubric)).toBe(
      "Critical step failed: Adjust the compensation",
    );
    expect(shortOfText({ reason: "required-untested", step: "deskew-channels" }, rubric)).toBe(
      "Required step not ticked yet: Deskew the two channels",
    );
    expect(shortOfText({ reason: "share-below", share: 0.5, min_share: 0.75 }, rubric)).toBe(
      "Passed 50 % of the other steps; needs 75 %",
    );
    expect(shortOfText({ reason: "points-below", points: 4, min_points: 6 }, rubric)).toBe("4 level points; needs 6");
  });

  it("formats elapsed time and never goes negative", () => {
    const start = "2026-01-01T10:00:00.000Z";
    expect(elapsed(start, new Date("2026-01-01T10:00:07.900Z"))).toBe("0:07");
    expect(elapsed(start, new Date("2026-01-01T10:12:05Z"))).toBe("12:05");
    expect(elapsed(start, new Date("2026-01-01T11:02:03Z"))).toBe("1:02:03");
    expect(elapsed(start, new Date("2026-01-01T09:00:00Z"))).toBe("0:00");
  });

  it("shows upload progress in per cent", () => {
    expect(syncLabel("uploading", 0.5)).toBe("Uploading 50 %");
    expect(syncLabel("delivered", 1)).toBe("Delivered");
  });
});

describe("header and queue words", () => {
  const status = { configured: true, demo: false, station_name: null, department: "Physics" };
  it("names the station: not set up, demo on simulated devices, or its department", () => {
    expect(stationLabel({ ...status, configured: false })).toBe("station not set up");
    expect(stationLabel({ ...status, demo: true, department: "Demo Department" })).toBe("demo station · simulated devices");
    expect(stationLabel(status)).toBe("station of Physics");
    expect(stationLabel({ ...status, station_name: "Bench 4" })).toBe("Bench 4");
  });

  it("says where a receipt puts the bundle in the department's log", () => {
    expect(receiptText({ receipt: "r1", leaf_index: 0, tree_size: 3 })).toBe("Receipt: entry 1 of 3 in the department's log");
    expect(receiptText({ receipt: "r1", leaf_index: null, tree_size: null })).toBe("Receipt r1");
    expect(receiptText({ receipt: null, leaf_index: null, tree_size: null })).toBe("Delivered without a receipt on record");
  });
});
