import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SessionClaims } from "@/lib/auth0/inbound";
import type { DeviceStatus } from "@/lib/devices/repo";
import { loadConfig } from "@/lib/config";
import { evaluatePolicy, type PolicyDecision } from "./evaluate";

// The cookbook's recipes are read from docs/policy.md itself, so the documentation cannot drift from the code.
const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "policy.md"), "utf8");
const start = doc.indexOf("\n## Cookbook\n");
const end = doc.indexOf("\n## ", start + 1);
const section = start === -1 ? "" : doc.slice(start, end === -1 ? undefined : end);
const recipes = new Map([...section.matchAll(/^### (.+)\n+```json\n([\s\S]*?)\n```/gm)].map((m) => [m[1]!, m[2]!]));

// "Porting Auth0 Action code": each Action snippet is followed by its policy, in order.
const porting = (() => {
  const at = doc.indexOf("\n### Porting Auth0 Action code\n");
  const until = doc.indexOf("\n## ", at + 1);
  return at === -1 ? [] : [...doc.slice(at, until).matchAll(/^```json\n([\s\S]*?)\n```/gm)].map((m) => m[1]!);
})();

const NOW = Date.UTC(2026, 5, 1, 12);
const HOUR = 3_600_000;
const NEW: DeviceStatus = { known: false, remembered: false, lastMfaAt: null };
const REMEMBERED: DeviceStatus = { known: true, remembered: true, lastMfaAt: NOW - 48 * HOUR };

/** Loads a recipe as keystep.config.json and returns a function deciding one login with it. */
function recipe(title: string) {
  const json = recipes.get(title);
  if (json === undefined) throw new Error(`docs/policy.md has no recipe "${title}" (found: ${[...recipes.keys()].join("; ")})`);
  return deciding(json);
}

function deciding(json: string) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ks-cookbook-")), "keystep.config.json");
  fs.writeFileSync(file, JSON.stringify({ $schema: "./keystep.config.schema.json", ...JSON.parse(json) }));
  const { policy } = loadConfig(file);
  return (login: { claims?: Partial<SessionClaims>; ip?: string | null; device?: DeviceStatus } = {}): PolicyDecision =>
    evaluatePolicy(policy, {
      claims: { iss: "https://tenant.eu.auth0.com/", sub: "auth0|1", iat: NOW / 1000, exp: NOW / 1000 + 300, ...login.claims },
      ip: login.ip === undefined ? "198.51.100.9" : login.ip,
      device: login.device ?? NEW,
      wasntMeCount: 0,
      now: NOW,
    });
}

describe("docs/policy.md cookbook", () => {
  it("has the recipes, each valid JSON", () => {
    expect(recipes.size).toBeGreaterThanOrEqual(7);
    for (const json of recipes.values()) expect(() => JSON.parse(json)).not.toThrow();
  });

  it("Admins need a security key", () => {
    const decide = recipe("Admins need a security key");
    expect(decide({ claims: { roles: ["admin"] }, device: REMEMBERED })).toMatchObject({
      outcome: "CHALLENGE",
      rule: "admins need a security key",
      factors: { require: ["webauthn-roaming"] },
      reason: "role",
      canRemember: false,
    });
    expect(decide({ claims: { roles: ["user"] } })).toMatchObject({ outcome: "CHALLENGE", rule: null, canRemember: true });
    expect(decide({ claims: { roles: ["user"] }, device: REMEMBERED })).toMatchObject({ outcome: "ALLOW", rule: "remembered device" });
  });

  it("Skip MFA on the office network", () => {
    const decide = recipe("Skip MFA on the office network");
    expect(decide({ ip: "203.0.113.50" })).toMatchObject({ outcome: "ALLOW", rule: "office network" });
    expect(decide({ ip: "2001:db8:1234:5::1" })).toMatchObject({ outcome: "ALLOW", rule: "office network" });
    expect(decide({ ip: "::ffff:203.0.113.50" })).toMatchObject({ outcome: "ALLOW", rule: "office network" });
    expect(decide({ ip: "203.0.114.1" })).toMatchObject({ outcome: "CHALLENGE", rule: null });
    expect(decide({ ip: null })).toMatchObject({ outcome: "CHALLENGE", rule: null });
    expect(decide({ ip: "203.0.113.50", claims: { step_up: true } })).toMatchObject({ outcome: "CHALLENGE", rule: "office network", reason: "step_up" });
  });

  it("Deny a country", () => {
    const decide = recipe("Deny a country");
    expect(decide({ claims: { country: "KP" }, device: REMEMBERED })).toMatchObject({ outcome: "DENY", rule: "no sign-ins from KP", reason: "country" });
    expect(decide({ claims: { country: "KP", step_up: true } }).outcome).toBe("DENY");
    expect(decide({ claims: { country: "KR" } }).outcome).toBe("CHALLENGE");
    expect(decide().outcome).toBe("CHALLENGE");
  });

  it("Remember devices for 7 days", () => {
    const decide = recipe("Remember devices for 7 days");
    expect(decide()).toMatchObject({ outcome: "CHALLENGE", canRemember: true, rememberDays: 7 });
    expect(decide({ device: REMEMBERED })).toMatchObject({ outcome: "ALLOW", rule: "remembered device" });
  });

  it("Only ask on a new device, or every 12 hours", () => {
    const decide = recipe("Only ask on a new device, or every 12 hours");
    const mfaAgo = (hours: number): DeviceStatus => ({ known: true, remembered: false, lastMfaAt: NOW - hours * HOUR });
    expect(decide({ device: mfaAgo(3) })).toMatchObject({ outcome: "ALLOW", rule: "MFA here in the last 12 hours" });
    expect(decide({ device: mfaAgo(13) })).toMatchObject({ outcome: "CHALLENGE", rule: null });
    expect(decide()).toMatchObject({ outcome: "CHALLENGE", rule: null, reason: "new_device" });
    expect(decide({ device: mfaAgo(3), claims: { step_up: true } }).outcome).toBe("CHALLENGE");
  });

  it("High risk always challenges with a phishing-resistant factor", () => {
    const decide = recipe("High risk always challenges with a phishing-resistant factor");
    const strong = { allow: ["webauthn-platform", "webauthn-roaming"], require: ["webauthn-platform", "webauthn-roaming"] };
    expect(decide({ claims: { risk: "low" }, ip: "203.0.113.5", device: REMEMBERED })).toMatchObject({
      outcome: "CHALLENGE",
      rule: "risky login",
      factors: strong,
      reason: "risk",
      canRemember: false,
    });
    expect(decide({ claims: { risk: "high" }, ip: "203.0.113.5" })).toMatchObject({ outcome: "ALLOW", rule: "office network" });
    expect(decide({ claims: { risk: "medium" } })).toMatchObject({ outcome: "CHALLENGE", rule: null, factors: {} });
  });

  it("Step-up always asks", () => {
    const decide = recipe("Step-up always asks");
    const stepUp = { step_up: true };
    expect(decide({ claims: stepUp, ip: "203.0.113.5", device: REMEMBERED })).toMatchObject({
      outcome: "CHALLENGE",
      rule: "step-up",
      factors: { allow: ["webauthn-platform", "webauthn-roaming", "otp"] },
      reason: "step_up",
      canRemember: false,
    });
    expect(decide({ claims: { ...stepUp, country: "KP" } }).outcome).toBe("DENY");
    expect(decide({ ip: "203.0.113.5" })).toMatchObject({ outcome: "ALLOW", rule: "office network" });
  });
});

describe('docs/policy.md "Porting Auth0 Action code"', () => {
  it("has its three policies, each a valid config", () => {
    expect(porting).toHaveLength(3);
  });

  it("Auth0's role example: an admin is challenged with the app, then the key, on every login", () => {
    const decide = deciding(porting[0]!);
    expect(decide({ claims: { roles: ["admin"] }, device: REMEMBERED })).toMatchObject({
      outcome: "CHALLENGE",
      rule: "admins: the app, then a security key",
      commands: [
        { command: "challengeWith", factors: ["otp"] },
        { command: "challengeWith", factors: ["webauthn-roaming"] },
      ],
      canRemember: false,
    });
    expect(decide({ claims: { roles: ["user"] } }).commands).toBeUndefined();
  });

  it("an application that takes a passkey or the app, and first logins that set up a passkey", () => {
    const decide = deciding(porting[1]!);
    expect(decide({ claims: { client_id: "PAYMENTS", logins_count: 1 } }).commands).toEqual([{ command: "challengeWithAny", factors: ["webauthn-platform", "otp"] }]);
    expect(decide({ claims: { client_id: "OTHER", logins_count: 1 } }).commands).toEqual([{ command: "enrollWith", factors: ["webauthn-platform", "otp"] }]);
    expect(decide({ claims: { client_id: "OTHER", logins_count: 2 } }).commands).toBeUndefined();
  });

  it("a challenge, then a security key set up", () => {
    expect(deciding(porting[2]!)({ claims: { roles: ["ops"] } }).commands).toEqual([
      { command: "challengeWith", factors: ["otp"] },
      { command: "enrollWith", factors: ["webauthn-roaming"] },
    ]);
  });
});
