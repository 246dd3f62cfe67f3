"use server";

import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { currentStep, reactAction } from "@/lib/flow/guard";
import { stepPath } from "@/lib/flow/next-step";
import { passStep } from "@/lib/flow/transition";

/** "I have saved these codes": forget the plain copy and move on. */
export const confirmSaved = reactAction(async function confirmSaved(_prev: unknown, form: unknown): Promise<{ error?: string }> {
  const { ctx, step } = await currentStep();
  if (step.kind !== "recovery-codes") redirect(stepPath(step));
  const t = await getTranslations("recovery");
  if (!(form instanceof FormData) || form.get("saved") !== "on") return { error: t("mustConfirm") };
  redirect(stepPath(await passStep(ctx, { recoveryDone: true })));
});

/** "Continue" after seeing how many codes remain. */
export const continueFromCodes = reactAction(async function continueFromCodes(): Promise<void> {
  const { ctx, step } = await currentStep();
  if (step.kind !== "recovery-codes") redirect(stepPath(step));
  redirect(stepPath(await passStep(ctx, { recoveryDone: true })));
});
