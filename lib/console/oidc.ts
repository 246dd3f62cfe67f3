import * as client from "openid-client";
import type { ConsoleSettings } from "@/lib/env";
import type { Operator } from "./sessions";

/**
 * The support console's sign-in: OpenID Connect's authorization code flow with PKCE (S256), a
 * nonce and a state, against the deploying team's Auth0 tenant, through `openid-client`. The ID
 * token's signature is checked against the tenant's JWKS (non-repudiation checks on), on top of
 * the issuer, audience, expiry, nonce and state checks the library always makes.
 */

/** What the browser keeps between the redirect to Auth0 and the callback (a short-lived HttpOnly cookie). */
export interface LoginTransaction {
  state: string;
  nonce: string;
  verifier: string;
  /** When the sign-in began (ms): a transaction older than TX_MAX_AGE_MS is refused. */
  at: number;
}

export const TX_MAX_AGE_MS = 10 * 60_000;

/** OpenID Connect's MFA policy (PAPE), which the Action reads as step-up (auth0/action.js). */
const MFA_ACR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

let discovered: { key: string; config: Promise<client.Configuration> } | null = null;

/** The tenant's metadata, discovered once per process (again after a failure). */
function configuration(settings: ConsoleSettings): Promise<client.Configuration> {
  const key = `${settings.issuer.href} ${settings.clientId}`;
  if (discovered?.key === key) return discovered.config;
  // http is accepted only for a loopback issuer (lib/env.ts): the simulator in tests and the demo.
  const insecure = settings.issuer.protocol === "http:";
  const config = client
    .discovery(settings.issuer, settings.clientId, settings.clientSecret, undefined, {
      execute: [client.enableNonRepudiationChecks, ...(insecure ? [client.allowInsecureRequests] : [])],
      timeout: 10,
    })
    .catch((e: unknown) => {
      discovered = null;
      throw e;
    });
  discovered = { key, config };
  return config;
}

/** The authorization URL to send the operator to, and the transaction to keep for the callback. */
export async function beginLogin(settings: ConsoleSettings, redirectUri: string, locale: string, now = Date.now()): Promise<{ url: URL; tx: LoginTransaction }> {
  const config = await configuration(settings);
  const verifier = client.randomPKCECodeVerifier();
  const tx: LoginTransaction = { state: client.randomState(), nonce: client.randomNonce(), verifier, at: now };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid profile email",
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: tx.state,
    nonce: tx.nonce,
    // Step-up: every console sign-in passes Keystep's MFA afresh (the Action never reuses a
    // session's record for it, and Keystep ignores remembered devices for it).
    acr_values: MFA_ACR,
    ui_locales: locale,
  });
  return { url, tx };
}

export type SignInRefusal = "not_operator" | "mfa_missing";

/**
 * Who signed in, if they may use the console: the ID token must carry the configured role in
 * `<ns>roles` (the Action adds it for the console's application only) and show that the login
 * passed Keystep's MFA (`<ns>amr` lists a factor, `<ns>mfa_skipped` is not true).
 */
export function operatorFromClaims(
  claims: Record<string, unknown>,
  settings: Pick<ConsoleSettings, "role" | "claimNamespace">,
): { ok: true; operator: Operator } | { ok: false; reason: SignInRefusal; sub: string | null } {
  const ns = settings.claimNamespace;
  const sub = typeof claims.sub === "string" && claims.sub ? claims.sub : null;
  const roles = claims[`${ns}roles`];
  if (sub === null || !Array.isArray(roles) || !roles.includes(settings.role)) return { ok: false, reason: "not_operator", sub };
  const amr = claims[`${ns}amr`];
  const factors = Array.isArray(amr) ? amr.filter((a) => typeof a === "string" && a.length > 0) : [];
  if (factors.length === 0 || claims[`${ns}mfa_skipped`] !== false) return { ok: false, reason: "mfa_missing", sub };
  const text = (v: unknown) => (typeof v === "string" && v ? v : null);
  return { ok: true, operator: { sub, email: text(claims.email), name: text(claims.name) } };
}

/** Exchanges the callback's code (with the PKCE verifier) and checks the ID token; the claims, or throws. */
export async function finishLogin(settings: ConsoleSettings, callbackUrl: URL, tx: LoginTransaction): Promise<Record<string, unknown>> {
  const config = await configuration(settings);
  const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: tx.verifier, expectedState: tx.state, expectedNonce: tx.nonce, idTokenExpected: true });
  const claims = tokens.claims();
  if (!claims) throw new Error("The token response has no ID token.");
  return { ...claims };
}
