/**
 * Threats: cross-site request forgery and forged Host / X-Forwarded-Host / Forwarded headers on
 * the screens' POSTs. Defence: refuseRequest, run by proxy.ts before any server action.
 * The browser-level journeys are in e2e/request-forgery.spec.ts.
 */
import { describe, expect, it } from "vitest";
import { refuseRequest } from "./request-origin";

const PUBLIC = new URL("https://mfa.example.com");
const ok = { origin: "https://mfa.example.com", host: "mfa.example.com", "sec-fetch-site": "same-origin" };
const check = (h: Record<string, string>, method = "POST") => refuseRequest(method, new Headers(h), PUBLIC);

describe("refuseRequest", () => {
  it("lets a same-origin POST through, and never judges a GET", () => {
    expect(check(ok)).toBeNull();
    expect(check({ host: "mfa.example.com", "sec-fetch-site": "same-origin" })).toBeNull();
    expect(check({ host: "anything", origin: "https://evil.example" }, "GET")).toBeNull();
  });

  it("threat: cross-site request forgery — another origin, Origin: null, or neither Origin nor Sec-Fetch-Site", () => {
    expect(check({ ...ok, origin: "https://evil.example" })).toBe("cross_site");
    expect(check({ ...ok, origin: "null" })).toBe("cross_site");
    expect(check({ ...ok, origin: "http://mfa.example.com" })).toBe("cross_site");
    expect(check({ host: "mfa.example.com" })).toBe("cross_site");
    expect(check({ host: "mfa.example.com", "sec-fetch-site": "same-site" })).toBe("cross_site");
  });

  it("threat: a tampered Host, X-Forwarded-Host or Forwarded host is refused", () => {
    expect(check({ ...ok, host: "evil.example" })).toBe("host_mismatch");
    expect(check({ ...ok, "x-forwarded-host": "evil.example" })).toBe("host_mismatch");
    expect(check({ ...ok, "x-forwarded-host": "evil.example, mfa.example.com" })).toBe("host_mismatch");
    expect(check({ ...ok, forwarded: "for=203.0.113.9;host=evil.example;proto=https" })).toBe("host_mismatch");
    expect(check({ ...ok, forwarded: 'for=10.0.0.1;host="mfa.example.com", for=10.0.0.2;host=evil.example' })).toBe("host_mismatch");
  });

  it("a reverse proxy that forwards the public host passes", () => {
    expect(check({ ...ok, host: "keystep:3000", "x-forwarded-host": "mfa.example.com", forwarded: 'for=203.0.113.9;host="mfa.example.com";proto=https' })).toBeNull();
  });
});
