import "server-only";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import type { CodeFormState } from "@/lib/flow/results";
import type { FactorId } from "@/lib/factors/registry";
import { submitCode, submitResponse } from "./attempt";
import { requireFlowForAction, userFactors } from "./guard";
import { nextStep, stepPath } from "./next-step";
import { pathAfter } from "./upgrade";

const input = z.object({ code: z.string().max(64), remember: z.literal("on").optional() });

/**
 * The body of every "enter your code" server action. Whether this is enrollment or a challenge
 * is decided on the server from the flow, never from the form.
 */
export async function handleCodeSubmission(factorId: FactorId, form: unknown, format: "digits" | "text" = "digits"): Promise<CodeFormState> {
  const t = await getTranslations("common.errors");
  const parsed = input.safeParse(form instanceof FormData ? Object.fromEntries(form) : form);
  if (!parsed.success) return { error: t("code_format") };
  const ctx = await requireFlowForAction();
  const step = nextStep(ctx.flow, await userFactors(ctx.flow));
  if ((step.kind !== "enroll" && step.kind !== "challenge") || step.factor !== factorId) redirect(stepPath(step));

  const mode = step.kind === "enroll" ? "setup" : "challenge";
  // Six-digit codes are checked for shape first; recovery codes are normalised by their factor.
  const opts = { remember: parsed.data.remember === "on" };
  const result = format === "digits" ? await submitCode(ctx, factorId, mode, parsed.data.code, opts) : await submitResponse(ctx, factorId, mode, parsed.data.code, opts);
  if (result.ok) redirect(await pathAfter(ctx, result));
  switch (result.error) {
    case "flow_ended":
      redirect("/ended");
    case "code_invalid":
      return { error: t("code_invalid", { remaining: result.remaining ?? 0 }) };
    case "rate_limited":
      return { error: t("rate_limited", { minutes: Math.ceil((result.retryAfterSeconds ?? 60) / 60) }) };
    case "setup_expired":
      // The page renders a new key on reload; tell the user why it changed.
      redirect(`${stepPath(step)}?expired=1`);
    default:
      return { error: t(result.error) };
  }
}
