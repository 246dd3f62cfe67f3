import crypto from "node:crypto";
import type http from "node:http";
import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { createOidcProvider } from "./oidc";

const client = { clientId: "console", clientSecret: "console-secret", name: "Keystep console", redirectUris: ["http://localhost:3100/console/callback"] };
const verifier = crypto.randomBytes(32).toString("base64url");
const challenge = crypto.createHash("sha256").update(verifier).digest("base64url");
const query = {
  client_id: "console",
  redirect_uri: client.redirectUris[0]!,
  response_type: "code",
  scope: "openid email profile",
  code_challenge: challenge,
  code_challenge_method: "S256",
  nonce: "n-1",
  state: "s-1",
};
const user = { user_id: "auth0|op", email: "operator-1@example.test", name: "Op" };
const BASE = "http://127.0.0.1:4010";
const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as unknown as http.IncomingMessage;

describe("the simulator as an OIDC provider (oidc.ts)", () => {
  it("checks a registered client's /authorize: its exact redirect_uri, response_type=code, openid, PKCE S256", async () => {
    const oidc = await createOidcProvider([client]);
    expect(oidc.checkAuthorize(query).ok).toBe(true);
    expect(oidc.checkAuthorize({ ...query, redirect_uri: "http://evil.example/cb" })).toMatchObject({ ok: false, redirect: false });
    expect(oidc.checkAuthorize({ ...query, code_challenge_method: "plain" })).toMatchObject({ ok: false, redirect: true, error: "invalid_request" });
    expect(oidc.checkAuthorize({ ...query, code_challenge: "" })).toMatchObject({ ok: false, redirect: true });
    expect(oidc.checkAuthorize({ ...query, scope: "email" })).toMatchObject({ ok: false, error: "invalid_scope" });
  });

  it("exchanges a code once, with the verifier, for an RS256 ID token the JWKS verifies, carrying the Action's claims", async () => {
    const oidc = await createOidcProvider([client]);
    const code = oidc.issueCode(query, user, { "http://localhost:3100/roles": ["keystep-support"], "http://localhost:3100/amr": ["otp"] });
    const body = { grant_type: "authorization_code", code, redirect_uri: query.redirect_uri, code_verifier: verifier };
    const basic = `Basic ${Buffer.from("console:console-secret").toString("base64")}`;
    const [status, tokens] = await oidc.exchange(req(basic), body, BASE);
    expect(status).toBe(200);
    const { payload, protectedHeader } = await jwtVerify(String(tokens.id_token), createLocalJWKSet(oidc.jwks()), { issuer: `${BASE}/`, audience: "console" });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({ sub: "auth0|op", nonce: "n-1", email: user.email, name: "Op", "http://localhost:3100/roles": ["keystep-support"], "http://localhost:3100/amr": ["otp"] });
    // Single use.
    expect((await oidc.exchange(req(basic), body, BASE))[0]).toBe(403);
  });

  it("refuses a wrong verifier, another redirect_uri, or a wrong client secret", async () => {
    const oidc = await createOidcProvider([client]);
    const post = { client_id: "console", client_secret: "console-secret" };
    const wrongVerifier = { ...post, grant_type: "authorization_code", code: oidc.issueCode(query, user, {}), redirect_uri: query.redirect_uri, code_verifier: "x".repeat(43) };
    expect(await oidc.exchange(req(), wrongVerifier, BASE)).toMatchObject([403, { error: "invalid_grant" }]);
    const otherRedirect = { ...post, grant_type: "authorization_code", code: oidc.issueCode(query, user, {}), redirect_uri: "http://localhost:3100/other", code_verifier: verifier };
    expect(await oidc.exchange(req(), otherRedirect, BASE)).toMatchObject([403, { error: "invalid_grant" }]);
    const wrongSecret = {
      client_id: "console",
      client_secret: "nope",
      grant_type: "authorization_code",
      code: oidc.issueCode(query, user, {}),
      redirect_uri: query.redirect_uri,
      code_verifier: verifier,
    };
    expect((await oidc.exchange(req(), wrongSecret, BASE))[0]).toBe(401);
  });

  it("publishes discovery with the issuer as the tenant URL with a slash", async () => {
    const oidc = await createOidcProvider([client]);
    expect(oidc.discovery(BASE)).toMatchObject({ issuer: `${BASE}/`, token_endpoint: `${BASE}/oauth/token`, jwks_uri: `${BASE}/.well-known/jwks.json`, code_challenge_methods_supported: ["S256"] });
  });
});
