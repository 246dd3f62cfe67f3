import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { MAX_FLOW_FAILURES, submitCode } from "@/lib/flow/attempt";
import { BACKENDS, newFlowCtx, reload, secretBytes, wrongCode } from "@/lib/test/databases";
import en from "@/messages/en.json";
import { otpFactor } from "./factor";
import { totpAt } from "./totp";

/** The failure outcomes audited for a flow: the internal reason is kept there, never shown. */
async function auditedFailures(db: Kysely<Database>, flowId: string) {
  const rows = await db.selectFrom("audit_events").select(["event", "outcome"]).where("flow_id", "=", flowId).where("event", "like", "%.failure").orderBy("id").execute();
  return rows.map((r) => r.outcome);
}

/** Enrolls a fresh user and returns their TOTP secret. */
async function enrolled(db: Kysely<Database>, now: number) {
  const ctx = await newFlowCtx(db, undefined, now);
  const secret = secretBytes((await otpFactor.beginEnroll(ctx)).secretBase32);
  expect(await submitCode(await reload(ctx), "otp", "enroll", totpAt(secret, now))).toMatchObject({ ok: true });
  return { sub: ctx.flow.sub, secret };
}

describe.each(BACKENDS)("threat: TOTP code replay ($name)", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  it("an observed code cannot be replayed in another login within its window", async () => {
    const t0 = Date.now();
    const { sub, secret } = await enrolled(db, t0);
    const a = await newFlowCtx(db, sub, t0 + 30_000);
    const code = totpAt(secret, a.now);
    expect(await submitCode(a, "otp", "challenge", code)).toEqual({ ok: true });
    const b = await newFlowCtx(db, sub, a.now + 5_000);
    // Refused as a reuse (audited so), answered like a wrong code.
    expect(await submitCode(b, "otp", "challenge", code)).toMatchObject({ ok: false, error: "code_invalid" });
    expect(await auditedFailures(db, b.flow.id)).toEqual(["code_reused"]);
  });

  it("an older step is refused once a newer one was used", async () => {
    const t0 = Date.now();
    const { sub, secret } = await enrolled(db, t0);
    const a = await newFlowCtx(db, sub, t0 + 60_000);
    expect(await submitCode(a, "otp", "challenge", totpAt(secret, a.now))).toEqual({ ok: true });
    const b = await newFlowCtx(db, sub, a.now);
    expect(await submitCode(b, "otp", "challenge", totpAt(secret, a.now - 30_000))).toMatchObject({ ok: false, error: "code_invalid" });
    expect(await auditedFailures(db, b.flow.id)).toEqual(["code_reused"]);
  });
});

describe.each(BACKENDS)("threat: a used code tells whoever holds it that it was right ($name)", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  it("threat: a used code answers like a wrong one", async () => {
    const t0 = Date.now();
    const { sub, secret } = await enrolled(db, t0);
    const a = await newFlowCtx(db, sub, t0 + 30_000);
    const code = totpAt(secret, a.now);
    expect(await submitCode(a, "otp", "challenge", code)).toEqual({ ok: true });
    // Someone who saw the code tries it in another login; a guesser tries a wrong one.
    const b = await newFlowCtx(db, sub, a.now + 5_000);
    const c = await newFlowCtx(db, sub, a.now + 5_000);
    const used = await submitCode(b, "otp", "challenge", code);
    const wrong = await submitCode(c, "otp", "challenge", wrongCode(secret, c.now, totpAt));
    expect(used).toEqual(wrong);
    expect(used).toEqual({ ok: false, error: "code_invalid", remaining: MAX_FLOW_FAILURES - 1 });
    // The same for the second try in each flow: the counts move together.
    expect(await submitCode(await reload(b), "otp", "challenge", code)).toEqual(await submitCode(await reload(c), "otp", "challenge", wrongCode(secret, c.now, totpAt)));
    // The audit trail keeps the difference for the people who investigate.
    expect(await auditedFailures(db, b.flow.id)).toEqual(["code_reused", "code_reused"]);
    expect(await auditedFailures(db, c.flow.id)).toEqual(["code_invalid", "code_invalid"]);
    // And no screen has words for "already used".
    expect(Object.keys(en.common.errors)).not.toContain("code_reused");
  });

  it("threat: a used code answers like a wrong one, also for the loser of a double-submitted setup", async () => {
    const now = Date.now();
    const ctx = await newFlowCtx(db, undefined, now);
    const secret = secretBytes((await otpFactor.beginEnroll(ctx)).secretBase32);
    const fresh = await reload(ctx);
    const results = await Promise.all(Array.from({ length: 5 }, () => submitCode(fresh, "otp", "enroll", totpAt(secret, now))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    // What a wrong code answers in a flow with no failures yet.
    const other = await newFlowCtx(db, undefined, now);
    const otherSecret = secretBytes((await otpFactor.beginEnroll(other)).secretBase32);
    const wrong = await submitCode(await reload(other), "otp", "enroll", wrongCode(otherSecret, now, totpAt));
    for (const r of results.filter((x) => !x.ok)) expect(r).toEqual(wrong);
    // A double click is not a guess: the losers did not count against the flow.
    expect((await reload(ctx)).flow.failedAttempts).toBe(0);
  });
});

describe.each(BACKENDS)("threat: racing submissions of one valid code ($name)", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  it("fifty parallel submissions of one code across fifty flows give exactly one success", async () => {
    const t0 = Date.now();
    const { sub, secret } = await enrolled(db, t0);
    const now = t0 + 30_000;
    const code = totpAt(secret, now);
    const flows = await Promise.all(Array.from({ length: 50 }, () => newFlowCtx(db, sub, now)));
    const results = await Promise.all(flows.map((ctx) => submitCode(ctx, "otp", "challenge", code)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("fifty parallel submissions of one enrollment code save exactly one authenticator", async () => {
    const now = Date.now();
    const ctx = await newFlowCtx(db, undefined, now);
    const secret = secretBytes((await otpFactor.beginEnroll(ctx)).secretBase32);
    const fresh = await reload(ctx);
    const results = await Promise.all(Array.from({ length: 50 }, () => submitCode(fresh, "otp", "enroll", totpAt(secret, now))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const rows = await db.selectFrom("authenticators").select("id").where("sub", "=", ctx.flow.sub).execute();
    expect(rows).toHaveLength(1);
  });
});
