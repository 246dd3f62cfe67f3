"use server";

import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { audit } from "@/lib/audit";
import { swapPending } from "@/lib/flow/repo";
import { sealNewCodes } from "@/lib/flow/recovery";
import { requireFlowForAction } from "@/lib/flow/guard";
import { offerPath } from "@/lib/flow/upgrade";
import { canManage } from "@/lib/flow/manage";
import type { FactorCtx } from "@/lib/factors/types";
import type { FactorId } from "@/lib/factors/ids";

/** Recovery codes are issued after a successful sign-in, or from self-service management. */
async function successfulFlow(): Promise<FactorCtx> {
  const ctx = await requireFlowForAction();
  if (ctx.flow.outcome !== "success" && !canManage(ctx)) redirect("/continue");
  return ctx;
}

/** "Generate new codes": the old set stops working at once. */
export async function regenerateRecoveryCodes(): Promise<void> {
  const ctx = await successfulFlow();
  await sealNewCodes(ctx);
  await audit(ctx.db, { event: "recovery.regenerated", auth0Host: ctx.flow.host, sub: ctx.flow.sub, flowId: ctx.flow.id, factor: "recovery-code", ip: ctx.flow.context.ip, userAgent: ctx.flow.context.userAgent });
  redirect("/recovery-codes");
}

/** "I have saved these codes": forget the plain copy and move on. */
export async function confirmSaved(_prev: unknown, form: unknown): Promise<{ error?: string }> {
  const ctx = await successfulFlow();
  const t = await getTranslations("recovery");
  if (!(form instanceof FormData) || form.get("saved") !== "on") return { error: t("mustConfirm") };
  const { recoveryCodes: _gone, ...rest } = ctx.flow.pending;
  await swapPending(ctx.db, ctx.flow, rest);
  redirect(canManage(ctx) ? "/manage" : await offerPath(ctx.flow, ctx.flow.result?.amr[0] as FactorId | undefined));
}
