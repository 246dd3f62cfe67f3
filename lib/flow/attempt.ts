import "server-only";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { factor } from "@/lib/factors/registry";
import type { FactorId } from "@/lib/factors/ids";
import type { CheckError, CheckResult, FactorCtx } from "@/lib/factors/types";
import { USER_OTP_FAILURES, withFailureBudget } from "@/lib/security/attempts";
import { appDeviceHash, recordDeviceMfa } from "@/lib/devices/repo";
import { notifyUser } from "@/lib/factors/delivery";
import { userFactors } from "./guard";
import { nextStep } from "./next-step";
import { addFlowFailure, completeFlow, findFlow, swapPending } from "./repo";
import type { Flow, Pending } from "./types";

/** Wrong codes allowed in one flow before it ends (issue #2). */
export const MAX_FLOW_FAILURES = 5;

/**
 * What the person is told. `code_reused` is not among them: a used code answers exactly like a
 * wrong one (same error, same `remaining`), so the answer never confirms that a code was right.
 * The audit trail keeps the difference.
 */
export type AttemptError = Exclude<CheckError, "code_reused"> | "code_format" | "rate_limited" | "flow_ended";
export type AttemptResult =
  /** `continued`: the flow has steps left (e.g. a setup the policy forces), so it did not complete. */
  | { ok: true; continued?: true }
  | { ok: false; error: AttemptError; remaining?: number; retryAfterSeconds?: number };

// People paste codes with spaces or dashes; only the digits matter.
const codeSchema = z
  .string()
  .max(32)
  .transform((s) => s.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^\d{6}$/));

/** Checks one submitted code (six digits) for a factor, with every guard of {@link runAttempt}. */
export async function submitCode(ctx: FactorCtx, factorId: FactorId, mode: "setup" | "challenge", raw: unknown, opts: AttemptOptions = {}): Promise<AttemptResult> {
  const parsed = codeSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: "code_format" };
  return submitResponse(ctx, factorId, mode, parsed.data, opts);
}

export interface AttemptOptions {
  /** The user ticked "Don't ask again on this device" (honoured only where policy offers it). */
  remember?: boolean;
}

/** Checks a factor response (a code, or a WebAuthn response as JSON) in setup or challenge mode. */
export async function submitResponse(ctx: FactorCtx, factorId: FactorId, mode: "setup" | "challenge", response: string, opts: AttemptOptions = {}): Promise<AttemptResult> {
  const f = factor(factorId);
  return runAttempt(ctx, factorId, mode, (c) => (mode === "setup" ? f.finishSetup(c, response) : f.verify(c, response)), opts);
}

/**
 * Runs one check with every guard around it: per-user pacing (challenge only: setup proves a
 * key the user was just given), per-flow failure cap, audit, and the flow's completion on success.
 */
export async function runAttempt(ctx: FactorCtx, factorId: FactorId, mode: "setup" | "challenge", run: (c: FactorCtx) => Promise<CheckResult>, opts: AttemptOptions = {}): Promise<AttemptResult> {
  const { db, flow } = ctx;
  const who = { auth0Host: flow.host, sub: flow.sub, flowId: flow.id, factor: factorId, ip: flow.context.ip, userAgent: flow.context.userAgent };

  let check: CheckResult;
  if (mode === "challenge") {
    const budgeted = await withFailureBudget(db, `otp-failures:${flow.host}|${flow.sub}`, USER_OTP_FAILURES, ctx.now, async (trx) => {
      const value = await run({ ...ctx, db: trx });
      return { value, failed: !value.ok };
    });
    if (budgeted.blocked) {
      await audit(db, { ...who, event: "challenge.rate_limited", outcome: "blocked" });
      return { ok: false, error: "rate_limited", retryAfterSeconds: Math.ceil(budgeted.retryAfterMs / 1000) };
    }
    check = budgeted.value;
  } else {
    check = await run(ctx);
  }
  if (check.ok) {
    const outcome = await succeed(ctx, factorId, mode, check.amr ?? [factorId], opts);
    if (!outcome) return { ok: false, error: "flow_ended" };
    await audit(db, { ...who, event: mode === "setup" ? "enroll.success" : "challenge.success", outcome: "success" });
    if (mode === "setup") {
      await audit(db, { ...who, event: "factor.added", outcome: "success" });
      await notifyUser(ctx, "factorAdded");
    }
    if (mode === "challenge") await factor(factorId).onSuccess?.(ctx);
    return outcome === "continued" ? { ok: true, continued: true } : { ok: true };
  }
  // No secret was tested: an expired or retired code does not count as a guess.
  if (check.error === "setup_expired" || check.error === "code_expired" || check.error === "link_pending") return { ok: false, error: check.error };
  // In setup, "reused" means a parallel submission of the same correct code won the save (a
  // double click): not a guess, and counting it could lock the flow before the winner completes.
  // It is audited, and answered exactly as a wrong code would be at this count, without counting.
  if (mode === "setup" && check.error === "code_reused") {
    const failures = ((await findFlow(db, flow.id)) ?? flow).failedAttempts + 1;
    await audit(db, { ...who, event: "enroll.failure", outcome: check.error, detail: { failures: failures - 1, counted: false } });
    return { ok: false, error: "code_invalid", remaining: Math.max(1, MAX_FLOW_FAILURES - failures) };
  }

  const failures = await addFlowFailure(db, flow.id);
  await audit(db, { ...who, event: `${mode === "setup" ? "enroll" : "challenge"}.failure`, outcome: check.error, detail: { failures } });
  if (failures >= MAX_FLOW_FAILURES) {
    await completeFlow(db, flow.id, "denied", { amr: [], enrolled: [], reason: "too_many_attempts" }, ctx.now);
    await audit(db, { ...who, event: "flow.locked", outcome: "denied" });
    return { ok: false, error: "flow_ended" };
  }
  // A used code is refused like a wrong one: the person sees the same words and count.
  return { ok: false, error: check.error === "code_reused" ? "code_invalid" : check.error, remaining: MAX_FLOW_FAILURES - failures };
}

/**
 * A check passed. The flow completes, unless it has steps left (a setup the policy forces, a
 * first setup behind the email check, or management): then the verification is kept on the flow
 * and its `amr` joins the final result.
 */
async function succeed(ctx: FactorCtx, factorId: FactorId, mode: "setup" | "challenge", amr: string[], opts: AttemptOptions): Promise<"completed" | "continued" | null> {
  const { db } = ctx;
  // The common case (a plain login challenge) completes without another read.
  const flow = mayHaveMoreSteps(ctx.flow) ? ((await findFlow(db, ctx.flow.id)) ?? ctx.flow) : ctx.flow;
  if (flow.status !== "active") return null;
  const verified = flow.pending.verified;
  const allAmr = [...new Set([...(verified?.amr ?? []), ...amr])];
  const enrolled = mode === "setup" ? [factorId] : [];
  const manage = flow.context.claims.intent === "manage";
  let more = false;
  let pending: Pending = {};
  if (mode === "challenge" && !verified && mayHaveMoreSteps(flow)) {
    pending = { ...flow.pending, verified: { factor: factorId, amr, at: ctx.now } };
    more = nextStep({ ...flow, pending }, await userFactors(flow, db, ctx.env)).kind !== "complete";
  } else if (mode === "setup" && manage) {
    // Back to the list, still verified, with the new factor on it.
    const { choice: _done, otp: _otp, webauthn: _wa, ...rest } = flow.pending;
    pending = rest;
    more = true;
  }
  if (more) return (await swapPending(db, flow, pending)) ? "continued" : null;
  const won = await completeFlow(db, flow.id, "success", { amr: allAmr, enrolled }, ctx.now);
  if (won) {
    await audit(db, { event: "flow.completed", auth0Host: flow.host, sub: flow.sub, flowId: flow.id, factor: factorId, outcome: "success", ip: flow.context.ip, userAgent: flow.context.userAgent, detail: { amr: allAmr } });
    await rememberDevice({ ...ctx, flow }, opts);
  }
  return won ? "completed" : null;
}

/**
 * Whether a passed challenge might not end the flow: management, a forced or required setup, an
 * enroll command, or the email check before a chosen first setup. Cheap, from the flow alone.
 */
function mayHaveMoreSteps(flow: Flow): boolean {
  const f = flow.context.policy?.factors;
  return flow.context.claims.intent === "manage" || !!f?.require || !!f?.forceSetup || !!flow.context.claims.mfa?.command.startsWith("enroll") || flow.pending.choice?.mode === "enroll";
}

/** Records this browser's MFA for the user, and remembers it when asked and allowed. */
export async function rememberDevice(ctx: FactorCtx, opts: AttemptOptions): Promise<void> {
  const { flow } = ctx;
  if (!flow.context.deviceHash) return;
  const policy = flow.context.policy;
  const rememberDays = opts.remember && policy?.canRemember ? policy.rememberDays : 0;
  const claims = flow.context.claims;
  await recordDeviceMfa(
    ctx.db,
    { host: flow.host, sub: flow.sub },
    { tokenHash: flow.context.deviceHash, appDeviceHash: claims.device_id ? appDeviceHash(ctx.env.secret, claims.device_id) : null, userAgent: flow.context.userAgent, rememberDays },
    ctx.now,
  );
  if (rememberDays > 0) await audit(ctx.db, { event: "device.remembered", auth0Host: flow.host, sub: flow.sub, flowId: flow.id, ip: flow.context.ip, userAgent: flow.context.userAgent, detail: { days: rememberDays } });
}
