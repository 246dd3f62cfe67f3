import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { submitCode } from "@/lib/flow/attempt";
import { otpFactor } from "@/lib/factors/otp/factor";
import { MAX_CONSECUTIVE_FAILURES, addAuthenticatorFailure, listActive } from "@/lib/factors/authenticators";
import { totpAt } from "@/lib/factors/otp/totp";
import { BACKENDS, newFlowCtx, reload, secretBytes, wrongCode } from "@/lib/test/databases";
import { USER_OTP_FAILURES } from "./attempts";

describe.each(BACKENDS)("threat: online guessing of TOTP codes ($name)", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  async function enrolled(now: number) {
    const ctx = await newFlowCtx(db, undefined, now);
    const secret = secretBytes((await otpFactor.beginEnroll(ctx)).secretBase32);
    expect(await submitCode(await reload(ctx), "otp", "enroll", totpAt(secret, now))).toMatchObject({ ok: true });
    return { sub: ctx.flow.sub, secret };
  }

  it(`paces a user at ${USER_OTP_FAILURES.limit} failures per hour across fresh logins, even for a correct code`, async () => {
    const t0 = Date.now();
    const { sub, secret } = await enrolled(t0);
    // An attacker restarts the login every 2 guesses to dodge the per-flow cap.
    for (let i = 0; i < USER_OTP_FAILURES.limit; i += 2) {
      const ctx = await newFlowCtx(db, sub, t0 + 1000 + i);
      const bad = wrongCode(secret, ctx.now, totpAt);
      expect(await submitCode(ctx, "otp", "challenge", bad)).toMatchObject({ error: "code_invalid" });
      expect(await submitCode(await reload(ctx), "otp", "challenge", bad)).toMatchObject({ error: "code_invalid" });
    }
    const blocked = await newFlowCtx(db, sub, t0 + 40_000);
    const r = await submitCode(blocked, "otp", "challenge", totpAt(secret, blocked.now));
    expect(r).toMatchObject({ ok: false, error: "rate_limited" });
    expect(r.ok || r.retryAfterSeconds! > 3000).toBe(true);
    // The window slides: an hour later the user gets in.
    const later = await newFlowCtx(db, sub, t0 + USER_OTP_FAILURES.windowMs + 60_000);
    expect(await submitCode(later, "otp", "challenge", totpAt(secret, later.now))).toEqual({ ok: true });
  });

  it("parallel guesses cannot exceed the hourly budget", async () => {
    const t0 = Date.now();
    const { sub, secret } = await enrolled(t0);
    const flows = await Promise.all(Array.from({ length: 30 }, () => newFlowCtx(db, sub, t0 + 1000)));
    const bad = wrongCode(secret, t0 + 1000, totpAt);
    const results = await Promise.all(flows.map((ctx) => submitCode(ctx, "otp", "challenge", bad)));
    expect(results.filter((r) => !r.ok && r.error === "code_invalid")).toHaveLength(USER_OTP_FAILURES.limit);
    expect(results.some((r) => !r.ok && r.error === "rate_limited")).toBe(true);
  });

  it(`disables an authenticator after ${MAX_CONSECUTIVE_FAILURES} consecutive failures`, async () => {
    const { sub } = await enrolled(Date.now());
    const [a] = await listActive(db, { tenant: "tenant.eu.auth0.com", sub });
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES - 1; i++) await addAuthenticatorFailure(db, a!.id);
    expect(await listActive(db, { tenant: "tenant.eu.auth0.com", sub })).toHaveLength(1);
    await addAuthenticatorFailure(db, a!.id);
    expect(await listActive(db, { tenant: "tenant.eu.auth0.com", sub })).toHaveLength(0);
  });
});
