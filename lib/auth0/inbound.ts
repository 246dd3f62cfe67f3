import { decodeJwt, errors, jwtVerify } from "jose";
import { z } from "zod";
import type { Env } from "@/lib/env";
import { tenantForIssuer } from "./domains";
import { openSealedClaims } from "./sealed";
import { secretId } from "@/lib/security/keys";

/** What the Action forwards in the token payload (see auth0/action.js). Unknown or ill-typed fields are dropped. */
export const sessionPayload = z.object({
  email: z.string().max(320).optional().catch(undefined),
  email_verified: z.boolean().optional().catch(undefined),
  phone_number: z.string().max(32).optional().catch(undefined),
  phone_verified: z.boolean().optional().catch(undefined),
  name: z.string().max(200).optional().catch(undefined),
  locale: z.string().max(35).optional().catch(undefined),
  client_id: z.string().max(128).optional().catch(undefined),
  client_name: z.string().max(200).optional().catch(undefined),
  roles: z.array(z.string().max(200)).max(100).optional().catch(undefined),
  device_id: z.string().max(200).optional().catch(undefined),
  country: z.string().max(2).optional().catch(undefined),
  risk: z.string().max(16).optional().catch(undefined),
  logins_count: z.number().int().nonnegative().optional().catch(undefined),
  /** The app asked for a fresh MFA (e.g. `acr_values` with the MFA policy): remembered devices and ALLOW rules do not apply. */
  step_up: z.boolean().optional().catch(undefined),
  /** When this Auth0 session last passed Keystep (seconds since the epoch), when it did: the Action sends it when the session's method is too old to reuse. */
  last_mfa_at: z.number().int().nonnegative().optional().catch(undefined),
  /** `manage` opens self-service management after a fresh challenge. */
  intent: z.enum(["login", "manage"]).optional().catch(undefined),
  /** Auth0's id of this login transaction, when the Action has one: it joins Auth0's and Keystep's logs (docs/operations.md). */
  transaction_id: z.string().max(128).optional().catch(undefined),
});

export interface SessionClaims extends z.infer<typeof sessionPayload> {
  iss: string;
  /** The tenant whose domain `iss` is and whose secret signed the token (Keystep's key for its users). Absent on flows opened before tenants. */
  tenant?: string;
  /**
   * Which of the tenant's Action secrets verified the token (its fingerprint, never the secret):
   * /continue signs the result with the same one, so a login in flight during a rotation finishes
   * whichever side took the new secret first. Absent on flows opened before rotation.
   */
  secretId?: string;
  sub: string;
  iat: number;
  exp: number;
  ip?: string;
}

export type InboundError = "token_missing" | "token_invalid" | "token_expired" | "issuer_not_allowed" | "state_invalid";

export type Verified<T> = { ok: true; value: T } | { ok: false; error: InboundError };

// Auth0's state is opaque but URL-safe; anything else is not from Auth0.
const STATE = /^[A-Za-z0-9._~-]{8,512}$/;

/** Checks the `state` query parameter Auth0 appended to the redirect. */
export function checkState(state: unknown): state is string {
  return typeof state === "string" && STATE.test(state);
}

const SUB_MAX = 256;
// Auth0's user_id: `provider|id` (the id may hold more `|`, e.g. `samlp|connection|id`). The
// provider has no spaces; neither part has control, format (bidi) or line-separator characters.
const AUTH0_USER_ID = /^[^\s|\p{C}]+\|[^\p{C}\p{Zl}\p{Zp}]+$/u;

/** Whether `sub` is an Auth0 user id that is safe to key rows, logs and audit on. */
export function isAuth0UserId(sub: unknown): sub is string {
  return typeof sub === "string" && sub.length <= SUB_MAX && AUTH0_USER_ID.test(sub);
}

/**
 * Verifies the session token Auth0's `api.redirect.encodeToken` minted (DESIGN §1.3): HS256 only,
 * `exp`/`iat`/`sub`/`iss` required, `iat` not in the future, a maximum age and lifetime, a `sub`
 * of Auth0's `provider|id` form, an allowlisted `iss`.
 */
export async function verifySessionToken(token: unknown, env: Env, now = new Date()): Promise<Verified<SessionClaims>> {
  if (typeof token !== "string" || token.length === 0) return { ok: false, error: "token_missing" };
  if (token.length > 8192) return { ok: false, error: "token_invalid" };
  // The issuer picks the tenant, and so the only secret that may have signed the token: a token
  // signed with another tenant's secret fails the signature check below.
  let claimedIss: unknown;
  try {
    claimedIss = decodeJwt(token).iss;
  } catch {
    return { ok: false, error: "token_invalid" };
  }
  if (typeof claimedIss !== "string") return { ok: false, error: "token_invalid" };
  const tenant = tenantForIssuer(env.tenants, claimedIss);
  if (!tenant) return { ok: false, error: "issuer_not_allowed" };
  // The tenant's current secret, then the one being rotated out (only while it is configured).
  let payload: Record<string, unknown> | undefined;
  let secret = tenant.secret;
  for (const candidate of tenant.previousSecret ? [tenant.secret, tenant.previousSecret] : [tenant.secret]) {
    try {
      ({ payload } = await jwtVerify(token, candidate, {
        algorithms: ["HS256"],
        requiredClaims: ["exp", "iat", "sub", "iss"],
        clockTolerance: env.clockToleranceSeconds,
        maxTokenAge: env.tokenMaxAgeSeconds,
        currentDate: now,
      }));
      secret = candidate;
      break;
    } catch (e) {
      // Only a signature made with another secret tries the next one; any other failure is final.
      if (e instanceof errors.JWSSignatureVerificationFailed) continue;
      if (e instanceof errors.JWTExpired) return { ok: false, error: "token_expired" };
      return { ok: false, error: "token_invalid" };
    }
  }
  if (!payload) return { ok: false, error: "token_invalid" };
  // Token confusion: Keystep's own result tokens share the secret; they carry `outcome` and are never an entry.
  if ("outcome" in payload || "state" in payload) return { ok: false, error: "token_invalid" };
  const { iss, sub, iat, exp, ip } = payload;
  if (typeof iss !== "string" || !isAuth0UserId(sub)) return { ok: false, error: "token_invalid" };
  if (typeof iat !== "number" || typeof exp !== "number") return { ok: false, error: "token_invalid" };
  // maxTokenAge bounds how old a token is, not how long it claims to live: a token minted with a
  // lifetime of a year would be a long-lived entry ticket while young. Auth0 mints 900 s by default.
  if (exp - iat > env.tokenMaxAgeSeconds) return { ok: false, error: "token_invalid" };
  // The Action seals what it forwards (#15 item 8: no personal data in the URL). An Action from
  // before sealing sends the claims readable; they are taken as they are until it is reinstalled.
  let forwarded: Record<string, unknown> = payload;
  if ("enc" in payload) {
    const sealed = typeof payload.enc === "string" ? await openSealedClaims(payload.enc, secret) : null;
    // Sealed claims name their user: another user's sealed part pasted into this token is refused.
    if (!sealed || sealed.sub !== sub) return { ok: false, error: "token_invalid" };
    forwarded = sealed;
  }
  // An Action from before per-login commands moved to the policy file (docs/decisions/0008) still
  // sends them as `mfa`; dropping one would weaken that login, so it fails closed until reinstalled.
  if ("mfa" in forwarded) return { ok: false, error: "token_invalid" };
  // The Action names its Auth0 tenant: a tenant configured with its id refuses another's token,
  // whatever secret signed it (an Action from before tenants sends none).
  if (tenant.auth0Id !== null && "tenant" in forwarded && forwarded.tenant !== tenant.auth0Id) return { ok: false, error: "issuer_not_allowed" };
  const extra = sessionPayload.parse(forwarded);
  return { ok: true, value: { ...extra, iss: iss.toLowerCase(), tenant: tenant.id, secretId: secretId(secret), sub, iat, exp, ...(typeof ip === "string" ? { ip } : {}) } };
}
