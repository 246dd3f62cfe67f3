/**
 * Auth0's `api.redirect.encodeToken` and `validateToken`, reproduced from DESIGN §1.3 and §1.8.
 * Both are synchronous in Auth0 (the Action gets a string back, not a promise), so they are built
 * on node:crypto here rather than jose.
 */
import crypto from "node:crypto";

export type Claims = Record<string, unknown>;

export interface EncodeInput {
  secret: string;
  expiresInSeconds?: number;
  payload?: Claims;
}

/** Who the token is about and where it comes from: fixed by Auth0, not by the Action. */
export interface TokenContext {
  issuer: string; // tenant host, no scheme
  userId: string;
  ip: string;
}

const HEADER = b64json({ alg: "HS256", typ: "JWT" });
const DEFAULT_TTL_SECONDS = 900;
const REQUIRED = ["iat", "exp", "sub", "iss", "state"] as const;

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function hmac(secret: string, signingInput: string): Buffer {
  return crypto.createHmac("sha256", Buffer.from(secret, "utf8")).update(signingInput).digest();
}

/** Exactly Auth0's claims: no state, jti, aud or nbf; the payload is spread last and may override. */
export function encodeToken(ctx: TokenContext, input: EncodeInput, now = Date.now()): string {
  if (typeof input?.secret !== "string" || input.secret.length === 0) throw new Error("encodeToken: secret is required");
  const iat = Math.floor(now / 1000);
  const claims = { iat, iss: ctx.issuer, sub: ctx.userId, exp: iat + (input.expiresInSeconds ?? DEFAULT_TTL_SECONDS), ip: ctx.ip, ...(input.payload ?? {}) };
  const signingInput = `${HEADER}.${b64json(claims)}`;
  return `${signingInput}.${hmac(input.secret, signingInput).toString("base64url")}`;
}

function decodePart(part: string, what: string): Claims {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Claims;
  } catch {
    // fall through to the error below
  }
  throw new Error(`The token's ${what} is not a JSON object.`);
}

export interface ValidateContext {
  secret: string;
  state: string; // the /continue request's state
  userId: string;
  now?: number;
}

/** Auth0's checks, and only those; throws an Error with a readable message, as Auth0 does. */
export function validateToken(token: string | undefined, ctx: ValidateContext): Claims {
  if (!token) throw new Error("No token was found in the request.");
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("The token is not a compact JWS.");
  const [h, p, sig] = parts as [string, string, string];
  if (decodePart(h, "header").alg !== "HS256") throw new Error("The token is not signed with HS256.");
  const expected = hmac(ctx.secret, `${h}.${p}`);
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new Error("The token signature is invalid.");
  const claims = decodePart(p, "payload");
  for (const name of REQUIRED) if (claims[name] === undefined) throw new Error(`The token has no "${name}" claim.`);
  if (claims.state !== ctx.state) throw new Error("The token's state does not match this transaction.");
  if (claims.sub !== ctx.userId) throw new Error("The token's subject is not this user.");
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= (ctx.now ?? Date.now())) throw new Error("The token has expired.");
  return claims;
}
