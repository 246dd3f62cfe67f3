"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import type { WebAuthnStep } from "@/lib/flow/results";
import { audit, auditWho } from "@/lib/audit";
import { passkeyFactor } from "@/lib/factors/webauthn/factor";
import type { FactorCtx } from "@/lib/factors/types";
import { submitResponse } from "@/lib/flow/attempt";
import { currentStep } from "@/lib/flow/guard";
import { stepPath } from "@/lib/flow/next-step";
import { passStep } from "@/lib/flow/transition";
import { pathAfter, UPGRADE_LATER_COOKIE, UPGRADE_LATER_DAYS } from "@/lib/flow/upgrade";

/** The offer's actions run only while nextStep says `offer-passkey` (a fresh proof, no passkey yet). */
async function offerStep(): Promise<{ ctx: FactorCtx } | { next: string }> {
  const { ctx, step } = await currentStep();
  return step.kind === "offer-passkey" ? { ctx } : { next: stepPath(step) };
}

const who = (ctx: FactorCtx) => auditWho(ctx.flow, "webauthn-platform");

export async function upgradeOptions(): Promise<WebAuthnStep> {
  const s = await offerStep();
  return "next" in s ? { next: s.next } : { options: await passkeyFactor.beginSetup(s.ctx) };
}

/**
 * Saves the new passkey through the same setup path as every factor (audit `factor.added`, the
 * notice email, `enrolled` in the result), then goes where nextStep says.
 */
export async function upgradeFinish(response: unknown): Promise<WebAuthnStep> {
  const s = await offerStep();
  if ("next" in s) return { next: s.next };
  const t = await getTranslations("common.errors");
  if (typeof response !== "string" || response.length > 20_000) return { error: t("webauthn_invalid") };
  const r = await submitResponse(s.ctx, "webauthn-platform", "setup", response);
  if (!r.ok) return r.error === "flow_ended" ? { next: "/ended" } : { error: t("webauthn_invalid") };
  await audit(s.ctx.db, { ...who(s.ctx), event: "upgrade.accepted", outcome: "created" });
  return { next: await pathAfter(s.ctx, r) };
}

/** "Not now": remembered on this device for 30 days, and the flow goes on. */
export async function dismissUpgrade(): Promise<void> {
  const s = await offerStep();
  if ("next" in s) redirect(s.next);
  (await cookies()).set(UPGRADE_LATER_COOKIE, "1", { httpOnly: true, secure: true, sameSite: "lax", path: "/", maxAge: UPGRADE_LATER_DAYS * 86_400 });
  await audit(s.ctx.db, { ...who(s.ctx), event: "upgrade.dismissed", outcome: "later" });
  redirect(stepPath(await passStep(s.ctx, { offerDone: true })));
}

/** This device cannot make a passkey: go on without asking, and without snoozing other devices. */
export async function skipUpgrade(): Promise<void> {
  const s = await offerStep();
  if ("next" in s) redirect(s.next);
  redirect(stepPath(await passStep(s.ctx, { offerDone: true })));
}
