import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { otpFactor } from "@/lib/factors/otp/factor";
import { listActive } from "@/lib/factors/authenticators";
import { totpAt } from "@/lib/factors/otp/totp";
import { BACKENDS, env, newFlowCtx, reload, secretBytes, wrongCode } from "@/lib/test/databases";
import { clickThrough } from "@/lib/test/databases";
import { entryTokenHash, extendFlow, flowIdFromCookie, findFlow, openFlow } from "./repo";
import { nextStep } from "./next-step";
import { MAX_FLOW_FAILURES, submitCode } from "./attempt";

describe.each(BACKENDS)("flows and TOTP on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  it("opens a flow whose id is a keyed hash of the cookie value", async () => {
    const context = { claims: { iss: "tenant.eu.auth0.com", sub: "auth0|1", iat: 1, exp: 2 }, ip: null, userAgent: null };
    const r = await openFlow(db, env.keys, { state: "STATE-open-1", sessionToken: "token-open-1", context, ttlSeconds: 900 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.flow.id).not.toBe(r.cookieValue);
    expect((await findFlow(db, flowIdFromCookie(env.keys, r.cookieValue)))?.sub).toBe("auth0|1");
    expect(r.flow.expiresAt - r.flow.createdAt).toBe(900_000);
  });

  it("refuses a second flow for the same Auth0 state (entry replay)", async () => {
    const context = { claims: { iss: "tenant.eu.auth0.com", sub: "auth0|1", iat: 1, exp: 2 }, ip: null, userAgent: null };
    expect((await openFlow(db, env.keys, { state: "STATE-replay", sessionToken: "token-replay-1", context, ttlSeconds: 900 })).ok).toBe(true);
    expect(await openFlow(db, env.keys, { state: "STATE-replay", sessionToken: "token-replay-2", context, ttlSeconds: 900 })).toEqual({ ok: false, error: "state_replayed" });
  });

  it("threat: one session token opens a second flow with a made-up state", async () => {
    // Threat: Auth0's token has no jti and only `state` was single-use, so the same token with an
    // invented state opened another flow inheriting the token's IP, country and client.
    // Defence: the keyed hash of the token itself is unique in `flows`, checked in the same insert.
    const context = { claims: { iss: "tenant.eu.auth0.com", sub: "auth0|1", iat: 1, exp: 2 }, ip: "203.0.113.9", userAgent: null };
    const sessionToken = `eyJ.token-${crypto.randomUUID()}.sig`;
    expect((await openFlow(db, env.keys, { state: `STATE-${crypto.randomUUID()}`, sessionToken, context, ttlSeconds: 900 })).ok).toBe(true);
    expect(await openFlow(db, env.keys, { state: `STATE-${crypto.randomUUID()}`, sessionToken, context, ttlSeconds: 900 })).toEqual({ ok: false, error: "token_replayed" });
    // Parallel entries with one token and fresh states: exactly one flow opens.
    const racing = `eyJ.token-${crypto.randomUUID()}.sig`;
    const results = await Promise.all(Array.from({ length: 20 }, () => openFlow(db, env.keys, { state: `STATE-${crypto.randomUUID()}`, sessionToken: racing, context, ttlSeconds: 900 })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error === "token_replayed")).toBe(true);
    // The raw token is never stored, only its keyed hash.
    const rows = await db.selectFrom("flows").select("entry_token_hash").where("entry_token_hash", "is not", null).execute();
    expect(rows.map((r) => r.entry_token_hash)).not.toContain(racing);
    expect(rows.map((r) => r.entry_token_hash)).toContain(entryTokenHash(env.keys, racing));
  });

  it("enrolls an authenticator app only after a correct first code, then challenges with it", async () => {
    let ctx = await newFlowCtx(db);
    expect(nextStep(ctx.flow, { enrolled: [], implicit: [], available: ["otp"] })).toEqual({ kind: "enroll", factor: "otp" });
    const view = await otpFactor.beginEnroll(ctx);
    ctx = await reload(ctx);
    // Reloading the setup page shows the same key rather than silently replacing it.
    expect((await otpFactor.beginEnroll(ctx)).secretBase32).toBe(view.secretBase32);
    const secret = secretBytes(view.secretBase32);

    expect(await submitCode(ctx, "otp", "enroll", wrongCode(secret, ctx.now, totpAt))).toMatchObject({ ok: false });
    expect(await listActive(db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub })).toHaveLength(0);

    ctx = await reload(ctx);
    expect(await submitCode(ctx, "otp", "enroll", totpAt(secret, ctx.now))).toMatchObject({ ok: true });
    const saved = await listActive(db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub });
    expect(saved).toHaveLength(1);
    expect(saved[0]!.secret).not.toContain(view.secretBase32);
    // The first factor's recovery codes are the next step; saving them completes the flow.
    ctx = await reload(ctx);
    expect(ctx.flow.pending.recoveryCodes).toBeDefined();
    ctx = await clickThrough(ctx);
    expect(ctx.flow).toMatchObject({ status: "done", outcome: "success", result: { amr: ["otp"], enrolled: ["otp"] } });
    expect(ctx.flow.pending).toEqual({});

    // A later login is a challenge, and the code used at enrollment cannot be used again.
    const later = await newFlowCtx(db, ctx.flow.sub, ctx.now + 30_000);
    expect(nextStep(later.flow, { enrolled: ["otp"], implicit: [], available: ["otp"] })).toEqual({ kind: "challenge", factor: "otp" });
    // Refused as a reuse (the audit says so), answered like a wrong code.
    expect(await submitCode(later, "otp", "challenge", totpAt(secret, ctx.now))).toMatchObject({ ok: false, error: "code_invalid" });
    expect(await db.selectFrom("audit_events").select("outcome").where("flow_id", "=", later.flow.id).where("event", "=", "challenge.failure").execute()).toEqual([{ outcome: "code_reused" }]);
    expect(await submitCode(await reload(later), "otp", "challenge", totpAt(secret, later.now))).toEqual({ ok: true });
  });

  it("accepts codes with spaces or a dash, and refuses non-digits without counting them", async () => {
    const ctx = await newFlowCtx(db);
    expect(await submitCode(ctx, "otp", "enroll", "12ab56")).toEqual({ ok: false, error: "code_format" });
    expect((await reload(ctx)).flow.failedAttempts).toBe(0);
    const view = await otpFactor.beginEnroll(ctx);
    const code = totpAt(secretBytes(view.secretBase32), ctx.now);
    expect(await submitCode(await reload(ctx), "otp", "enroll", `${code.slice(0, 3)} ${code.slice(3)}`)).toMatchObject({ ok: true });
  });

  it(`ends the flow after ${MAX_FLOW_FAILURES} wrong codes`, async () => {
    let ctx = await newFlowCtx(db);
    const bad = wrongCode(secretBytes((await otpFactor.beginEnroll(ctx)).secretBase32), ctx.now, totpAt);
    for (let i = 1; i < MAX_FLOW_FAILURES; i++) {
      ctx = await reload(ctx);
      expect(await submitCode(ctx, "otp", "enroll", bad)).toEqual({ ok: false, error: "code_invalid", remaining: MAX_FLOW_FAILURES - i });
    }
    expect(await submitCode(await reload(ctx), "otp", "enroll", bad)).toEqual({ ok: false, error: "flow_ended" });
    const ended = (await reload(ctx)).flow;
    expect(ended).toMatchObject({ status: "done", outcome: "denied", result: { reason: "too_many_attempts" } });
    expect(nextStep(ended, { enrolled: [], implicit: [], available: ["otp"] })).toEqual({ kind: "ended", reason: "too_many_attempts" });
  });

  it("extends an active flow's time limit, but never past Auth0's one-hour transaction", async () => {
    const ctx = await newFlowCtx(db);
    const later = ctx.now + 14 * 60_000;
    const extended = await extendFlow(db, ctx.flow, 900, 55 * 60, later);
    expect(extended).toBe(later + 900_000);
    const flow = (await reload(ctx)).flow;
    expect(flow.expiresAt).toBe(later + 900_000);
    const again = await extendFlow(db, flow, 900, 55 * 60, ctx.now + 28 * 60_000);
    expect(again).toBe(ctx.now + 43 * 60_000);
    const capped = await extendFlow(db, (await reload(ctx)).flow, 900, 55 * 60, ctx.now + 42 * 60_000);
    expect(capped).toBe(ctx.now + 55 * 60_000);
    // An expired flow cannot be revived.
    expect(await extendFlow(db, (await reload(ctx)).flow, 900, 55 * 60, ctx.now + 56 * 60_000)).toBeNull();
  });
});
