import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { insertAuthenticator, listActive, listAll } from "@/lib/factors/authenticators";
import { otpFactor } from "@/lib/factors/otp/factor";
import { totpAt } from "@/lib/factors/otp/totp";
import { issueRecoveryCodes, remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { submitCode } from "@/lib/flow/attempt";
import { nextStep, options } from "@/lib/flow/next-step";
import { swapPending } from "@/lib/flow/repo";
import { completeIfDone } from "@/lib/flow/transition";
import { userFactors } from "@/lib/flow/user-factors";
import { DbBudgetStore } from "@/lib/security/budgets";
import { BACKENDS, clickThrough, env, newFlowCtx, reload, secretBytes } from "@/lib/test/databases";
import { beginFinish } from "./flow";
import { cancelForUser, openRequest, requestRecovery, type RecoveryDeps } from "./requests";

// The end of the wait (#17, decision 0013): the same browser proves the email again, sets up a new
// factor as a new user would, and completing that sign-in completes the request.

const HOUR = 3_600_000;
const DEVICE = "device-hash-of-the-requesting-browser";
const OTHER_DEVICE = "device-hash-of-another-browser";

describe.each(BACKENDS)("finishing a self-service recovery ($name)", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  /** A user with an authenticator app and recovery codes, who asked for recovery at `t0` from DEVICE. */
  async function userWithRequest(t0: number) {
    const first = await newFlowCtx(db, undefined, t0, { deviceHash: DEVICE });
    const user = { tenant: first.flow.tenant, sub: first.flow.sub };
    const old = await insertAuthenticator(db, user, { factor: "otp", label: "lost phone" }, t0 - 24 * HOUR);
    await issueRecoveryCodes(db, env.keys, user, t0 - 24 * HOUR);
    const deps: RecoveryDeps = { db, keys: env.keys, publicUrl: "https://mfa.example.com", budgets: new DbBudgetStore(db), notify: async () => {}, revoke: async () => {} };
    const opened = await requestRecovery(deps, { user, email: "ada@example.com", deviceHash: DEVICE, userAgent: null, ip: null, locale: "en", selfService: true, waitHours: 72 }, t0);
    if (!opened.ok) throw new Error(opened.reason);
    return { user, old, requestId: opened.id, deps };
  }

  it("after the wait, from the same browser: the email proof leads to a new setup, and completing it turns the old factors off", async () => {
    const t0 = Date.now() - 73 * HOUR;
    const { user, old, requestId } = await userWithRequest(t0);
    let ctx = await newFlowCtx(db, user.sub, Date.now(), { deviceHash: DEVICE });
    // Before the proof: the old factor is asked for, and the screen says a request is open.
    const before = await userFactors(ctx.flow, db, env, ctx.now);
    expect(nextStep(ctx.flow, before, ctx.now)).toEqual({ kind: "challenge", factor: "otp" });
    expect(before.recoveryOpenSince).toBe(t0);

    expect(await beginFinish(ctx, requestId)).toHaveProperty("redirect");
    ctx = await reload(ctx);
    const f = await userFactors(ctx.flow, db, env, ctx.now);
    // The old factors and codes do not count, and the verified email is no way in: only a setup.
    expect(f).toMatchObject({ recovering: true, enrolled: [], disabled: [], implicit: [] });
    // Nor is the new method the mailbox that proved the request.
    expect(f.available).not.toContain("email");
    expect(f.available).not.toContain("magic-link");
    expect(f.available).toContain("otp");
    expect(ctx.flow.pending.verified).toBeUndefined();
    const step = nextStep(ctx.flow, f, ctx.now);
    expect(["choose", "enroll"]).toContain(step.kind);

    const view = await otpFactor.beginEnroll(ctx);
    ctx = await reload(ctx);
    expect(await submitCode(ctx, "otp", "enroll", totpAt(secretBytes(view.secretBase32), ctx.now))).toMatchObject({ ok: true });
    ctx = await reload(ctx);
    // The request completed: the old app is off, and the new codes are shown once.
    expect(await openRequest(db, user, ctx.now)).toBeNull();
    expect((await db.selectFrom("recovery_requests").select("status").where("id", "=", requestId).executeTakeFirstOrThrow()).status).toBe("completed");
    const active = await listActive(db, user);
    expect(active).toHaveLength(1);
    expect(active[0]?.id).not.toBe(old);
    expect(ctx.flow.pending.recovery).toBeUndefined();
    expect(ctx.flow.pending.recoveryCodes).toBeDefined();
    expect(await remainingRecoveryCodes(db, user)).toBe(10);
    ctx = await clickThrough(ctx);
    expect(ctx.flow).toMatchObject({ status: "done", outcome: "success", result: { amr: ["otp"], enrolled: ["otp"] } });
  });

  it("threat: a recovery request from another device — that browser's email proof starts nothing, even after the wait", async () => {
    const t0 = Date.now() - 73 * HOUR;
    const { user, requestId } = await userWithRequest(t0);
    let ctx = await newFlowCtx(db, user.sub, Date.now(), { deviceHash: OTHER_DEVICE });
    // Even with the mark forced onto its flow, another browser is asked for the old factor.
    await swapPending(db, ctx.flow, { recovery: { requestId, at: ctx.now } });
    ctx = await reload(ctx);
    const f = await userFactors(ctx.flow, db, env, ctx.now);
    expect(f.recovering).toBeUndefined();
    expect(nextStep(ctx.flow, f, ctx.now)).toEqual({ kind: "challenge", factor: "otp" });
    // The one decider offers no setup (every setup page and action asks it).
    expect(options(ctx.flow, f).enroll).toEqual([]);
    // And were a setup to pass anyway, the completion refuses the other browser: the new factor goes.
    const added = await insertAuthenticator(db, user, { factor: "otp", label: "attacker" }, ctx.now);
    await swapPending(db, ctx.flow, { ...ctx.flow.pending, verified: { factor: "otp", amr: ["otp"], at: ctx.now }, enrolled: ["otp"], proofs: [{ factor: "otp", mode: "enroll" }] });
    expect(await completeIfDone(await reload(ctx))).toEqual({ completed: false, step: { kind: "ended", reason: "recovery_void" } });
    expect((await listActive(db, user)).map((a) => a.id)).not.toContain(added);
    expect(await listActive(db, user)).toHaveLength(1);
    expect((await openRequest(db, user, ctx.now))?.status).toBe("pending");
  });

  it("threat: a request cancelled while the new factor is being set up — nothing of the user's changes, and the new factor goes", async () => {
    const t0 = Date.now() - 73 * HOUR;
    const { user, old, requestId, deps } = await userWithRequest(t0);
    let ctx = await newFlowCtx(db, user.sub, Date.now(), { deviceHash: DEVICE });
    await beginFinish(ctx, requestId);
    ctx = await reload(ctx);
    // The setup passed (its authenticator saved, the flow verified) just as the owner cancelled.
    const added = await insertAuthenticator(db, user, { factor: "otp", label: "new phone" }, ctx.now);
    await swapPending(db, ctx.flow, { ...ctx.flow.pending, verified: { factor: "otp", amr: ["otp"], at: ctx.now }, enrolled: ["otp"], proofs: [{ factor: "otp", mode: "enroll" }] });
    expect(await cancelForUser(deps, user, "link", ctx.now)).toBe(true);
    ctx = await reload(ctx);
    expect(await completeIfDone(ctx)).toEqual({ completed: false, step: { kind: "ended", reason: "recovery_void" } });
    ctx = await reload(ctx);
    expect(ctx.flow).toMatchObject({ status: "done", outcome: "denied", result: { reason: "recovery_void" } });
    expect((await listActive(db, user)).map((a) => a.id)).toEqual([old]);
    expect((await listAll(db, user)).find((a) => a.id === added)?.disabled_at).not.toBeNull();
    expect(await remainingRecoveryCodes(db, user)).toBe(10);
  });

  it("before the wait ends, the same browser is still asked for its old factor", async () => {
    const t0 = Date.now() - 10 * HOUR;
    const { user, requestId } = await userWithRequest(t0);
    let ctx = await newFlowCtx(db, user.sub, Date.now(), { deviceHash: DEVICE });
    await swapPending(db, ctx.flow, { recovery: { requestId, at: ctx.now } });
    ctx = await reload(ctx);
    const f = await userFactors(ctx.flow, db, env, ctx.now);
    expect(f.recovering).toBeUndefined();
    expect(nextStep(ctx.flow, f, ctx.now)).toEqual({ kind: "challenge", factor: "otp" });
  });
});
