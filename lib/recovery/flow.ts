import { z } from "zod";
import { audit, auditWho } from "@/lib/audit";
import { codeDelivery } from "@/lib/flow/channel-send";
import { listAll } from "@/lib/factors/authenticators";
import { checkCode, sendCode } from "@/lib/factors/code";
import type { FactorCtx } from "@/lib/factors/types";
import { sendErrorMessage } from "@/lib/flow/channel-send";
import type { Fields, FormOutcome } from "@/lib/flow/forms";
import { MAX_FLOW_FAILURES } from "@/lib/flow/limits";
import type { UserFactors } from "@/lib/flow/next-step";
import { nextStep, stepPath } from "@/lib/flow/next-step";
import { swapPending } from "@/lib/flow/repo";
import { countFailure, endFlow } from "@/lib/flow/transition";
import { userFactors } from "@/lib/flow/user-factors";
import type { Flow, Step } from "@/lib/flow/types";
import type { Translate } from "@/lib/i18n/translate";
import { DEFAULT_RECOVERY_WAIT_HOURS } from "@/lib/policy/schema";
import { offersRecovery } from "./offer";
import { flowDevice, requestRecovery, standing, type RecoveryDeps } from "./requests";

/*
 * The flow side of "I can't use any of my methods" (pages/recovery.tsx). The screen is reached
 * from a challenge, never instead of one: nextStep still says where the flow stands, and this
 * screen shows only while that step is a challenge or the picker before any proof (or the flow's
 * end because every factor is disabled), and after the flow ended with `recovery_pending`.
 * Proving the email here never proves the sign-in: its code has the purpose `recovery`, which no
 * challenge accepts, and a verified request ends the flow as denied.
 */

/** The policy's recovery settings for this flow (defaults for flows opened before they existed). */
export function recoverySettings(flow: Flow): { selfService: boolean; waitHours: number } {
  return flow.context.policy?.recovery ?? { selfService: true, waitHours: DEFAULT_RECOVERY_WAIT_HOURS };
}

/** Whether the flow may offer or show self-service recovery now. */
export function recoveryHere(step: Step, flow: Flow, f: UserFactors): boolean {
  if (step.kind === "ended" && step.reason === "recovery_pending") return true;
  if (!offersRecovery(flow, f)) return false;
  return (step.kind === "challenge" && !step.gate) || step.kind === "choose" || (step.kind === "ended" && step.reason === "recovery_required");
}

/** The address a request proves: the token's verified email, else the user's email factor (even a disabled one). */
export async function recoveryEmail(ctx: FactorCtx): Promise<string | null> {
  const claims = ctx.flow.context.claims;
  if (claims.email && claims.email_verified === true) return claims.email.toLowerCase();
  const saved = (await listAll(ctx.db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub })).find((a) => a.factor === "email" && a.destination);
  return saved?.destination?.toLowerCase() ?? null;
}

const codeInput = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/),
});

/**
 * The screen's two forms: `send` (a code to the verified email) and `verify` (the code). Before a
 * request, the code opens one and ends the flow. With this browser's request ripe, the code starts
 * the finish: the flow records it (Pending.recovery) and goes to setting up a new factor, and the
 * request completes when the flow does (lib/flow/transition.ts). `t` is the root translator.
 */
export async function recoveryForm(ctx: FactorCtx, deps: RecoveryDeps, fields: Fields, t: (namespace: string) => Translate, locale: string): Promise<FormOutcome> {
  const errors = t("common.errors");
  const r = t("selfRecovery");
  const who = auditWho(ctx.flow, "email");
  // An open request (from this browser or another) takes no new code and no second request.
  const open = await standing(ctx.db, ctx.env.keys, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }, flowDevice(ctx.flow.context), ctx.now);
  if (open.kind !== "none" && open.kind !== "ready") return { redirect: "/recovery" };
  const email = await recoveryEmail(ctx);
  if (!email) return { error: r("refused.no_email") };
  if (fields.intent === "send") {
    const sent = await sendCode(ctx, codeDelivery(), "email", "recovery", email);
    await audit(ctx.db, { event: sent.ok ? "recovery.code_sent" : "recovery.code_not_sent", ...who, outcome: sent.ok ? "sent" : sent.error });
    return sent.ok ? { redirect: "/recovery" } : { error: sendErrorMessage(sent, errors) };
  }
  if (fields.intent !== "verify") return { redirect: "/recovery" };
  const parsed = codeInput.safeParse(fields);
  if (!parsed.success) return { error: errors("code_format") };
  const checked = await checkCode(ctx, "email", "recovery", parsed.data.code);
  if (!checked.ok) {
    if (checked.error !== "code_invalid") return { error: errors("code_expired") };
    const failed = await countFailure(ctx.db, ctx.flow, who, { event: "recovery.code_failed", outcome: "code_invalid" }, ctx.now);
    if (failed.ended) return { redirect: "/ended" };
    return { error: errors("code_invalid", { remaining: MAX_FLOW_FAILURES - failed.failures }) };
  }
  if (open.kind === "ready") return beginFinish(ctx, open.id);
  const settings = recoverySettings(ctx.flow);
  const c = ctx.flow.context;
  const opened = await requestRecovery(
    deps,
    {
      user: { tenant: ctx.flow.tenant, sub: ctx.flow.sub },
      email,
      deviceHash: c.deviceHash,
      userAgent: c.userAgent,
      ip: c.ip,
      locale,
      selfService: settings.selfService,
      waitHours: settings.waitHours,
    },
    ctx.now,
  );
  if (!opened.ok) return { error: r(`refused.${opened.reason}`) };
  // A verified request grants nothing: the sign-in ends as denied, and the app hears access_denied.
  await endFlow(ctx.db, ctx.flow, "recovery_pending", ctx.now);
  return { redirect: "/recovery" };
}

/** The email was proved again for this browser's ripe request: the flow goes on to a new factor. */
export async function beginFinish(ctx: FactorCtx, requestId: string): Promise<FormOutcome> {
  const { choice: _choice, ...rest } = ctx.flow.pending;
  const pending = { ...rest, recovery: { requestId, at: ctx.now } };
  if (!(await swapPending(ctx.db, ctx.flow, pending))) return { redirect: "/recovery" };
  await audit(ctx.db, { event: "recovery.email_proved", ...auditWho(ctx.flow, "email"), outcome: "success", detail: { requestId } });
  const flow = { ...ctx.flow, pending };
  return { redirect: stepPath(nextStep(flow, await userFactors(flow, ctx.db, ctx.env, ctx.now), ctx.now)) };
}
