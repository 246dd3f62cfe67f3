"use server";

import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import type { CodeFormState, SendState } from "@/lib/flow/results";
import { allowedCountries, parseDestination } from "@/lib/factors/channel";
import { supersedeCodes } from "@/lib/factors/code";
import { CHANNEL_IDS, descriptor, type ChannelId } from "@/lib/factors/registry";
import { sendErrorMessage, sendFlowCode } from "@/lib/flow/channel-send";
import { reactAction, requireFlowForAction } from "@/lib/flow/guard";
import { userFactors } from "@/lib/flow/user-factors";
import { nextStep, stepPath } from "@/lib/flow/next-step";
import { handleCodeSubmission } from "@/lib/flow/submit";
import { resendCode } from "@/lib/flow/forms";
import { appTranslator } from "@/lib/i18n/app";

const channelSchema = z.enum(CHANNEL_IDS as [ChannelId, ...ChannelId[]]);

/** The flow and its step, or a redirect when this channel is not the current step. */
async function channelStep(raw: unknown) {
  const channel = channelSchema.parse(raw);
  const ctx = await requireFlowForAction();
  const step = nextStep(ctx.flow, await userFactors(ctx.flow));
  if ((step.kind !== "enroll" && step.kind !== "challenge") || step.factor !== channel) redirect(stepPath(step));
  return { ctx, channel, purpose: step.kind === "enroll" ? ("enroll" as const) : ("challenge" as const) };
}

/** Checks an email or SMS code. */
export const submitChannelCode = reactAction(async function submitChannelCode(channel: unknown, _prev: unknown, form: unknown): Promise<CodeFormState> {
  return handleCodeSubmission(channelSchema.parse(channel), form);
});

/** Sends a new code (resend), honouring the cool-down and budgets (lib/flow/forms.ts). */
export const resendChannelCode = reactAction(async function resendChannelCode(channel: unknown, _prev: unknown, _form: unknown): Promise<SendState> {
  const { ctx, channel: c } = await channelStep(channel);
  return resendCode(ctx, c, await appTranslator("common.errors"));
});

const destinationInput = z.object({ destination: z.string().max(254), country: z.string().max(2).optional() });

/** Setup, first half: validate the address or number, then send it a code. */
export const startChannelSetup = reactAction(async function startChannelSetup(channel: unknown, _prev: unknown, form: unknown): Promise<SendState> {
  const { ctx, channel: c, purpose } = await channelStep(channel);
  const t = await getTranslations("common.errors");
  if (purpose !== "enroll") redirect(`/${c}`);
  const input = destinationInput.safeParse(form instanceof FormData ? Object.fromEntries(form) : form);
  if (!input.success) return { error: t(descriptor(c).channel!.destination === "email" ? "email_invalid" : "phone_invalid") };
  const dest = parseDestination(c, input.data.destination, input.data.country, allowedCountries(c, ctx.env));
  if (!dest.ok) return { error: t(dest.error) };
  const r = await sendFlowCode(ctx, c, "enroll", dest.value);
  if (!r.ok) return { error: sendErrorMessage(r, await appTranslator("common.errors")) };
  redirect(`/${c}/setup`);
});

/** Setup: go back to entering a different address or number (retires the pending code). */
export const changeDestination = reactAction(async function changeDestination(channel: unknown): Promise<void> {
  const { ctx, channel: c } = await channelStep(channel);
  await supersedeCodes(ctx.db, ctx.flow.id, c, ctx.now);
  redirect(`/${c}/setup`);
});
