import "server-only";
import { db } from "@/lib/db";
import type { FactorId } from "@/lib/factors/ids";
import { remainingRecoveryCodes } from "@/lib/factors/recovery";
import { userFactors } from "./guard";
import { nextStep, stepPath } from "./next-step";
import { findFlow } from "./repo";
import type { Flow } from "./types";

/** Devices that said "not now" to the passkey offer: remembered 30 days in this cookie. */
export const UPGRADE_LATER_COOKIE = "__Host-keystep_passkey_later";
export const UPGRADE_LATER_DAYS = 30;

/**
 * Where a successful verification goes: recovery codes after a first setup or after one was
 * used; then the passkey offer when the user has no passkey and did not just use one; then Auth0.
 */
export async function afterSuccessPath(flow: Flow, used: FactorId, enrolledNow: boolean, continued = false): Promise<string> {
  // Steps left (a forced setup, a first setup after the email check, management): go there.
  // Only then is the flow read again; a completed one goes on from what the request knew.
  if (continued) {
    const fresh = (await findFlow(db(), flow.id)) ?? flow;
    return stepPath(nextStep(fresh, await userFactors(fresh)));
  }
  if (used === "recovery-code") return "/recovery-codes";
  if (enrolledNow && (await remainingRecoveryCodes(db(), { host: flow.host, sub: flow.sub })) === 0) return "/recovery-codes";
  return offerPath(flow, used);
}

/** The passkey offer, or straight on to Auth0. */
export async function offerPath(flow: Flow, used: FactorId | undefined): Promise<string> {
  if (used?.startsWith("webauthn")) return "/continue";
  const f = await userFactors(flow);
  return f.enrolled.includes("webauthn-platform") ? "/continue" : "/upgrade";
}
