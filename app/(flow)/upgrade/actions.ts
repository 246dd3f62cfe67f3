"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { audit, auditWho } from "@/lib/audit";
import type { FactorCtx } from "@/lib/factors/types";
import { currentStep, reactAction } from "@/lib/flow/guard";
import { stepPath } from "@/lib/flow/next-step";
import { passStep } from "@/lib/flow/transition";
import { UPGRADE_LATER_COOKIE, UPGRADE_LATER_DAYS } from "@/lib/flow/upgrade";

/** The offer's actions run only while nextStep says `offer-passkey` (a fresh proof, no passkey yet). */
async function offerStep(): Promise<{ ctx: FactorCtx } | { next: string }> {
  const { ctx, step } = await currentStep();
  return step.kind === "offer-passkey" ? { ctx } : { next: stepPath(step) };
}

const who = (ctx: FactorCtx) => auditWho(ctx.flow, "webauthn-platform");

// Creating the passkey goes through the one WebAuthn API (/api/webauthn/webauthn-platform,
// lib/flow/webauthn-ceremony.ts), which accepts the offer step and audits `upgrade.accepted`.

/** "Not now": remembered on this device for 30 days, and the flow goes on. */
export const dismissUpgrade = reactAction(async function dismissUpgrade(): Promise<void> {
  const s = await offerStep();
  if ("next" in s) redirect(s.next);
  (await cookies()).set(UPGRADE_LATER_COOKIE, "1", { httpOnly: true, secure: true, sameSite: "lax", path: "/", maxAge: UPGRADE_LATER_DAYS * 86_400 });
  await audit(s.ctx.db, { ...who(s.ctx), event: "upgrade.dismissed", outcome: "later" });
  redirect(stepPath(await passStep(s.ctx, { offerDone: true })));
});

/** This device cannot make a passkey: go on without asking, and without snoozing other devices. */
export const skipUpgrade = reactAction(async function skipUpgrade(): Promise<void> {
  const s = await offerStep();
  if ("next" in s) redirect(s.next);
  redirect(stepPath(await passStep(s.ctx, { offerDone: true })));
});
