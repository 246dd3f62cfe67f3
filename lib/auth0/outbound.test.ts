import { describe, expect, it } from "vitest";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { mintResultToken } from "./outbound";
import { continueUrl, findDomain } from "./domains";
import { TEST_SECRET, testEnv } from "@/lib/test/env";

const key = new TextEncoder().encode(TEST_SECRET);

describe("result token", () => {
  it("carries what Auth0's validateToken checks plus the result claims", async () => {
    const now = new Date();
    const t = await mintResultToken(key, { iss: "tenant.eu.auth0.com", sub: "auth0|abc", state: "STATE123", outcome: "success", amr: ["otp"], enrolled: ["otp"] }, now);
    expect(decodeProtectedHeader(t)).toEqual({ alg: "HS256", typ: "JWT" });
    const { payload } = await jwtVerify(t, key, { algorithms: ["HS256"] });
    expect(payload).toMatchObject({ iss: "tenant.eu.auth0.com", sub: "auth0|abc", state: "STATE123", outcome: "success", amr: ["otp"], enrolled: ["otp"] });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
    expect(typeof payload.jti).toBe("string");
  });

  it("gives every token a distinct jti", async () => {
    const input = { iss: "h", sub: "s", state: "STATE123", outcome: "denied" as const, amr: [] };
    const a = await jwtVerify(await mintResultToken(key, input), key);
    const b = await jwtVerify(await mintResultToken(key, input), key);
    expect(a.payload.jti).not.toBe(b.payload.jti);
  });
});

describe("continue URL", () => {
  const env = testEnv();
  it("uses the allowlisted scheme and host only", () => {
    expect(continueUrl(findDomain(env.auth0Domains, "tenant.eu.auth0.com")!, "a b&c")).toBe("https://tenant.eu.auth0.com/continue?state=a%20b%26c");
    expect(continueUrl(findDomain(env.auth0Domains, "127.0.0.1:4010")!, "S")).toBe("http://127.0.0.1:4010/continue?state=S");
    expect(findDomain(env.auth0Domains, "evil.com")).toBeNull();
  });
});
