import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Rubric } from "../types";
import rubrics from "./rubrics.json";

const assets = join(__dirname, "..", "..", "..", "..", "..", "assets", "rubrics");

describe("the mock's rubrics", () => {
  it("are exactly the bundled rubrics, byte for byte (else run ui/scripts/mock-rubrics.py)", () => {
    const files = readdirSync(assets).filter((f) => f.endsWith(".toml")).sort();
    const mine = (rubrics as Rubric[]).map((r) => `${r.id}.toml`).sort();
    expect(mine).toEqual(files);
    for (const r of rubrics as Rubric[]) {
      const sha = createHash("sha256").update(readFileSync(join(assets, `${r.id}.toml`))).digest("hex");
      expect(r.sha256, `${r.id}.toml changed; regenerate rubrics.json`).toBe(sha);
    }
  });
});
