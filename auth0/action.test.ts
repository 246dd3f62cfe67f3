import { describe, expect, it, vi } from "vitest";
import { createRequire } from "node:module";

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
  };
}

type Api = ReturnType<typeof makeApi>;
const payloadOf = (api: Api) => (api.redirect.encodeToken.mock.calls[0] as unknown as [{ payload: Record<string, unknown> }])[0].payload;

function expectNothingDone(api: Api) {
  expect(api.redirect.sendUserTo).not.toHaveBeenCalled();
  expect(api.access.deny).not.toHaveBeenCalled();
}

describe("onExecutePostLogin", () => {
  it("redirects to Keystep's entry (trailing slash handled) with the payload, and no `state` anywhere", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent(), api);
    expect(api.redirect.encodeToken).toHaveBeenCalledWith({
      secret: SECRET,
      expiresInSeconds: 600,
      payload: {
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
      },
    });
    expect(api.redirect.sendUserTo).toHaveBeenCalledWith("https://mfa.example.com/auth0/start", { query: { session_token: "TOKEN" } });
    const [, options] = api.redirect.sendUserTo.mock.calls[0] as unknown as [string, { query: Record<string, string> }];
    expect(Object.keys(options)).toEqual(["query"]);
    expect(Object.keys(options.query)).toEqual(["session_token"]);
    expect(payloadOf(api)).not.toHaveProperty("state");
    expect(payloadOf(api)).not.toHaveProperty("phone_number"); // undefined keys are omitted
    expect(api.access.deny).not.toHaveBeenCalled();
  });

  it("two logins of one user in the same second, with the same claims, get distinct session tokens (Keystep accepts each token once)", async () => {
    const [a, b] = [makeApi(), makeApi()];
    await action.onExecutePostLogin(makeEvent(), a);
    await action.onExecutePostLogin(makeEvent(), b);
    const [pa, pb] = [payloadOf(a), payloadOf(b)];
    expect({ ...pa, jti: undefined }).toEqual({ ...pb, jti: undefined });
    expect(pa.jti).not.toEqual(pb.jti);
  });

  it("takes the locale from the transaction, then the query, then the user", async () => {
    const fromTx = makeApi();
    await action.onExecutePostLogin(makeEvent({ transaction: { protocol: "oidc-basic-profile", ui_locales: ["de"] } }), fromTx);
    expect(payloadOf(fromTx).locale).toBe("de");

    const fromUser = makeApi();
    await action.onExecutePostLogin(makeEvent({ request: { query: {} } }), fromUser);
    expect(payloadOf(fromUser).locale).toBe("it");

    const none = makeApi();
    await action.onExecutePostLogin(makeEvent({ request: { query: {} }, user: { user_id: "auth0|1" } }), none);
    expect(payloadOf(none)).not.toHaveProperty("locale");
    expect(payloadOf(none).roles).toEqual(["admin"]);
  });

  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const inSession = (timestamp: string, over: Record<string, unknown> = {}) => makeEvent({ authentication: { methods: [{ name: "pwd" }, { name: "https://mfa.example.com", timestamp }] }, ...over });

  it("skips when the SSO session carries Keystep's method from within the freshness window (with or without the trailing slash)", async () => {
    for (const name of ["https://mfa.example.com", "https://mfa.example.com/"]) {
      const api = makeApi();
      await action.onExecutePostLogin(makeEvent({ authentication: { methods: [{ name: "pwd" }, { name, timestamp: minutesAgo(30) }] } }), api);
      expectNothingDone(api);
    }
  });

  it("step-up inside an SSO session asks again (acr_values with the MFA policy)", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(5), { request: { query: { acr_values: "http://schemas.openid.net/pape/policies/2007/06/multi-factor" } } }), api);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
    expect(payloadOf(api).step_up).toBe(true);
  });

  it("keystep_intent=manage inside an SSO session reaches Keystep", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(inSession(minutesAgo(5), { request: { query: { keystep_intent: "manage" } } }), api);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
    expect(payloadOf(api).intent).toBe("manage");
  });

  it("a method older than the freshness window asks again, and Keystep is told when the session last passed it", async () => {
    const api = makeApi();
    const at = minutesAgo(13 * 60);
    await action.onExecutePostLogin(inSession(at), api);
    expect(api.redirect.sendUserTo).toHaveBeenCalled();
    expect(payloadOf(api).last_mfa_at).toBe(Math.floor(Date.parse(at) / 1000));
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
    await action.onExecutePostLogin(makeEvent({ authentication: { methods: [{ name: "https://mfa.example.com.evil.test" }] } }), api);
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

  it("fails closed when the secrets are missing", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ secrets: {} }), api);
    expect(api.access.deny).toHaveBeenCalledWith(expect.stringContaining("not configured"));
    expect(api.redirect.sendUserTo).not.toHaveBeenCalled();
  });
});

describe("onContinuePostLogin", () => {
  const result = { iss: "t", sub: "auth0|1", state: "S", iat: 1, exp: 2, jti: "j", outcome: "success", amr: ["otp"] };

  it("validates the result token and records Keystep's method, as configured, on success", async () => {
    const api = makeApi(result);
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.redirect.validateToken).toHaveBeenCalledWith({ secret: SECRET, tokenParameterName: "session_token" });
    expect(api.authentication.recordMethod).toHaveBeenCalledWith(URL_AS_CONFIGURED);
    expect(api.access.deny).not.toHaveBeenCalled();
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
