import { describe, expect, it, vi } from "vitest";
import { createRequire } from "node:module";
import { openSealedClaims } from "@/lib/auth0/sealed";

type Handler = (event: unknown, api: unknown) => Promise<void>;
const action = createRequire(import.meta.url)("./action.js") as { onExecutePostLogin: Handler; onContinuePostLogin: Handler };

const SECRET = "s".repeat(40);
const URL_AS_CONFIGURED = "https://mfa.example.com/";

function makeEvent(over: Record<string, unknown> = {}) {
  return {
    secrets: { KEYSTEP_URL: URL_AS_CONFIGURED, KEYSTEP_SECRET: SECRET },
    user: { user_id: "auth0|1", email: "ada@example.com", email_verified: true, name: "Ada", phone_number: undefined, locale: "it" },
    client: { client_id: "cid", name: "Acme" },
    request: { query: { ui_locales: "fr-CA en", device_id: "dev-1" }, geoip: { countryCode: "FR" }, ip: "1.2.3.4" },
    transaction: { protocol: "oidc-basic-profile", ui_locales: [] as string[] },
    authentication: { methods: [{ name: "pwd", timestamp: "t" }], riskAssessment: { confidence: "high" } },
    authorization: { roles: ["admin"] },
    ...over,
  };
}

/** A fake `api`; `claims` is what validateToken returns, or throws when it is an Error. */
function makeApi(claims?: Record<string, unknown> | Error) {
  return {
    access: { deny: vi.fn() },
    redirect: {
      encodeToken: vi.fn(() => "TOKEN"),
      sendUserTo: vi.fn(),
      validateToken: vi.fn(() => {
        if (claims instanceof Error) throw claims;
        return claims;
      }),
    },
    authentication: { recordMethod: vi.fn() },
    idToken: { setCustomClaim: vi.fn() },
    accessToken: { setCustomClaim: vi.fn() },
  };
}

/** The custom claims set on one token, as an object. */
const claimsOn = (token: { setCustomClaim: ReturnType<typeof vi.fn> }) => Object.fromEntries(token.setCustomClaim.mock.calls.map(([k, v]) => [k, v]));
const NS = "https://mfa.example.com/";
/** Keystep's record in the Auth0 session, as onContinuePostLogin names it. */
const record = (q: string) => `https://mfa.example.com/auth0/method?${q}`;

type Api = ReturnType<typeof makeApi>;
const tokenPayloadOf = (api: Api) => (api.redirect.encodeToken.mock.calls[0] as unknown as [{ payload: Record<string, unknown> }])[0].payload;
/** What the Action forwarded, opened as Keystep opens it. */
async function payloadOf(api: Api): Promise<Record<string, unknown>> {
  const { enc, ...clear } = tokenPayloadOf(api);
  const sealed = await openSealedClaims(String(enc), new TextEncoder().encode(SECRET));
  if (!sealed) throw new Error("the sealed claims did not open");
  return { ...clear, ...sealed };
}

function expectNothingDone(api: Api) {
  expect(api.redirect.sendUserTo).not.toHaveBeenCalled();
  expect(api.access.deny).not.toHaveBeenCalled();
}

describe("onExecutePostLogin", () => {
  it("redirects to Keystep's entry (trailing slash handled) with the payload, and no `state` anywhere", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent(), api);
    expect(api.redirect.encodeToken).toHaveBeenCalledWith({ secret: SECRET, expiresInSeconds: 600, payload: { jti: expect.stringMatching(/^[0-9a-f-]{36}$/), enc: expect.any(String) } });
    expect(await payloadOf(api)).toEqual({
      sub: "auth0|1",
      email: "ada@example.com",
      email_verified: true,
      name: "Ada",
      locale: "fr-CA",
      client_id: "cid",
      client_name: "Acme",
      roles: ["admin"],
      device_id: "dev-1",
      country: "FR",
      risk: "high",
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(api.redirect.sendUserTo).toHaveBeenCalledWith("https://mfa.example.com/auth0/start", { query: { session_token: "TOKEN" } });
    const [, options] = api.redirect.sendUserTo.mock.calls[0] as unknown as [string, { query: Record<string, string> }];
    expect(Object.keys(options)).toEqual(["query"]);
    expect(Object.keys(options.query)).toEqual(["session_token"]);
    expect(await payloadOf(api)).not.toHaveProperty("state");
    expect(await payloadOf(api)).not.toHaveProperty("phone_number"); // undefined keys are omitted
    expect(api.access.deny).not.toHaveBeenCalled();
  });

  it("threat: personal data in the redirect URL: the session token carries no email, phone, name, roles or country in readable form", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ user: { user_id: "auth0|1", email: "ada@example.com", email_verified: true, name: "Ada Lovelace", phone_number: "+447700900123" } }), api);
    // Only `jti` and the sealed part are readable claims: roles, country and locale are not claims of their own…
    expect(Object.keys(tokenPayloadOf(api)).sort()).toEqual(["enc", "jti"]);
    // …and the sealed part shows nothing: its header names the algorithms, the rest is ciphertext.
    // (Only long values are searched for: a short one like "FR" can occur in random base64url.)
    const enc = String(tokenPayloadOf(api).enc);
    expect(JSON.parse(Buffer.from(enc.split(".")[0] ?? "", "base64url").toString())).toEqual({ alg: "dir", enc: "A256GCM", cty: "keystep-claims" });
    const decoded = enc
      .split(".")
      .map((part) => Buffer.from(part, "base64url").toString("latin1"))
      .join(" ");
    for (const personal of ["ada@example.com", "Ada Lovelace", "+447700900123"]) {
      expect(enc).not.toContain(personal);
      expect(decoded).not.toContain(personal);
    }
    expect((await payloadOf(api)).phone_number).toBe("+447700900123");
  });

  it("threat: the sealed claims open only with this tenant's secret", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent(), api);
    expect(await openSealedClaims(String(tokenPayloadOf(api).enc), new TextEncoder().encode("another tenant's secret, 32+ bytes long"))).toBeNull();
  });

  it("two logins of one user in the same second, with the same claims, get distinct session tokens (Keystep accepts each token once)", async () => {
    const [a, b] = [makeApi(), makeApi()];
    await action.onExecutePostLogin(makeEvent(), a);
    await action.onExecutePostLogin(makeEvent(), b);
    const [pa, pb] = [await payloadOf(a), await payloadOf(b)];
    expect({ ...pa, jti: undefined }).toEqual({ ...pb, jti: undefined });
    expect(pa.jti).not.toEqual(pb.jti);
  });

  it("takes the locale from the transaction, then the query, then the user", async () => {
    const fromTx = makeApi();
    await action.onExecutePostLogin(makeEvent({ transaction: { protocol: "oidc-basic-profile", ui_locales: ["de"] } }), fromTx);
    expect((await payloadOf(fromTx)).locale).toBe("de");

    const fromUser = makeApi();
    await action.onExecutePostLogin(makeEvent({ request: { query: {} } }), fromUser);
    expect((await payloadOf(fromUser)).locale).toBe("it");

    const none = makeApi();
    await action.onExecutePostLogin(makeEvent({ request: { query: {} }, user: { user_id: "auth0|1" } }), none);
    expect(await payloadOf(none)).not.toHaveProperty("locale");
    expect((await payloadOf(none)).roles).toEqual(["admin"]);
  });

  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const inSessionForRefresh = () => inSession(minutesAgo(5), { transaction: { protocol: "oauth2-refresh-token" } });
  const inSession = (timestamp: string, over: Record<string, unknown> = {}, name = record("client=cid&amr=otp")) =>
    makeEvent({ authentication: { methods: [{ name: "pwd" }, { name, timestamp }] }, ...over });

  it("skips when the SSO session carries Keystep's record for this app from within the freshness window, and sets the claims from it", async () => {
    const at = minutesAgo(30);
    const api = makeApi();
    await action.onExecutePostLogin(inSession(at, {}, record("client=cid&amr=webauthn-platform+uv")), api);
    expectNothingDone(api);
    const expected = { [`${NS}amr`]: ["webauthn-platform", "uv"], [`${NS}mfa_at`]: Math.floor(Date.parse(at) / 1000), [`${NS}mfa_skipped`]: false };
    expect(claimsOn(api.idToken)).toEqual(expected);
    expect(claimsOn(api.accessToken)).toEqual(expected);
  });

  it('threat: a session record from before a revocation (support reset, "This wasn\'t me") is not reused, in any session', async () => {
    const revokedAt = Math.floor(Date.now() / 1000) - 60;
    const before = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(5), { user: { user_id: "auth0|1", app_metadata: { keystep_revoked_at: revokedAt } } }), before);
    expect(before.redirect.sendUserTo).toHaveBeenCalled();
    expect(await payloadOf(before)).not.toHaveProperty("last_mfa_at");
    // A record made after the revocation is reused as usual.
    const after = makeApi();
    await action.onExecutePostLogin(inSession(new Date().toISOString(), { user: { user_id: "auth0|1", app_metadata: { keystep_revoked_at: revokedAt } } }), after);
    expectNothingDone(after);
  });

  it("the newest of several records for this app is the one reused", async () => {
    const api = makeApi();
    const methods = [
      { name: record("client=cid&amr=otp"), timestamp: minutesAgo(50) },
      { name: record("client=cid&amr=email"), timestamp: minutesAgo(10) },
    ];
    await action.onExecutePostLogin(makeEvent({ authentication: { methods } }), api);
    expectNothingDone(api);
    expect(claimsOn(api.idToken)[`${NS}amr`]).toEqual(["email"]);
  });

  it("threat: a record made for another application does not skip Keystep (that app's policy may ask for more)", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(5), {}, record("client=other-app&amr=otp")), api);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
    expect(await payloadOf(api)).not.toHaveProperty("last_mfa_at");
  });

  it("a bare Keystep URL recorded by an earlier release is not reused: the user passes Keystep once more", async () => {
    for (const name of ["https://mfa.example.com", "https://mfa.example.com/"]) {
      const api = makeApi();
      await action.onExecutePostLogin(inSession(minutesAgo(5), {}, name), api);
      expect(api.redirect.sendUserTo).toHaveBeenCalled();
    }
  });

  it("a policy skip in the session keeps silent renewal (prompt=none) working, with claims saying no factor was used", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(5), { request: { query: { prompt: "none" } } }, record("client=cid&amr=&skipped=1")), api);
    expectNothingDone(api);
    expect(claimsOn(api.idToken)).toEqual({ [`${NS}amr`]: [], [`${NS}mfa_skipped`]: true });
  });

  it("threat: a policy skip in the session never skips an interactive login: policy runs again at Keystep", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(5), {}, record("client=cid&amr=&skipped=1")), api);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
    expect(await payloadOf(api)).not.toHaveProperty("last_mfa_at");
  });

  it("KEYSTEP_CLAIM_NAMESPACE names the claims", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(5), { secrets: { KEYSTEP_URL: URL_AS_CONFIGURED, KEYSTEP_SECRET: SECRET, KEYSTEP_CLAIM_NAMESPACE: "https://acme.example/mfa/" } }), api);
    expect(Object.keys(claimsOn(api.accessToken))).toEqual(["https://acme.example/mfa/amr", "https://acme.example/mfa/mfa_at", "https://acme.example/mfa/mfa_skipped"]);
  });

  it("a refresh-token exchange carries the session's claims into the new tokens", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(60 * 24), { transaction: { protocol: "oauth2-refresh-token" } }), api);
    expectNothingDone(api);
    expect(claimsOn(api.accessToken)[`${NS}amr`]).toEqual(["otp"]);
  });

  it("step-up inside an SSO session asks again (acr_values with the MFA policy)", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(5), { request: { query: { acr_values: "http://schemas.openid.net/pape/policies/2007/06/multi-factor" } } }), api);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
    expect((await payloadOf(api)).step_up).toBe(true);
  });

  it("keystep_intent=manage inside an SSO session reaches Keystep", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(5), { request: { query: { keystep_intent: "manage" } } }), api);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
    expect((await payloadOf(api)).intent).toBe("manage");
  });

  it("a method older than the freshness window asks again, and Keystep is told when the session last passed it", async () => {
    const api = makeApi();
    const at = minutesAgo(13 * 60);
    await action.onExecutePostLogin(inSession(at), api);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
    expect((await payloadOf(api)).last_mfa_at).toBe(Math.floor(Date.parse(at) / 1000));
  });

  it("KEYSTEP_SSO_MAX_AGE_SECONDS sets the window: 0 never reuses the session, a bad value keeps the 12-hour default", async () => {
    const never = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(1), { secrets: { KEYSTEP_URL: "https://mfa.example.com/", KEYSTEP_SECRET: SECRET, KEYSTEP_SSO_MAX_AGE_SECONDS: "0" } }), never);
    expect(never.redirect.sendUserTo).toHaveBeenCalled();
    const hour = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(90), { secrets: { KEYSTEP_URL: "https://mfa.example.com/", KEYSTEP_SECRET: SECRET, KEYSTEP_SSO_MAX_AGE_SECONDS: "3600" } }), hour);
    expect(hour.redirect.sendUserTo).toHaveBeenCalled();
    const bad = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(90), { secrets: { KEYSTEP_URL: "https://mfa.example.com/", KEYSTEP_SECRET: SECRET, KEYSTEP_SSO_MAX_AGE_SECONDS: "soon" } }), bad);
    expectNothingDone(bad);
  });

  it("threat: a recorded method without a readable time (or from the future) does not skip Keystep", async () => {
    for (const timestamp of ["t", "", new Date(Date.now() + 3_600_000).toISOString()]) {
      const api = makeApi();
      await action.onExecutePostLogin(inSession(timestamp), api);
      expect(api.redirect.sendUserTo).toHaveBeenCalled();
    }
  });

  it("does not skip for another URL-named method", async () => {
    const api = makeApi();
    for (const name of [record("client=cid&amr=otp").replace("mfa.example.com", "mfa.example.com.evil.test"), "https://mfa.example.com/elsewhere?client=cid&amr=otp", "not a url"]) {
      await action.onExecutePostLogin(makeEvent({ authentication: { methods: [{ name, timestamp: minutesAgo(1) }] } }), api);
    }
    expect(api.redirect.sendUserTo).toHaveBeenCalledTimes(3);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
  });

  it.each(["oauth2-refresh-token", "oauth2-token-exchange", "oauth2-resource-owner-jwt-bearer", "oauth2-webauthn"])("skips the non-interactive %s protocol", async (protocol) => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ transaction: { protocol } }), api);
    expectNothingDone(api);
  });

  it.each(["oauth2-resource-owner", "oauth2-password", "wstrust-usernamemixed", "oauth2-access-token"])(
    "threat: a password-only %s grant is denied by default rather than let through without MFA",
    async (protocol) => {
      const api = makeApi();
      await action.onExecutePostLogin(makeEvent({ transaction: { protocol } }), api);
      expect(api.access.deny).toHaveBeenCalledWith(`Multi-factor authentication is required and cannot be completed with the ${protocol} grant.`);
      expect(api.redirect.sendUserTo).not.toHaveBeenCalled();
    },
  );

  it.each(["oauth2-resource-owner", "oauth2-password", "wstrust-usernamemixed", "oauth2-access-token"])(
    "KEYSTEP_ALLOW_PASSWORD_GRANTS=true, the explicit opt-out, lets the %s grant through without MFA",
    async (protocol) => {
      const api = makeApi();
      const event = makeEvent({ transaction: { protocol } });
      event.secrets = { ...event.secrets, KEYSTEP_ALLOW_PASSWORD_GRANTS: "true" } as typeof event.secrets;
      await action.onExecutePostLogin(event, api);
      expectNothingDone(api);
      expect(claimsOn(api.idToken)).toEqual({ [`${NS}amr`]: [], [`${NS}mfa_skipped`]: true });
    },
  );

  it("redirects the device-code flow: the user is at a browser", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ transaction: { protocol: "oauth2-device-code" } }), api);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
  });

  it.each([
    ["the query", { request: { query: { prompt: "none" } } }],
    ["the transaction", { transaction: { protocol: "oidc-basic-profile", prompt: ["none"] } }],
  ])("prompt=none from %s is redirected like any login, so Auth0 answers interaction_required instead of a denial", async (_where, over) => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent(over), api);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
    expect(api.access.deny).not.toHaveBeenCalled();
  });

  it("names the Auth0 tenant inside the sealed claims, so Keystep can refuse another tenant's token", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ tenant: { id: "acme-prod" } }), api);
    expect((await payloadOf(api)).tenant).toBe("acme-prod");
    expect(tokenPayloadOf(api)).not.toHaveProperty("tenant");
  });

  it("forwards Auth0's transaction id, sealed, so Keystep's log lines can be joined with Auth0's; none when the event has none", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ transaction: { protocol: "oidc-basic-profile", ui_locales: [], id: "tx_123" } }), api);
    expect((await payloadOf(api)).transaction_id).toBe("tx_123");
    expect(tokenPayloadOf(api)).not.toHaveProperty("transaction_id");
    const without = makeApi();
    await action.onExecutePostLogin(makeEvent(), without);
    expect(await payloadOf(without)).not.toHaveProperty("transaction_id");
  });

  it("a grant whose api has no ID or access token to add claims to still completes", async () => {
    const api = { ...makeApi(), idToken: undefined, accessToken: undefined };
    await action.onExecutePostLogin(inSessionForRefresh(), api);
    expect(api.access.deny).not.toHaveBeenCalled();
  });

  it("fails closed when the secrets are missing", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ secrets: {} }), api);
    expect(api.access.deny).toHaveBeenCalledWith(expect.stringContaining("not configured"));
    expect(api.redirect.sendUserTo).not.toHaveBeenCalled();
  });
});

describe("onContinuePostLogin", () => {
  const result = { iss: "t", sub: "auth0|1", state: "S", iat: 1, exp: 2, jti: "j", outcome: "success", amr: ["otp"] };

  it("validates the result token, records Keystep's method for this app with its factors, and sets the claims, on success", async () => {
    const api = makeApi({ ...result, amr: ["otp", "email"] });
    const before = Math.floor(Date.now() / 1000);
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.redirect.validateToken).toHaveBeenCalledWith({ secret: SECRET, tokenParameterName: "session_token" });
    expect(api.authentication.recordMethod).toHaveBeenCalledWith(record("client=cid&amr=otp+email"));
    expect(api.access.deny).not.toHaveBeenCalled();
    for (const token of [api.idToken, api.accessToken]) {
      const c = claimsOn(token);
      expect(c[`${NS}amr`]).toEqual(["otp", "email"]);
      expect(c[`${NS}mfa_skipped`]).toBe(false);
      expect(c[`${NS}mfa_at`]).toBeGreaterThanOrEqual(before);
    }
  });

  it("a policy skip is recorded as one, and the claims tell the app that no factor was used", async () => {
    const api = makeApi({ ...result, amr: [], skipped: "remembered device" });
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.authentication.recordMethod).toHaveBeenCalledWith(record("client=cid&amr=&skipped=1"));
    expect(claimsOn(api.idToken)).toEqual({ [`${NS}amr`]: [], [`${NS}mfa_skipped`]: true });
  });

  it("the recorded method round-trips: the next login of this app in the session reuses it", async () => {
    const api = makeApi(result);
    await action.onContinuePostLogin(makeEvent(), api);
    const [name] = api.authentication.recordMethod.mock.calls[0] as [string];
    const next = makeApi();
    await action.onExecutePostLogin(makeEvent({ authentication: { methods: [{ name: "pwd" }, { name, timestamp: new Date().toISOString() }] } }), next);
    expectNothingDone(next);
  });

  it("fails closed when the secrets are missing: no result is trusted", async () => {
    const api = makeApi(result);
    await action.onContinuePostLogin(makeEvent({ secrets: { KEYSTEP_URL: "https://mfa.example.com" } }), api);
    expect(api.access.deny).toHaveBeenCalledWith(expect.stringContaining("not configured"));
    expect(api.redirect.validateToken).not.toHaveBeenCalled();
    expect(api.authentication.recordMethod).not.toHaveBeenCalled();
  });

  it("denies a cancelled sign-in", async () => {
    const api = makeApi({ ...result, outcome: "denied", amr: [], reason: "cancelled" });
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.access.deny).toHaveBeenCalledWith("Sign-in was cancelled.");
    expect(api.authentication.recordMethod).not.toHaveBeenCalled();
  });

  it("passes other denial reasons on, bounded to 200 characters", async () => {
    const api = makeApi({ ...result, outcome: "denied", amr: [], reason: "x".repeat(500) });
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.access.deny).toHaveBeenCalledWith(`Sign-in was refused: ${"x".repeat(200)}`);
  });

  it("denies when validateToken throws", async () => {
    const api = makeApi(new Error("state mismatch"));
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.access.deny).toHaveBeenCalledWith("Keystep result could not be verified: state mismatch");
    expect(api.authentication.recordMethod).not.toHaveBeenCalled();
  });

  it("threat: the incoming session token posted back as a result is denied (it has no outcome)", async () => {
    const api = makeApi({ iat: 1, iss: "t", sub: "auth0|1", exp: 2, ip: "1.2.3.4", email: "ada@example.com", state: "S" });
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.access.deny).toHaveBeenCalledWith("Multi-factor authentication did not complete.");
    expect(api.authentication.recordMethod).not.toHaveBeenCalled();
  });

  it("threat: a success without an amr list is denied", async () => {
    const api = makeApi({ ...result, amr: "otp" });
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.access.deny).toHaveBeenCalled();
    expect(api.authentication.recordMethod).not.toHaveBeenCalled();
  });

  it("threat: another user's result (sub ≠ event.user.user_id) is denied even if validateToken let it through", async () => {
    for (const claims of [
      { ...result, sub: "auth0|2" },
      { ...result, sub: undefined },
      { ...result, sub: "AUTH0|1" },
    ]) {
      const api = makeApi(claims);
      await action.onContinuePostLogin(makeEvent(), api);
      expect(api.access.deny).toHaveBeenCalledWith("Keystep result is for another user.");
      expect(api.authentication.recordMethod).not.toHaveBeenCalled();
    }
    // A denial for another user is refused the same way, not passed on as this user's reason.
    const api = makeApi({ ...result, sub: "auth0|2", outcome: "denied", amr: [], reason: "cancelled" });
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.access.deny).toHaveBeenCalledWith("Keystep result is for another user.");
  });
});

describe("rotating the Action secret (#16 item 4)", () => {
  const OLD = SECRET;
  const NEW = "n".repeat(40);
  const result = { iss: "t", sub: "auth0|1", state: "S", iat: 1, exp: 2, jti: "j", outcome: "success", amr: ["otp"] };
  /** An `api` whose validateToken accepts only a token signed with `signedWith`, as Auth0's does. */
  function signedWith(secret: string) {
    const api = makeApi();
    api.redirect.validateToken = vi.fn(({ secret: s }: { secret: string }) => {
      if (s !== secret) throw new Error("invalid signature");
      return result;
    }) as never;
    return api;
  }
  const rotated = (extra: Record<string, string> = {}) => makeEvent({ secrets: { KEYSTEP_URL: URL_AS_CONFIGURED, KEYSTEP_SECRET: NEW, ...extra } });

  it("threat: rotating the Action secret breaks logins in flight", async () => {
    // A login Keystep began with the old secret is answered with it; the Action already on the new one accepts it.
    const api = signedWith(OLD);
    await action.onContinuePostLogin(rotated({ KEYSTEP_PREVIOUS_SECRET: OLD }), api);
    expect(api.access.deny).not.toHaveBeenCalled();
    expect(api.authentication.recordMethod).toHaveBeenCalledWith(record("client=cid&amr=otp"));
    // Results signed with the new secret verify first time.
    const fresh = signedWith(NEW);
    await action.onContinuePostLogin(rotated({ KEYSTEP_PREVIOUS_SECRET: OLD }), fresh);
    expect(fresh.redirect.validateToken).toHaveBeenCalledTimes(1);
    expect(fresh.authentication.recordMethod).toHaveBeenCalled();
  });

  it("threat: without KEYSTEP_PREVIOUS_SECRET (the rollover is over), a result signed with the old secret is denied", async () => {
    const api = signedWith(OLD);
    await action.onContinuePostLogin(rotated(), api);
    expect(api.access.deny).toHaveBeenCalledWith("Keystep result could not be verified: invalid signature");
    expect(api.authentication.recordMethod).not.toHaveBeenCalled();
  });

  it("threat: a result signed with a secret that is neither current nor previous is denied", async () => {
    const api = signedWith("x".repeat(40));
    await action.onContinuePostLogin(rotated({ KEYSTEP_PREVIOUS_SECRET: OLD }), api);
    expect(api.access.deny).toHaveBeenCalledWith("Keystep result could not be verified: invalid signature");
    expect(api.authentication.recordMethod).not.toHaveBeenCalled();
  });

  it("signs what it sends with KEYSTEP_SECRET only, never the previous secret", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(rotated({ KEYSTEP_PREVIOUS_SECRET: OLD }), api);
    expect(api.redirect.encodeToken).toHaveBeenCalledWith(expect.objectContaining({ secret: NEW }));
    const { enc } = tokenPayloadOf(api);
    expect(await openSealedClaims(String(enc), new TextEncoder().encode(NEW))).not.toBeNull();
    expect(await openSealedClaims(String(enc), new TextEncoder().encode(OLD))).toBeNull();
  });
});

describe("the support console's roles claim (docs/console.md)", () => {
  const result = { iss: "t", sub: "auth0|1", state: "S", iat: 1, exp: 2, jti: "j", outcome: "success", amr: ["otp"] };
  const consoleSecrets = { KEYSTEP_URL: URL_AS_CONFIGURED, KEYSTEP_SECRET: SECRET, KEYSTEP_CONSOLE_CLIENT_ID: "console-cid" };

  it("puts the user's Auth0 roles in the console's ID token, next to Keystep's claims", async () => {
    const api = makeApi(result);
    await action.onContinuePostLogin(makeEvent({ secrets: consoleSecrets, client: { client_id: "console-cid", name: "Keystep console" }, authorization: { roles: ["keystep-support", "x"] } }), api);
    const id = claimsOn(api.idToken);
    expect(id[`${NS}roles`]).toEqual(["keystep-support", "x"]);
    expect(id[`${NS}amr`]).toEqual(["otp"]);
    // The access token (for APIs) does not carry them.
    expect(claimsOn(api.accessToken)[`${NS}roles`]).toBeUndefined();
  });

  it("an operator with no roles gets an empty list, not a missing claim", async () => {
    const api = makeApi(result);
    await action.onContinuePostLogin(makeEvent({ secrets: consoleSecrets, client: { client_id: "console-cid" }, authorization: undefined }), api);
    expect(claimsOn(api.idToken)[`${NS}roles`]).toEqual([]);
  });

  it("never adds roles to another application's tokens", async () => {
    const api = makeApi(result);
    await action.onContinuePostLogin(makeEvent({ secrets: consoleSecrets, client: { client_id: "cid" }, authorization: { roles: ["keystep-support"] } }), api);
    expect(claimsOn(api.idToken)[`${NS}roles`]).toBeUndefined();
    const unset = makeApi(result);
    await action.onContinuePostLogin(makeEvent({ client: { client_id: "console-cid" }, authorization: { roles: ["keystep-support"] } }), unset);
    expect(claimsOn(unset.idToken)[`${NS}roles`]).toBeUndefined();
  });

  it("a denied login sets no claims at all", async () => {
    const api = makeApi({ ...result, outcome: "denied", reason: "cancelled" });
    await action.onContinuePostLogin(makeEvent({ secrets: consoleSecrets, client: { client_id: "console-cid" }, authorization: { roles: ["keystep-support"] } }), api);
    expect(api.access.deny).toHaveBeenCalled();
    expect(api.idToken.setCustomClaim).not.toHaveBeenCalled();
  });
});
