// PLACEHOLDER until the policy branch lands: the interface only, default policy behaviour.
import type { SessionClaims } from "@/lib/auth0/inbound";
import type { DeviceStatus } from "@/lib/devices/repo";
import type { FactorRules } from "@/lib/flow/types";

export type Outcome = "ALLOW" | "CHALLENGE" | "DENY";
export type ExplainReason = "new_device" | "country" | "role" | "step_up" | "risk" | "network" | "application" | "reported" | "remembered_device" | "policy";
export interface PolicyInput { claims: SessionClaims; ip: string | null; device: DeviceStatus; wasntMeCount: number; now: number }
export interface PolicyDecision { outcome: Outcome; rule: string | null; reason: ExplainReason | null; factors: FactorRules; canRemember: boolean; rememberDays: number }
export type Policy = { rememberDevice?: false | { days: number }; explain?: boolean; firstEnrollment?: "verify-email" | "none" };

export function policyDefaults(policy: Policy | undefined) {
  const rememberDays = policy?.rememberDevice === false ? 0 : (policy?.rememberDevice?.days ?? 30);
  return { rememberDays, explain: policy?.explain ?? true, firstEnrollment: policy?.firstEnrollment ?? ("verify-email" as const) };
}

export function evaluatePolicy(policy: Policy | undefined, input: PolicyInput): PolicyDecision {
  const d = policyDefaults(policy);
  const step = input.claims.step_up === true;
  if (d.rememberDays > 0 && input.device.remembered && !step) return { outcome: "ALLOW", rule: "remembered device", reason: "remembered_device", factors: {}, canRemember: false, rememberDays: d.rememberDays };
  return { outcome: "CHALLENGE", rule: null, reason: d.explain ? (step ? "step_up" : !input.device.known ? "new_device" : null) : null, factors: {}, canRemember: d.rememberDays > 0 && !step, rememberDays: d.rememberDays };
}
