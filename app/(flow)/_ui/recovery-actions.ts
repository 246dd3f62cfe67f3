"use server";

import { redirect } from "next/navigation";
import { currentStep } from "@/lib/flow/guard";
import { stepPath } from "@/lib/flow/next-step";
import { regenerateCodes } from "@/lib/flow/recovery";

/**
 * "Generate new codes": the old set stops working at once. Allowed only where nextStep says so:
 * on the recovery-codes step after a recovery code was used, or in management, with a fresh proof
 * of the user's tier. A login that policy let through, or a finished flow, never gets here.
 */
export async function regenerateRecoveryCodes(): Promise<void> {
  const { ctx, step } = await currentStep();
  const may = (step.kind === "recovery-codes" && step.regenerate) || step.kind === "manage";
  if (!may) redirect(stepPath(step));
  await regenerateCodes(ctx);
  redirect("/recovery-codes");
}
