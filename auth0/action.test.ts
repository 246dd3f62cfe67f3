import { describe, expect, it, vi } from "vitest";
import { createRequire } from "node:module";

const action = createRequire(import.meta.url)("./action.js") as {
  onExecutePostLogin(event: unknown, api: unknown): Promise<void>;
  onContinuePostLogin(event: unknown, api: unknown): Promise<void>;
};

const SECRET = "s".repeat(40);

function makeEvent(over: Record<string, unknown> = {}) {
  return {
    secrets: { KEYSTEP_URL: "https://mfa.example.com/", KEYSTEP_SECRET: SECRET },
    user: { user_id: "auth0|1", email: "ada@example.com", email_verified: true, name: "Ada", phone_number: undefined },
    client: { client_id: "cid", name: "Acme" },
    request: { query: { ui_locales: "fr-CA en", device_id: "dev-1" }, geoip: { countryCode: "FR" }, ip: "1.2.3.4" },
    transaction: { protocol: "oidc-basic-profile", ui_locales: [] as string[] },
    authentication: { methods: [{ name: "pwd", timestamp: "t" }], riskAssessment: { confidence: "high" } },
    authorization: { roles: ["admin"] },
    ...over,
  };
}

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

describe("onExecutePostLogin", () => {
  it("redirects to Keystep's entry with a token carrying the payload, and no `state` anywhere", async () => {
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
      },
    });
    expect(api.redirect.sendUserTo).toHaveBeenCalledWith("https://mfa.example.com/auth0/start", { query: { session_token: "TOKEN" } });
    const [, { query }] = api.redirect.sendUserTo.mock.calls[0] as unknown as [string, { query: Record<string, string> }];
    expect(Object.keys(query)).not.toContain("state");
    const payload = (api.redirect.encodeToken.mock.calls[0] as unknown as [{ payload: Record<string, unknown> }])[0].payload;
    expect(Object.keys(payload)).not.toContain("state");
  });

  it("prefers the transaction's ui_locales", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ transaction: { protocol: "oidc-basic-profile", ui_locales: ["de"] } }), api);
    expect(api.redirect.encodeToken.mock.calls[0]).toMatchObject([{ payload: { locale: "de" } }]);
  });

  it("skips when the SSO session already carries Keystep's recorded method (trailing slash or not)", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ authentication: { methods: [{ name: "https://mfa.example.com", timestamp: "t" }] } }), api);
    expect(api.redirect.sendUserTo).not.toHaveBeenCalled();
    expect(api.access.deny).not.toHaveBeenCalled();
  });

  it.each(["oauth2-refresh-token", "oauth2-resource-owner", "oauth2-password"])("skips the non-interactive %s protocol", async (protocol) => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ transaction: { protocol } }), api);
    expect(api.redirect.sendUserTo).not.toHaveBeenCalled();
    expect(api.access.deny).not.toHaveBeenCalled();
  });

  it("denies prompt=none with a clear message instead of redirecting", async () => {
    const api = makeApi();
    await action.onExecutePostLogin(makeEvent({ request: { query: { prompt: "none" } } }), api);
    expect(api.access.deny).toHaveBeenCalledWith(expect.stringContaining("prompt=none"));
    expect(api.redirect.sendUserTo).not.toHaveBeenCalled();
  });
});

describe("onContinuePostLogin", () => {
  const result = { iss: "t", sub: "auth0|1", state: "S", iat: 1, exp: 2, jti: "j", outcome: "success", amr: ["otp"] };

  it("validates the result token and records Keystep's method on success", async () => {
    const api = makeApi(result);
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.redirect.validateToken).toHaveBeenCalledWith({ secret: SECRET, tokenParameterName: "session_token" });
    expect(api.authentication.recordMethod).toHaveBeenCalledWith("https://mfa.example.com/");
    expect(api.access.deny).not.toHaveBeenCalled();
  });

  it("denies a cancelled sign-in", async () => {
    const api = makeApi({ ...result, outcome: "denied", amr: [], reason: "cancelled" });
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.access.deny).toHaveBeenCalledWith("Sign-in was cancelled.");
    expect(api.authentication.recordMethod).not.toHaveBeenCalled();
  });

  it("denies when validateToken throws", async () => {
    const api = makeApi(new Error("state mismatch"));
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.access.deny).toHaveBeenCalledWith(expect.stringContaining("state mismatch"));
    expect(api.authentication.recordMethod).not.toHaveBeenCalled();
  });

  it("threat: the incoming session token posted back as a result is denied (it has no outcome)", async () => {
    const api = makeApi({ iat: 1, iss: "t", sub: "auth0|1", exp: 2, ip: "1.2.3.4", email: "ada@example.com", state: "S" });
    await action.onContinuePostLogin(makeEvent(), api);
    expect(api.access.deny).toHaveBeenCalled();
    expect(api.authentication.recordMethod).not.toHaveBeenCalled();
  });
});
