import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { otpFactor } from "@/lib/factors/otp/factor";
import { totpAt } from "@/lib/factors/otp/totp";
import { deviceStatus, deviceTokenHash } from "@/lib/devices/repo";
import type { FactorCtx } from "@/lib/factors/types";
import { BACKENDS, env, reload, secretBytes } from "@/lib/test/databases";
import { runAttempt, submitCode } from "./attempt";
import { nextStep } from "./next-step";
import { openFlow } from "./repo";
import type { FlowContext, FlowPolicy } from "./types";

const POLICY: FlowPolicy = { outcome: "CHALLENGE", rule: null, reason: null, factors: {}, canRemember: true, rememberDays: 30, firstEnrollment: "none" };

/** Opens a flow for `sub` with extra claims or policy, as the entry route would. */
async function open(db: Kysely<Database>, sub: string, extra: Partial<FlowContext["claims"]> = {}, policy: Partial<FlowPolicy> = {}, now = Date.now()): Promise<FactorCtx> {
  const context: FlowContext = {
    claims: { iss: "tenant.eu.auth0.com", sub, iat: 0, exp: 0, ...extra },
    ip: null,
    userAgent: "vitest",
    policy: { ...POLICY, ...policy },
    deviceHash: deviceTokenHash(env.keys, `device-of-${sub}`),
    offerSnoozed: true,
  };
  const opened = await openFlow(db, env.keys, { state: crypto.randomBytes(16).toString("base64url"), sessionToken: crypto.randomBytes(24).toString("base64url"), context, ttlSeconds: 900 }, now);
  if (!opened.ok) throw new Error("state clash");
  return { db, env, flow: opened.flow, now };
}

/** Enrolls an authenticator app for `sub` in a flow of its own; returns its secret. */
async function enrollOtp(db: Kysely<Database>, sub: string, now: number): Promise<Uint8Array> {
  let ctx = await open(db, sub, {}, {}, now);
  const secret = secretBytes((await otpFactor.beginEnroll(ctx)).secretBase32);
  ctx = await reload(ctx);
  expect(await submitCode(ctx, "otp", "enroll", totpAt(secret, now))).toMatchObject({ ok: true });
  return secret;
}

describe.each(BACKENDS)("flows with steps after the challenge on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());
  const factorsOf = { enrolled: ["otp" as const], implicit: [], available: ["otp" as const, "webauthn-roaming" as const] };

  it("a plain challenge completes the flow, records the device, and remembers it only when asked", async () => {
    const sub = `auth0|${crypto.randomUUID()}`;
    const t0 = Date.now() - 120_000;
    const secret = await enrollOtp(db, sub, t0);
    const ctx = await open(db, sub, {}, {}, Date.now());
    expect(await submitCode(ctx, "otp", "challenge", totpAt(secret, ctx.now), { remember: true })).toEqual({ ok: true });
    const done = await reload(ctx);
    expect(done.flow).toMatchObject({ status: "done", outcome: "success", result: { amr: ["otp"], enrolled: [] } });
    const status = await deviceStatus(db, { tenant: ctx.flow.tenant, sub }, { tokenHash: ctx.flow.context.deviceHash });
    expect(status).toMatchObject({ known: true, remembered: true });
  });

  it("threat: the remember box is ignored where policy does not offer it (e.g. admins)", async () => {
    const sub = `auth0|${crypto.randomUUID()}`;
    const secret = await enrollOtp(db, sub, Date.now() - 120_000);
    const ctx = await open(db, sub, {}, { canRemember: false });
    expect(await submitCode(ctx, "otp", "challenge", totpAt(secret, ctx.now), { remember: true })).toEqual({ ok: true });
    expect(await deviceStatus(db, { tenant: ctx.flow.tenant, sub }, { tokenHash: ctx.flow.context.deviceHash })).toMatchObject({ known: true, remembered: false });
  });

  it("a required factor the user lacks: the challenge is kept as verified, the flow stays open for setup", async () => {
    const sub = `auth0|${crypto.randomUUID()}`;
    const secret = await enrollOtp(db, sub, Date.now() - 120_000);
    const ctx = await open(db, sub, {}, { factors: { require: ["webauthn-roaming"] } });
    expect(await submitCode(ctx, "otp", "challenge", totpAt(secret, ctx.now))).toEqual({ ok: true, continued: true });
    const after = await reload(ctx);
    expect(after.flow.status).toBe("active");
    expect(after.flow.pending.verified).toMatchObject({ factor: "otp", amr: ["otp"] });
    expect(nextStep(after.flow, factorsOf)).toEqual({ kind: "enroll", factor: "webauthn-roaming" });
  });

  it("a rule's commands, a challenge then a setup: the app's proof opens the key's setup, and the login completes with both", async () => {
    const sub = `auth0|${crypto.randomUUID()}`;
    const secret = await enrollOtp(db, sub, Date.now() - 120_000);
    const commands: FlowPolicy["commands"] = [
      { command: "challengeWith", factors: ["otp"] },
      { command: "enrollWith", factors: ["webauthn-roaming"] },
    ];
    const ctx = await open(db, sub, {}, { commands });
    expect(await submitCode(ctx, "otp", "challenge", totpAt(secret, ctx.now))).toEqual({ ok: true, continued: true });
    const after = await reload(ctx);
    expect(after.flow.pending.proofs).toEqual([{ factor: "otp", mode: "challenge" }]);
    expect(nextStep(after.flow, factorsOf)).toEqual({ kind: "enroll", factor: "webauthn-roaming" });
    // The key's ceremony passes (it is tested in lib/factors/webauthn).
    expect(await runAttempt(after, "webauthn-roaming", "enroll", async () => ({ ok: true }))).toEqual({ ok: true });
    expect((await reload(ctx)).flow).toMatchObject({ status: "done", outcome: "success", result: { amr: ["otp", "webauthn-roaming"], enrolled: ["webauthn-roaming"] } });
  });

  it("manage: a fresh challenge opens management instead of completing", async () => {
    const sub = `auth0|${crypto.randomUUID()}`;
    const secret = await enrollOtp(db, sub, Date.now() - 120_000);
    const ctx = await open(db, sub, { intent: "manage" });
    expect(await submitCode(ctx, "otp", "challenge", totpAt(secret, ctx.now))).toEqual({ ok: true, continued: true });
    const after = await reload(ctx);
    expect(after.flow.status).toBe("active");
    expect(nextStep(after.flow, factorsOf)).toEqual({ kind: "manage" });
  });

  it("manage: a factor added after the challenge returns to management, still verified", async () => {
    const sub = `auth0|${crypto.randomUUID()}`;
    const secret = await enrollOtp(db, sub, Date.now() - 120_000);
    let ctx = await open(db, sub, { intent: "manage" });
    await submitCode(ctx, "otp", "challenge", totpAt(secret, ctx.now));
    ctx = await reload(ctx);
    // The user picks "Authenticator app" again (a second phone) on the picker.
    const { swapPending } = await import("./repo");
    expect(await swapPending(db, ctx.flow, { ...ctx.flow.pending, choice: { factor: "otp", mode: "enroll" } })).toBe(true);
    ctx = await reload(ctx);
    const second = secretBytes((await otpFactor.beginEnroll(ctx)).secretBase32);
    ctx = await reload(ctx);
    expect(await submitCode(ctx, "otp", "enroll", totpAt(second, ctx.now))).toEqual({ ok: true, continued: true });
    const after = await reload(ctx);
    expect(after.flow.status).toBe("active");
    expect(after.flow.pending.choice).toBeUndefined();
    expect(after.flow.pending.verified?.factor).toBe("otp");
  });
});
