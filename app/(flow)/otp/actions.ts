"use server";

import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import type { CodeFormState } from "@/components/CodeForm";
import { submitCode } from "@/lib/flow/attempt";
import { enrolledFactors, requireFlowForAction } from "@/lib/flow/guard";
import { nextStep, stepPath } from "@/lib/flow/next-step";

const input = z.object({ code: z.string().max(64) });

/**
 * Checks an authenticator-app code. Whether this is enrollment or a challenge is decided on the
 * server from the flow, never from the form.
 */
export async function submitOtpCode(_prev: unknown, form: unknown): Promise<CodeFormState> {
  const t = await getTranslations("common.errors");
  const parsed = input.safeParse(form instanceof FormData ? Object.fromEntries(form) : form);
  if (!parsed.success) return { error: t("code_format") };
  const ctx = await requireFlowForAction();
  const step = nextStep(ctx.flow, await enrolledFactors(ctx.flow.host, ctx.flow.sub));
  if ((step.kind !== "enroll" && step.kind !== "challenge") || step.factor !== "otp") redirect(stepPath(step));

  const result = await submitCode(ctx, "otp", step.kind === "enroll" ? "setup" : "challenge", parsed.data.code);
  if (result.ok) redirect("/continue");
  switch (result.error) {
    case "flow_ended":
      redirect("/ended");
    case "code_invalid":
      return { error: t("code_invalid", { remaining: result.remaining ?? 0 }) };
    case "rate_limited":
      return { error: t("rate_limited", { minutes: Math.ceil((result.retryAfterSeconds ?? 60) / 60) }) };
    case "setup_expired":
      // The page renders a new key on reload; tell the user why it changed.
      redirect("/otp/setup?expired=1");
    default:
      return { error: t(result.error) };
  }
}
