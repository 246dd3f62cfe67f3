import "server-only";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { factor } from "@/lib/factors/registry";
import type { FactorId } from "@/lib/factors/ids";
import type { CheckError, CheckResult, FactorCtx } from "@/lib/factors/types";
import { USER_OTP_FAILURES, withFailureBudget } from "@/lib/security/attempts";
import { addFlowFailure, completeFlow } from "./repo";

/** Wrong codes allowed in one flow before it ends (issue #2). */
export const MAX_FLOW_FAILURES = 5;

export type AttemptError = CheckError | "code_format" | "rate_limited" | "flow_ended";
export type AttemptResult =
  | { ok: true }
  | { ok: false; error: AttemptError; remaining?: number; retryAfterSeconds?: number };

// People paste codes with spaces or dashes; only the digits matter.
const codeSchema = z
  .string()
  .max(32)
  .transform((s) => s.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^\d{6}$/));

/** Checks one submitted code (six digits) for a factor, with every guard of {@link runAttempt}. */
export async function submitCode(ctx: FactorCtx, factorId: FactorId, mode: "setup" | "challenge", raw: unknown): Promise<AttemptResult> {
  const parsed = codeSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: "code_format" };
  return submitResponse(ctx, factorId, mode, parsed.data);
}

/** Checks a factor response (a code, or a WebAuthn response as JSON) in setup or challenge mode. */
export async function submitResponse(ctx: FactorCtx, factorId: FactorId, mode: "setup" | "challenge", response: string): Promise<AttemptResult> {
  const f = factor(factorId);
  return runAttempt(ctx, factorId, mode, (c) => (mode === "setup" ? f.finishSetup(c, response) : f.verify(c, response)));
}

/**
 * Runs one check with every guard around it: per-user pacing (challenge only: setup proves a
 * key the user was just given), per-flow failure cap, audit, and the flow's completion on success.
 */
export async function runAttempt(ctx: FactorCtx, factorId: FactorId, mode: "setup" | "challenge", run: (c: FactorCtx) => Promise<CheckResult>): Promise<AttemptResult> {
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
    const won = await completeFlow(db, flow.id, "success", { amr: check.amr ?? [factorId], enrolled: mode === "setup" ? [factorId] : [] }, ctx.now);
    if (!won) return { ok: false, error: "flow_ended" };
    await audit(db, { ...who, event: mode === "setup" ? "enroll.success" : "challenge.success", outcome: "success" });
    if (mode === "challenge") await factor(factorId).onSuccess?.(ctx);
    return { ok: true };
  }
  // No secret was tested: an expired or retired code does not count as a guess.
  if (check.error === "setup_expired" || check.error === "code_expired" || check.error === "link_pending") return { ok: false, error: check.error };

  const failures = await addFlowFailure(db, flow.id);
  await audit(db, { ...who, event: `${mode === "setup" ? "enroll" : "challenge"}.failure`, outcome: check.error, detail: { failures } });
  if (failures >= MAX_FLOW_FAILURES) {
    await completeFlow(db, flow.id, "denied", { amr: [], enrolled: [], reason: "too_many_attempts" }, ctx.now);
    await audit(db, { ...who, event: "flow.locked", outcome: "denied" });
    return { ok: false, error: "flow_ended" };
  }
  return { ok: false, error: check.error, remaining: MAX_FLOW_FAILURES - failures };
}
