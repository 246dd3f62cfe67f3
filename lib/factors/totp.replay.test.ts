import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { submitCode } from "@/lib/flow/attempt";
import { BACKENDS, newFlowCtx, reload, secretBytes } from "@/lib/test/databases";
import { otpFactor } from "./otp";
import { totpAt } from "./totp";

/** Enrolls a fresh user and returns their TOTP secret. */
async function enrolled(db: Kysely<Database>, now: number) {
  const ctx = await newFlowCtx(db, undefined, now);
  const secret = secretBytes((await otpFactor.beginSetup(ctx)).secretBase32);
  expect(await submitCode(await reload(ctx), "otp", "setup", totpAt(secret, now))).toMatchObject({ ok: true });
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
    expect(await submitCode(b, "otp", "challenge", code)).toMatchObject({ ok: false, error: "code_reused" });
  });

  it("an older step is refused once a newer one was used", async () => {
    const t0 = Date.now();
    const { sub, secret } = await enrolled(db, t0);
    const a = await newFlowCtx(db, sub, t0 + 60_000);
    expect(await submitCode(a, "otp", "challenge", totpAt(secret, a.now))).toEqual({ ok: true });
    const b = await newFlowCtx(db, sub, a.now);
    expect(await submitCode(b, "otp", "challenge", totpAt(secret, a.now - 30_000))).toMatchObject({ ok: false, error: "code_reused" });
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
    const secret = secretBytes((await otpFactor.beginSetup(ctx)).secretBase32);
    const fresh = await reload(ctx);
    const results = await Promise.all(Array.from({ length: 50 }, () => submitCode(fresh, "otp", "setup", totpAt(secret, now))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const rows = await db.selectFrom("authenticators").select("id").where("sub", "=", ctx.flow.sub).execute();
    expect(rows).toHaveLength(1);
  });
});
