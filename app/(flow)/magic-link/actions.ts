"use server";

import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import type { SendState } from "@/lib/flow/results";
import { submitResponse } from "@/lib/flow/attempt";
import { sendErrorMessage } from "@/lib/flow/channel-send";
import { reactAction, requireStep } from "@/lib/flow/guard";
import { sendFlowLink } from "@/lib/flow/magic";
import { pathAfter } from "@/lib/flow/upgrade";
import { appTranslator } from "@/lib/i18n/app";

/** Finishes the flow in the browser that owns it, once its link was confirmed (here or elsewhere). */
export const finishMagicLink = reactAction(async function finishMagicLink(_prev: unknown, _form: unknown): Promise<{ error?: string }> {
  const { ctx } = await requireStep("challenge", "magic-link");
  const r = await submitResponse(ctx, "magic-link", "challenge", "");
  if (r.ok) redirect(await pathAfter(ctx, r));
  if (r.error === "flow_ended") redirect("/ended");
  const t = await getTranslations("magic");
  return { error: t("notYet") };
});

/** Sends a new link (the old one stops working). */
export const resendMagicLink = reactAction(async function resendMagicLink(_prev: unknown, _form: unknown): Promise<SendState> {
  const { ctx } = await requireStep("challenge", "magic-link");
  const r = await sendFlowLink(ctx);
  if (r.ok) redirect("/magic-link");
  return { error: sendErrorMessage(r, await appTranslator("common.errors")), resendAt: r.error === "cooldown" ? ctx.now + (r.retryAfterMs ?? 0) : undefined };
});
