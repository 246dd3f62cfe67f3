import { audit, auditWho } from "@/lib/audit";
import { notifyUser } from "@/lib/delivery/wiring";
import { issueRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import type { FactorCtx } from "@/lib/factors/types";
import { swapPending } from "./repo";

const aad = (flowId: string) => `flow:${flowId}:recovery`;

/**
 * Issues a new set (invalidating the old one), audits it, tells the user, and returns it sealed
 * for the flow (shown once on the recovery-codes step). Callers have checked with nextStep that
 * the flow may bind (a fresh proof of the user's tier).
 */
export async function issueSealedCodes(ctx: FactorCtx): Promise<string> {
  const codes = await issueRecoveryCodes(ctx.db, ctx.env.keys, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }, ctx.now);
  await audit(ctx.db, { event: "recovery.issued", ...auditWho(ctx.flow, "recovery-code"), outcome: "success" });
  await notifyUser(ctx, "recoveryIssued");
  return ctx.env.keys.seal("flow", Buffer.from(JSON.stringify(codes)), aad(ctx.flow.id));
}

/** "Generate new codes" on the recovery-codes or manage step: a new set, sealed onto the flow. */
export async function regenerateCodes(ctx: FactorCtx): Promise<boolean> {
  // Finished is final, and a flow without a proof binds nothing (the action asked nextStep too).
  if (ctx.flow.status !== "active" || !ctx.flow.pending.verified) return false;
  const sealed = await issueSealedCodes(ctx);
  const pending = { ...ctx.flow.pending, recoveryCodes: sealed };
  if (!(await swapPending(ctx.db, ctx.flow, pending))) return false;
  ctx.flow = { ...ctx.flow, pending };
  return true;
}

/** The codes issued in this flow and not yet confirmed as saved, if any. */
export function sealedCodes(ctx: FactorCtx): string[] | null {
  const sealed = ctx.flow.pending.recoveryCodes;
  return sealed ? (JSON.parse(ctx.env.keys.open("flow", sealed, aad(ctx.flow.id)).toString()) as string[]) : null;
}
