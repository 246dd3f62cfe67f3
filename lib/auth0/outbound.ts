import { SignJWT } from "jose";
import { randomToken } from "@/lib/security/crypto";
import type { Tenant } from "@/lib/env";
import { secretId } from "@/lib/security/keys";

export interface ResultClaims {
  outcome: "success" | "denied";
  amr: string[];
  enrolled?: string[];
  reason?: string;
  /** MFA was skipped by policy (e.g. a remembered device); the value names the rule. `amr` is then empty. */
  skipped?: string;
}

/** Result tokens live briefly: Auth0 reads them on the immediate POST to /continue. */
export const RESULT_TTL_SECONDS = 120;

/**
 * Mints the token `api.redirect.validateToken` checks in onContinuePostLogin: HS256 with
 * `iss`/`sub` copied from the session token, Auth0's `state`, a short `exp` and a random `jti`.
 */
export async function mintResultToken(secret: Uint8Array, input: { iss: string; sub: string; state: string } & ResultClaims, now = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  const { iss, sub, state, ...result } = input;
  return new SignJWT({ state, ...result })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(iss)
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + RESULT_TTL_SECONDS)
    .setJti(randomToken(16))
    .sign(secret);
}

/**
 * The secret a flow's result is signed with: the one that verified its session token
 * (SessionClaims.secretId), while it is still configured, else the tenant's current secret. During
 * a rotation the Action still holding the old secret accepts results of the logins it started,
 * and one that already holds the new secret (with the old as KEYSTEP_PREVIOUS_SECRET) accepts both.
 */
export function resultSecret(tenant: Pick<Tenant, "secret" | "previousSecret">, flowSecretId: string | undefined): Uint8Array {
  if (tenant.previousSecret && flowSecretId !== undefined && secretId(tenant.previousSecret) === flowSecretId) return tenant.previousSecret;
  return tenant.secret;
}
