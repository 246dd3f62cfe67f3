import { keysOfUser } from "@/lib/auth0/domains";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { audit, auditWho } from "@/lib/audit";
import { swapPending } from "@/lib/flow/repo";
import type { Pending } from "@/lib/flow/types";
import type { AuthenticatorRow } from "@/lib/db/schema";
import { credentialName } from "../aaguid";
import { insertAuthenticator, listActive } from "../authenticators";
import type { CheckResult, Factor, FactorCtx, EnrollFactor } from "../types";

export type WebAuthnFactor = "webauthn-platform" | "webauthn-roaming";

/**
 * The public-key algorithms Keystep offers and accepts, one list for both so a registration can
 * never bring an algorithm the options did not offer: EdDSA (Ed25519, on many security keys),
 * ES256 (every passkey) and RS256 (Windows Hello). SimpleWebAuthn verifies all three.
 */
export const WEBAUTHN_ALGORITHMS = [-8, -7, -257];

/** WebAuthn §5.1 / §6.1: a credential ID is at most 1,023 bytes; longer ones are refused. */
export const MAX_CREDENTIAL_ID_BYTES = 1023;

/** WebAuthn challenges expire within 5 minutes (and are single use). */
export const WEBAUTHN_CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * One policy for options and verification, so `userVerification` can never disagree between
 * them: passkeys require UV (that is what makes them a complete, phishing-resistant factor);
 * security keys prefer it.
 */
const UV: Record<WebAuthnFactor, "required" | "preferred"> = { "webauthn-platform": "required", "webauthn-roaming": "preferred" };

/**
 * The WebAuthn user handle for a new credential: opaque (no email or sub leaks to the
 * authenticator) and the same for all of a user's credentials, so an authenticator keeps one
 * account per user. It is stored with each credential and compared as stored: a passkey holds it
 * for life, whatever Keystep's keys become (docs/decisions/0010-key-rotation.md). The user's
 * existing handle is reused; a user whose passkeys predate stored handles keeps the one
 * KEYSTEP_SECRET derived; anyone else gets one from the current key.
 */
function userHandle(ctx: FactorCtx, existing: AuthenticatorRow[]): Uint8Array<ArrayBuffer> {
  const stored = existing.find((a) => a.user_handle)?.user_handle;
  if (stored) return new Uint8Array(Buffer.from(stored, "base64url"));
  const account = `${ctx.flow.tenant}|${ctx.flow.sub}`;
  const legacy = existing.some((a) => a.credential_id && !a.user_handle) ? ctx.env.keys.legacyWebauthnUserHandles(account)[0] : undefined;
  return legacy ? new Uint8Array(Buffer.from(legacy, "base64url")) : ctx.env.keys.webauthnUserHandle(account);
}

/** The handles a credential stored before 0012 may hold: KEYSTEP_SECRET's, for the tenant or (older still) a domain of it. */
const legacyHandles = (ctx: FactorCtx) => keysOfUser(ctx.env.tenants, ctx.flow.tenant).flatMap((key) => ctx.env.keys.legacyWebauthnUserHandles(`${key}|${ctx.flow.sub}`));

async function storeChallenge(ctx: FactorCtx, factor: WebAuthnFactor, purpose: "enroll" | "challenge", challenge: string, userHandle?: string): Promise<void> {
  const pending: Pending = { ...ctx.flow.pending, webauthn: { challenge, purpose, factor, expiresAt: ctx.now + WEBAUTHN_CHALLENGE_TTL_MS, ...(userHandle ? { userHandle } : {}) } };
  if (!(await swapPending(ctx.db, ctx.flow, pending))) throw new Error("flow changed while preparing WebAuthn");
  ctx.flow = { ...ctx.flow, pending };
}

/**
 * Takes the outstanding challenge off the flow before verifying (compare-and-set), so a
 * challenge is usable exactly once even by racing requests.
 */
async function takeChallenge(ctx: FactorCtx, factor: WebAuthnFactor, purpose: "enroll" | "challenge"): Promise<{ challenge: string; userHandle?: string } | null> {
  const w = ctx.flow.pending.webauthn;
  if (!w || w.factor !== factor || w.purpose !== purpose) return null;
  const { webauthn: _taken, ...rest } = ctx.flow.pending;
  if (!(await swapPending(ctx.db, ctx.flow, rest))) return null;
  ctx.flow = { ...ctx.flow, pending: rest };
  return w.expiresAt > ctx.now ? { challenge: w.challenge, ...(w.userHandle ? { userHandle: w.userHandle } : {}) } : null;
}

function parseJson<T>(raw: string): T | null {
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === "object" ? (v as T) : null;
  } catch {
    return null;
  }
}

/** Credential descriptors (id and transports) for the options' exclude/allow lists. */
function descriptors(rows: AuthenticatorRow[]): Array<{ id: string; transports?: string[] }> {
  return rows.flatMap((a) => (a.credential_id ? [{ id: a.credential_id, transports: a.transports ? (JSON.parse(a.transports) as string[]) : undefined }] : []));
}

const fail = (): CheckResult => ({ ok: false, error: "webauthn_invalid" });
const expectation = (ctx: FactorCtx) => ({ expectedOrigin: ctx.env.publicUrl.origin, expectedRPID: ctx.env.rpId });

/** Passkeys (platform, resident, UV) and security keys (roaming) over one ceremony; only the selection differs. */
export function webauthnFactor(
  id: WebAuthnFactor,
): EnrollFactor<PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON> & Required<Pick<Factor<unknown, PublicKeyCredentialRequestOptionsJSON>, "beginChallenge">> {
  const platform = id === "webauthn-platform";
  return {
    id,

    async beginEnroll(ctx) {
      const existing = await listActive(ctx.db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub });
      const claims = ctx.flow.context.claims;
      const handle = userHandle(ctx, existing);
      const options = await generateRegistrationOptions({
        rpName: ctx.env.brand.name,
        rpID: ctx.env.rpId,
        userName: claims.email ?? claims.sub,
        userDisplayName: claims.name ?? claims.email ?? "",
        userID: handle,
        attestationType: "none",
        excludeCredentials: descriptors(existing),
        authenticatorSelection: platform
          ? { authenticatorAttachment: "platform", residentKey: "required", requireResidentKey: true, userVerification: UV[id] }
          : { authenticatorAttachment: "cross-platform", residentKey: "discouraged", userVerification: UV[id] },
        supportedAlgorithmIDs: WEBAUTHN_ALGORITHMS,
        timeout: WEBAUTHN_CHALLENGE_TTL_MS,
      });
      await storeChallenge(ctx, id, "enroll", options.challenge, Buffer.from(handle).toString("base64url"));
      return options;
    },

    async finishEnroll(ctx, raw) {
      const response = parseJson<RegistrationResponseJSON>(raw);
      const taken = await takeChallenge(ctx, id, "enroll");
      if (!response || !taken) return fail();
      let info;
      try {
        const r = await verifyRegistrationResponse({
          response,
          expectedChallenge: taken.challenge,
          ...expectation(ctx),
          requireUserVerification: UV[id] === "required",
          supportedAlgorithmIDs: WEBAUTHN_ALGORITHMS,
        });
        if (!r.verified) return fail();
        info = r.registrationInfo;
      } catch {
        return fail();
      }
      if (Buffer.from(info.credential.id, "base64url").length > MAX_CREDENTIAL_ID_BYTES) return fail();
      const clash = await ctx.db.selectFrom("authenticators").select("id").where("credential_id", "=", info.credential.id).executeTakeFirst();
      if (clash) return fail();
      await insertAuthenticator(
        ctx.db,
        { tenant: ctx.flow.tenant, sub: ctx.flow.sub },
        {
          factor: id,
          label: credentialName(info.aaguid, ctx.flow.context.userAgent),
          credential_id: info.credential.id,
          public_key: Buffer.from(info.credential.publicKey).toString("base64url"),
          counter: info.credential.counter,
          transports: JSON.stringify(info.credential.transports ?? response.response.transports ?? []),
          aaguid: info.aaguid,
          backed_up: info.credentialBackedUp ? 1 : 0,
          backup_eligible: info.credentialDeviceType === "multiDevice" ? 1 : 0,
          user_verified: info.userVerified ? 1 : 0,
          // The handle the options gave the authenticator; a ceremony begun before 0012 stored none.
          user_handle: taken.userHandle ?? null,
        },
        ctx.now,
      );
      return { ok: true, amr: info.userVerified ? [id, "uv"] : [id] };
    },

    async beginChallenge(ctx) {
      const mine = (await listActive(ctx.db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }, id)).filter((a) => a.credential_id);
      const options = await generateAuthenticationOptions({
        rpID: ctx.env.rpId,
        allowCredentials: descriptors(mine),
        userVerification: UV[id],
        timeout: WEBAUTHN_CHALLENGE_TTL_MS,
      });
      await storeChallenge(ctx, id, "challenge", options.challenge);
      return options;
    },

    async verify(ctx, raw) {
      const response = parseJson<AuthenticationResponseJSON>(raw);
      const taken = await takeChallenge(ctx, id, "challenge");
      if (!response || typeof response.id !== "string" || !taken) return fail();
      // Only this user's credentials of this kind: another user's credential never satisfies the flow.
      const [cred] = (await listActive(ctx.db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }, id)).filter((a) => a.credential_id === response.id);
      if (!cred?.credential_id || !cred.public_key) return fail();
      // WebAuthn §7.2 step 6: a user handle, when the authenticator returns one, must be the one
      // bound to the credential (this account's), or the assertion speaks for someone else.
      // The stored handle is the credential's own; one stored before 0012 is checked as KEYSTEP_SECRET derived it.
      const handle = response.response?.userHandle;
      if (handle !== undefined && handle !== null && (cred.user_handle ? handle !== cred.user_handle : !legacyHandles(ctx).includes(handle))) return fail();
      let info;
      try {
        const r = await verifyAuthenticationResponse({
          response,
          expectedChallenge: taken.challenge,
          ...expectation(ctx),
          credential: {
            id: cred.credential_id,
            publicKey: new Uint8Array(Buffer.from(cred.public_key, "base64url")),
            counter: Number(cred.counter ?? 0),
            transports: cred.transports ? (JSON.parse(cred.transports) as never[]) : undefined,
          },
          requireUserVerification: UV[id] === "required",
        });
        if (!r.verified) return fail();
        info = r.authenticationInfo;
      } catch (e) {
        if (/counter/i.test((e as Error).message)) {
          // A cloned authenticator shows up as a sign count that went backwards (WebAuthn §6.1.1).
          await audit(ctx.db, { event: "webauthn.counter_regression", ...auditWho(ctx.flow, id), outcome: "refused" });
        }
        return fail();
      }
      // Backup eligibility is fixed for the credential's life (WebAuthn §6.1.3): a flip means the
      // credential is not the one registered. Backup state may change and is recorded.
      const eligible = info.credentialDeviceType === "multiDevice" ? 1 : 0;
      if (cred.backup_eligible !== null && cred.backup_eligible !== eligible) {
        await audit(ctx.db, { event: "webauthn.backup_eligibility_changed", ...auditWho(ctx.flow, id), outcome: "refused" });
        return fail();
      }
      // Counters of 0 mean "not supported" (synced passkeys): the stored counter must still be 0
      // (SimpleWebAuthn refuses 0 after a non-zero count). Otherwise counters only grow, even under
      // races. Every condition binds numbers: better-sqlite3 cannot bind booleans.
      const updated = await ctx.db
        .updateTable("authenticators")
        .set({
          counter: info.newCounter,
          last_used_at: ctx.now,
          backed_up: info.credentialBackedUp ? 1 : 0,
          backup_eligible: eligible,
          failure_count: 0,
          // A credential from before 0012 keeps, from now on, the handle it proved it holds: it no longer needs KEYSTEP_SECRET.
          ...(!cred.user_handle && typeof handle === "string" ? { user_handle: handle } : {}),
        })
        .where("id", "=", cred.id)
        .where((eb) => eb.or([eb("counter", "is", null), info.newCounter === 0 ? eb("counter", "=", 0) : eb("counter", "<", info.newCounter)]))
        .where((eb) => eb.or([eb("backup_eligible", "is", null), eb("backup_eligible", "=", eligible)]))
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return fail();
      return { ok: true, amr: info.userVerified ? [id, "uv"] : [id] };
    },
  };
}

export const passkeyFactor = webauthnFactor("webauthn-platform");
export const securityKeyFactor = webauthnFactor("webauthn-roaming");
