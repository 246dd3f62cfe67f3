import net from "node:net";
import { describe, expect, it, vi } from "vitest";
import type { SessionClaims } from "@/lib/auth0/inbound";
import type { DeviceStatus } from "@/lib/devices/repo";
import { evaluatePolicy, policyDefaults, type PolicyInput } from "./evaluate";
import { policySchema, type Policy, type PolicyConditions } from "./schema";

const NOW = Date.UTC(2026, 5, 1, 12);
const HOUR = 3_600_000;
const NEW: DeviceStatus = { known: false, remembered: false, lastMfaAt: null };
const KNOWN: DeviceStatus = { known: true, remembered: false, lastMfaAt: NOW - 2 * HOUR };
const REMEMBERED: DeviceStatus = { known: true, remembered: true, lastMfaAt: NOW - 2 * HOUR };

interface Over {
  claims?: Partial<SessionClaims>;
  ip?: string | null;
  device?: DeviceStatus;
  wasntMeCount?: number;
}

function input(over: Over = {}): PolicyInput {
  return {
    claims: { iss: "https://tenant.eu.auth0.com/", sub: "auth0|1", iat: NOW / 1000, exp: NOW / 1000 + 300, ...over.claims },
    ip: over.ip === undefined ? "203.0.113.7" : over.ip,
    device: over.device ?? NEW,
    wasntMeCount: over.wasntMeCount ?? 0,
    now: NOW,
  };
}

const policy = (p: unknown): Policy => policySchema.parse(p);

/** Whether a lone rule with these conditions matches the input. */
function matches(when: PolicyConditions, over: Over = {}): boolean {
  return evaluatePolicy(policy({ rules: [{ name: "r", when, outcome: "DENY" }] }), input(over)).rule === "r";
}

describe("policy conditions", () => {
  it("roles: any of the listed roles", () => {
    expect(matches({ roles: ["admin", "ops"] }, { claims: { roles: ["user", "ops"] } })).toBe(true);
    expect(matches({ roles: ["admin"] }, { claims: { roles: ["user"] } })).toBe(false);
    expect(matches({ roles: ["admin"] }, { claims: { roles: [] } })).toBe(false);
    expect(matches({ roles: ["admin"] })).toBe(false);
    expect(matches({ roles: ["admin"] }, { claims: { roles: ["Admin"] } })).toBe(false);
  });

  it("clients: the application's client_id", () => {
    expect(matches({ clients: ["app-1", "app-2"] }, { claims: { client_id: "app-2" } })).toBe(true);
    expect(matches({ clients: ["app-1"] }, { claims: { client_id: "app-3" } })).toBe(false);
    expect(matches({ clients: ["app-1"] })).toBe(false);
  });

  it("countries: the login's country; a missing country never matches", () => {
    expect(matches({ countries: ["DE", "FR"] }, { claims: { country: "FR" } })).toBe(true);
    expect(matches({ countries: ["DE"] }, { claims: { country: "de" } })).toBe(true);
    expect(matches({ countries: ["DE"] }, { claims: { country: "AT" } })).toBe(false);
    expect(matches({ countries: ["DE"] })).toBe(false);
    expect(matches({ not: { countries: ["DE"] } })).toBe(true);
  });

  describe("networks", () => {
    const office = { networks: ["10.0.0.0/8", "192.0.2.17", "2001:db8::/32", "2001:db8:ffff::1"] };

    it.each([
      ["10.200.3.4", true],
      ["11.0.0.1", false],
      ["192.0.2.17", true],
      ["192.0.2.18", false],
      ["2001:db8:1::5", true],
      ["2001:DB8::abcd", true],
      ["2001:db9::1", false],
      ["::ffff:10.1.2.3", true],
      ["::FFFF:10.1.2.3", true],
      ["::ffff:a01:203", true],
      ["::ffff:11.1.2.3", false],
      ["10.1.2.3.4", false],
      ["not an ip", false],
      ["", false],
      [null, false],
    ] as const)("%s → %s", (ip, expected) => {
      expect(matches(office, { ip })).toBe(expected);
    });

    it("a bare IPv6 address is a /128", () => {
      expect(matches({ networks: ["2001:db8::1"] }, { ip: "2001:db8::1" })).toBe(true);
      expect(matches({ networks: ["2001:db8::1"] }, { ip: "2001:db8::2" })).toBe(false);
    });

    it("0.0.0.0/0 matches every IPv4 address but no IPv6 one", () => {
      expect(matches({ networks: ["0.0.0.0/0"] }, { ip: "198.51.100.1" })).toBe(true);
      expect(matches({ networks: ["0.0.0.0/0"] }, { ip: "2001:db8::1" })).toBe(false);
    });

    it("a null IP does not match a negated network either way round", () => {
      expect(matches({ networks: ["10.0.0.0/8"] }, { ip: null })).toBe(false);
      expect(matches({ not: { networks: ["10.0.0.0/8"] } }, { ip: null })).toBe(true);
    });

    it("compiles each policy's ranges once, not per evaluation", () => {
      const addSubnet = vi.spyOn(net.BlockList.prototype, "addSubnet");
      try {
        const p = policy({ rules: [{ name: "office", when: { networks: ["10.0.0.0/8", "2001:db8::/32"] }, outcome: "ALLOW" }] });
        const q = policy({ rules: [{ name: "office", when: { networks: ["172.16.0.0/12"] }, outcome: "ALLOW" }] });
        for (let i = 0; i < 3; i++) {
          expect(evaluatePolicy(p, input({ ip: "10.0.0.1" })).outcome).toBe("ALLOW");
          expect(evaluatePolicy(q, input({ ip: "10.0.0.1" })).outcome).toBe("CHALLENGE");
        }
        // 10.0.0.0/8 and its ::ffff: form, 2001:db8::/32, 172.16.0.0/12 and its ::ffff: form.
        expect(addSubnet).toHaveBeenCalledTimes(5);
      } finally {
        addSubnet.mockRestore();
      }
    });
  });

  it("device: new, known, remembered", () => {
    expect(matches({ device: "new" })).toBe(true);
    expect(matches({ device: "new" }, { device: KNOWN })).toBe(false);
    expect(matches({ device: "known" }, { device: KNOWN })).toBe(true);
    expect(matches({ device: "known" }, { device: REMEMBERED })).toBe(true);
    expect(matches({ device: "known" })).toBe(false);
    expect(matches({ device: "remembered" }, { device: REMEMBERED })).toBe(true);
    expect(matches({ device: "remembered" }, { device: KNOWN })).toBe(false);
  });

  it("threat: under step-up a known or remembered device counts as new", () => {
    const stepUp = { claims: { step_up: true } };
    expect(matches({ device: "new" }, { ...stepUp, device: REMEMBERED })).toBe(true);
    expect(matches({ device: "known" }, { ...stepUp, device: KNOWN })).toBe(false);
    expect(matches({ device: "remembered" }, { ...stepUp, device: REMEMBERED })).toBe(false);
  });

  it("mfaWithinHours: the device's last MFA is recent enough, never under step-up", () => {
    const at = (hoursAgo: number): DeviceStatus => ({ known: true, remembered: false, lastMfaAt: NOW - hoursAgo * HOUR });
    expect(matches({ mfaWithinHours: 12 }, { device: at(11.9) })).toBe(true);
    expect(matches({ mfaWithinHours: 12 }, { device: at(12) })).toBe(true);
    expect(matches({ mfaWithinHours: 12 }, { device: at(12.01) })).toBe(false);
    expect(matches({ mfaWithinHours: 12 })).toBe(false);
    expect(matches({ mfaWithinHours: 12 }, { device: at(1), claims: { step_up: true } })).toBe(false);
  });

  it("risk: Auth0's confidence, compared in lower case; missing never matches", () => {
    expect(matches({ risk: ["high"] }, { claims: { risk: "high" } })).toBe(true);
    expect(matches({ risk: ["high"] }, { claims: { risk: "HIGH" } })).toBe(true);
    expect(matches({ risk: ["medium", "high"] }, { claims: { risk: "Medium" } })).toBe(true);
    expect(matches({ risk: ["high"] }, { claims: { risk: "low" } })).toBe(false);
    expect(matches({ risk: ["neutral"] }, { claims: { risk: "neutral" } })).toBe(true);
    expect(matches({ risk: ["low", "medium", "high", "neutral"] })).toBe(false);
  });

  it("loginsCount: inclusive range; missing never matches", () => {
    expect(matches({ loginsCount: { max: 1 } }, { claims: { logins_count: 1 } })).toBe(true);
    expect(matches({ loginsCount: { max: 1 } }, { claims: { logins_count: 2 } })).toBe(false);
    expect(matches({ loginsCount: { min: 5 } }, { claims: { logins_count: 5 } })).toBe(true);
    expect(matches({ loginsCount: { min: 5 } }, { claims: { logins_count: 4 } })).toBe(false);
    expect(matches({ loginsCount: { min: 2, max: 3 } }, { claims: { logins_count: 3 } })).toBe(true);
    expect(matches({ loginsCount: { min: 2, max: 3 } }, { claims: { logins_count: 4 } })).toBe(false);
    expect(matches({ loginsCount: { min: 0 } })).toBe(false);
  });

  it("wasntMeReports: at least min reports", () => {
    expect(matches({ wasntMeReports: { min: 1 } }, { wasntMeCount: 1 })).toBe(true);
    expect(matches({ wasntMeReports: { min: 2 } }, { wasntMeCount: 1 })).toBe(false);
    expect(matches({ wasntMeReports: { min: 1 } })).toBe(false);
  });

  it("stepUp: the claim equals the value; missing is false", () => {
    expect(matches({ stepUp: true }, { claims: { step_up: true } })).toBe(true);
    expect(matches({ stepUp: true })).toBe(false);
    expect(matches({ stepUp: false })).toBe(true);
    expect(matches({ stepUp: false }, { claims: { step_up: false } })).toBe(true);
    expect(matches({ stepUp: false }, { claims: { step_up: true } })).toBe(false);
  });

  it("not: negates the nested conditions as a whole", () => {
    const notAdminInDe = { not: { roles: ["admin"], countries: ["DE"] } };
    expect(matches(notAdminInDe, { claims: { roles: ["admin"], country: "DE" } })).toBe(false);
    expect(matches(notAdminInDe, { claims: { roles: ["admin"], country: "FR" } })).toBe(true);
    expect(matches({ not: { not: { roles: ["admin"] } } }, { claims: { roles: ["admin"] } })).toBe(true);
  });

  it("all conditions present must match (AND); an empty or absent when always matches", () => {
    const both = { roles: ["admin"], countries: ["DE"] };
    expect(matches(both, { claims: { roles: ["admin"], country: "DE" } })).toBe(true);
    expect(matches(both, { claims: { roles: ["admin"], country: "FR" } })).toBe(false);
    expect(matches(both, { claims: { roles: ["user"], country: "DE" } })).toBe(false);
    expect(matches({})).toBe(true);
    expect(evaluatePolicy(policy({ rules: [{ name: "r", outcome: "DENY" }] }), input()).rule).toBe("r");
  });
});

describe("policy outcomes", () => {
  it("without a policy, or with no matching rule, challenges with every factor", () => {
    const expected = { outcome: "CHALLENGE", rule: null, reason: "new_device", factors: {}, canRemember: true, rememberDays: 30, recovery: { selfService: true, waitHours: 72 } };
    expect(evaluatePolicy(undefined, input())).toEqual(expected);
    expect(evaluatePolicy(policy({}), input())).toEqual(expected);
    expect(evaluatePolicy(policy({ rules: [{ name: "admins", when: { roles: ["admin"] }, outcome: "DENY" }] }), input())).toEqual(expected);
    expect(evaluatePolicy(undefined, input({ device: KNOWN })).reason).toBeNull();
  });

  it.each(["ALLOW", "CHALLENGE", "DENY"] as const)("returns the matched rule's %s with its factors", (outcome) => {
    const p = policy({ rules: [{ name: "everyone", outcome, factors: { allow: ["otp", "email"], require: ["otp"] } }] });
    const d = evaluatePolicy(p, input());
    expect(d).toMatchObject({ outcome, rule: "everyone", factors: { allow: ["otp", "email"], require: ["otp"] } });
    expect(d.canRemember).toBe(outcome === "CHALLENGE");
  });

  it("first match wins", () => {
    const p = policy({
      rules: [
        { name: "deny RU", when: { countries: ["RU"] }, outcome: "DENY" },
        { name: "admins", when: { roles: ["admin"] }, outcome: "CHALLENGE" },
        { name: "everyone", outcome: "ALLOW" },
      ],
    });
    expect(evaluatePolicy(p, input({ claims: { country: "RU", roles: ["admin"] } })).rule).toBe("deny RU");
    expect(evaluatePolicy(p, input({ claims: { country: "DE", roles: ["admin"] } })).rule).toBe("admins");
    expect(evaluatePolicy(p, input({ claims: { country: "DE" } })).rule).toBe("everyone");
  });
});

describe("per-login commands", () => {
  const admins = (extra: object = {}) =>
    policy({
      rules: [
        {
          name: "admins: app, then key",
          when: { roles: ["admin"] },
          outcome: "CHALLENGE",
          commands: [{ challengeWith: "otp", additionalFactors: ["otp", "phone"] }, { challengeWithAny: ["webauthn-roaming", "webauthn-platform"] }, { enrollWith: "webauthn-roaming" }],
          ...extra,
        },
      ],
    });

  it("the matched rule's commands go into the decision, in order, each factor once, the named one first", () => {
    const d = evaluatePolicy(admins(), input({ claims: { roles: ["admin"] } }));
    expect(d).toMatchObject({ outcome: "CHALLENGE", rule: "admins: app, then key", factors: {} });
    expect(d.commands).toEqual([
      { command: "challengeWith", factors: ["otp", "phone"] },
      { command: "challengeWithAny", factors: ["webauthn-roaming", "webauthn-platform"] },
      { command: "enrollWith", factors: ["webauthn-roaming"] },
    ]);
  });

  it("a login no rule with commands matches has none", () => {
    expect(evaluatePolicy(admins(), input({ claims: { roles: ["user"] } })).commands).toBeUndefined();
  });

  it("a remembered device skips a rule with commands like any rule, unless the rule says rememberDevice false", () => {
    const claims = { roles: ["admin"] };
    expect(evaluatePolicy(admins(), input({ claims, device: REMEMBERED }))).toMatchObject({ outcome: "ALLOW", rule: "remembered device" });
    expect(evaluatePolicy(admins(), input({ claims, device: REMEMBERED })).commands).toBeUndefined();
    expect(evaluatePolicy(admins({ rememberDevice: false }), input({ claims, device: REMEMBERED })).commands).toHaveLength(3);
  });
});

describe("remembered devices", () => {
  const challenge = policy({ rules: [{ name: "everyone", outcome: "CHALLENGE" }] });

  it("a remembered device skips a CHALLENGE, including the default", () => {
    const skip = { outcome: "ALLOW", rule: "remembered device", reason: "remembered_device", canRemember: false };
    expect(evaluatePolicy(challenge, input({ device: REMEMBERED }))).toMatchObject(skip);
    expect(evaluatePolicy(undefined, input({ device: REMEMBERED }))).toMatchObject(skip);
    expect(evaluatePolicy(challenge, input({ device: KNOWN })).outcome).toBe("CHALLENGE");
  });

  it("threat: a remembered device does not skip a DENY", () => {
    const p = policy({ rules: [{ name: "deny", outcome: "DENY" }] });
    expect(evaluatePolicy(p, input({ device: REMEMBERED }))).toMatchObject({ outcome: "DENY", rule: "deny" });
  });

  it("threat: a remembered device does not skip a rule with rememberDevice false, and the box is hidden", () => {
    const p = policy({ rules: [{ name: "admins", outcome: "CHALLENGE", rememberDevice: false }] });
    expect(evaluatePolicy(p, input({ device: REMEMBERED }))).toMatchObject({ outcome: "CHALLENGE", rule: "admins", canRemember: false });
    expect(evaluatePolicy(p, input()).canRemember).toBe(false);
  });

  it("rememberDevice false turns the skip and the box off; days sets the length", () => {
    const off = policy({ rememberDevice: false });
    expect(evaluatePolicy(off, input({ device: REMEMBERED }))).toMatchObject({ outcome: "CHALLENGE", rule: null, canRemember: false, rememberDays: 0 });
    const week = policy({ rememberDevice: { days: 7 } });
    expect(evaluatePolicy(week, input())).toMatchObject({ canRemember: true, rememberDays: 7 });
  });

  it("threat: step-up ignores a remembered device and hides the box", () => {
    const d = evaluatePolicy(challenge, input({ device: REMEMBERED, claims: { step_up: true } }));
    expect(d).toMatchObject({ outcome: "CHALLENGE", rule: "everyone", canRemember: false, rememberDays: 30 });
  });
});

describe("step-up", () => {
  const stepUp = { claims: { step_up: true } };

  it("threat: step-up turns ALLOW into CHALLENGE, keeping the rule's factors", () => {
    const p = policy({ rules: [{ name: "office", when: { networks: ["10.0.0.0/8"] }, outcome: "ALLOW", factors: { allow: ["webauthn-platform"] } }] });
    expect(evaluatePolicy(p, input({ ...stepUp, ip: "10.0.0.1" }))).toEqual({
      outcome: "CHALLENGE",
      rule: "office",
      reason: "step_up",
      factors: { allow: ["webauthn-platform"] },
      canRemember: false,
      rememberDays: 30,
      recovery: { selfService: true, waitHours: 72 },
    });
    expect(evaluatePolicy(p, input({ ip: "10.0.0.1" })).outcome).toBe("ALLOW");
  });

  it("self-service recovery: on with a 72-hour wait by default; the policy, then the matched rule, may change either", () => {
    expect(evaluatePolicy(undefined, input()).recovery).toEqual({ selfService: true, waitHours: 72 });
    const p = policy({
      recovery: { waitHours: 96 },
      rules: [
        { name: "admins", when: { roles: ["admin"] }, outcome: "CHALLENGE", recovery: { selfService: false } },
        { name: "staff", when: { roles: ["staff"] }, outcome: "CHALLENGE", recovery: { waitHours: 168 } },
      ],
    });
    expect(evaluatePolicy(p, input()).recovery).toEqual({ selfService: true, waitHours: 96 });
    expect(evaluatePolicy(p, input({ claims: { ...input().claims, roles: ["admin"] } })).recovery).toEqual({ selfService: false, waitHours: 96 });
    expect(evaluatePolicy(p, input({ claims: { ...input().claims, roles: ["staff"] } })).recovery).toEqual({ selfService: true, waitHours: 168 });
  });

  it("step-up leaves DENY as DENY", () => {
    const p = policy({ rules: [{ name: "deny", when: { countries: ["KP"] }, outcome: "DENY" }] });
    expect(evaluatePolicy(p, input({ claims: { step_up: true, country: "KP" } }))).toMatchObject({ outcome: "DENY", rule: "deny", reason: "country" });
  });

  it("the default challenge under step-up explains step-up", () => {
    expect(evaluatePolicy(undefined, input({ ...stepUp, device: KNOWN }))).toMatchObject({ outcome: "CHALLENGE", rule: null, reason: "step_up" });
  });
});

describe("explain", () => {
  const reasonFor = (when: PolicyConditions, outcome = "CHALLENGE") =>
    evaluatePolicy(
      policy({ rules: [{ name: "r", when, outcome }] }),
      input({ claims: { step_up: true, roles: ["a"], country: "DE", risk: "high", client_id: "c", logins_count: 1 }, ip: "10.0.0.1", wasntMeCount: 1 }),
    ).reason;

  it.each([
    [{ stepUp: true, roles: ["a"], countries: ["DE"] }, "step_up"],
    [{ device: "new", roles: ["a"] }, "new_device"],
    [{ not: { mfaWithinHours: 1 }, roles: ["a"] }, "new_device"],
    [{ roles: ["a"], countries: ["DE"], networks: ["10.0.0.0/8"] }, "role"],
    [{ countries: ["DE"], networks: ["10.0.0.0/8"], risk: ["high"] }, "country"],
    [{ networks: ["10.0.0.0/8"], risk: ["high"], clients: ["c"] }, "network"],
    [{ not: { networks: ["192.168.0.0/16"] } }, "network"],
    [{ risk: ["high"], clients: ["c"] }, "risk"],
    [{ clients: ["c"], wasntMeReports: { min: 1 } }, "application"],
    [{ wasntMeReports: { min: 1 }, loginsCount: { max: 5 } }, "reported"],
    [{ loginsCount: { max: 5 } }, "policy"],
    [{}, "policy"],
  ] as Array<[PolicyConditions, string]>)("derives %j → %s", (when, reason) => {
    expect(reasonFor(when)).toBe(reason);
  });

  it("a rule's explain wins; explain false shows no reason", () => {
    const p = policy({
      rules: [
        { name: "admins", when: { roles: ["admin"] }, outcome: "CHALLENGE", explain: "policy" },
        { name: "quiet", when: { countries: ["DE"] }, outcome: "CHALLENGE", explain: false },
        { name: "quiet allow", when: { countries: ["FR"] }, outcome: "ALLOW", explain: false },
      ],
    });
    expect(evaluatePolicy(p, input({ claims: { roles: ["admin"] } })).reason).toBe("policy");
    expect(evaluatePolicy(p, input({ claims: { country: "DE" } })).reason).toBeNull();
    expect(evaluatePolicy(p, input({ claims: { country: "FR", step_up: true } }))).toMatchObject({ outcome: "CHALLENGE", reason: null });
  });

  it("policy explain false makes every reason null", () => {
    const p = policy({
      explain: false,
      rules: [
        { name: "admins", when: { roles: ["admin"] }, outcome: "CHALLENGE" },
        { name: "office", when: { networks: ["10.0.0.0/8"] }, outcome: "ALLOW" },
      ],
    });
    expect(evaluatePolicy(p, input({ claims: { roles: ["admin"] } })).reason).toBeNull();
    expect(evaluatePolicy(p, input()).reason).toBeNull();
    expect(evaluatePolicy(p, input({ device: REMEMBERED }))).toMatchObject({ rule: "remembered device", reason: null });
    expect(evaluatePolicy(p, input({ ip: "10.0.0.1", claims: { step_up: true } }))).toMatchObject({ outcome: "CHALLENGE", reason: null });
  });
});

describe("policyDefaults", () => {
  it("fills in the defaults", () => {
    expect(policyDefaults(undefined)).toEqual({ rememberDays: 30, explain: true, firstEnrollment: "verify-email" });
    expect(policyDefaults(policy({ rememberDevice: false, explain: false, firstEnrollment: "none" }))).toEqual({ rememberDays: 0, explain: false, firstEnrollment: "none" });
    expect(policyDefaults(policy({ rememberDevice: { days: 90 } })).rememberDays).toBe(90);
  });
});
