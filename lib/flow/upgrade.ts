import "server-only";
import type { FactorId } from "@/lib/factors/ids";
import { userFactors } from "./guard";
import type { Flow } from "./types";

/** Devices that said "not now" to the passkey offer: remembered 30 days in this cookie. */
export const UPGRADE_LATER_COOKIE = "__Host-keystep_passkey_later";
export const UPGRADE_LATER_DAYS = 30;

/**
 * Where a successful verification goes: the passkey offer when the user has no passkey yet and
 * did not just use one, otherwise straight back to Auth0.
 */
export async function afterSuccessPath(flow: Flow, used: FactorId): Promise<string> {
  if (used.startsWith("webauthn")) return "/continue";
  const f = await userFactors(flow);
  return f.enrolled.includes("webauthn-platform") ? "/continue" : "/upgrade";
}
