import { z } from "zod";
import { audit, auditWho } from "@/lib/audit";
import { factor } from "@/lib/factors/impl";
import { descriptor, tierRank, type FactorId } from "@/lib/factors/registry";
import type { CheckError, CheckResult, FactorCtx } from "@/lib/factors/types";
import { USER_OTP_FAILURES, withFailureBudget } from "@/lib/security/attempts";
import { notifyUser } from "@/lib/delivery/wiring";
import { consumeLinkAfterSetup } from "@/lib/enrollment-links";
import { issueSealedCodes } from "./recovery";
import { completeIfDone, countFailure } from "./transition";
import { MAX_FLOW_FAILURES } from "./limits";
import { findFlow, swapPending } from "./repo";
import { userFactors } from "./user-factors";
import type { Flow, Pending } from "./types";

export { MAX_FLOW_FAILURES };

/**
 * What the person is told. `code_reused` is not among them: a used code answers exactly like a
 * wrong one (same error, same `remaining`), so the answer never confirms that a code was right.
 * The audit trail keeps the difference.
 */
export type AttemptError = Exclude<CheckError, "code_reused"> | "code_format" | "rate_limited" | "flow_ended";
export type AttemptResult =
  /** `continued`: the flow has steps left (recovery codes, a setup the policy forces, the passkey offer, managing). */
  { ok: true; continued?: true } | { ok: false; error: AttemptError; remaining?: number; retryAfterSeconds?: number };

// People paste codes with spaces or dashes; only the digits matter.
const codeSchema = z
  .string()
  .max(32)
  .transform((s) => s.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^\d{6}$/));

/** Checks one submitted code (six digits) for a factor, with every guard of {@link runAttempt}. */
export async function submitCode(ctx: FactorCtx, factorId: FactorId, mode: "enroll" | "challenge", raw: unknown, opts: AttemptOptions = {}): Promise<AttemptResult> {
  const parsed = codeSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: "code_format" };
  return submitResponse(ctx, factorId, mode, parsed.data, opts);
}

export interface AttemptOptions {
  /** The user ticked "Don't ask again on this device" (honoured only where policy offers it). */
  remember?: boolean;
}

/** Checks a factor response (a code, or a WebAuthn response as JSON) in setup or challenge mode. */
export async function submitResponse(ctx: FactorCtx, factorId: FactorId, mode: "enroll" | "challenge", response: string, opts: AttemptOptions = {}): Promise<AttemptResult> {
  const f = await factor(factorId);
  // A factor with no setup of its own (magic link, recovery codes) has nothing to finish.
  return runAttempt(ctx, factorId, mode, async (c) => (mode === "enroll" ? (f.finishEnroll?.(c, response) ?? { ok: false, error: "code_invalid" }) : f.verify(c, response)), opts);
}

/** Answers that tested no secret: waiting for a link, or a code or key that expired. Never a guess. */
const NOT_A_GUESS: ReadonlySet<CheckError> = new Set(["link_pending", "code_expired", "setup_expired"]);

/** Per-user pacing applies to guessable secrets only, one budget per factor; WebAuthn signatures cannot be guessed. */
const paced = (id: FactorId) => ["code", "lookup"].includes(descriptor(id).screen);

/**
 * Runs one check with every guard around it: per-user, per-factor pacing (challenge only: setup
 * proves a key the user was just given), per-flow failure cap, audit, and the flow's advance on
 * success.
 */
export async function runAttempt(ctx: FactorCtx, factorId: FactorId, mode: "enroll" | "challenge", run: (c: FactorCtx) => Promise<CheckResult>, opts: AttemptOptions = {}): Promise<AttemptResult> {
  const { db, flow } = ctx;
  const who = auditWho(flow, factorId);

  let check: CheckResult;
  if (mode === "challenge" && paced(factorId)) {
    const budgeted = await withFailureBudget(db, `otp-failures:${flow.tenant}|${flow.sub}|${factorId}`, USER_OTP_FAILURES, ctx.now, async (trx) => {
      const value = await run({ ...ctx, db: trx });
      return { value, failed: !value.ok && !NOT_A_GUESS.has(value.error) };
    });
    if (budgeted.blocked) {
      await audit(db, { ...who, event: "challenge.rate_limited", outcome: "blocked" });
      return { ok: false, error: "rate_limited", retryAfterSeconds: Math.ceil(budgeted.retryAfterMs / 1000) };
    }
    check = budgeted.value;
    if (budgeted.exhausted) {
      // The pause starts now: tell the user once, with the way around it (another factor).
      await audit(db, { ...who, event: "challenge.locked", outcome: "paused" });
      await notifyUser(ctx, "lockedOut");
    }
  } else {
    check = await run(ctx);
  }
  if (check.ok) {
    const outcome = await succeed(ctx, factorId, mode, check.amr ?? [factorId], opts);
    if (!outcome) return { ok: false, error: "flow_ended" };
    await audit(db, { ...who, event: mode === "enroll" ? "enroll.success" : "challenge.success", outcome: "success" });
    if (mode === "enroll") {
      await audit(db, { ...who, event: "factor.added", outcome: "success" });
      await notifyUser(ctx, "factorAdded");
      // The setup an enrollment link asked for uses the link up (once, whatever races it).
      await consumeLinkAfterSetup(db, flow, factorId, ctx.now);
    }
    if (mode === "challenge") await (await factor(factorId)).onSuccess?.(ctx);
    return outcome === "continued" ? { ok: true, continued: true } : { ok: true };
  }
  if (check.disabled) {
    await audit(db, { ...who, event: "factor.disabled", outcome: "too_many_failures" });
    await notifyUser(ctx, "factorDisabled");
  }
  // No secret was tested: an expired or retired code does not count as a guess.
  if (check.error === "link_pending" || check.error === "code_expired" || check.error === "setup_expired") return { ok: false, error: check.error };
  // In setup, "reused" means a parallel submission of the same correct code won the save (a
  // double click): not a guess, and counting it could lock the flow before the winner completes.
  // It is audited, and answered exactly as a wrong code would be at this count, without counting.
  if (mode === "enroll" && check.error === "code_reused") {
    const failures = ((await findFlow(db, flow.id)) ?? flow).failedAttempts + 1;
    await audit(db, { ...who, event: "enroll.failure", outcome: check.error, detail: { failures: failures - 1, counted: false } });
    return { ok: false, error: "code_invalid", remaining: Math.max(1, MAX_FLOW_FAILURES - failures) };
  }

  const { failures, ended } = await countFailure(db, flow, who, { event: `${mode === "enroll" ? "enroll" : "challenge"}.failure`, outcome: check.error }, ctx.now);
  if (ended) return { ok: false, error: "flow_ended" };
  // A used code is refused like a wrong one: the person sees the same words and count.
  return { ok: false, error: check.error === "code_reused" ? "code_invalid" : check.error, remaining: MAX_FLOW_FAILURES - failures };
}

/**
 * The proof a flow holds after `factorId` passed: the stronger of the old and the new (a setup
 * proves its own factor; a recovery code is the recovery path and always replaces), every `amr`.
 * A weaker proof never refreshes a stronger one's time.
 */
function mergeProof(prev: Pending["verified"], factorId: FactorId, amr: string[], now: number): NonNullable<Pending["verified"]> {
  const all = [...new Set([...(prev?.amr ?? []), ...amr])];
  if (prev && factorId !== "recovery-code" && prev.factor !== "recovery-code" && tierRank(prev.factor) > tierRank(factorId)) return { ...prev, amr: all };
  return { factor: factorId, amr: all, at: now };
}

/**
 * A check passed: the proof joins the flow (compare-and-set, retried when a parallel request
 * changed the flow), recovery codes are issued after a first setup, and the flow completes only
 * if nextStep then says `complete` (lib/flow/transition.ts). Two parallel successes can never
 * skip a step: each re-reads the flow and asks again.
 */
async function succeed(ctx: FactorCtx, factorId: FactorId, mode: "enroll" | "challenge", amr: string[], opts: AttemptOptions): Promise<"completed" | "continued" | null> {
  let flow: Flow | null = ctx.flow;
  // Recovery codes for a first factor are issued once, whatever number of rounds the write takes.
  let sealed: string | null | undefined;
  for (let round = 0; round < 5 && flow; round++) {
    if (flow.status !== "active") return null;
    // The method the user picked is done, unless this was the email check before the setup they picked.
    const { choice, ...rest } = flow.pending;
    const keep = choice && !(choice.factor === factorId && choice.mode === (mode === "enroll" ? "enroll" : "challenge"));
    const pending: Pending = {
      ...rest,
      ...(keep ? { choice } : {}),
      verified: mergeProof(flow.pending.verified, factorId, amr, ctx.now),
      // The policy rule's commands advance on this log (nextStep), one check per command.
      proofs: [...(flow.pending.proofs ?? []), { factor: factorId, mode }],
      ...(mode === "enroll" ? { enrolled: [...new Set([...(flow.pending.enrolled ?? []), factorId])] } : {}),
      ...(opts.remember || flow.pending.remember ? { remember: true as const } : {}),
    };
    let next: Flow = { ...flow, pending };
    if (mode === "enroll" && !pending.recoveryCodes) {
      // A first factor comes with recovery codes, shown once on the next step. A recovery's new
      // codes wait for the recovery to complete (completeIfDone): a new set replaces the old one.
      sealed ??= flow.pending.recovery || (await userFactors(flow, ctx.db, ctx.env, ctx.now)).enrolled.includes("recovery-code") ? null : await issueSealedCodes({ ...ctx, flow: next });
      if (sealed) next = { ...next, pending: { ...pending, recoveryCodes: sealed } };
    }
    if (await swapPending(ctx.db, flow, next.pending)) {
      ctx.flow = next;
      const done = await completeIfDone({ ...ctx, flow: next });
      return done.completed ? "completed" : "continued";
    }
    flow = await findFlow(ctx.db, flow.id);
  }
  return null;
}
