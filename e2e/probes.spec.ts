import { expect, test } from "./support/fixtures";
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
