/**
 * The assessment screen's keyboard map: one key per verdict, so a gloved proctor never needs
 * the mouse. Pure: maps a key to an action; the screen decides what the action does.
 */

export type KeyAction =
  | { kind: "verdict"; verdict: "pass" | "fail" | "not-applicable" }
  | { kind: "move"; by: 1 | -1 }
  | { kind: "undo" }
  | { kind: "cycle-level" }
  | { kind: "confirm" }
  | { kind: "save-clip" };

/** What the on-screen key legend shows, in order. */
export const KEY_LEGEND: readonly { keys: string; does: string }[] = [
  { keys: "P", does: "pass" },
  { keys: "F", does: "fail" },
  { keys: "N", does: "not applicable" },
  { keys: "J / ↓", does: "next step" },
  { keys: "K / ↑", does: "previous step" },
  { keys: "L", does: "cycle level" },
  { keys: "Enter", does: "confirm pass at level" },
  { keys: "U", does: "undo last tick" },
  { keys: "S", does: "save clip" },
];

/** The minimal shape of a keyboard event this module needs (testable without a DOM). */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** Tag name of the focused element, upper case (e.g. "TEXTAREA"). */
  targetTag: string;
}

/** Keys typed into text fields, and chorded shortcuts, are never verdicts. */
export function keyAction(e: KeyLike): KeyAction | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  if (e.targetTag === "INPUT" || e.targetTag === "TEXTAREA" || e.targetTag === "SELECT") return null;
  switch (e.key) {
    case "p":
    case "P":
      return { kind: "verdict", verdict: "pass" };
    case "f":
    case "F":
      return { kind: "verdict", verdict: "fail" };
    case "n":
    case "N":
      return { kind: "verdict", verdict: "not-applicable" };
    case "j":
    case "J":
    case "ArrowDown":
      return { kind: "move", by: 1 };
    case "k":
    case "K":
    case "ArrowUp":
      return { kind: "move", by: -1 };
    case "u":
    case "U":
      return { kind: "undo" };
    case "l":
    case "L":
      return { kind: "cycle-level" };
    case "s":
    case "S":
      return { kind: "save-clip" };
    case "Enter":
      // A focused button or link keeps its own Enter.
      return e.targetTag === "BUTTON" || e.targetTag === "A" ? null : { kind: "confirm" };
    default:
      return null;
  }
}

/** The next level name when cycling: none → lowest → … → highest → lowest. */
export function cycleLevel(levels: readonly { name: string }[], current: string | null): string | null {
  if (levels.length === 0) return null;
  const at = levels.findIndex((l) => l.name === current);
  return levels[(at + 1) % levels.length]?.name ?? null;
}

/** Clamps a step index into range after a move. */
export function moveStep(index: number, by: number, count: number): number {
  return Math.max(0, Math.min(count - 1, index + by));
}
