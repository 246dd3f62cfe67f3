import net from "node:net";
import type { SessionClaims } from "@/lib/auth0/inbound";
import type { DeviceStatus } from "@/lib/devices/repo";
import type { FactorId } from "@/lib/factors/registry";
import type { MfaCommand } from "@/lib/flow/types";
import { DEFAULT_RECOVERY_WAIT_HOURS, parseCidr, type EXPLAIN_REASONS, type OUTCOMES, type Policy, type PolicyCommand, type PolicyConditions, type PolicyRule } from "./schema";

export type Outcome = (typeof OUTCOMES)[number];
export type ExplainReason = (typeof EXPLAIN_REASONS)[number];
export interface FactorRules {
  allow?: FactorId[];
  require?: FactorId[];
  setup?: FactorId[];
  forceSetup?: boolean;
}
export interface PolicyInput {
  claims: SessionClaims;
  ip: string | null;
  device: DeviceStatus;
  wasntMeCount: number;
  now: number;
}
export interface PolicyDecision {
  outcome: Outcome;
  /** The matched rule's name; "remembered device" for the built-in skip; null for the default. */
  rule: string | null;
  /** What the "why am I asked?" line says; null when explaining is off. */
  reason: ExplainReason | null;
  /** The matched rule's factors ({} by default). */
  factors: FactorRules;
  /** The matched rule's commands, in order, when it has any and the login is challenged. */
  commands?: MfaCommand[];
  /** Show the "Don't ask again on this device for N days" box. */
  canRemember: boolean;
  /** 0 when remembering is off. */
  rememberDays: number;
  /** Self-service recovery for this user (the matched rule's, then the policy's, then the defaults). */
  recovery: RecoverySettings;
}

/** Whether "I can't use any of my methods" is offered, and how long a request waits. */
export interface RecoverySettings {
  selfService: boolean;
  waitHours: number;
}

export const REMEMBERED_DEVICE_RULE = "remembered device";
const DEFAULT_REMEMBER_DAYS = 30;
const HOUR_MS = 3_600_000;

/** The policy's settings with their defaults filled in. */
export function policyDefaults(policy: Policy | undefined): { rememberDays: number; explain: boolean; firstEnrollment: "verify-email" | "none" } {
  const remember = policy?.rememberDevice;
  return {
    rememberDays: remember === false ? 0 : (remember?.days ?? DEFAULT_REMEMBER_DAYS),
    explain: policy?.explain ?? true,
    firstEnrollment: policy?.firstEnrollment ?? "verify-email",
  };
}

/** The input as the conditions see it: step-up treats every device as new. */
interface Facts {
  claims: SessionClaims;
  ip: string | null;
  device: DeviceStatus;
  wasntMeCount: number;
  now: number;
  stepUp: boolean;
}

type Matcher = (f: Facts) => boolean;

interface CompiledRule {
  rule: PolicyRule;
  matches: Matcher;
  reason: ExplainReason;
}

// Rules (and their CIDR lists) are compiled once per policy object, which config() reads once at boot.
const compiled = new WeakMap<Policy, CompiledRule[]>();

function compile(policy: Policy): CompiledRule[] {
  let rules = compiled.get(policy);
  if (!rules) {
    rules = (policy.rules ?? []).map((rule) => ({ rule, matches: compileConditions(rule.when ?? {}), reason: deriveReason(rule.when ?? {}) }));
    compiled.set(policy, rules);
  }
  return rules;
}

function compileNetworks(cidrs: string[]): Matcher {
  const list = new net.BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    // The schema has already refused these; a hand-built policy fails loudly rather than matching nothing.
    if (typeof parsed === "string") throw new Error(parsed);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    // An IPv4 range also covers its IPv4-mapped IPv6 form (::ffff:10.1.2.3), however the address is written.
    if (parsed.family === "ipv4") list.addSubnet(`::ffff:${parsed.address}`, parsed.prefix + 96, "ipv6");
  }
  return ({ ip }) => {
    if (!ip) return false;
    const version = net.isIP(ip);
    if (version === 0) return false;
    try {
      return list.check(ip, version === 4 ? "ipv4" : "ipv6");
    } catch {
      return false;
    }
  };
}

function compileConditions(when: PolicyConditions): Matcher {
  const checks: Matcher[] = [];
  const { roles, clients, countries, networks, device, mfaWithinHours, risk, loginsCount, wasntMeReports, stepUp } = when;
  if (roles) checks.push(({ claims }) => (claims.roles ?? []).some((r) => roles.includes(r)));
  if (clients) checks.push(({ claims }) => claims.client_id !== undefined && clients.includes(claims.client_id));
  if (countries) checks.push(({ claims }) => claims.country !== undefined && countries.includes(claims.country.toUpperCase()));
  if (networks) checks.push(compileNetworks(networks));
  if (device) {
    checks.push(({ device: d }) => {
      if (device === "remembered") return d.remembered;
      if (device === "known") return d.known;
      return !d.known;
    });
  }
  if (mfaWithinHours !== undefined) {
    checks.push(({ device: d, now }) => d.lastMfaAt !== null && now - d.lastMfaAt <= mfaWithinHours * HOUR_MS);
  }
  if (risk) checks.push(({ claims }) => claims.risk !== undefined && (risk as readonly string[]).includes(claims.risk.toLowerCase()));
  if (loginsCount) {
    const { min = 0, max = Infinity } = loginsCount;
    checks.push(({ claims }) => claims.logins_count !== undefined && claims.logins_count >= min && claims.logins_count <= max);
  }
  if (wasntMeReports) checks.push(({ wasntMeCount }) => wasntMeCount >= wasntMeReports.min);
  if (stepUp !== undefined) checks.push((f) => f.stepUp === stepUp);
  if (when.not) {
    const inner = compileConditions(when.not);
    checks.push((f) => !inner(f));
  }
  return (f) => checks.every((check) => check(f));
}

// Most specific first: the line should name what set this rule apart.
const REASON_BY_CONDITION: Array<[keyof PolicyConditions, ExplainReason]> = [
  ["stepUp", "step_up"],
  ["device", "new_device"],
  ["mfaWithinHours", "new_device"],
  ["roles", "role"],
  ["countries", "country"],
  ["networks", "network"],
  ["risk", "risk"],
  ["clients", "application"],
  ["wasntMeReports", "reported"],
];

function usedConditions(when: PolicyConditions, into = new Set<keyof PolicyConditions>()): Set<keyof PolicyConditions> {
  for (const key of Object.keys(when) as Array<keyof PolicyConditions>) if (when[key] !== undefined) into.add(key);
  if (when.not) usedConditions(when.not, into);
  return into;
}

function deriveReason(when: PolicyConditions): ExplainReason {
  const used = usedConditions(when);
  return REASON_BY_CONDITION.find(([key]) => used.has(key))?.[1] ?? "policy";
}

/** A rule's command as the flow runs it: the factor named first, then its additionalFactors (or the `…Any` list), once each. */
export function toMfaCommand(c: PolicyCommand): MfaCommand {
  const unique = (list: FactorId[]) => [...new Set(list)];
  if (c.challengeWith !== undefined) return { command: "challengeWith", factors: unique([c.challengeWith, ...(c.additionalFactors ?? [])]) };
  if (c.enrollWith !== undefined) return { command: "enrollWith", factors: unique([c.enrollWith, ...(c.additionalFactors ?? [])]) };
  if (c.challengeWithAny !== undefined) return { command: "challengeWithAny", factors: unique(c.challengeWithAny) };
  if (c.enrollWithAny !== undefined) return { command: "enrollWithAny", factors: unique(c.enrollWithAny) };
  // The schema refuses an entry without a command; a hand-built policy fails loudly.
  throw new Error(`a policy command needs one of challengeWith, challengeWithAny, enrollWith, enrollWithAny: ${JSON.stringify(c)}`);
}

/** Decides ALLOW, CHALLENGE or DENY for one login: first matching rule, then remembered devices and step-up. */
export function evaluatePolicy(policy: Policy | undefined, input: PolicyInput): PolicyDecision {
  const settings = policyDefaults(policy);
  const stepUp = input.claims.step_up === true;
  // Step-up asks for a fresh MFA, so nothing this browser did before counts.
  const device: DeviceStatus = stepUp ? { known: false, remembered: false, lastMfaAt: null } : input.device;
  const facts: Facts = { ...input, device, stepUp };
  const rememberOn = settings.rememberDays > 0;

  const match = policy ? compile(policy).find((r) => r.matches(facts)) : undefined;
  let outcome: Outcome = match?.rule.outcome ?? "CHALLENGE";
  const rule: string | null = match?.rule.name ?? null;
  const factors: FactorRules = match?.rule.factors ?? {};
  const ruleRemembers = match?.rule.rememberDevice !== false;
  const recovery: RecoverySettings = {
    selfService: match?.rule.recovery?.selfService ?? policy?.recovery?.selfService ?? true,
    waitHours: match?.rule.recovery?.waitHours ?? policy?.recovery?.waitHours ?? DEFAULT_RECOVERY_WAIT_HOURS,
  };
  let reason: ExplainReason | null;
  if (match) reason = match.rule.explain === undefined ? match.reason : match.rule.explain || null;
  else reason = stepUp ? "step_up" : device.known ? null : "new_device";

  if (outcome === "CHALLENGE" && rememberOn && ruleRemembers && device.remembered) {
    return { outcome: "ALLOW", rule: REMEMBERED_DEVICE_RULE, reason: settings.explain ? "remembered_device" : null, factors: {}, canRemember: false, rememberDays: settings.rememberDays, recovery };
  }
  if (stepUp && outcome === "ALLOW") {
    outcome = "CHALLENGE";
    if (reason !== null) reason = "step_up";
  }
  const commands = outcome === "CHALLENGE" && match?.rule.commands ? match.rule.commands.map(toMfaCommand) : undefined;
  return {
    outcome,
    rule,
    reason: settings.explain ? reason : null,
    factors,
    ...(commands ? { commands } : {}),
    canRemember: rememberOn && outcome === "CHALLENGE" && ruleRemembers && !stepUp,
    rememberDays: settings.rememberDays,
    recovery,
  };
}
