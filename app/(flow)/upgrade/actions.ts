"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import type { WebAuthnStep } from "@/components/WebAuthnButton";
import { audit } from "@/lib/audit";
import { passkeyFactor } from "@/lib/factors/webauthn";
import { requireFlowForAction, userFactors } from "@/lib/flow/guard";
import { UPGRADE_LATER_COOKIE, UPGRADE_LATER_DAYS } from "@/lib/flow/upgrade";
import type { FactorCtx } from "@/lib/factors/types";

/** The offer applies only to a successful flow whose user has no passkey yet. */
async function eligible(): Promise<FactorCtx | null> {
  const ctx = await requireFlowForAction();
  if (ctx.flow.outcome !== "success") return null;
  return (await userFactors(ctx.flow)).enrolled.includes("webauthn-platform") ? null : ctx;
}

const who = (ctx: FactorCtx) => ({ auth0Host: ctx.flow.host, sub: ctx.flow.sub, flowId: ctx.flow.id, factor: "webauthn-platform", ip: ctx.flow.context.ip, userAgent: ctx.flow.context.userAgent });

export async function upgradeOptions(): Promise<WebAuthnStep> {
  const ctx = await eligible();
  return ctx ? { options: await passkeyFactor.beginSetup(ctx) } : { next: "/continue" };
}

/** Saves the new passkey and adds it to the result's `enrolled`, then returns to Auth0. */
export async function upgradeFinish(response: unknown): Promise<WebAuthnStep> {
  const ctx = await eligible();
  if (!ctx) return { next: "/continue" };
  const t = await getTranslations("common.errors");
  if (typeof response !== "string" || response.length > 20_000) return { error: t("webauthn_invalid") };
  const r = await passkeyFactor.finishSetup(ctx, response);
  if (!r.ok) return { error: t("webauthn_invalid") };
  const result = ctx.flow.result ?? { amr: [], enrolled: [] };
  await ctx.db.updateTable("flows").set({ result: JSON.stringify({ ...result, enrolled: [...result.enrolled, "webauthn-platform"] }) }).where("id", "=", ctx.flow.id).execute();
  await audit(ctx.db, { ...who(ctx), event: "upgrade.accepted", outcome: "created" });
  return { next: "/continue" };
}

/** "Not now": remembered on this device for 30 days, and the return to Auth0 is immediate. */
export async function dismissUpgrade(): Promise<void> {
  const ctx = await eligible();
  (await cookies()).set(UPGRADE_LATER_COOKIE, "1", { httpOnly: true, secure: true, sameSite: "lax", path: "/", maxAge: UPGRADE_LATER_DAYS * 86_400 });
  if (ctx) await audit(ctx.db, { ...who(ctx), event: "upgrade.dismissed", outcome: "later" });
  redirect("/continue");
}
