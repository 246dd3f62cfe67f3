import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { submitResponse } from "@/lib/flow/attempt";
import { BACKENDS, env, newFlowCtx, reload } from "@/lib/test/databases";
import { SoftAuthenticator } from "@/lib/test/soft-authenticator";
import { listActive } from "./authenticators";
import { passkeyFactor, securityKeyFactor, WEBAUTHN_CHALLENGE_TTL_MS } from "./webauthn";
import type { FactorCtx } from "./types";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";

const ORIGIN = env.publicUrl.origin;
const RP = env.rpId;
const json = (v: unknown) => JSON.stringify(v);

describe.each(BACKENDS)("WebAuthn on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  /** A user with one registered passkey. */
  async function enrolled() {
    const ctx = await newFlowCtx(db);
    const device = new SoftAuthenticator({ origin: ORIGIN, rpId: RP });
    const options = await passkeyFactor.beginSetup(ctx);
    expect(await submitResponse(await reload(ctx), "webauthn-platform", "setup", json(device.register(options)))).toEqual({ ok: true });
    return { sub: ctx.flow.sub, device };
  }

  async function challenge(sub: string, now?: number): Promise<{ ctx: FactorCtx; options: PublicKeyCredentialRequestOptionsJSON }> {
    const ctx = await newFlowCtx(db, sub, now);
    const options = await passkeyFactor.beginChallenge(ctx);
    return { ctx: await reload(ctx), options };
  }

  it("registers a passkey with UV, resident key and platform attachment, and signs in with it", async () => {
    const ctx = await newFlowCtx(db);
    const options = await passkeyFactor.beginSetup(ctx);
    expect(Buffer.from(options.challenge, "base64url").length).toBeGreaterThanOrEqual(16);
    expect(options.authenticatorSelection).toMatchObject({ authenticatorAttachment: "platform", residentKey: "required", userVerification: "required" });
    expect(options.rp.id).toBe(RP);
    const device = new SoftAuthenticator({ origin: ORIGIN, rpId: RP });
    expect(await submitResponse(await reload(ctx), "webauthn-platform", "setup", json(device.register(options)))).toEqual({ ok: true });
    const [saved] = await listActive(db, { host: ctx.flow.host, sub: ctx.flow.sub }, "webauthn-platform");
    expect(saved).toMatchObject({ credential_id: device.id, user_verified: 1, backed_up: 0 });

    const { ctx: login, options: request } = await challenge(ctx.flow.sub);
    expect(request.allowCredentials?.map((c) => c.id)).toEqual([device.id]);
    expect(await submitResponse(login, "webauthn-platform", "challenge", json(device.authenticate(request)))).toEqual({ ok: true });
    expect((await reload(login)).flow.result?.amr).toEqual(["webauthn-platform", "uv"]);
  });

  it("excludes the user's existing credentials when adding another", async () => {
    const { sub, device } = await enrolled();
    const ctx = await newFlowCtx(db, sub);
    const options = await securityKeyFactor.beginSetup(ctx);
    expect(options.excludeCredentials?.map((c) => c.id)).toContain(device.id);
    expect(options.authenticatorSelection).toMatchObject({ authenticatorAttachment: "cross-platform" });
  });

  it("threat: phishing — an assertion made for another origin is refused", async () => {
    const { sub, device } = await enrolled();
    const { ctx, options } = await challenge(sub);
    expect(await submitResponse(ctx, "webauthn-platform", "challenge", json(device.authenticate(options, { origin: "https://keystep.evil.example" })))).toMatchObject({ ok: false });
  });

  it("threat: wrong RP ID — an assertion scoped to another relying party is refused", async () => {
    const { sub, device } = await enrolled();
    const { ctx, options } = await challenge(sub);
    expect(await submitResponse(ctx, "webauthn-platform", "challenge", json(device.authenticate(options, { rpId: "evil.example" })))).toMatchObject({ ok: false });
  });

  it("threat: replayed challenge — the same assertion works once", async () => {
    const { sub, device } = await enrolled();
    const { ctx, options } = await challenge(sub);
    const assertion = json(device.authenticate(options));
    const other = await newFlowCtx(db, sub);
    expect(await submitResponse(ctx, "webauthn-platform", "challenge", assertion)).toEqual({ ok: true });
    // Replaying into a fresh flow (a new challenge) fails, as does replaying into the same flow.
    await passkeyFactor.beginChallenge(other);
    expect(await submitResponse(await reload(other), "webauthn-platform", "challenge", assertion)).toMatchObject({ ok: false });
  });

  it("threat: a challenge issued to another flow is useless here", async () => {
    const { sub, device } = await enrolled();
    const a = await challenge(sub);
    const b = await challenge(sub);
    expect(await submitResponse(b.ctx, "webauthn-platform", "challenge", json(device.authenticate(a.options)))).toMatchObject({ ok: false });
  });

  it("threat: another user's credential does not satisfy this user's flow", async () => {
    const victim = await enrolled();
    const attacker = await enrolled();
    const { ctx, options } = await challenge(victim.sub);
    expect(await submitResponse(ctx, "webauthn-platform", "challenge", json(attacker.device.authenticate(options)))).toMatchObject({ ok: false });
  });

  it("threat: cloned authenticator — a sign-counter regression is refused and audited", async () => {
    const { sub, device } = await enrolled();
    const first = await challenge(sub);
    expect(await submitResponse(first.ctx, "webauthn-platform", "challenge", json(device.authenticate(first.options, { counter: 5 })))).toEqual({ ok: true });
    const second = await challenge(sub);
    expect(await submitResponse(second.ctx, "webauthn-platform", "challenge", json(device.authenticate(second.options, { counter: 3 })))).toMatchObject({ ok: false });
    const events = await db.selectFrom("audit_events").select("event").where("sub", "=", sub).where("event", "=", "webauthn.counter_regression").execute();
    expect(events).toHaveLength(1);
  });

  it("threat: UV missing where required — a passkey without user verification is refused", async () => {
    const ctx = await newFlowCtx(db);
    const device = new SoftAuthenticator({ origin: ORIGIN, rpId: RP, uv: false });
    const options = await passkeyFactor.beginSetup(ctx);
    expect(await submitResponse(await reload(ctx), "webauthn-platform", "setup", json(device.register(options)))).toMatchObject({ ok: false });
    const { sub, device: good } = await enrolled();
    const { ctx: login, options: request } = await challenge(sub);
    expect(await submitResponse(login, "webauthn-platform", "challenge", json(good.authenticate(request, { uv: false })))).toMatchObject({ ok: false });
  });

  it("a security key without UV is accepted, and amr says the user was not verified", async () => {
    const ctx = await newFlowCtx(db);
    const key = new SoftAuthenticator({ origin: ORIGIN, rpId: RP, uv: false });
    const options = await securityKeyFactor.beginSetup(ctx);
    expect(await submitResponse(await reload(ctx), "webauthn-roaming", "setup", json(key.register(options)))).toEqual({ ok: true });
    expect((await reload(ctx)).flow.result?.amr).toEqual(["webauthn-roaming"]);
  });

  it("an expired challenge is refused", async () => {
    const { sub, device } = await enrolled();
    const { ctx, options } = await challenge(sub);
    const late = { ...ctx, now: ctx.now + WEBAUTHN_CHALLENGE_TTL_MS + 1 };
    expect(await submitResponse(late, "webauthn-platform", "challenge", json(device.authenticate(options)))).toMatchObject({ ok: false });
  });

  it("credential IDs are unique across users", async () => {
    const { device } = await enrolled();
    const ctx = await newFlowCtx(db);
    const options = await passkeyFactor.beginSetup(ctx);
    expect(await submitResponse(await reload(ctx), "webauthn-platform", "setup", json(device.register(options)))).toMatchObject({ ok: false });
  });
});
