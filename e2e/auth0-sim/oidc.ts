/**
 * The simulated tenant as an OpenID Connect provider, for a regular web application such as
 * Keystep's support console (docs/console.md): discovery, a JWKS, `/authorize` for a registered
 * client (its exact redirect_uri, PKCE S256 required) and the `authorization_code` grant at
 * `/oauth/token`, which answers an RS256 ID token carrying the custom claims the Action set, as
 * Auth0 does. The demo app (client `demo-app`) stays outside this: it shows its result on the
 * simulator's own /callback.
 */
import crypto from "node:crypto";
import type http from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import type { Claims } from "./tokens";
import type { SimUser } from "./runtime";

/** A registered OIDC client (a regular web application with a secret). */
export interface OidcClient {
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUris: string[];
}

/** What an authorization code stands for at the token endpoint. */
export interface IssuedCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | null;
  scope: string[];
  user: SimUser;
  idTokenClaims: Claims;
  authTime: number;
  expiresAt: number;
  used: boolean;
}

const CODE_TTL_MS = 60_000;
const ID_TOKEN_TTL_S = 36_000; // Auth0's default ID token lifetime (10 hours)

export type AuthorizeCheck = { ok: true; client: OidcClient } | { ok: false; redirect: false; message: string } | { ok: false; redirect: true; error: string; description: string };

export async function createOidcProvider(clients: OidcClient[]) {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = crypto.randomBytes(8).toString("hex");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const codes = new Map<string, IssuedCode>();
  const byId = (id: string | undefined) => clients.find((c) => c.clientId === id);

  return {
    isClient: (clientId: string | undefined) => byId(clientId) !== undefined,

    discovery(issuerBase: string) {
      return {
        issuer: `${issuerBase}/`,
        authorization_endpoint: `${issuerBase}/authorize`,
        token_endpoint: `${issuerBase}/oauth/token`,
        jwks_uri: `${issuerBase}/.well-known/jwks.json`,
        end_session_endpoint: `${issuerBase}/oidc/logout`,
        response_types_supported: ["code"],
        response_modes_supported: ["query"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        code_challenge_methods_supported: ["S256"],
        grant_types_supported: ["authorization_code", "client_credentials"],
        scopes_supported: ["openid", "profile", "email"],
        claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "email", "name"],
      };
    },

    jwks: () => ({ keys: [jwk] }),

    /** Auth0's checks on an /authorize request of a registered client, before any login page. */
    checkAuthorize(query: Record<string, string>): AuthorizeCheck {
      const client = byId(query.client_id);
      if (!client) return { ok: false, redirect: false, message: "Unknown client." };
      // Never redirect to an address the client did not register.
      if (!query.redirect_uri || !client.redirectUris.includes(query.redirect_uri))
        return { ok: false, redirect: false, message: "The redirect_uri is not one of the client's allowed callback URLs." };
      if (query.response_type !== "code") return { ok: false, redirect: true, error: "unsupported_response_type", description: "Only response_type=code is supported." };
      if (!(query.scope ?? "").split(" ").includes("openid")) return { ok: false, redirect: true, error: "invalid_scope", description: "The openid scope is required." };
      if (query.code_challenge_method !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(query.code_challenge ?? ""))
        return { ok: false, redirect: true, error: "invalid_request", description: "PKCE with code_challenge_method=S256 is required." };
      return { ok: true, client };
    },

    /** A single-use authorization code for a completed login. */
    issueCode(query: Record<string, string>, user: SimUser, idTokenClaims: Claims): string {
      const code = crypto.randomBytes(24).toString("base64url");
      codes.set(code, {
        clientId: query.client_id ?? "",
        redirectUri: query.redirect_uri ?? "",
        codeChallenge: query.code_challenge ?? "",
        nonce: query.nonce ?? null,
        scope: (query.scope ?? "").split(" ").filter(Boolean),
        user,
        idTokenClaims: { ...idTokenClaims },
        authTime: Math.floor(Date.now() / 1000),
        expiresAt: Date.now() + CODE_TTL_MS,
        used: false,
      });
      return code;
    },

    /** The authorization_code grant: client authentication, the code's binding, PKCE, then tokens. */
    async exchange(req: http.IncomingMessage, body: Record<string, unknown>, issuerBase: string): Promise<[number, Record<string, unknown>]> {
      const basic = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ""));
      let clientId = typeof body.client_id === "string" ? body.client_id : undefined;
      let secret = typeof body.client_secret === "string" ? body.client_secret : undefined;
      if (basic) {
        const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
        const i = decoded.indexOf(":");
        clientId = decodeURIComponent(decoded.slice(0, i));
        secret = decodeURIComponent(decoded.slice(i + 1));
      }
      const client = byId(clientId);
      const digest = (s: string) => crypto.createHash("sha256").update(s).digest();
      if (!client || secret === undefined || !crypto.timingSafeEqual(digest(secret), digest(client.clientSecret))) return [401, { error: "access_denied", error_description: "Unauthorized" }];
      const code = typeof body.code === "string" ? codes.get(body.code) : undefined;
      if (!code || code.used || code.expiresAt < Date.now() || code.clientId !== client.clientId) return [403, { error: "invalid_grant", error_description: "Invalid authorization code" }];
      code.used = true; // single use, whatever follows
      if (body.redirect_uri !== code.redirectUri) return [403, { error: "invalid_grant", error_description: "The redirect_uri does not match the authorization request." }];
      const verifier = typeof body.code_verifier === "string" ? body.code_verifier : "";
      const challenge = crypto.createHash("sha256").update(verifier).digest("base64url");
      if (!verifier || challenge !== code.codeChallenge) return [403, { error: "invalid_grant", error_description: "Failed to verify code verifier" }];
      const claims: Claims = { ...code.idTokenClaims, auth_time: code.authTime };
      if (code.nonce) claims.nonce = code.nonce;
      if (code.scope.includes("email")) Object.assign(claims, { email: code.user.email, email_verified: true });
      if (code.scope.includes("profile")) claims.name = code.user.name;
      const idToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setIssuer(`${issuerBase}/`)
        .setSubject(code.user.user_id)
        .setAudience(client.clientId)
        .setIssuedAt()
        .setExpirationTime(`${ID_TOKEN_TTL_S}s`)
        .sign(privateKey as CryptoKey);
      return [200, { access_token: crypto.randomBytes(32).toString("base64url"), id_token: idToken, token_type: "Bearer", expires_in: 86_400, scope: code.scope.join(" ") }];
    },
  };
}

export type OidcProvider = Awaited<ReturnType<typeof createOidcProvider>>;
