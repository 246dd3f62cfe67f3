import type { FactorCtx } from "@/lib/factors/types";
import { userFactors } from "./user-factors";
import { nextStep, stepPath } from "./next-step";
import { findFlow } from "./repo";
import { arriveAt } from "./arrive";

/** Devices that said "not now" to the passkey offer: remembered 30 days in this cookie (read at entry). */
export const UPGRADE_LATER_COOKIE = "__Host-keystep_passkey_later";
export const UPGRADE_LATER_DAYS = 30;

/**
 * Where the user goes after an attempt: the flow is read again and nextStep decides (recovery
 * codes, a setup, the passkey offer, managing, or back to Auth0). A completed flow goes straight
 * on from what the request knew.
 */
export async function pathAfter(ctx: FactorCtx, r: { ok: true; continued?: true }): Promise<string> {
  if (!r.continued) return "/continue";
  const fresh = (await findFlow(ctx.db, ctx.flow.id)) ?? ctx.flow;
  const step = nextStep(fresh, await userFactors(fresh, ctx.db, ctx.env));
  await arriveAt({ ...ctx, flow: fresh }, step);
  return stepPath(step);
}
