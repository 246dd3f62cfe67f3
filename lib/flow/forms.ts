import { revokeAtAuth0 } from "@/lib/auth0/revoke";
import { z } from "zod";
import { audit, auditWho } from "@/lib/audit";
import { notifyUser } from "@/lib/delivery/wiring";
import { activeChallenge } from "@/lib/factors/code";
import { type ChannelId, FACTOR_IDS, type FactorId } from "@/lib/factors/registry";
import { sendErrorMessage, sendFlowCode } from "./channel-send";
import type { FactorCtx } from "@/lib/factors/types";
import type { Translate } from "@/lib/i18n/translate";
import { recordWasntMe } from "@/lib/users/signals";
import { submitCode, submitResponse } from "./attempt";
import { userFactors } from "./user-factors";
import { nextStep, options, stepPath } from "./next-step";
import { extendFlow, swapPending } from "./repo";
import { endFlow } from "./transition";
import { pathAfter } from "./upgrade";
import { arriveAt } from "./arrive";

/**
 * What the flow's forms do, whichever kind of screen posted them: a server action on a React
 * screen or a plain POST to an HTML-only one (lib/pages/screen.ts). Each answers where to go next,
 * or a message to show; the caller turns that into its framework's redirect or render.
 */
export type FormOutcome = { redirect: string } | { error: string };

/** The fields of a posted form, as strings (files and repeats ignored). */
export type Fields = Record<string, string>;

export function fieldsOf(form: unknown): Fields {
  if (form instanceof FormData || form instanceof URLSearchParams) {
    const out: Fields = {};
    for (const [k, v] of form.entries()) if (typeof v === "string" && !(k in out)) out[k] = v;
    return out;
  }
  return typeof form === "object" && form !== null ? Object.fromEntries(Object.entries(form).filter(([, v]) => typeof v === "string")) : {};
}

const codeInput = z.object({ code: z.string().max(64), remember: z.literal("on").optional() });

/**
 * "Enter your code". Whether this is enrollment or a challenge is decided from the flow, never
 * from the form. `t` words errors (namespace `common.errors`).
 */
export async function submitCodeForm(ctx: FactorCtx, factorId: FactorId, fields: Fields, t: Translate, format: "digits" | "text" = "digits"): Promise<FormOutcome> {
  const parsed = codeInput.safeParse(fields);
  if (!parsed.success) return { error: t("code_format") };
  const step = nextStep(ctx.flow, await userFactors(ctx.flow));
  if ((step.kind !== "enroll" && step.kind !== "challenge") || step.factor !== factorId) return { redirect: stepPath(step) };
  const mode = step.kind === "enroll" ? "enroll" : "challenge";
  // Six-digit codes are checked for shape first; recovery codes are normalised by their factor.
  const opts = { remember: parsed.data.remember === "on" };
  const result = format === "digits" ? await submitCode(ctx, factorId, mode, parsed.data.code, opts) : await submitResponse(ctx, factorId, mode, parsed.data.code, opts);
  if (result.ok) return { redirect: await pathAfter(ctx, result) };
  switch (result.error) {
    case "flow_ended":
      return { redirect: "/ended" };
    case "code_invalid":
      return { error: t("code_invalid", { remaining: result.remaining ?? 0 }) };
    case "rate_limited":
      return { error: t("rate_limited", { minutes: Math.ceil((result.retryAfterSeconds ?? 60) / 60) }) };
    case "setup_expired":
      // The page renders a new key on reload; tell the user why it changed.
      return { redirect: `${stepPath(step)}?expired=1` };
    default:
      return { error: t(result.error) };
  }
}

/** "Cancel sign-in": the flow ends as `denied` and the user goes back to Auth0, which tells the app `access_denied`. */
export async function cancelFlow(ctx: FactorCtx): Promise<{ redirect: string }> {
  if (await endFlow(ctx.db, ctx.flow, "cancelled")) await audit(ctx.db, { event: "flow.cancelled", ...auditWho(ctx.flow), outcome: "denied" });
  return { redirect: "/continue" };
}

/**
 * "This wasn't me": the user did not start this sign-in, so someone has their password. The flow
 * ends as denied, the report is audited and counted (rules can read the count), and the user's
 * known address gets an email telling them to change their password.
 */
export async function reportNotMe(ctx: FactorCtx): Promise<{ redirect: string }> {
  if (await endFlow(ctx.db, ctx.flow, "reported")) {
    await recordWasntMe(ctx.db, ctx.flow);
    await audit(ctx.db, { event: "flow.reported", ...auditWho(ctx.flow), outcome: "denied" });
    await notifyUser(ctx, "notMe");
    // Someone holds the password: any Auth0 session or refresh token they already have ends too.
    await revokeAtAuth0(ctx.db, ctx.env, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }, "reported", { now: ctx.now });
  }
  return { redirect: "/ended" };
}

/** "Keep me signed in": extends the flow's time limit; answers the new end. */
export async function extendSignIn(ctx: FactorCtx): Promise<number> {
  return (await extendFlow(ctx.db, ctx.flow, ctx.env.flowTtlSeconds, undefined, ctx.now)) ?? ctx.flow.expiresAt;
}

const choiceInput = z.object({ factor: z.enum(FACTOR_IDS), mode: z.enum(["enroll", "challenge"]) });

/** The picker: records the method chosen; only methods the policy offers this user are accepted. */
export async function chooseMethod(ctx: FactorCtx, fields: Fields): Promise<{ redirect: string }> {
  const parsed = choiceInput.safeParse(fields);
  const uf = await userFactors(ctx.flow);
  let flow = ctx.flow;
  if (parsed.success && options(flow, uf)[parsed.data.mode].includes(parsed.data.factor)) {
    const pending = { ...flow.pending, choice: parsed.data };
    if (await swapPending(ctx.db, flow, pending)) flow = { ...flow, pending };
  }
  const step = nextStep(flow, uf);
  await arriveAt({ ...ctx, flow }, step);
  return { redirect: stepPath(step) };
}

/** "Send a new code" for a channel's step (setup or challenge), honouring the cool-down and budgets; `t` is `common.errors`. */
export async function resendCode(ctx: FactorCtx, channel: ChannelId, t: Translate): Promise<{ resendAt: number } | { error: string; resendAt?: number }> {
  const step = nextStep(ctx.flow, await userFactors(ctx.flow));
  const purpose = step.kind === "enroll" ? "enroll" : "challenge";
  const live = await activeChallenge(ctx.db, ctx.flow.id, channel, ctx.now);
  const r = await sendFlowCode(ctx, channel, purpose, purpose === "enroll" ? live?.destination : undefined);
  return r.ok ? { resendAt: r.resendAt } : { error: sendErrorMessage(r, t), ...(r.error === "cooldown" ? { resendAt: ctx.now + (r.retryAfterMs ?? 0) } : {}) };
}
