/**
 * Threats: phishing, replaying and cloning passkeys and security keys; forged assertions and
 * registrations (another user's credential or userHandle, a flipped backup-eligibility flag, an
 * algorithm that was not offered, an over-long credential id); a passkey without user verification.
 * Defence: origin and RP ID checked; challenges single use, bound to the flow, 5 minutes; the
 * credential and userHandle must be the flow's user's; sign-counter regressions refused and
 * audited; backup eligibility fixed at registration; only the offered algorithms register; UV
 * required for passkeys. A software authenticator forges one field at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { submitResponse } from "@/lib/flow/attempt";
import { BACKENDS, clickThrough, env, newFlowCtx, reload } from "@/lib/test/databases";
import { SoftAuthenticator, type Ceremony } from "@/lib/test/soft-authenticator";
import { listActive } from "../authenticators";
import { MAX_CREDENTIAL_ID_BYTES, passkeyFactor, securityKeyFactor, WEBAUTHN_ALGORITHMS, WEBAUTHN_CHALLENGE_TTL_MS } from "./factor";
import type { FactorCtx } from "../types";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";

const ORIGIN = env.publicUrl.origin;
const RP = env.rpId;
const json = (v: unknown) => JSON.stringify(v);

describe.each(BACKENDS)("WebAuthn on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  /** A user with one registered passkey (a synced one when `synced`); `handle` is the account's WebAuthn user handle. */
  async function enrolled(device = new SoftAuthenticator({ origin: ORIGIN, rpId: RP }), ceremony: Ceremony = {}) {
    const ctx = await newFlowCtx(db);
    const options = await passkeyFactor.beginEnroll(ctx);
    expect(await submitResponse(await reload(ctx), "webauthn-platform", "enroll", json(device.register(options, ceremony)))).toMatchObject({ ok: true });
    return { sub: ctx.flow.sub, device, handle: options.user.id };
  }

  /** Registration with `device` in a new user's flow; the result of the setup. */
  async function register(device: SoftAuthenticator) {
    const ctx = await newFlowCtx(db);
    const options = await passkeyFactor.beginEnroll(ctx);
    return { result: await submitResponse(await reload(ctx), "webauthn-platform", "enroll", json(device.register(options))), ctx, options };
  }

  async function challenge(sub: string, now?: number): Promise<{ ctx: FactorCtx; options: PublicKeyCredentialRequestOptionsJSON }> {
    const ctx = await newFlowCtx(db, sub, now);
    const options = await passkeyFactor.beginChallenge(ctx);
    return { ctx: await reload(ctx), options };
  }

  it("registers a passkey with UV, resident key and platform attachment, and signs in with it", async () => {
    const ctx = await newFlowCtx(db);
    const options = await passkeyFactor.beginEnroll(ctx);
    expect(Buffer.from(options.challenge, "base64url").length).toBeGreaterThanOrEqual(16);
    expect(options.authenticatorSelection).toMatchObject({ authenticatorAttachment: "platform", residentKey: "required", userVerification: "required" });
    expect(options.rp.id).toBe(RP);
    const device = new SoftAuthenticator({ origin: ORIGIN, rpId: RP });
    expect(await submitResponse(await reload(ctx), "webauthn-platform", "enroll", json(device.register(options)))).toMatchObject({ ok: true });
    const [saved] = await listActive(db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }, "webauthn-platform");
    expect(saved).toMatchObject({ credential_id: device.id, user_verified: 1, backed_up: 0 });

    const { ctx: login, options: request } = await challenge(ctx.flow.sub);
    expect(request.allowCredentials?.map((c) => c.id)).toEqual([device.id]);
    expect(await submitResponse(login, "webauthn-platform", "challenge", json(device.authenticate(request)))).toEqual({ ok: true });
    expect((await reload(login)).flow.result?.amr).toEqual(["webauthn-platform", "uv"]);
  });

  it("excludes the user's existing credentials when adding another", async () => {
    const { sub, device } = await enrolled();
    const ctx = await newFlowCtx(db, sub);
    const options = await securityKeyFactor.beginEnroll(ctx);
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
    const options = await passkeyFactor.beginEnroll(ctx);
    expect(await submitResponse(await reload(ctx), "webauthn-platform", "enroll", json(device.register(options)))).toMatchObject({ ok: false });
    const { sub, device: good } = await enrolled();
    const { ctx: login, options: request } = await challenge(sub);
    expect(await submitResponse(login, "webauthn-platform", "challenge", json(good.authenticate(request, { uv: false })))).toMatchObject({ ok: false });
  });

  it("a security key without UV is accepted, and amr says the user was not verified", async () => {
    const ctx = await newFlowCtx(db);
    const key = new SoftAuthenticator({ origin: ORIGIN, rpId: RP, uv: false });
    const options = await securityKeyFactor.beginEnroll(ctx);
    expect(await submitResponse(await reload(ctx), "webauthn-roaming", "enroll", json(key.register(options)))).toMatchObject({ ok: true });
    expect((await clickThrough(ctx)).flow.result?.amr).toEqual(["webauthn-roaming"]);
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
    const options = await passkeyFactor.beginEnroll(ctx);
    expect(await submitResponse(await reload(ctx), "webauthn-platform", "enroll", json(device.register(options)))).toMatchObject({ ok: false });
  });

  it("a synced passkey (signature counter always 0) signs in twice in a row", async () => {
    const { sub, device } = await enrolled(new SoftAuthenticator({ origin: ORIGIN, rpId: RP, synced: true }));
    for (let i = 0; i < 2; i++) {
      const { ctx, options } = await challenge(sub);
      expect(await submitResponse(ctx, "webauthn-platform", "challenge", json(device.authenticate(options)))).toEqual({ ok: true });
      expect(device.counter).toBe(0);
    }
    const [saved] = await listActive(db, { tenant: "tenant.eu.auth0.com", sub }, "webauthn-platform");
    expect(saved).toMatchObject({ counter: 0, backup_eligible: 1, backed_up: 1 });
  });

  it("threat: cloned authenticator — a counter that drops back to 0 after a non-zero count is refused", async () => {
    const { sub, device } = await enrolled();
    const first = await challenge(sub);
    expect(await submitResponse(first.ctx, "webauthn-platform", "challenge", json(device.authenticate(first.options, { counter: 7 })))).toEqual({ ok: true });
    const second = await challenge(sub);
    expect(await submitResponse(second.ctx, "webauthn-platform", "challenge", json(device.authenticate(second.options, { counter: 0 })))).toMatchObject({ ok: false });
  });

  it("threat: assertion with another user's userHandle", async () => {
    const victim = await enrolled();
    const other = await enrolled();
    expect(other.handle).not.toBe(victim.handle);
    const { ctx, options } = await challenge(victim.sub);
    expect(await submitResponse(ctx, "webauthn-platform", "challenge", json(victim.device.authenticate(options, { userHandle: other.handle })))).toMatchObject({ ok: false });
    // The account's own handle (what a discoverable credential returns) signs in.
    const again = await challenge(victim.sub);
    expect(await submitResponse(again.ctx, "webauthn-platform", "challenge", json(victim.device.authenticate(again.options, { userHandle: victim.handle })))).toEqual({ ok: true });
  });

  it("threat: backup eligibility flips after registration", async () => {
    const { sub, device } = await enrolled();
    const flipped = await challenge(sub);
    expect(await submitResponse(flipped.ctx, "webauthn-platform", "challenge", json(device.authenticate(flipped.options, { backupEligible: true, backedUp: true })))).toMatchObject({ ok: false });
    const events = await db.selectFrom("audit_events").select("event").where("sub", "=", sub).where("event", "=", "webauthn.backup_eligibility_changed").execute();
    expect(events).toHaveLength(1);
    // A synced credential may change its backup state (BS), never its eligibility (BE).
    const synced = await enrolled(new SoftAuthenticator({ origin: ORIGIN, rpId: RP }), { backupEligible: true, backedUp: true });
    const bsOff = await challenge(synced.sub);
    expect(await submitResponse(bsOff.ctx, "webauthn-platform", "challenge", json(synced.device.authenticate(bsOff.options, { backupEligible: true, backedUp: false })))).toEqual({ ok: true });
    const beOff = await challenge(synced.sub);
    expect(await submitResponse(beOff.ctx, "webauthn-platform", "challenge", json(synced.device.authenticate(beOff.options, { backupEligible: false, backedUp: false })))).toMatchObject({ ok: false });
  });

  it("threat: registration with an algorithm that was not offered", async () => {
    const es384 = new SoftAuthenticator({ origin: ORIGIN, rpId: RP, alg: -35 });
    const { result, options } = await register(es384);
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual(WEBAUTHN_ALGORITHMS);
    expect(options.pubKeyCredParams.map((p) => p.alg)).not.toContain(-35);
    expect(result).toMatchObject({ ok: false });
  });

  it("EdDSA (Ed25519) is offered on purpose: such a credential registers and signs in", async () => {
    const { sub, device } = await enrolled(new SoftAuthenticator({ origin: ORIGIN, rpId: RP, alg: -8 }));
    const { ctx, options } = await challenge(sub);
    expect(await submitResponse(ctx, "webauthn-platform", "challenge", json(device.authenticate(options)))).toEqual({ ok: true });
  });

  it("threat: over-long credential id", async () => {
    expect((await register(new SoftAuthenticator({ origin: ORIGIN, rpId: RP, idBytes: 1100 }))).result).toMatchObject({ ok: false });
    expect((await register(new SoftAuthenticator({ origin: ORIGIN, rpId: RP, idBytes: MAX_CREDENTIAL_ID_BYTES + 1 }))).result).toMatchObject({ ok: false });
    expect((await register(new SoftAuthenticator({ origin: ORIGIN, rpId: RP, idBytes: MAX_CREDENTIAL_ID_BYTES }))).result).toMatchObject({ ok: true });
  });
});
