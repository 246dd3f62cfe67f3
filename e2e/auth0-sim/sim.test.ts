import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { SignJWT, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { openSealedClaims } from "@/lib/auth0/sealed";
import { startAuth0Sim, type Sim } from "./server";

const SECRET = "sim-test-secret-0123456789-0123456789-abcdef";
const KEYSTEP = "http://localhost:3999/"; // trailing slash on purpose
const key = new TextEncoder().encode(SECRET);

/** A browser stand-in: follows nothing by itself, keeps cookies per name as a browser would. */
class Browser {
  private jar = new Map<string, string>();
  constructor(private readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(path, this.base);
    const headers = new Headers(init.headers);
    if (url.origin === this.base && this.jar.size) headers.set("cookie", [...this.jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) this.store(line);
    return res;
  }

  post(path: string, fields: Record<string, string>): Promise<Response> {
    return this.request(path, { method: "POST", body: new URLSearchParams(fields), headers: { "content-type": "application/x-www-form-urlencoded" } });
  }

  cookieNames(): string[] {
    return [...this.jar.keys()];
  }

  get(name: string): string | undefined {
    return this.jar.get(name);
  }

  set(name: string, value: string) {
    this.jar.set(name, value);
  }

  forget(name: string) {
    this.jar.delete(name);
  }

  private store(line: string) {
    const [pair, ...attrs] = line.split(";");
    const i = pair!.indexOf("=");
    const name = pair!.slice(0, i).trim();
    const value = pair!.slice(i + 1).trim();
    const expired = attrs.some((a) => a.trim().toLowerCase() === "max-age=0");
    if (expired) this.jar.delete(name);
    else this.jar.set(name, value);
  }
}

let sim: Sim;
beforeAll(async () => {
  sim = await startAuth0Sim({ port: 0, secret: SECRET, keystepUrl: KEYSTEP });
});
afterAll(() => sim.close());

const location = (res: Response) => new URL(res.headers.get("location")!, sim.url);
const uniqueEmail = () => `user-${crypto.randomBytes(4).toString("hex")}@example.test`;

/** Password step through the login form; returns the redirect to Keystep (or wherever the sim sent us). */
async function passwordStep(browser: Browser, email: string, authorizeQuery: Record<string, string> = {}) {
  const res = await browser.post("/login", { email, password: "pw", q_client_id: "demo-app", q_scope: "openid", ...prefixed(authorizeQuery) });
  expect(res.status).toBe(302);
  return location(res);
}

function prefixed(query: Record<string, string>) {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [`q_${k}`, v]));
}

/** What Keystep would send back (DESIGN §1.6). */
async function resultToken(incoming: { iss: string; sub: string }, state: string, claims: Record<string, unknown> = { outcome: "success", amr: ["otp"] }) {
  return new SignJWT({ ...claims, state })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(incoming.iss)
    .setSubject(incoming.sub)
    .setIssuedAt()
    .setExpirationTime("300s")
    .setJti(crypto.randomUUID())
    .sign(key);
}

/** Runs a login up to Keystep and returns what Keystep receives. */
async function toKeystep(browser: Browser, email = uniqueEmail(), query: Record<string, string> = {}) {
  const target = await passwordStep(browser, email, query);
  const state = target.searchParams.get("state")!;
  const token = target.searchParams.get("session_token")!;
  const readable = decodeJwt(token) as { iss: string; sub: string; enc: string } & Record<string, unknown>;
  // What the Action forwards is sealed (#15 item 8); Keystep opens it with the same secret.
  const sealed = await openSealedClaims(readable.enc, key);
  const { enc: _enc, ...claims } = { ...readable, ...sealed };
  return { target, state, token, readable, claims };
}

const postContinue = (browser: Browser, state: string, token: string) => browser.post(`/continue?state=${encodeURIComponent(state)}`, { state, session_token: token });

async function callbackText(browser: Browser, res: Response): Promise<string> {
  return (await browser.request(location(res).pathname + location(res).search)).text();
}

describe("the Auth0 simulator", () => {
  it("serves the demo app, passing extra query parameters into the /authorize link", async () => {
    const html = await (await new Browser(sim.url).request("/?ui_locales=fr")).text();
    expect(html).toContain("<title>Demo app (simulated Auth0)</title>");
    expect(html).toMatch(/href="\/authorize\?client_id=demo-app&amp;response_type=code&amp;redirect_uri=[^"]+&amp;scope=openid&amp;ui_locales=fr"/);
  });

  it("shows the password form prefilled with the demo user, the /authorize query in hidden fields", async () => {
    const html = await (await new Browser(sim.url).request("/authorize?client_id=demo-app&ui_locales=fr")).text();
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('value="demo@keystep.test"');
    expect(html).toContain('name="q_ui_locales" value="fr"');
  });

  it("redirects to Keystep's entry with Auth0's token, and Auth0's state as the LAST parameter", async () => {
    const browser = new Browser(sim.url);
    const email = uniqueEmail();
    const { target, state, token, readable, claims } = await toKeystep(browser, email, { ui_locales: "fr en", device_id: "dev-9" });

    expect(target.origin + target.pathname).toBe("http://localhost:3999/auth0/start");
    expect([...target.searchParams.keys()]).toEqual(["session_token", "state"]);
    expect(state).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(browser.cookieNames()).toContain(`auth0_tx_${state.slice(0, 8)}`);

    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "JWT" });
    await expect(jwtVerify(token, key, { algorithms: ["HS256"] })).resolves.toBeTruthy();
    expect(Object.keys(readable).sort()).toEqual(["iat", "iss", "sub", "exp", "ip", "jti", "enc"].sort());
    expect(Object.keys(claims).sort()).toEqual(
      [
        "iat",
        "iss",
        "sub",
        "exp",
        "ip",
        "email",
        "email_verified",
        "name",
        "locale",
        "client_id",
        "client_name",
        "roles",
        "device_id",
        "country",
        "logins_count",
        "jti",
        "tenant",
        "transaction_id",
      ].sort(),
    );
    expect(claims).toMatchObject({
      iss: sim.issuer,
      ip: "127.0.0.1",
      email,
      email_verified: true,
      locale: "fr",
      client_id: "demo-app",
      client_name: "Demo App",
      roles: [],
      device_id: "dev-9",
      country: "GB",
    });
    expect(claims.sub).toMatch(/^auth0\|[0-9a-f]{24}$/);
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    expect(sim.issuer).not.toContain("://");
  });

  it("resumes with Keystep's result, records Keystep's method, and refuses the same state twice", async () => {
    const browser = new Browser(sim.url);
    const { state, claims } = await toKeystep(browser);
    const result = await resultToken(claims, state);
    const txCookie = `auth0_tx_${state.slice(0, 8)}`;
    const txValue = browser.get(txCookie)!;

    const res = await postContinue(browser, state, result);
    expect(res.status).toBe(302);
    expect(location(res).pathname).toBe("/callback");
    expect(location(res).searchParams.get("code")).toBeTruthy();
    expect(browser.cookieNames()).toContain("auth0_sso");
    expect(browser.cookieNames()).not.toContain(`auth0_tx_${state.slice(0, 8)}`);

    const page = await callbackText(browser, res);
    expect(page).toContain("<h1>Logged in</h1>");
    expect(page).toContain('data-testid="result">logged-in<');
    expect(page).toContain("<code>pwd</code>");
    expect(page).toContain(`<code>${KEYSTEP.replace(/\/$/, "")}/auth0/method?client=demo-app&amp;amr=otp</code>`);
    expect(page).toContain("&quot;outcome&quot;: &quot;success&quot;");
    // The Action's custom claims reach the ID token the app receives.
    expect(page).toContain(`&quot;${KEYSTEP}amr&quot;: [\n    &quot;otp&quot;\n  ]`);

    // Replayed with the transaction cookie still in hand (back button, or a copied request).
    browser.set(txCookie, txValue);
    const replay = await postContinue(browser, state, result);
    expect(location(replay).searchParams.get("error")).toBe("access_denied");
    expect(location(replay).searchParams.get("error_description")).toBe("This transaction state was already used.");
  });

  it("threat: the incoming session token posted back as the result is denied", async () => {
    const browser = new Browser(sim.url);
    const { state, token } = await toKeystep(browser);
    const res = await postContinue(browser, state, token);
    expect(location(res).pathname).toBe("/callback");
    expect(location(res).searchParams.get("error")).toBe("access_denied");
    expect(location(res).searchParams.get("code")).toBeNull();
    expect(browser.cookieNames()).not.toContain("auth0_sso");
  });

  it("threat: a result bound to another transaction's state, or another user, is denied", async () => {
    const browser = new Browser(sim.url);
    const first = await toKeystep(browser);
    const second = await toKeystep(browser);
    const crossed = await postContinue(browser, second.state, await resultToken(first.claims, first.state));
    expect(location(crossed).searchParams.get("error_description")).toContain("state does not match");

    const third = await toKeystep(browser);
    const otherUser = await postContinue(browser, third.state, await resultToken({ ...third.claims, sub: "auth0|someone-else" }, third.state));
    expect(location(otherUser).searchParams.get("error_description")).toContain("subject is not this user");
  });

  it("threat: /continue without the transaction cookie (another browser) is denied", async () => {
    const browser = new Browser(sim.url);
    const { state, claims } = await toKeystep(browser);
    browser.forget(`auth0_tx_${state.slice(0, 8)}`);
    const res = await postContinue(browser, state, await resultToken(claims, state));
    expect(location(res).searchParams.get("error_description")).toContain("cookie");
  });

  it("passes a cancellation on to the app as access_denied", async () => {
    const browser = new Browser(sim.url);
    const { state, claims } = await toKeystep(browser);
    const res = await postContinue(browser, state, await resultToken(claims, state, { outcome: "denied", amr: [], reason: "cancelled" }));
    expect(Object.fromEntries(location(res).searchParams)).toEqual({ error: "access_denied", error_description: "Sign-in was cancelled." });
    const page = await callbackText(browser, res);
    expect(page).toContain("<h1>Login failed</h1>");
    expect(page).toContain('data-testid="result">error<');
    expect(page).toMatch(/role="alert"><strong>access_denied<\/strong>: Sign-in was cancelled\./);
  });

  it("lets a second login in the same browser through on the SSO session, without Keystep", async () => {
    const browser = new Browser(sim.url);
    const { state, claims } = await toKeystep(browser);
    await postContinue(browser, state, await resultToken(claims, state));

    const again = await browser.request("/authorize?client_id=demo-app&scope=openid");
    expect(again.status).toBe(302);
    expect(location(again).origin).toBe(sim.url);
    expect(location(again).pathname).toBe("/callback");
    const page = await callbackText(browser, again);
    expect(page).toContain("Keystep was not needed");
    expect(page).toContain(claims.sub);

    await browser.request("/logout");
    expect(browser.cookieNames()).not.toContain("auth0_sso");
    expect((await browser.request("/authorize?client_id=demo-app")).status).toBe(200);
  });

  it("answers prompt=none that needs a redirect with interaction_required, and login_required without a session", async () => {
    const anonymous = await new Browser(sim.url).request("/authorize?client_id=demo-app&prompt=none");
    expect(location(anonymous).searchParams.get("error")).toBe("login_required");

    const browser = new Browser(sim.url);
    const res = await passwordStep(browser, uniqueEmail(), { prompt: "none" });
    expect(res.pathname).toBe("/callback");
    expect(res.searchParams.get("error")).toBe("interaction_required");
  });

  it("re-shows the form for the demo user's wrong password", async () => {
    const res = await new Browser(sim.url).post("/login", { email: "demo@keystep.test", password: "nope" });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("Wrong email or password.");
  });

  it("escapes reflected values and answers bad input without crashing", async () => {
    const browser = new Browser(sim.url);
    const xss = await browser.request(`/callback?error=${encodeURIComponent("<script>x</script>")}&error_description=${encodeURIComponent('"><img src=x>')}`);
    const html = await xss.text();
    expect(html).not.toContain("<script>x");
    expect(html).not.toContain("<img src=x>");
    expect(html).toContain("&lt;script&gt;");

    const garbage = await browser.request("/continue?state=nope", { method: "POST", body: "%%%&&==", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(location(garbage).searchParams.get("error")).toBe("access_denied");

    const { state } = await toKeystep(browser);
    const malformed = await postContinue(browser, state, "not.a.jwt");
    expect(location(malformed).searchParams.get("error_description")).toContain("could not be verified");

    const huge = await browser.request("/login", { method: "POST", body: "x".repeat(200_000), headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(huge.status).toBe(400);
    expect((await browser.request("/")).status).toBe(200); // still up
  });
});
