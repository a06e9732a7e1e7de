import { describe, expect, it } from "vitest";
import { cycleLevel, keyAction, moveStep, type KeyLike } from "./keys";

const key = (k: string, over: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  targetTag: "BODY",
  ...over,
});

describe("keyboard map", () => {
  it.each([
    ["p", { kind: "verdict", verdict: "pass" }],
    ["P", { kind: "verdict", verdict: "pass" }],
    ["f", { kind: "verdict", verdict: "fail" }],
    ["n", { kind: "verdict", verdict: "not-applicable" }],
    ["j", { kind: "move", by: 1 }],
    ["ArrowDown", { kind: "move", by: 1 }],
    ["k", { kind: "move", by: -1 }],
    ["ArrowUp", { kind: "move", by: -1 }],
    ["u", { kind: "undo" }],
    ["l", { kind: "cycle-level" }],
    ["Enter", { kind: "confirm" }],
    ["s", { kind: "save-clip" }],
    ["x", null],
    ["Escape", null],
  ])("%s maps to %j", (k, action) => {
    expect(keyAction(key(k))).toEqual(action);
  });

  it("ignores keys typed into text fields", () => {
    for (const tag of ["INPUT", "TEXTAREA", "SELECT"]) expect(keyAction(key("p", { targetTag: tag }))).toBeNull();
  });

  it("ignores chorded shortcuts such as Ctrl+P", () => {
    expect(keyAction(key("p", { ctrlKey: true }))).toBeNull();
    expect(keyAction(key("f", { metaKey: true }))).toBeNull();
    expect(keyAction(key("u", { altKey: true }))).toBeNull();
  });

  it("leaves Enter to a focused button, but verdict keys still work there", () => {
    expect(keyAction(key("Enter", { targetTag: "BUTTON" }))).toBeNull();
    expect(keyAction(key("p", { targetTag: "BUTTON" }))).toEqual({ kind: "verdict", verdict: "pass" });
  });
});

describe("level cycling and moving", () => {
  const levels = [{ name: "Developing" }, { name: "Competent" }, { name: "Proficient" }];
  it("cycles none → lowest → … → highest → lowest", () => {
    expect(cycleLevel(levels, null)).toBe("Developing");
    expect(cycleLevel(levels, "Developing")).toBe("Competent");
    expect(cycleLevel(levels, "Proficient")).toBe("Developing");
    expect(cycleLevel([], null)).toBeNull();
  });
  it("clamps moves to the step list", () => {
    expect(moveStep(0, -1, 5)).toBe(0);
    expect(moveStep(4, 1, 5)).toBe(4);
    expect(moveStep(2, 1, 5)).toBe(3);
  });
});
