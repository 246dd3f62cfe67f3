/**
 * Threats: gaining a factor, or finishing a login, without the proof the policy asks for ("a
 * password holder" knows the victim's Auth0 password and nothing else).
 * Defence: one decider (nextStep) over an explicit state machine (lib/flow/types.ts FlowState):
 * finished is final; binding needs a fresh proof of the user's strongest tier; a flow completes
 * only in completeIfDone, when nextStep says `complete`; pacing is per factor; waiting is not failing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { insertAuthenticator } from "@/lib/factors/authenticators";
import { approveLink } from "@/lib/factors/magic-link/factor";
import { otpFactor } from "@/lib/factors/otp/factor";
import { issueRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { totpAt } from "@/lib/factors/otp/totp";
import type { FactorId } from "@/lib/factors/registry";
import type { FactorCtx } from "@/lib/factors/types";
import { BACKENDS, env, reload, secretBytes, wrongCode } from "@/lib/test/databases";
import { runAttempt, submitCode, submitResponse } from "./attempt";
import { userFactors } from "./user-factors";
import { nextStep, options, PROOF_MAX_AGE_MS } from "./next-step";
import { regenerateCodes } from "./recovery";
import { completeFlow, findFlow, FINISHED_FLOW_TTL_MS, openFlow, purgeExpiredFlows, swapPending } from "./repo";
import { flowState, type FlowContext, type FlowPolicy } from "./types";

const POLICY: FlowPolicy = { outcome: "CHALLENGE", rule: null, reason: null, factors: {}, canRemember: true, rememberDays: 30, firstEnrollment: "none" };

async function open(db: Kysely<Database>, sub: string, o: { claims?: Partial<FlowContext["claims"]>; policy?: Partial<FlowPolicy>; offer?: boolean; now?: number } = {}): Promise<FactorCtx> {
  const now = o.now ?? Date.now();
  const context: FlowContext = {
    claims: { iss: "tenant.eu.auth0.com", sub, iat: 0, exp: 0, email: "victim@example.com", email_verified: true, ...o.claims },
    ip: "203.0.113.9",
    userAgent: "vitest",
    policy: { ...POLICY, ...o.policy },
    ...(o.offer ? {} : { offerSnoozed: true }),
  };
  const opened = await openFlow(db, env.keys, { state: crypto.randomBytes(16).toString("base64url"), sessionToken: crypto.randomBytes(24).toString("base64url"), context, ttlSeconds: 900 }, now);
  if (!opened.ok) throw new Error("state clash");
  // Email configured, so the token's verified address is an implicit factor (as in production).
  return { db, env: { ...env, email: { smtpUrl: "smtp://127.0.0.1:9", from: "keystep@example.com" } }, flow: opened.flow, now };
}

const newSub = () => `auth0|${crypto.randomUUID()}`;

/** A user with an authenticator app (enrolled two minutes ago); returns its secret. */
async function withOtp(db: Kysely<Database>, sub: string): Promise<Uint8Array> {
  let ctx = await open(db, sub, { now: Date.now() - 120_000 });
  const secret = secretBytes((await otpFactor.beginEnroll(ctx)).secretBase32);
  ctx = await reload(ctx);
  expect(await submitCode(ctx, "otp", "enroll", totpAt(secret, ctx.now))).toMatchObject({ ok: true });
  return secret;
}

async function addKey(db: Kysely<Database>, sub: string, factor: FactorId = "webauthn-roaming") {
  await insertAuthenticator(db, { tenant: "tenant.eu.auth0.com", sub }, { factor, label: "Key", credential_id: crypto.randomBytes(16).toString("base64url"), public_key: "x", counter: 0 });
}

const step = async (ctx: FactorCtx) => {
  const fresh = (await findFlow(ctx.db, ctx.flow.id))!;
  return nextStep(fresh, await userFactors(fresh, ctx.db, ctx.env), Date.now());
};

describe.each(BACKENDS)("the flow state machine on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  it("threat: a login that policy let through with no factor adds a passkey or recovery codes", async () => {
    const sub = newSub();
    await withOtp(db, sub);
    const ctx = await open(db, sub, { policy: { outcome: "ALLOW" }, offer: true });
    expect(await completeFlow(db, ctx.flow.id, "success", { amr: [], enrolled: [], skipped: "office network" }, ctx.now)).toBe(true);
    const done = await reload(ctx);
    // The decider sends it back to Auth0, never to the passkey offer or the recovery codes.
    expect(await step(done)).toEqual({ kind: "continue" });
    expect(flowState(done.flow, Date.now())).toEqual({ kind: "complete" });
    // Finished is final: nothing can be written onto it, and no codes can be issued through it.
    expect(await swapPending(db, done.flow, { verified: { factor: "otp", amr: ["otp"], at: Date.now() } })).toBe(false);
    const before = await db.selectFrom("recovery_codes").select("code_hash").where("sub", "=", sub).execute();
    expect(await regenerateCodes(done)).toBe(false);
    expect(await db.selectFrom("recovery_codes").select("code_hash").where("sub", "=", sub).execute()).toEqual(before);
    // …and days later it has expired (then it is purged).
    expect(done.flow.expiresAt).toBeLessThanOrEqual(ctx.now + FINISHED_FLOW_TTL_MS);
    expect(flowState(done.flow, ctx.now + FINISHED_FLOW_TTL_MS + 1)).toEqual({ kind: "expired" });
    expect(await purgeExpiredFlows(db, ctx.now + 3 * 86_400_000)).toBeGreaterThanOrEqual(1);
    expect(await findFlow(db, ctx.flow.id)).toBeNull();
  });

  it("threat: keystep_intent=manage widens the proof", async () => {
    const sub = newSub();
    await withOtp(db, sub);
    await addKey(db, sub);
    const policy = { factors: { require: ["webauthn-roaming"] as FactorId[] } };
    const ctx = await open(db, sub, { claims: { intent: "manage" }, policy });
    const f = await userFactors(ctx.flow, db, ctx.env);
    // Managing asks for what the login asks for: the security key, not the app or the email.
    expect(options(ctx.flow, f).challenge).toEqual(["webauthn-roaming"]);
    expect(await step(ctx)).toEqual({ kind: "challenge", factor: "webauthn-roaming" });
  });

  it("threat: weaker proofs beat stronger ones — a user with a passkey is never challenged by email", async () => {
    const sub = newSub();
    await withOtp(db, sub);
    await addKey(db, sub, "webauthn-platform");
    const ctx = await open(db, sub);
    const f = await userFactors(ctx.flow, db, ctx.env);
    expect(f.implicit).toContain("email");
    expect(options(ctx.flow, f).challenge).toEqual(["webauthn-platform", "recovery-code"]);
    // A forced setup is proved at the same tier: the email never binds the required key.
    const forced = await open(db, sub, { policy: { factors: { require: ["webauthn-roaming"] } } });
    expect(options(forced.flow, f).challenge).toEqual(["webauthn-platform", "recovery-code"]);
    // A rule may name a weaker factor for login; then it is offered, but it binds nothing.
    const named = await open(db, sub, { policy: { factors: { allow: ["email", "webauthn-platform"] } } });
    expect(options(named.flow, f).challenge).toEqual(["webauthn-platform", "email"]);
    const proved = { ...named.flow, pending: { verified: { factor: "email" as FactorId, amr: ["email"], at: Date.now() }, choice: { factor: "otp" as FactorId, mode: "enroll" as const } } };
    expect(nextStep({ ...proved, context: { ...proved.context, claims: { ...proved.context.claims, intent: "manage" } } }, f).kind).toBe("challenge");
  });

  it("threat: confirming a sign-in link skips the remaining steps", async () => {
    const sub = newSub();
    // A new user whose login policy forces a security key; the token's verified email is their only proof.
    const ctx = await open(db, sub, { policy: { factors: { setup: ["webauthn-roaming"], forceSetup: true, allow: ["magic-link"] } } });
    expect(options(ctx.flow, await userFactors(ctx.flow, db, ctx.env)).challenge).toContain("magic-link");
    const id = crypto.randomUUID();
    await db
      .insertInto("magic_links")
      .values({
        id,
        flow_id: ctx.flow.id,
        token_hash: crypto.randomBytes(8).toString("hex"),
        number: 42,
        created_at: ctx.now,
        expires_at: ctx.now + 600_000,
        superseded_at: null,
        approved_at: null,
        refused_at: null,
        consumed_at: null,
      })
      .execute();
    expect(await approveLink(db, id, ctx.now)).toBe(true);
    expect(await submitResponse(ctx, "magic-link", "challenge", "")).toEqual({ ok: true, continued: true });
    const after = await reload(ctx);
    expect(after.flow.status).toBe("active");
    expect(await step(after)).toEqual({ kind: "enroll", factor: "webauthn-roaming" });
  });

  it("threat: two valid codes posted at once skip a required setup", async () => {
    const sub = newSub();
    const secret = await withOtp(db, sub);
    const ctx = await open(db, sub, { policy: { factors: { require: ["webauthn-roaming"] } } });
    // Two different valid codes (time steps T and T−1), submitted together.
    const results = await Promise.all([submitCode(ctx, "otp", "challenge", totpAt(secret, ctx.now)), submitCode(ctx, "otp", "challenge", totpAt(secret, ctx.now - 30_000))]);
    expect(results.some((r) => r.ok)).toBe(true);
    const after = await reload(ctx);
    expect(after.flow.status).toBe("active");
    expect(await step(after)).toEqual({ kind: "enroll", factor: "webauthn-roaming" });
  });

  it("threat: a password holder locks the victim out of every factor", async () => {
    const sub = newSub();
    const secret = await withOtp(db, sub);
    const now = Date.now();
    // Ten wrong app codes across fresh logins: the app is paused…
    for (let i = 0; i < 10; i++) await submitCode(await open(db, sub), "otp", "challenge", wrongCode(secret, now, totpAt));
    expect(await submitCode(await open(db, sub), "otp", "challenge", totpAt(secret, now))).toMatchObject({ ok: false, error: "rate_limited" });
    expect(await db.selectFrom("audit_events").select("event").where("sub", "=", sub).where("event", "=", "challenge.locked").execute()).toHaveLength(1);
    // …but recovery codes have their own budget, and still sign the victim in.
    const codes = await issueRecoveryCodes(db, env.keys, { tenant: "tenant.eu.auth0.com", sub });
    expect(await submitResponse(await open(db, sub), "recovery-code", "challenge", codes[0]!)).toMatchObject({ ok: true });
  });

  it("threat: a user whose every factor is disabled falls back to first enrollment", async () => {
    const sub = newSub();
    await withOtp(db, sub);
    await db.updateTable("authenticators").set({ disabled_at: Date.now() }).where("sub", "=", sub).execute();
    await db.updateTable("recovery_codes").set({ used_at: Date.now() }).where("sub", "=", sub).execute();
    const ctx = await open(db, sub);
    const f = await userFactors(ctx.flow, db, ctx.env);
    expect(f).toMatchObject({ enrolled: [], disabled: ["otp"] });
    // Not setup, not the email a password holder may control: recovery through support.
    expect(await step(ctx)).toEqual({ kind: "ended", reason: "recovery_required" });
    // With a recovery code left, that is the way in.
    await issueRecoveryCodes(db, env.keys, { tenant: "tenant.eu.auth0.com", sub });
    expect(await step(ctx)).toEqual({ kind: "challenge", factor: "recovery-code" });
  });

  it("threat: factor changes with no notice", async () => {
    const sub = newSub();
    const secret = await withOtp(db, sub);
    const events = async (event: string) => (await db.selectFrom("audit_events").select("event").where("sub", "=", sub).where("event", "=", event).execute()).length;
    expect(await events("factor.added")).toBe(1);
    expect(await events("recovery.issued")).toBe(1);
    // A recovery code used, then a new set: audited (and emailed through notifyUser).
    const codes = await issueRecoveryCodes(db, env.keys, { tenant: "tenant.eu.auth0.com", sub });
    const ctx = await open(db, sub);
    expect(await submitResponse(ctx, "recovery-code", "challenge", codes[0]!)).toEqual({ ok: true, continued: true });
    const verified = await reload(ctx);
    expect(await step(verified)).toEqual({ kind: "recovery-codes", regenerate: true });
    expect(await regenerateCodes(verified)).toBe(true);
    expect(await events("recovery.issued")).toBe(2);
    void secret;
  });

  it("threat: waiting counts as failing — early clicks on a pending link lock nobody out", async () => {
    const sub = newSub();
    await withOtp(db, sub);
    const ctx = await open(db, sub, { policy: { factors: { allow: ["magic-link", "otp"] } } });
    for (let i = 0; i < 12; i++) expect(await submitResponse(await reload(ctx), "magic-link", "challenge", "")).toEqual({ ok: false, error: "link_pending" });
    expect((await reload(ctx)).flow).toMatchObject({ status: "active", failedAttempts: 0 });
  });

  it("the email check before a first setup leads to the setup the user picked, never to completion", async () => {
    const sub = newSub();
    const ctx = await open(db, sub, { policy: { firstEnrollment: "verify-email" } });
    const picked = { ...ctx.flow.pending, choice: { factor: "otp" as FactorId, mode: "enroll" as const } };
    expect(await swapPending(db, ctx.flow, picked)).toBe(true);
    const gated = await reload(ctx);
    expect(await step(gated)).toEqual({ kind: "challenge", factor: "email", gate: true });
    // The email factor's check passes (its code is tested in code.threats.test.ts).
    expect(await runAttempt(gated, "email", "challenge", async () => ({ ok: true }))).toEqual({ ok: true, continued: true });
    const after = await reload(ctx);
    expect(after.flow.status).toBe("active");
    expect(await step(after)).toEqual({ kind: "enroll", factor: "otp" });
  });

  it("a first setup goes on to its recovery codes (issued once), then completes", async () => {
    const sub = newSub();
    let ctx = await open(db, sub);
    const secret = secretBytes((await otpFactor.beginEnroll(ctx)).secretBase32);
    ctx = await reload(ctx);
    expect(await submitCode(ctx, "otp", "enroll", totpAt(secret, ctx.now))).toEqual({ ok: true, continued: true });
    const after = await reload(ctx);
    expect(await step(after)).toEqual({ kind: "recovery-codes", regenerate: false });
    expect(after.flow.pending.recoveryCodes).toBeDefined();
    expect(await db.selectFrom("audit_events").select("event").where("sub", "=", sub).where("event", "=", "recovery.issued").execute()).toHaveLength(1);
    const { passStep } = await import("./transition");
    expect(await passStep(after, { recoveryDone: true })).toEqual({ kind: "continue" });
    expect((await reload(ctx)).flow).toMatchObject({ status: "done", outcome: "success", result: { amr: ["otp"], enrolled: ["otp"] } });
  });

  it("threat: a second challenge in the sequence cannot be satisfied by the first proof — an admin challenged twice must pass both before the login completes", async () => {
    const sub = newSub();
    const secret = await withOtp(db, sub);
    await addKey(db, sub);
    const policy: Partial<FlowPolicy> = {
      rule: "admins twice",
      commands: [
        { command: "challengeWith", factors: ["otp"] },
        { command: "challengeWith", factors: ["webauthn-roaming"] },
      ],
    };
    let ctx = await open(db, sub, { policy });
    expect(await step(ctx)).toEqual({ kind: "challenge", factor: "otp" });
    expect(await submitCode(ctx, "otp", "challenge", totpAt(secret, ctx.now))).toEqual({ ok: true, continued: true });
    ctx = await reload(ctx);
    expect(ctx.flow.status).toBe("active");
    expect(await step(ctx)).toEqual({ kind: "challenge", factor: "webauthn-roaming" });
    // Another app code, posted straight at the check, is a proof of the app again: still not the key.
    expect(await submitCode(ctx, "otp", "challenge", totpAt(secret, ctx.now + 30_000))).toEqual({ ok: true, continued: true });
    ctx = await reload(ctx);
    expect(ctx.flow.status).toBe("active");
    expect(await step(ctx)).toEqual({ kind: "challenge", factor: "webauthn-roaming" });
    // The key's own check completes the login, with both factors in `amr`.
    expect(await runAttempt(ctx, "webauthn-roaming", "challenge", async () => ({ ok: true }))).toEqual({ ok: true });
    expect((await reload(ctx)).flow).toMatchObject({ status: "done", outcome: "success", result: { amr: ["otp", "webauthn-roaming"], enrolled: [] } });
  });

  it("binding needs a fresh proof: after PROOF_MAX_AGE_MS the user proves again before a setup", async () => {
    const sub = newSub();
    await withOtp(db, sub);
    const ctx = await open(db, sub, { policy: { factors: { require: ["webauthn-roaming"] } } });
    const f = await userFactors(ctx.flow, db, ctx.env);
    const proved = { ...ctx.flow, pending: { verified: { factor: "otp" as FactorId, amr: ["otp"], at: ctx.now } } };
    expect(nextStep(proved, f, ctx.now)).toEqual({ kind: "enroll", factor: "webauthn-roaming" });
    expect(nextStep(proved, f, ctx.now + PROOF_MAX_AGE_MS + 1)).toEqual({ kind: "challenge", factor: "otp" });
  });
});

describe("one decider", () => {
  it("nothing outside lib/flow/repo.ts writes the flows table, and only lib/flow/transition.ts ends a flow (success only in completeIfDone, or a policy ALLOW at entry)", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) files.push(p);
      }
    };
    for (const d of ["lib", "app", "pages", "components", "client", "scripts"]) walk(d);
    // Migrations (lib/db/migrations.ts) reshape stored rows once at an upgrade; they decide nothing.
    const writers = files.filter((f) => f !== "lib/db/migrations.ts" && /(updateTable|insertInto|deleteFrom)\(\s*"flows"/.test(fs.readFileSync(f, "utf8")));
    expect(writers).toEqual(["lib/flow/repo.ts"]);
    const successes = files.filter((f) =>
      fs
        .readFileSync(f, "utf8")
        .split("\n")
        .some((line) => line.includes("completeFlow(") && line.includes('"success"') && !line.includes("function completeFlow")),
    );
    expect(successes).toEqual(["lib/flow/transition.ts"]);
    const enders = files.filter((f) => f !== "lib/flow/repo.ts" && /completeFlow\(/.test(fs.readFileSync(f, "utf8")));
    expect(enders).toEqual(["lib/flow/transition.ts"]);
  });
});
