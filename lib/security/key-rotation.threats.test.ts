/**
 * Threats: Keystep's keys could not be rotated without locking users out, and the Action's shared
 * secret keyed every hash Keystep stores (#16 item 4). Defence: a key ring rooted in
 * KEYSTEP_ENCRYPTION_KEY (lib/security/keys.ts), key ids on every new value, earlier keys and the
 * legacy KEYSTEP_SECRET still read (docs/decisions/0010-key-rotation.md).
 *
 * Data "from before key ids" is made here with the formulas Keystep used then, copied as fixtures,
 * so these tests keep proving that an upgrade locks no one out.
 */
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/schema";
import { deviceStatus, deviceTokenHashes, recordDeviceMfa } from "@/lib/devices/repo";
import { insertAuthenticator, listActive } from "@/lib/factors/authenticators";
import { checkCode } from "@/lib/factors/code";
import { findLink } from "@/lib/factors/magic-link/factor";
import { authenticatorAad, otpFactor } from "@/lib/factors/otp/factor";
import { newTotpSecret, totpAt } from "@/lib/factors/otp/totp";
import { issueRecoveryCodes, recoveryFactor } from "@/lib/factors/recovery-code/factor";
import { passkeyFactor } from "@/lib/factors/webauthn/factor";
import type { FactorCtx } from "@/lib/factors/types";
import { submitResponse } from "@/lib/flow/attempt";
import { findFlowByCookie, openFlow } from "@/lib/flow/repo";
import { decideAtEntry } from "@/lib/policy/entry";
import { BACKENDS, newFlowCtx, reload } from "@/lib/test/databases";
import { TEST_SECRET, testEnv } from "@/lib/test/env";
import { SoftAuthenticator } from "@/lib/test/soft-authenticator";
import type { Env } from "@/lib/env";
import { encrypt } from "./crypto";
import { storedKeyId } from "./keys";

/** How Keystep stored values before key ids (copied from the release before #16 item 4). */
const before = {
  /** encrypt(env.encryptionKey, …): the raw KEYSTEP_ENCRYPTION_KEY. */
  seal: (rawKey: Buffer, plaintext: Buffer, aad: string) => encrypt(rawKey, plaintext, aad),
  /** keyedHash(env.secret, purpose, value): HMAC under the raw KEYSTEP_SECRET. */
  hash: (secret: string, purpose: string, value: string) => crypto.createHmac("sha256", secret).update(purpose).update("\0").update(value).digest("base64url"),
  /** userHandle(ctx): HMAC under KEYSTEP_SECRET of the account. */
  handle: (secret: string, tenant: string, sub: string) => crypto.createHmac("sha256", secret).update(`webauthn-user\0${tenant}|${sub}`).digest("base64url"),
};

const keyA = crypto.randomBytes(32);
const keyB = crypto.randomBytes(32);
const hex = (k: Buffer) => k.toString("hex");
const envA = testEnv({ KEYSTEP_ENCRYPTION_KEY: hex(keyA) });
/** After rotating the encryption key: B writes, A still reads. */
const envB = testEnv({ KEYSTEP_ENCRYPTION_KEY: hex(keyB), KEYSTEP_PREVIOUS_ENCRYPTION_KEYS: hex(keyA) });
/** After the rollover, A dropped. */
const envBOnly = testEnv({ KEYSTEP_ENCRYPTION_KEY: hex(keyB) });
const TENANT = "tenant.eu.auth0.com";
const as = (ctx: FactorCtx, env: Env): FactorCtx => ({ ...ctx, env });

describe.each(BACKENDS)("key rotation on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  async function totpUser(seal: (id: string, secret: Buffer) => string) {
    const ctx = await newFlowCtx(db);
    const secret = newTotpSecret();
    const id = crypto.randomUUID();
    await insertAuthenticator(db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }, { id, factor: "otp", label: "", secret: seal(id, secret) });
    return { ctx, secret, id };
  }

  it("threat: rotating KEYSTEP_ENCRYPTION_KEY locks out every TOTP user", async () => {
    const u = await totpUser((id, s) => envA.keys.seal("totp", s, authenticatorAad(id)));
    expect(storedKeyId((await listActive(db, { tenant: u.ctx.flow.tenant, sub: u.ctx.flow.sub }))[0]!.secret!)).toBe(envA.keys.current.id);
    // B is the new key, A is listed as previous: the secret sealed under A still opens.
    expect(await otpFactor.verify(as(u.ctx, envB), totpAt(u.secret, u.ctx.now))).toEqual({ ok: true });
    // A new enrollment under B is sealed under B.
    const v = await totpUser((id, s) => envB.keys.seal("totp", s, authenticatorAad(id)));
    expect(storedKeyId((await listActive(db, { tenant: v.ctx.flow.tenant, sub: v.ctx.flow.sub }))[0]!.secret!)).toBe(envB.keys.current.id);
    expect(envB.keys.current.id).not.toBe(envA.keys.current.id);
  });

  it("a TOTP secret stored before key ids (raw KEYSTEP_ENCRYPTION_KEY) still opens, before and after a rotation", async () => {
    const u = await totpUser((id, s) => before.seal(keyA, s, authenticatorAad(id)));
    expect(await otpFactor.verify(as(u.ctx, envA), totpAt(u.secret, u.ctx.now))).toEqual({ ok: true });
    const later = u.ctx.now + 60_000;
    expect(await otpFactor.verify({ ...as(u.ctx, envB), now: later }, totpAt(u.secret, later))).toEqual({ ok: true });
  });

  it("a key that is no longer configured opens nothing: the previous key is needed until rotate has run", async () => {
    const u = await totpUser((id, s) => envA.keys.seal("totp", s, authenticatorAad(id)));
    await expect(otpFactor.verify(as(u.ctx, envBOnly), totpAt(u.secret, u.ctx.now))).rejects.toThrow(/not configured/);
  });

  it("threat: a leaked Action secret also forges Keystep's stored hashes", async () => {
    const env = testEnv();
    const user = { tenant: TENANT, sub: `auth0|${crypto.randomUUID()}` };
    const sessionToken = crypto.randomBytes(24).toString("base64url");
    const opened = await openFlow(db, env.keys, {
      state: `S-${crypto.randomUUID()}`,
      sessionToken,
      context: { claims: { iss: TENANT, sub: user.sub, iat: 0, exp: 0 }, ip: null, userAgent: null },
      ttlSeconds: 900,
    });
    if (!opened.ok) throw new Error("not opened");
    const row = await db.selectFrom("flows").select(["id", "entry_token_hash"]).where("id", "=", opened.flow.id).executeTakeFirstOrThrow();
    // Whoever holds the Action secret (an Auth0 admin, the CI that deploys the Action) cannot compute them.
    expect(row.id).not.toBe(before.hash(TEST_SECRET, "flow-cookie", opened.cookieValue));
    expect(row.entry_token_hash).not.toBe(before.hash(TEST_SECRET, "entry-token", sessionToken));
    expect(storedKeyId(row.id)).toBe(env.keys.current.id);
    const codes = await issueRecoveryCodes(db, env.keys, user);
    const stored = (await db.selectFrom("recovery_codes").select("code_hash").where("sub", "=", user.sub).execute()).map((r) => r.code_hash);
    for (const code of codes) expect(stored).not.toContain(before.hash(TEST_SECRET, `recovery:${user.tenant}|${user.sub}`, code.replace(/-/g, "")));
    // And they do not depend on it: another Action secret, the same encryption key, the same hashes.
    const otherSecret = testEnv({ KEYSTEP_SECRET: "another-action-secret-of-at-least-32-bytes", KEYSTEP_ENCRYPTION_KEY: hex(env.keys.current.raw) });
    expect(otherSecret.keys.hash("flow-cookie", opened.cookieValue)).toBe(row.id);
  });

  it("threat: rotating KEYSTEP_ENCRYPTION_KEY forgets every recovery code and remembered device", async () => {
    const user = { tenant: TENANT, sub: `auth0|${crypto.randomUUID()}` };
    const [code] = await issueRecoveryCodes(db, envA.keys, user);
    const ctx = as({ ...(await newFlowCtx(db, user.sub)) }, envB);
    expect(await recoveryFactor.verify(ctx, code!)).toEqual({ ok: true });
    const cookie = crypto.randomBytes(32).toString("base64url");
    await recordDeviceMfa(db, user, { tokenHash: envA.keys.hash("device-cookie", cookie), rememberDays: 30 });
    expect(await deviceStatus(db, user, { tokenHash: deviceTokenHashes(envB.keys, cookie) })).toMatchObject({ known: true, remembered: true });
  });

  describe("values stored before key ids (the old formulas)", () => {
    it("a recovery code hashed with KEYSTEP_SECRET is accepted once", async () => {
      const ctx = await newFlowCtx(db);
      const code = "ABCD-EFGH-JKMN-PQRS";
      await db
        .insertInto("recovery_codes")
        .values({
          id: crypto.randomUUID(),
          tenant: ctx.flow.tenant,
          sub: ctx.flow.sub,
          code_hash: before.hash(TEST_SECRET, `recovery:${ctx.flow.tenant}|${ctx.flow.sub}`, "ABCDEFGHJKMNPQRS"),
          created_at: 1,
          used_at: null,
        })
        .execute();
      expect(await recoveryFactor.verify(ctx, code)).toEqual({ ok: true });
      expect(await recoveryFactor.verify(ctx, code)).toEqual({ ok: false, error: "code_invalid" });
    });

    it("a remembered device keeps being remembered, and moves to the current key on its next login", async () => {
      const env = testEnv();
      const user = { tenant: TENANT, sub: `auth0|${crypto.randomUUID()}` };
      const cookie = crypto.randomBytes(32).toString("base64url");
      await recordDeviceMfa(db, user, { tokenHash: before.hash(TEST_SECRET, "device-cookie", cookie), appDeviceHash: before.hash(TEST_SECRET, "app-device", "app-1"), rememberDays: 30 });
      const claims = { iss: TENANT, tenant: TENANT, sub: user.sub, iat: 0, exp: 0, device_id: "app-1" };
      const policy = await decideAtEntry(db, env.keys, { claims, ip: null, deviceToken: cookie }, { rules: [{ name: "remembered", when: { device: "remembered" }, outcome: "ALLOW" }] });
      expect(policy.outcome).toBe("ALLOW");
      const [row] = await db.selectFrom("devices").select(["token_hash"]).where("sub", "=", user.sub).execute();
      expect(row!.token_hash).toBe(env.keys.hash("device-cookie", cookie));
      // Now on the current key, it no longer needs KEYSTEP_SECRET at all.
      const noLegacy = testEnv({ KEYSTEP_ENCRYPTION_KEY: hex(env.keys.current.raw), KEYSTEP_LEGACY_HASH_SECRET: "x".repeat(32) });
      expect(await deviceStatus(db, user, { tokenHash: deviceTokenHashes(noLegacy.keys, cookie) })).toMatchObject({ known: true, remembered: true });
    });

    it("a login in flight at the upgrade finds its flow, its code and its sign-in link", async () => {
      const env = testEnv();
      const ctx = await newFlowCtx(db);
      const cookie = crypto.randomBytes(32).toString("base64url");
      const oldId = before.hash(TEST_SECRET, "flow-cookie", cookie);
      await db.updateTable("flows").set({ id: oldId }).where("id", "=", ctx.flow.id).execute();
      const flow = await findFlowByCookie(db, env.keys, cookie);
      expect(flow?.sub).toBe(ctx.flow.sub);
      const challengeId = crypto.randomUUID();
      const now = Date.now();
      await db
        .insertInto("challenges")
        .values({
          id: challengeId,
          flow_id: oldId,
          factor: "email",
          purpose: "challenge",
          destination: "ada@example.com",
          code_hash: before.hash(TEST_SECRET, `code:${challengeId}`, "123456"),
          attempts: 0,
          created_at: now,
          expires_at: now + 600_000,
          consumed_at: null,
          superseded_at: null,
        })
        .execute();
      const fctx: FactorCtx = { db, env, flow: flow!, now };
      expect(await checkCode(fctx, "email", "challenge", "654321")).toEqual({ ok: false, error: "code_invalid" });
      expect(await checkCode(fctx, "email", "challenge", "123456")).toMatchObject({ ok: true });
      const token = crypto.randomBytes(32).toString("base64url");
      await db
        .insertInto("magic_links")
        .values({
          id: crypto.randomUUID(),
          flow_id: oldId,
          token_hash: before.hash(TEST_SECRET, "magic-link", token),
          number: 123,
          created_at: now,
          expires_at: now + 600_000,
          superseded_at: null,
          approved_at: null,
          refused_at: null,
          consumed_at: null,
        })
        .execute();
      expect(await findLink(db, env.keys, token, now)).toMatchObject({ ok: true });
    });

    it("threat: a session token that opened a flow before the upgrade cannot open another after it", async () => {
      const sessionToken = crypto.randomBytes(24).toString("base64url");
      const context = { claims: { iss: TENANT, sub: "auth0|replay", iat: 0, exp: 0 }, ip: null, userAgent: null };
      const first = await openFlow(db, envA.keys, { state: `S-${crypto.randomUUID()}`, sessionToken, context, ttlSeconds: 900 });
      expect(first.ok).toBe(true);
      await db
        .updateTable("flows")
        .set({ entry_token_hash: before.hash(TEST_SECRET, "entry-token", sessionToken) })
        .where("entry_token_hash", "=", envA.keys.hash("entry-token", sessionToken))
        .execute();
      expect(await openFlow(db, envB.keys, { state: `S-${crypto.randomUUID()}`, sessionToken, context, ttlSeconds: 900 })).toEqual({ ok: false, error: "token_replayed" });
      // And under an earlier key of the ring.
      const second = crypto.randomBytes(24).toString("base64url");
      expect((await openFlow(db, envA.keys, { state: `S-${crypto.randomUUID()}`, sessionToken: second, context, ttlSeconds: 900 })).ok).toBe(true);
      expect(await openFlow(db, envB.keys, { state: `S-${crypto.randomUUID()}`, sessionToken: second, context, ttlSeconds: 900 })).toEqual({ ok: false, error: "token_replayed" });
    });

    it("a passkey registered with KEYSTEP_SECRET's user handle signs in, and keeps that handle from then on", async () => {
      const env = testEnv();
      const device = new SoftAuthenticator({ origin: env.publicUrl.origin, rpId: env.rpId });
      const ctx = as(await newFlowCtx(db), env);
      const options = await passkeyFactor.beginEnroll(ctx);
      expect(await submitResponse(as(await reload(ctx), env), "webauthn-platform", "enroll", JSON.stringify(device.register(options)))).toMatchObject({ ok: true });
      // As if registered before 0012: no stored handle, and the authenticator holds the old one.
      await db.updateTable("authenticators").set({ user_handle: null }).where("sub", "=", ctx.flow.sub).execute();
      const oldHandle = before.handle(TEST_SECRET, ctx.flow.tenant, ctx.flow.sub);
      const sign = async (userHandle: string) => {
        const c = as(await newFlowCtx(db, ctx.flow.sub), env);
        const opts = await passkeyFactor.beginChallenge(c);
        return submitResponse(as(await reload(c), env), "webauthn-platform", "challenge", JSON.stringify(device.authenticate(opts, { userHandle })));
      };
      expect(await sign(options.user.id)).toMatchObject({ ok: false });
      expect(await sign(oldHandle)).toEqual({ ok: true });
      expect((await listActive(db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }))[0]!.user_handle).toBe(oldHandle);
    });
  });

  it("a passkey outlives every key rotation: its user handle is stored with it, not derived again", async () => {
    const device = new SoftAuthenticator({ origin: envA.publicUrl.origin, rpId: envA.rpId });
    const ctx = as(await newFlowCtx(db), envA);
    const options = await passkeyFactor.beginEnroll(ctx);
    expect(await submitResponse(as(await reload(ctx), envA), "webauthn-platform", "enroll", JSON.stringify(device.register(options)))).toMatchObject({ ok: true });
    expect((await listActive(db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }))[0]!.user_handle).toBe(options.user.id);
    // KEYSTEP_ENCRYPTION_KEY and KEYSTEP_SECRET both replaced, nothing previous kept.
    const fresh = testEnv({ KEYSTEP_SECRET: "a-brand-new-action-secret-of-32-bytes-or-more", KEYSTEP_ENCRYPTION_KEY: hex(crypto.randomBytes(32)) });
    const c = as(await newFlowCtx(db, ctx.flow.sub), fresh);
    const opts = await passkeyFactor.beginChallenge(c);
    expect(await submitResponse(as(await reload(c), fresh), "webauthn-platform", "challenge", JSON.stringify(device.authenticate(opts, { userHandle: options.user.id })))).toEqual({ ok: true });
    // A second passkey of the user gets the same handle: one account per user on an authenticator.
    const again = as(await newFlowCtx(db, ctx.flow.sub), fresh);
    expect((await passkeyFactor.beginEnroll(again)).user.id).toBe(options.user.id);
  });
});
