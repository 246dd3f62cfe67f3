// Threat: MIME sniffing of JSON answers, and an https downgrade on a first visit that starts at
// /api. Defence: every /api/* response carries X-Content-Type-Options: nosniff and the same HSTS
// as the pages, set with Next's headers() (the proxy skips /api/). The journey check on a real
// build is e2e/security-headers.spec.ts.
import { describe, expect, it } from "vitest";
import nextConfig from "./next.config.mjs";
import { securityHeaders } from "@/lib/security/headers";

describe("next.config headers()", () => {
  it("threat: MIME sniffing and https downgrade on /api answers — nosniff and HSTS on every /api path", async () => {
    const rules = (await nextConfig.headers?.()) ?? [];
    const api = rules.find((r) => r.source === "/api/:path*");
    expect(api, "a rule for every /api path").toBeDefined();
    const set = Object.fromEntries(api!.headers.map((h) => [h.key, h.value]));
    const pages = securityHeaders("default-src 'self'");
    expect(set["X-Content-Type-Options"]).toBe("nosniff");
    expect(set["Strict-Transport-Security"]).toBe(pages["Strict-Transport-Security"]);
  });
});
