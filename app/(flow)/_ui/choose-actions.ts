"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { FACTOR_IDS } from "@/lib/factors/registry";
import { swapPending } from "@/lib/flow/repo";
import { requireFlowForAction, userFactors } from "@/lib/flow/guard";
import { nextStep, options, stepPath } from "@/lib/flow/next-step";

const input = z.object({ factor: z.enum(FACTOR_IDS), mode: z.enum(["enroll", "challenge"]) });

/** Records the method the user picked; only methods the policy offers them are accepted. */
export async function chooseMethod(form: unknown): Promise<void> {
  const ctx = await requireFlowForAction();
  const parsed = input.safeParse(form instanceof FormData ? Object.fromEntries(form) : form);
  const uf = await userFactors(ctx.flow);
  if (parsed.success && options(ctx.flow, uf)[parsed.data.mode].includes(parsed.data.factor)) {
    const pending = { ...ctx.flow.pending, choice: parsed.data };
    if (await swapPending(ctx.db, ctx.flow, pending)) ctx.flow = { ...ctx.flow, pending };
  }
  redirect(stepPath(nextStep(ctx.flow, uf)));
}
