/**
 * Drill (#16): PostgreSQL goes away while a user is on an HTML-only screen. The screen must
 * answer a clear, localised page that says the service is unavailable, never Next's bare 500.
 */
import { describe, expect, it, vi } from "vitest";
import type { GetServerSidePropsContext } from "next";
import { TEST_SECRET } from "@/lib/test/env";

describe("an HTML-only screen when the database is down", () => {
  it("drill: PostgreSQL is unreachable — GET and POST redirect to the error page's 'unavailable' reason instead of failing with a 500", async () => {
    vi.resetModules();
    const settings = {
      NODE_ENV: "test",
      KEYSTEP_SECRET: TEST_SECRET,
      KEYSTEP_AUTH0_DOMAINS: "tenant.eu.auth0.com",
      KEYSTEP_ENCRYPTION_KEY: "0".repeat(64),
      KEYSTEP_PUBLIC_URL: "http://localhost:3000",
      DATABASE_URL: "postgres://postgres@127.0.0.1:9/keystep",
    };
    for (const [k, v] of Object.entries(settings)) vi.stubEnv(k, v);
    const { htmlOnlyScreen } = await import("./screen");
    const { FLOW_COOKIE } = await import("@/lib/flow/cookie");
    const screen = htmlOnlyScreen({ here: () => true, view: () => ({}), title: () => "t" } as never);
    for (const method of ["GET", "POST"] as const) {
      const gssp = { req: { method, cookies: { [FLOW_COOKIE]: "a".repeat(43) }, headers: {} }, res: { setHeader: () => {} }, resolvedUrl: "/otp", query: {} } as unknown as GetServerSidePropsContext;
      expect(await screen(gssp)).toEqual({ redirect: { destination: "/error?reason=unavailable", statusCode: method === "POST" ? 303 : 307 } });
    }
    vi.unstubAllEnvs();
  });
});
