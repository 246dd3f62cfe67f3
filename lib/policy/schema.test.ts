import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "@/lib/config";
import { parseCidr } from "./schema";

function write(value: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ks-policy-")), "keystep.config.json");
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

/** The ConfigError message for a config holding these rules (and other policy keys). */
function problem(policy: unknown): string {
  try {
    loadConfig(write({ policy }));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("the config was accepted");
}

const rule = (extra: object) => ({ name: "r", outcome: "CHALLENGE", ...extra });

describe("policy schema", () => {
  it("accepts the documented example", () => {
    const c = loadConfig(
      write({
        policy: {
          rules: [
            {
              name: "admins need a security key",
              when: { roles: ["admin"] },
              outcome: "CHALLENGE",
              factors: { require: ["webauthn-roaming"] },
              explain: "role",
              rememberDevice: false,
            },
            { name: "office", when: { networks: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1", "::1"], not: { risk: ["high"] } }, outcome: "ALLOW" },
            {
              name: "new users",
              when: { loginsCount: { max: 1 }, wasntMeReports: { min: 1 }, device: "new", mfaWithinHours: 0.5 + 1, stepUp: false, clients: ["app"], countries: ["DE"] },
              outcome: "DENY",
              explain: false,
            },
          ],
          rememberDevice: { days: 30 },
          explain: true,
          firstEnrollment: "verify-email",
        },
      }),
    );
    expect(c.policy?.rules).toHaveLength(3);
    expect(loadConfig(write({ policy: {} })).policy).toEqual({});
    expect(loadConfig(write({ policy: { rememberDevice: false, firstEnrollment: "none" } })).policy?.rememberDevice).toBe(false);
  });

  it.each([
    ["10.0.0.0/33", /policy\.rules\.0\.when\.networks\.0: "10\.0\.0\.0\/33" has prefix \/33; an IPv4 prefix is \/0 to \/32/],
    ["2001:db8::/129", /networks\.0: "2001:db8::\/129" has prefix \/129; an IPv6 prefix is \/0 to \/128/],
    ["10.0.0.300/8", /networks\.0: "10\.0\.0\.300\/8" is not an IP address or CIDR range/],
    ["10.0.0.0/", /networks\.0: "10\.0\.0\.0\/" has an invalid prefix length/],
    ["10.0.0.0/8/8", /is not an IP address or CIDR range/],
    ["10.0.0.0/-1", /invalid prefix length/],
    ["office", /networks\.0: "office" is not an IP address/],
    ["fe80::1%eth0", /is not an IP address/],
    ["", /is not an IP address/],
  ])("refuses the CIDR %j with its path", (cidr, message) => {
    expect(problem({ rules: [rule({ when: { networks: [cidr] } })] })).toMatch(message);
  });

  it("parses CIDRs and bare addresses", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ address: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(parseCidr("192.0.2.1")).toEqual({ address: "192.0.2.1", prefix: 32, family: "ipv4" });
    expect(parseCidr("2001:db8::/32")).toEqual({ address: "2001:db8::", prefix: 32, family: "ipv6" });
    expect(parseCidr("::1")).toEqual({ address: "::1", prefix: 128, family: "ipv6" });
  });

  it("refuses lowercase and unknown country codes, saying what to write", () => {
    expect(problem({ rules: [rule({ when: { countries: ["DE", "fr"] } })] })).toMatch(
      /policy\.rules\.0\.when\.countries\.1: "fr" is not an ISO 3166-1 alpha-2 country code \(country codes are uppercase: "FR"\)/,
    );
    expect(problem({ rules: [rule({ when: { countries: ["UK"] } })] })).toMatch(/countries\.0: "UK" is not .* \(the United Kingdom is "GB"\)/);
    expect(problem({ rules: [rule({ when: { countries: ["XX"] } })] })).toMatch(/countries\.0: "XX" is not an ISO 3166-1 alpha-2 country code$/m);
    expect(problem({ rules: [rule({ when: { countries: ["DEU"] } })] })).toMatch(/"DEU" is not/);
  });

  it("refuses an unknown factor", () => {
    expect(problem({ rules: [rule({ factors: { allow: ["otp", "sms"] } })] })).toMatch(/policy\.rules\.0\.factors\.allow\.1: Invalid option: expected one of "webauthn-platform"\|.*"recovery-code"/);
    expect(problem({ rules: [rule({ factors: { setup: ["yubikey"] } })] })).toMatch(/factors\.setup\.0: Invalid option/);
  });

  it("refuses duplicate rule names, naming both", () => {
    const message = problem({ rules: [rule({ name: "admins" }), rule({ name: "office" }), rule({ name: "admins" })] });
    expect(message).toMatch(/policy\.rules\.2\.name: duplicate rule name "admins" \(also rules\.0\)/);
    expect(message).not.toMatch(/rules\.1/);
  });

  it("refuses require that is not a subset of allow", () => {
    const message = problem({ rules: [rule({ factors: { allow: ["otp", "webauthn-roaming"], require: ["webauthn-roaming", "webauthn-platform"] } })] });
    expect(message).toMatch(/policy\.rules\.0\.factors\.require\.1: "webauthn-platform" is required but not in allow \(otp, webauthn-roaming\)/);
    expect(loadConfig(write({ policy: { rules: [rule({ factors: { require: ["webauthn-platform"] } })] } })).policy).toBeDefined();
  });

  it("accepts a rule's commands, Auth0's four with their arguments, up to four", () => {
    const commands = [
      { challengeWith: "otp", additionalFactors: ["phone"] },
      { challengeWithAny: ["webauthn-platform", "webauthn-roaming"] },
      { enrollWith: "webauthn-roaming", additionalFactors: ["webauthn-platform"] },
      { enrollWithAny: ["otp", "phone"] },
    ];
    const c = loadConfig(write({ policy: { rules: [rule({ when: { roles: ["admin"] }, commands, rememberDevice: false })] } }));
    expect(c.policy?.rules?.[0]?.commands).toEqual(commands);
  });

  it.each([
    [[], /policy\.rules\.0\.commands: give 1 to 4 commands, or leave commands out/],
    [Array.from({ length: 5 }, () => ({ challengeWith: "otp" })), /policy\.rules\.0\.commands: at most 4 commands per login, as in Auth0/],
    [[{}], /policy\.rules\.0\.commands\.0: give one of challengeWith, challengeWithAny, enrollWith, enrollWithAny/],
    [[{ challengeWith: "otp", enrollWith: "webauthn-roaming" }], /commands\.0: one command per entry, not challengeWith and enrollWith: list each as its own entry, and they run in order/],
    [[{ challengeWithAny: ["otp", "phone"], additionalFactors: ["email"] }], /commands\.0\.additionalFactors: additionalFactors goes with challengeWith or enrollWith/],
    [[{ challengeWith: "totp" }], /commands\.0\.challengeWith: Invalid option: expected one of "webauthn-platform"/],
    [[{ enrollWithAny: [] }], /commands\.0\.enrollWithAny/],
    [[{ challengewith: "otp" }], /commands\.0: Unrecognized key: "challengewith"/],
    [[{ challengeWith: { type: "otp" } }], /commands\.0\.challengeWith: Invalid option/],
  ])("refuses the commands %j, saying why", (commands, message) => {
    expect(problem({ rules: [rule({ commands })] })).toMatch(message);
  });

  it("refuses commands on a rule that does not challenge, or beside factors", () => {
    expect(problem({ rules: [rule({ outcome: "ALLOW", commands: [{ challengeWith: "otp" }] })] })).toMatch(/policy\.rules\.0\.commands: commands run only when the outcome is CHALLENGE, not ALLOW/);
    expect(problem({ rules: [rule({ commands: [{ challengeWith: "otp" }], factors: { allow: ["otp"] } })] })).toMatch(
      /policy\.rules\.0\.factors: give commands or factors, not both: each command names the factors of its own step/,
    );
  });

  it("refuses unknown keys at every level", () => {
    expect(problem({ rule: [] })).toMatch(/policy: Unrecognized key: "rule"/);
    expect(problem({ rules: [rule({ when: { role: ["admin"] } })] })).toMatch(/policy\.rules\.0\.when: Unrecognized key: "role"/);
    expect(problem({ rules: [rule({ when: { not: { ip: "10.0.0.1" } } })] })).toMatch(/policy\.rules\.0\.when\.not: Unrecognized key: "ip"/);
    expect(problem({ rules: [rule({ factors: { required: ["otp"] } })] })).toMatch(/policy\.rules\.0\.factors: Unrecognized key: "required"/);
    expect(problem({ rules: [rule({ remember: false })] })).toMatch(/policy\.rules\.0: Unrecognized key: "remember"/);
    expect(problem({ rememberDevice: { days: 7, hours: 1 } })).toMatch(/policy\.rememberDevice/);
  });

  it("recovery: selfService and waitHours (1 to 720) per rule and for the policy; anything else is refused with its path", () => {
    expect(loadConfig(write({ policy: { recovery: { waitHours: 96 }, rules: [rule({ recovery: { selfService: false } })] } })).policy?.rules?.[0]?.recovery).toEqual({ selfService: false });
    expect(problem({ rules: [rule({ recovery: { waitHours: 0 } })] })).toMatch(/policy\.rules\.0\.recovery\.waitHours/);
    expect(problem({ recovery: { waitHours: 721 } })).toMatch(/policy\.recovery\.waitHours/);
    expect(problem({ recovery: { wait: 72 } })).toMatch(/policy\.recovery: Unrecognized key: "wait"/);
  });

  it.each([
    [{ rules: [{ outcome: "ALLOW" }] }, /policy\.rules\.0\.name/],
    [{ rules: [rule({ name: "" })] }, /policy\.rules\.0\.name/],
    [{ rules: [rule({ name: "x".repeat(81) })] }, /policy\.rules\.0\.name/],
    [{ rules: [rule({ outcome: "allow" })] }, /policy\.rules\.0\.outcome: Invalid option: expected one of "ALLOW"\|"CHALLENGE"\|"DENY"/],
    [{ rules: [rule({ explain: "admin_role" })] }, /policy\.rules\.0\.explain: expected one of "new_device"\|.*"policy", or false/],
    [{ rules: [rule({ explain: true })] }, /policy\.rules\.0\.explain: expected one of/],
    [{ rules: [rule({ when: { roles: [] } })] }, /policy\.rules\.0\.when\.roles/],
    [{ rules: [rule({ when: { device: "trusted" } })] }, /when\.device: Invalid option/],
    [{ rules: [rule({ when: { mfaWithinHours: 0 } })] }, /when\.mfaWithinHours/],
    [{ rules: [rule({ when: { mfaWithinHours: 8761 } })] }, /when\.mfaWithinHours/],
    [{ rules: [rule({ when: { risk: ["HIGH"] } })] }, /when\.risk\.0: Invalid option/],
    [{ rules: [rule({ when: { loginsCount: {} } })] }, /when\.loginsCount: give min, max or both/],
    [{ rules: [rule({ when: { loginsCount: { min: 5, max: 2 } } })] }, /when\.loginsCount: min must not be greater than max/],
    [{ rules: [rule({ when: { loginsCount: { min: 1.5 } } })] }, /when\.loginsCount\.min/],
    [{ rules: [rule({ when: { wasntMeReports: { min: 0 } } })] }, /when\.wasntMeReports\.min/],
    [{ rules: [rule({ when: { stepUp: "yes" } })] }, /when\.stepUp/],
    [{ rememberDevice: { days: 0 } }, /policy\.rememberDevice/],
    [{ rememberDevice: { days: 366 } }, /policy\.rememberDevice/],
    [{ rememberDevice: true }, /policy\.rememberDevice: expected false or \{ "days": 1 to 365 \}/],
    [{ explain: "yes" }, /policy\.explain/],
    [{ firstEnrollment: "email" }, /policy\.firstEnrollment/],
  ])("refuses %j", (policy, message) => {
    expect(problem(policy)).toMatch(message);
  });
});
