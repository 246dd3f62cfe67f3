import { enrollNewUser, expect, newEmail, test } from "./support/fixtures";
import { E2E } from "./support/ports";

test("the liveness, startup and readiness probes answer JSON, uncached, once the server has booted", async ({ request }) => {
  const expected: Record<string, unknown> = {
    "/api/health/live": { status: "ok" },
    "/api/health/startup": { status: "ok", checks: { migrations: "ok" } },
    "/api/health/ready": { status: "ok", checks: { database: "ok", migrations: "ok" } },
    "/api/health": { status: "ok", checks: { database: "ok", migrations: "ok" } },
  };
  for (const [path, body] of Object.entries(expected)) {
    const res = await request.get(`${E2E.keystepUrl}${path}`);
    expect(res.status(), path).toBe(200);
    expect(res.headers()["cache-control"], path).toBe("no-store");
    expect(await res.json(), path).toEqual(body);
  }
});

test("the metrics count a completed sign-in: the flow, its checks and the result handed back to Auth0", async ({ page, app, otp, request }) => {
  const scrape = async () => {
    const res = await request.get(`${E2E.keystepUrl}/api/metrics`, { headers: { Authorization: `Bearer ${E2E.metricsToken}` } });
    expect(res.status()).toBe(200);
    return res.text();
  };
  const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"|.]/g, "\\$&")} (\\d+(?:\\.\\d+)?)$`, "m").exec(text)?.[1] ?? 0);
  const completed = 'keystep_events_total{event="flow.completed",outcome="success",factor="otp"}';
  const results = 'keystep_results_total{outcome="success",reason=""}';
  const sent = 'keystep_sends_total{channel="email",result="sent"}';
  const before = await scrape();
  await enrollNewUser(page, app, otp, newEmail("metrics"));
  const after = await scrape();
  // At least this login: journeys in other workers complete logins against the same server meanwhile.
  expect(sample(after, completed)).toBeGreaterThanOrEqual(sample(before, completed) + 1);
  expect(sample(after, results)).toBeGreaterThan(sample(before, results));
  // The first setup's email check sent one code.
  expect(sample(after, sent)).toBeGreaterThan(sample(before, sent));
  expect((await request.get(`${E2E.keystepUrl}/api/metrics`)).status()).toBe(401);
});
