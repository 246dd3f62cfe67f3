/**
 * Threat: the metrics describe who signs in and how (counts per factor, per rule, per country
 * budget); served openly they would map a deployment for an attacker. Defence: a bearer token of
 * their own, and no endpoint at all without one.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { TEST_SECRET } from "@/lib/test/env";

const TOKEN = "m".repeat(40);

async function load(settings: Record<string, string | undefined>) {
  vi.resetModules();
  const all = {
    NODE_ENV: "test",
    KEYSTEP_SECRET: TEST_SECRET,
    KEYSTEP_AUTH0_DOMAINS: "tenant.eu.auth0.com",
    KEYSTEP_ENCRYPTION_KEY: "0".repeat(64),
    KEYSTEP_PUBLIC_URL: "http://localhost:3000",
    DATABASE_URL: "sqlite::memory:",
    ...settings,
  };
  for (const [k, v] of Object.entries(all)) vi.stubEnv(k, v);
  return (await import("./route")).GET;
}

const get = (GET: (r: Request) => Promise<Response>, authorization?: string) => GET(new Request("http://localhost:3000/api/metrics", authorization ? { headers: { authorization } } : {}));

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("/api/metrics", () => {
  it("threat: metrics served openly map the deployment — without KEYSTEP_METRICS_TOKEN the endpoint does not exist", async () => {
    const GET = await load({ KEYSTEP_METRICS_TOKEN: undefined });
    expect((await get(GET, `Bearer ${TOKEN}`)).status).toBe(404);
  });

  it("refuses a missing or wrong token with 401 and a Bearer challenge, and serves Prometheus text with the right one", async () => {
    const GET = await load({ KEYSTEP_METRICS_TOKEN: TOKEN });
    for (const authorization of [undefined, "Bearer wrong-token-0123456789abcdefghijklmnop", `Basic ${TOKEN}`]) {
      const res = await get(GET, authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="keystep-metrics"');
    }
    const ok = await get(GET, `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    const body = await ok.text();
    for (const name of ["keystep_events_total", "keystep_sends_total", "keystep_policy_decisions_total", "keystep_results_total", "keystep_flow_duration_seconds", "keystep_step_duration_seconds"])
      expect(body).toContain(`# TYPE ${name}`);
  });
});
