import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { SignJWT, base64url } from "jose";
import { checkState, verifySessionToken } from "./inbound";
import { mintResultToken, resultSecret } from "./outbound";
import { jwtVerify } from "jose";
import { secretId } from "@/lib/security/keys";
import { TEST_SECRET, testEnv } from "@/lib/test/env";

const env = testEnv();
const key = new TextEncoder().encode(TEST_SECRET);
const now = new Date("2026-11-24T10:00:00Z");
const nowS = Math.floor(now.getTime() / 1000);

/** Mints a token exactly as Auth0's api.redirect.encodeToken does (DESIGN §1.3). */
function auth0Token(claims: Record<string, unknown> = {}, secret: Uint8Array = key, alg = "HS256") {
  return new SignJWT({ iat: nowS, iss: "tenant.eu.auth0.com", sub: "auth0|abc", exp: nowS + 900, ip: "1.2.3.4", email: "a@b.c", ...claims }).setProtectedHeader({ alg, typ: "JWT" }).sign(secret);
}

/** Seals claims exactly as auth0/action.js does, through the Action's own code path. */
async function sealedByTheAction(claims: Record<string, unknown>, secret = TEST_SECRET, tenant?: string): Promise<string> {
  const action = createRequire(import.meta.url)("../../auth0/action.js") as { onExecutePostLogin: (e: unknown, a: unknown) => Promise<void> };
  let payload: Record<string, unknown> = {};
  const api = { access: { deny: () => {} }, redirect: { encodeToken: (o: { payload: Record<string, unknown> }) => ((payload = o.payload), "T"), sendUserTo: () => {} }, authentication: {} };
  const event = {
    secrets: { KEYSTEP_URL: "https://mfa.example.com", KEYSTEP_SECRET: secret },
    user: { user_id: "auth0|abc", ...claims },
    client: { client_id: "cid" },
    request: { query: {} },
    transaction: { protocol: "oidc-basic-profile" },
    ...(tenant ? { tenant: { id: tenant } } : {}),
  };
  await action.onExecutePostLogin(event, api);
  return String(payload.enc);
}

describe("sealed claims (#15 item 8)", () => {
  it("opens what the Action sealed and keeps the forwarded payload", async () => {
    const enc = await sealedByTheAction({ email: "ada@example.com", phone_number: "+447700900123" });
    const r = await verifySessionToken(await auth0Token({ email: undefined, enc }), env, now);
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ sub: "auth0|abc", email: "ada@example.com", phone_number: "+447700900123", client_id: "cid" }) });
  });

  it("threat: another user's sealed claims pasted into this user's token are refused", async () => {
    const enc = await sealedByTheAction({ email: "victim@example.com" });
    expect(await verifySessionToken(await auth0Token({ sub: "auth0|attacker", enc }), env, now)).toEqual({ ok: false, error: "token_invalid" });
  });

  it("threat: sealed claims that do not open (another secret, tampering, not a string) are refused", async () => {
    const other = await sealedByTheAction({ email: "a@b.c" }, "another-secret-that-is-32-bytes-long!!");
    const good = await sealedByTheAction({ email: "a@b.c" });
    const parts = good.split(".");
    const tampered = [parts[0], parts[1], parts[2], `${parts[3]!.slice(0, -2)}AA`, parts[4]].join(".");
    for (const enc of [other, tampered, 42, ""]) expect(await verifySessionToken(await auth0Token({ enc }), env, now)).toEqual({ ok: false, error: "token_invalid" });
  });
});

describe("session token verification", () => {
  it("accepts a token shaped like Auth0's encodeToken and keeps the forwarded payload", async () => {
    const r = await verifySessionToken(await auth0Token({ roles: ["admin"], locale: "fr" }), env, now);
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ iss: "tenant.eu.auth0.com", sub: "auth0|abc", email: "a@b.c", roles: ["admin"], locale: "fr" }) });
  });

  it("matches an http issuer with a port from the allowlist", async () => {
    const r = await verifySessionToken(await auth0Token({ iss: "127.0.0.1:4010" }), env, now);
    expect(r.ok).toBe(true);
  });

  it("rejects a missing token", async () => {
    expect(await verifySessionToken(undefined, env, now)).toEqual({ ok: false, error: "token_missing" });
  });

  it("rejects a tampered signature", async () => {
    const t = await auth0Token();
    const [h, p] = t.split(".");
    const forged = base64url.encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(base64url.decode(p!))), sub: "auth0|victim" }));
    expect(await verifySessionToken(`${h}.${forged}.${t.split(".")[2]}`, env, now)).toEqual({ ok: false, error: "token_invalid" });
  });

  it("rejects a token signed with another secret", async () => {
    const t = await auth0Token({}, new TextEncoder().encode("another-secret-that-is-32-bytes-long!!"));
    expect((await verifySessionToken(t, env, now)).ok).toBe(false);
  });

  it("rejects alg none (algorithm confusion)", async () => {
    const h = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const p = base64url.encode(JSON.stringify({ iat: nowS, iss: "tenant.eu.auth0.com", sub: "auth0|abc", exp: nowS + 900 }));
    expect(await verifySessionToken(`${h}.${p}.`, env, now)).toEqual({ ok: false, error: "token_invalid" });
  });

  it("rejects HS512 even with the right secret", async () => {
    expect(await verifySessionToken(await auth0Token({}, key, "HS512"), env, now)).toEqual({ ok: false, error: "token_invalid" });
  });

  it("rejects a token without exp", async () => {
    const t = await new SignJWT({ iat: nowS, iss: "tenant.eu.auth0.com", sub: "auth0|abc" }).setProtectedHeader({ alg: "HS256" }).sign(key);
    expect(await verifySessionToken(t, env, now)).toEqual({ ok: false, error: "token_invalid" });
  });

  it("rejects an expired token beyond the clock tolerance", async () => {
    expect(await verifySessionToken(await auth0Token({ iat: nowS - 200, exp: nowS - 31 }), env, now)).toEqual({ ok: false, error: "token_expired" });
  });

  it("tolerates clock skew of up to 30 s on exp", async () => {
    expect((await verifySessionToken(await auth0Token({ iat: nowS - 200, exp: nowS - 20 }), env, now)).ok).toBe(true);
  });

  it("rejects an iat in the future", async () => {
    expect((await verifySessionToken(await auth0Token({ iat: nowS + 120, exp: nowS + 900 }), env, now)).ok).toBe(false);
  });

  it("rejects a token older than the maximum age even if exp is far away", async () => {
    expect((await verifySessionToken(await auth0Token({ iat: nowS - 3600, exp: nowS + 86400 }), env, now)).ok).toBe(false);
  });

  it("rejects an issuer outside KEYSTEP_AUTH0_DOMAINS", async () => {
    expect(await verifySessionToken(await auth0Token({ iss: "evil.example.com" }), env, now)).toEqual({ ok: false, error: "issuer_not_allowed" });
    expect(await verifySessionToken(await auth0Token({ iss: "127.0.0.1:4011" }), env, now)).toEqual({ ok: false, error: "issuer_not_allowed" });
  });

  it("rejects a missing or empty sub", async () => {
    expect((await verifySessionToken(await auth0Token({ sub: undefined }), env, now)).ok).toBe(false);
    expect((await verifySessionToken(await auth0Token({ sub: "" }), env, now)).ok).toBe(false);
  });

  it("threat: a long-lived token (a year between iat and exp) is refused even while it is young", async () => {
    expect(env.tokenMaxAgeSeconds).toBe(900);
    expect(await verifySessionToken(await auth0Token({ iat: nowS, exp: nowS + 365 * 86400 }), env, now)).toEqual({ ok: false, error: "token_invalid" });
    expect(await verifySessionToken(await auth0Token({ iat: nowS, exp: nowS + 901 }), env, now)).toEqual({ ok: false, error: "token_invalid" });
    // Auth0's default lifetime (900 s) and the Action's (600 s) pass.
    expect((await verifySessionToken(await auth0Token({ iat: nowS, exp: nowS + 900 }), env, now)).ok).toBe(true);
    expect((await verifySessionToken(await auth0Token({ iat: nowS, exp: nowS + 600 }), env, now)).ok).toBe(true);
    // The limit follows KEYSTEP_TOKEN_MAX_AGE_SECONDS.
    const short = testEnv({ KEYSTEP_TOKEN_MAX_AGE_SECONDS: "300" });
    expect(await verifySessionToken(await auth0Token({ iat: nowS, exp: nowS + 600 }), short, now)).toEqual({ ok: false, error: "token_invalid" });
  });

  it("threat: a sub with control characters or without Auth0's provider|id form is refused", async () => {
    for (const sub of ["abc", "|abc", "auth0|", "auth0 |abc", "auth0|a\u0000b", "auth0|a\nb", "auth0|a\u001bb", "auth0|\u202eevil", "auth0|a\u2028b", `auth0|${"x".repeat(251)}`, 42]) {
      expect(await verifySessionToken(await auth0Token({ sub }), env, now), JSON.stringify(sub)).toEqual({ ok: false, error: "token_invalid" });
    }
    for (const sub of ["auth0|abc", "google-oauth2|104837261", "samlp|acme|ada/finance", "email|5f1c2d", `auth0|${"x".repeat(250)}`]) {
      expect(await verifySessionToken(await auth0Token({ sub }), env, now), sub).toMatchObject({ ok: true, value: { sub } });
    }
  });

  it("rejects Keystep's own result token presented as a session token (token confusion)", async () => {
    const result = await mintResultToken(key, { iss: "tenant.eu.auth0.com", sub: "auth0|abc", state: "s".repeat(20), outcome: "success", amr: ["otp"] }, now);
    expect(await verifySessionToken(result, env, now)).toEqual({ ok: false, error: "token_invalid" });
  });

  it("threat: an Action older than the policy file's commands (it still sends `mfa`) must not have its command dropped silently", async () => {
    // Per-login commands moved from the Action's customizeMfa to the policy file (docs/decisions/0008).
    // A token still carrying one comes from an Action that was not reinstalled: ignoring the command
    // would let, say, an admin in without the key the old Action asked for. It fails closed.
    const r = await verifySessionToken(await auth0Token({ mfa: { command: "challengeWith", factors: ["webauthn-roaming"] } }), env, now);
    expect(r).toEqual({ ok: false, error: "token_invalid" });
    expect(await verifySessionToken(await auth0Token({ roles: ["admin"] }), env, now)).toMatchObject({ ok: true });
  });

  it("drops ill-typed payload fields instead of trusting them", async () => {
    const r = await verifySessionToken(await auth0Token({ email: 42, roles: "admin" }), env, now);
    expect(r.ok && r.value.email).toBeUndefined();
    expect(r.ok && r.value.roles).toBeUndefined();
  });
});

describe("state parameter", () => {
  it("accepts Auth0-like opaque states and refuses junk", () => {
    expect(checkState("hKFo2SBsY2tkd3pUVHVtZjBfVm9OU2lB")).toBe(true);
    expect(checkState("")).toBe(false);
    expect(checkState("a<script>")).toBe(false);
    expect(checkState(["a", "b"])).toBe(false);
    expect(checkState("x".repeat(600))).toBe(false);
  });
});

describe("tenants (#15 item 3)", () => {
  const PROD = "p".repeat(40);
  const DEV = "d".repeat(40);
  const tenants = testEnv({
    KEYSTEP_AUTH0_DOMAINS: "",
    KEYSTEP_TENANTS: "acme-prod,acme-dev",
    KEYSTEP_TENANT_ACME_PROD_SECRET: PROD,
    KEYSTEP_TENANT_ACME_PROD_DOMAINS: "acme.eu.auth0.com,login.acme.com",
    KEYSTEP_TENANT_ACME_DEV_SECRET: DEV,
    KEYSTEP_TENANT_ACME_DEV_DOMAINS: "acme-dev.eu.auth0.com",
  });
  const bytes = (s: string) => new TextEncoder().encode(s);

  it("threat: a token signed by the development tenant's secret is refused on a production domain", async () => {
    for (const iss of ["acme.eu.auth0.com", "login.acme.com"]) expect(await verifySessionToken(await auth0Token({ iss }, bytes(DEV)), tenants, now)).toEqual({ ok: false, error: "token_invalid" });
    expect((await verifySessionToken(await auth0Token({ iss: "acme-dev.eu.auth0.com" }, bytes(DEV)), tenants, now)).ok).toBe(true);
  });

  it("the canonical and a custom domain of one tenant are one tenant: its users are keyed by the tenant, not the host", async () => {
    for (const iss of ["acme.eu.auth0.com", "login.acme.com"]) {
      const r = await verifySessionToken(await auth0Token({ iss }, bytes(PROD)), tenants, now);
      expect(r).toEqual({ ok: true, value: expect.objectContaining({ iss, tenant: "acme-prod" }) });
    }
  });

  it("threat: a token whose sealed claims name another Auth0 tenant is refused, whatever secret signed it", async () => {
    const single = testEnv({ KEYSTEP_AUTH0_TENANT: "acme-prod" });
    const sealedFor = async (tenant?: string) => auth0Token({ email: undefined, enc: await sealedByTheAction({ email: "a@b.c" }, TEST_SECRET, tenant) });
    expect(await verifySessionToken(await sealedFor("acme-dev"), single, now)).toEqual({ ok: false, error: "issuer_not_allowed" });
    expect((await verifySessionToken(await sealedFor("acme-prod"), single, now)).ok).toBe(true);
    // An Action from before tenants names none: accepted.
    expect((await verifySessionToken(await sealedFor(), single, now)).ok).toBe(true);
    expect(await verifySessionToken(await auth0Token({ tenant: "acme-dev" }), single, now)).toEqual({ ok: false, error: "issuer_not_allowed" });
    expect((await verifySessionToken(await auth0Token({ tenant: "acme-prod" }), single, now)).ok).toBe(true);
  });
});

describe("Action secret rotation (#16 item 4)", () => {
  const OLD = TEST_SECRET;
  const NEW = "the-new-action-secret-of-at-least-32-bytes";
  const bytes = (s: string) => new TextEncoder().encode(s);
  /** Keystep during the rollover: the new secret current, the old one previous. */
  const rolling = testEnv({ KEYSTEP_SECRET: NEW, KEYSTEP_PREVIOUS_SECRET: OLD });
  /** After the rollover window: the old secret removed. */
  const rolled = testEnv({ KEYSTEP_SECRET: NEW });
  const [tenant] = rolling.tenants;

  /** The result /continue mints for a flow opened with these claims, and which secret verifies it. */
  async function resultVerifiesWith(claims: { secretId?: string }): Promise<string | null> {
    const token = await mintResultToken(resultSecret(tenant!, claims.secretId), { iss: "tenant.eu.auth0.com", sub: "auth0|abc", state: "S", outcome: "success", amr: ["otp"] });
    for (const s of [OLD, NEW]) {
      try {
        await jwtVerify(token, bytes(s));
        return s;
      } catch {
        // not this one
      }
    }
    return null;
  }

  it("threat: rotating the Action secret breaks logins in flight", async () => {
    // The Action still holds the old secret: its token (and its sealed claims) open on Keystep with the new one current.
    const enc = await sealedByTheAction({ email: "ada@example.com" }, OLD);
    const r = await verifySessionToken(await auth0Token({ email: undefined, enc }, bytes(OLD)), rolling, now);
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ email: "ada@example.com", secretId: secretId(bytes(OLD)) }) });
    // ... and the result of that login is signed with the old secret, the one that Action verifies with.
    expect(await resultVerifiesWith(r.ok ? r.value : {})).toBe(OLD);
    // A login the updated Action started is answered with the new secret.
    const fresh = await verifySessionToken(await auth0Token({ enc: await sealedByTheAction({ email: "b@example.com" }, NEW) }, bytes(NEW)), rolling, now);
    expect(fresh).toEqual({ ok: true, value: expect.objectContaining({ email: "b@example.com", secretId: secretId(bytes(NEW)) }) });
    expect(await resultVerifiesWith(fresh.ok ? fresh.value : {})).toBe(NEW);
  });

  it("a flow opened before rotation (no secret id), or whose secret was removed meanwhile, is answered with the current secret", async () => {
    expect(await resultVerifiesWith({})).toBe(NEW);
    expect(await resultVerifiesWith({ secretId: "00000000" })).toBe(NEW);
  });

  it("threat: a token signed with a secret that is neither current nor previous is refused", async () => {
    const stranger = bytes("a-secret-no-one-configured-of-32-bytes!!");
    expect(await verifySessionToken(await auth0Token({}, stranger), rolling, now)).toEqual({ ok: false, error: "token_invalid" });
  });

  it("threat: once the previous secret is removed from config, its tokens are refused", async () => {
    expect((await verifySessionToken(await auth0Token({}, bytes(OLD)), rolling, now)).ok).toBe(true);
    expect(await verifySessionToken(await auth0Token({}, bytes(OLD)), rolled, now)).toEqual({ ok: false, error: "token_invalid" });
  });

  it("threat: an expired token signed with the previous secret is refused as expired, not tried further", async () => {
    expect(await verifySessionToken(await auth0Token({ iat: nowS - 2000, exp: nowS - 1000 }, bytes(OLD)), rolling, now)).toEqual({ ok: false, error: "token_expired" });
  });

  it("threat: a previous secret of tenant A is not accepted for tenant B", async () => {
    const PROD_OLD = "o".repeat(40);
    const tenants = testEnv({
      KEYSTEP_AUTH0_DOMAINS: "",
      KEYSTEP_TENANTS: "acme-prod,acme-dev",
      KEYSTEP_TENANT_ACME_PROD_SECRET: "p".repeat(40),
      KEYSTEP_TENANT_ACME_PROD_PREVIOUS_SECRET: PROD_OLD,
      KEYSTEP_TENANT_ACME_PROD_DOMAINS: "acme.eu.auth0.com",
      KEYSTEP_TENANT_ACME_DEV_SECRET: "d".repeat(40),
      KEYSTEP_TENANT_ACME_DEV_DOMAINS: "acme-dev.eu.auth0.com",
    });
    expect((await verifySessionToken(await auth0Token({ iss: "acme.eu.auth0.com" }, bytes(PROD_OLD)), tenants, now)).ok).toBe(true);
    expect(await verifySessionToken(await auth0Token({ iss: "acme-dev.eu.auth0.com" }, bytes(PROD_OLD)), tenants, now)).toEqual({ ok: false, error: "token_invalid" });
  });
});
