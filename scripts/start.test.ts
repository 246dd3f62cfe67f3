import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { NODE_FLAGS, missingNodeFlags } from "./start.mjs";

describe("production start (scripts/start.mjs)", () => {
  it("npm start passes the V8 heap flags itself, so the server runs in one process", () => {
    const script: string = JSON.parse(fs.readFileSync("package.json", "utf8")).scripts.start;
    const [node, ...args] = script.split(/\s+/);
    expect(node).toBe("node");
    expect(args.at(-1)).toBe("scripts/start.mjs");
    expect(missingNodeFlags(args, "")).toEqual([]);
    for (const f of NODE_FLAGS) expect(args).toContain(f);
  });

  it("adds only the flags an operator did not set, by name", () => {
    expect(missingNodeFlags([], "")).toEqual(NODE_FLAGS);
    expect(missingNodeFlags([], "--max-old-space-size=1024")).toEqual(NODE_FLAGS.filter((f: string) => !f.startsWith("--max-old-space-size")));
    expect(missingNodeFlags(["--max_semi_space_size=16"], "--max-old-space-size=512")).toEqual([]);
  });
});
