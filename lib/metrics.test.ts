import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { audit } from "@/lib/audit";
import { BACKENDS } from "@/lib/test/databases";
import { events, registry } from "./metrics";

const valueOf = async (labels: Record<"event" | "outcome" | "factor", string>) =>
  (await events.get()).values.find((v) => v.labels.event === labels.event && v.labels.outcome === labels.outcome && v.labels.factor === labels.factor)?.value ?? 0;

describe("metrics", () => {
  it("every audited event is counted, by event, outcome and factor", async () => {
    const backend = BACKENDS[0];
    if (!backend) throw new Error("no backend");
    const { db, close } = await backend.open();
    try {
      const before = await valueOf({ event: "challenge.failure", outcome: "code_invalid", factor: "otp" });
      await audit(db, { event: "challenge.failure", outcome: "code_invalid", factor: "otp", tenant: "t", sub: "auth0|1" });
      expect(await valueOf({ event: "challenge.failure", outcome: "code_invalid", factor: "otp" })).toBe(before + 1);
    } finally {
      await close();
    }
  });

  it("the Grafana dashboard queries only metrics Keystep registers", async () => {
    const dashboard = fs.readFileSync("docs/grafana/keystep.json", "utf8");
    const queried = new Set([...dashboard.matchAll(/keystep_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, "")));
    const registered = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    expect(queried.size).toBeGreaterThan(4);
    expect([...queried].filter((name) => !registered.has(name))).toEqual([]);
  });
});
