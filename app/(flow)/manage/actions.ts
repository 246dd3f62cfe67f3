"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { currentStep, reactAction } from "@/lib/flow/guard";
import { forgetDevices, removeAuthenticator, renameAuthenticator } from "@/lib/flow/manage";
import { stepPath } from "@/lib/flow/next-step";
import { passStep } from "@/lib/flow/transition";
import { audit, auditWho } from "@/lib/audit";
import type { FactorCtx } from "@/lib/factors/types";

const idInput = z.object({ id: z.string().min(1).max(64) });

/** Management acts only while nextStep says `manage`: a fresh proof, of the user's tier, that meets the login policy. */
async function managing(): Promise<FactorCtx> {
  const { ctx, step } = await currentStep();
  if (step.kind !== "manage") redirect(stepPath(step));
  return ctx;
}

const fields = (form: unknown) => (form instanceof FormData ? Object.fromEntries(form) : {});

export const renameFactor = reactAction(async function renameFactor(form: unknown): Promise<void> {
  const ctx = await managing();
  const parsed = idInput.extend({ name: z.string().max(500) }).safeParse(fields(form));
  const result = parsed.success ? await renameAuthenticator(ctx, parsed.data.id, parsed.data.name) : "name_invalid";
  redirect(`/manage?result=${result}`);
});

export const removeFactor = reactAction(async function removeFactor(form: unknown): Promise<void> {
  const ctx = await managing();
  const parsed = idInput.safeParse(fields(form));
  redirect(`/manage?result=${parsed.success ? await removeAuthenticator(ctx, parsed.data.id) : "not_found"}`);
});

export const forgetAllDevices = reactAction(async function forgetAllDevices(): Promise<void> {
  const ctx = await managing();
  redirect(`/manage?result=${await forgetDevices(ctx)}`);
});

/** "Done": management ends; the flow completes with what was proved (and bound) in it, through nextStep. */
export const finishManaging = reactAction(async function finishManaging(): Promise<void> {
  const ctx = await managing();
  await audit(ctx.db, { event: "manage.done", ...auditWho(ctx.flow), outcome: "success" });
  redirect(stepPath(await passStep(ctx, { manageDone: true })));
});
