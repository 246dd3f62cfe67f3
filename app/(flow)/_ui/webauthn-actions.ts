"use server";

import { getTranslations } from "next-intl/server";
import { z } from "zod";
import type { WebAuthnStep } from "@/lib/flow/results";
import { factor } from "@/lib/factors/impl";
import { submitResponse } from "@/lib/flow/attempt";
import { requireFlowForAction } from "@/lib/flow/guard";
import { userFactors } from "@/lib/flow/user-factors";
import { nextStep, stepPath } from "@/lib/flow/next-step";
import { pathAfter } from "@/lib/flow/upgrade";

const factorSchema = z.enum(["webauthn-platform", "webauthn-roaming"]);

async function current(raw: unknown) {
  const id = factorSchema.parse(raw);
  const ctx = await requireFlowForAction();
  const step = nextStep(ctx.flow, await userFactors(ctx.flow));
  const here = (step.kind === "enroll" || step.kind === "challenge") && step.factor === id;
  return { id, ctx, step, here };
}

/** Creation or request options for the flow's current WebAuthn step (the challenge is stored on the flow). */
export async function webauthnOptions(raw: unknown): Promise<WebAuthnStep> {
  const { id, ctx, step, here } = await current(raw);
  if (!here) return { next: stepPath(step) };
  const f = await factor(id);
  return { options: step.kind === "enroll" ? await f.beginSetup!(ctx) : await f.beginChallenge!(ctx) };
}

/** Verifies the browser's WebAuthn response for the flow's current step. */
export async function webauthnFinish(raw: unknown, response: unknown, remember?: unknown): Promise<WebAuthnStep> {
  const { id, ctx, step, here } = await current(raw);
  if (!here) return { next: stepPath(step) };
  const t = await getTranslations("common.errors");
  if (typeof response !== "string" || response.length > 20_000) return { error: t("webauthn_invalid") };
  const r = await submitResponse(ctx, id, step.kind === "enroll" ? "setup" : "challenge", response, { remember: remember === true });
  if (r.ok) return { next: await pathAfter(ctx, r) };
  if (r.error === "flow_ended") return { next: "/ended" };
  if (r.error === "rate_limited") return { error: t("rate_limited", { minutes: Math.ceil((r.retryAfterSeconds ?? 60) / 60) }) };
  return { error: t("webauthn_invalid") };
}
