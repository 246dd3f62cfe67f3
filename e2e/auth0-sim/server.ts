/**
 * A faithful stand-in for Auth0's side of the redirect-Action round trip (DESIGN §1), for the demo
 * and the browser tests. It runs the real auth0/action.js (see runtime.ts) and serves a tiny
 * "demo app" whose login goes through it. A test double may keep its state in memory; Keystep may not.
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { cookie, parseCookies, readForm, redirect, sendHtml, sendJson, sendText } from "./http";
import { createManagementHandler, createTenantState, type TenantState } from "./management";
import { createOidcProvider, type OidcClient, type OidcProvider } from "./oidc";
import { errorPage, homePage, loggedInPage, loginPage, notFoundPage } from "./pages";
import { runContinue, runExecute, type LoginContext, type Method, type SimUser, type TokenClaims } from "./runtime";
import type { Claims } from "./tokens";

export interface SimOptions {
  port: number;
  host?: string; // default 127.0.0.1; must be loopback for the Secure cookies to work over http
  secret: string;
  keystepUrl: string;
  demoUser?: { email: string; name: string; password: string };
  /** The Management API's machine-to-machine client (default id `keystep-installer`, a random secret). */
  management?: { clientId?: string; clientSecret?: string; scopes?: string[] };
  /** The Auth0 tenant id the Action sees as `event.tenant.id` (default `sim`). */
  tenantId?: string;
  /** Custom domains of this tenant (`localhost:PORT`): a request whose Host is one is served as that domain, so `iss` is it, as Auth0 does. */
  customDomains?: string[];
  /** OIDC clients (regular web applications) whose logins end at their own redirect_uri with a code (oidc.ts), e.g. Keystep's console. */
  oidcClients?: OidcClient[];
  /**
   * Auth0 RBAC stand-in for logins that cannot add `sim_roles` to /authorize (an OIDC client builds
   * its own URL): a user whose email matches a pattern has its roles. Default: `operator-…@…` and
   * `operator+…@…` have the role `keystep-support` (the console's default role).
   */
  roleRules?: Array<{ email: RegExp; roles: string[] }>;
  /** The console's client id, given to the Action as the secret KEYSTEP_CONSOLE_CLIENT_ID (default: the first OIDC client's). */
  consoleClientId?: string;
}

export interface Sim {
  url: string; // http://127.0.0.1:PORT
  issuer: string; // "127.0.0.1:PORT": the host Auth0 puts in `iss`, without a scheme
  /** The fake Management API at `${url}/api/v2/` (token endpoint `${url}/oauth/token`), see management.ts. */
  management: { clientId: string; clientSecret: string };
  /** The tenant's users, SSO sessions and Management API objects, shared by the login pages and the Management API. */
  state: TenantState;
  close(): Promise<void>;
}

export const DEFAULT_ROLE_RULES = [{ email: /^operator[-+]/i, roles: ["keystep-support"] }];
const DEFAULT_DEMO_USER = { email: "demo@keystep.test", name: "Demo User", password: "demo-password" };
const TX_TTL_MS = 60 * 60 * 1000; // Auth0 keeps a login transaction at most an hour
const SSO_MAX_AGE_S = 3 * 24 * 3600;
const SSO_COOKIE = "auth0_sso";

/** One login waiting at Keystep: the state Auth0 appended, bound to a cookie in this browser. */
interface Transaction {
  userId: string;
  query: Record<string, string>;
  methods: Method[];
  sessionId: string | null; // the SSO session this login refreshes, when it started from one
  cookieName: string;
  cookieValue: string;
  createdAt: number;
  used: boolean;
}

/** What an authorization code stands for, so the callback page can show the login's outcome. */
interface CodeRecord {
  user: SimUser;
  methods: Method[];
  claims: Claims | null;
  tokens: TokenClaims;
}

const random = (bytes: number) => crypto.randomBytes(bytes).toString("base64url");
const now = () => new Date().toISOString();

export async function startAuth0Sim(opts: SimOptions): Promise<Sim> {
  const host = opts.host ?? "127.0.0.1";
  // The signing key first: a request accepted before the handler is attached would hang.
  const oidc = await createOidcProvider(opts.oidcClients ?? []);
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port; // port 0 picks a free one
  const issuer = `${host}:${port}`;
  const state = createTenantState({
    clientId: opts.management?.clientId ?? "keystep-installer",
    clientSecret: opts.management?.clientSecret ?? random(24),
    scopes: opts.management?.scopes,
  });
  const handle = createHandler({ ...opts, issuer, base: `http://${issuer}` }, state, oidc);
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    // A test double must never crash on bad input: anything unexpected is a 400.
    handle(req, res).catch((e: unknown) => sendText(res, 400, `Bad request: ${e instanceof Error ? e.message : String(e)}`));
  });
  return {
    url: `http://${issuer}`,
    issuer,
    management: { clientId: state.credentials.clientId, clientSecret: state.credentials.clientSecret },
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Config = SimOptions & { issuer: string; base: string };

function createHandler(config: Config, state: TenantState, oidc: OidcProvider) {
  const demo = config.demoUser ?? DEFAULT_DEMO_USER;
  const { users, sessions } = state;
  const roleRules = config.roleRules ?? DEFAULT_ROLE_RULES;
  const consoleClientId = config.consoleClientId ?? config.oidcClients?.[0]?.clientId;
  const management = createManagementHandler(
    state,
    () => config.issuer,
    (req, body) => oidc.exchange(req, body, `http://${issuerOf(req)}`),
  );
  const transactions = new Map<string, Transaction>();
  const codes = new Map<string, CodeRecord>();

  /** Any email is a user; the id is stable per address so a returning user keeps their factors. */
  function userFor(email: string): SimUser {
    const user_id = `auth0|${crypto.createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 24)}`;
    let user = users.get(user_id);
    if (!user) {
      const roles = roleRules.filter((r) => r.email.test(email)).flatMap((r) => r.roles);
      user = { user_id, email, name: email.toLowerCase() === demo.email.toLowerCase() ? demo.name : email.split("@")[0]!, roles };
      users.set(user_id, user);
    }
    return user;
  }

  /** The domain this request came through: the canonical one, or a custom domain of the tenant. */
  function issuerOf(req: http.IncomingMessage): string {
    const host = String(req.headers.host ?? "").toLowerCase();
    return (config.customDomains ?? []).includes(host) ? host : config.issuer;
  }

  function loginContext(req: http.IncomingMessage, user: SimUser, query: Record<string, string>, methods: Method[]): LoginContext {
    return {
      user,
      query,
      methods,
      issuer: issuerOf(req),
      tenantId: config.tenantId ?? "sim",
      transactionId: `sim_tx_${random(16)}`,
      ip: "127.0.0.1",
      userAgent: String(req.headers["user-agent"] ?? ""),
      secrets: { KEYSTEP_URL: config.keystepUrl, KEYSTEP_SECRET: config.secret, ...(consoleClientId ? { KEYSTEP_CONSOLE_CLIENT_ID: consoleClientId } : {}) },
    };
  }

  /** The app's callback, carrying an OAuth error; the client's own `state` is echoed as Auth0 does. */
  function failLogin(res: http.ServerResponse, query: Record<string, string>, error: string, description: string, cookies: string[] = []) {
    const params = new URLSearchParams({ error, error_description: description });
    if (query.state) params.set("state", query.state);
    redirect(res, `${callbackOf(query)}?${params}`, cookies);
  }

  /** Where a login's answer goes: a registered OIDC client's redirect_uri (checked at /authorize), else the demo app's /callback. */
  function callbackOf(query: Record<string, string>): string {
    return oidc.isClient(query.client_id) && query.redirect_uri ? query.redirect_uri : "/callback";
  }

  /** Establishes (or refreshes) the SSO session and hands the app an authorization code. */
  function completeLogin(
    res: http.ServerResponse,
    tx: { query: Record<string, string>; sessionId: string | null },
    user: SimUser,
    methods: Method[],
    claims: Claims | null,
    tokens: TokenClaims,
    cookies: string[] = [],
  ) {
    const sid = tx.sessionId && sessions.has(tx.sessionId) ? tx.sessionId : random(24);
    sessions.set(sid, { userId: user.user_id, methods, createdAt: sessions.get(sid)?.createdAt ?? now() });
    let code = random(16);
    if (oidc.isClient(tx.query.client_id)) code = oidc.issueCode(tx.query, user, tokens.idToken);
    else codes.set(code, { user, methods, claims, tokens });
    const params = new URLSearchParams({ code });
    if (tx.query.state) params.set("state", tx.query.state);
    redirect(res, `${callbackOf(tx.query)}?${params}`, [...cookies, cookie(SSO_COOKIE, sid, SSO_MAX_AGE_S)]);
  }

  /** Opens the transaction that /continue will resume, bound to a cookie in this browser. */
  function openTransaction(user: SimUser, query: Record<string, string>, methods: Method[], sessionId: string | null) {
    pruneTransactions();
    const state = random(24); // opaque and URL-safe, 32 characters, like Auth0's
    const tx: Transaction = {
      userId: user.user_id,
      query,
      methods,
      sessionId,
      cookieName: `auth0_tx_${state.slice(0, 8)}`,
      cookieValue: random(24),
      createdAt: Date.now(),
      used: false,
    };
    transactions.set(state, tx);
    return { state, setCookie: cookie(tx.cookieName, tx.cookieValue, TX_TTL_MS / 1000) };
  }

  function pruneTransactions() {
    for (const [state, tx] of transactions) if (Date.now() - tx.createdAt > TX_TTL_MS) transactions.delete(state);
  }

  /** After the first factor: the Action decides between a redirect to Keystep, a denial, or done. */
  async function postLogin(req: http.IncomingMessage, res: http.ServerResponse, user: SimUser, query: Record<string, string>, methods: Method[], sessionId: string | null) {
    const result = await runExecute(loginContext(req, user, query, methods));
    if (result.kind === "deny") return failLogin(res, query, "access_denied", result.reason);
    if (result.kind === "complete") return completeLogin(res, { query, sessionId }, user, methods, null, result.tokens);
    // Auth0 (post-login v3) cannot show a page to a silent login: a redirect becomes interaction_required.
    if (query.prompt?.split(" ").includes("none")) return failLogin(res, query, "interaction_required", "Interaction required");
    const { state, setCookie } = openTransaction(user, query, methods, sessionId);
    const target = new URL(result.url);
    for (const [k, v] of Object.entries(result.query)) target.searchParams.append(k, String(v));
    target.searchParams.append("state", state); // Auth0 appends its own state LAST (DESIGN §1.4)
    redirect(res, target.toString(), [setCookie]);
  }

  /** The transaction checks Auth0 makes before it resumes the Action (DESIGN §1.7). */
  function checkTransaction(req: http.IncomingMessage, state: string): { tx: Transaction } | { error: string } {
    const tx = state ? transactions.get(state) : undefined;
    if (!tx) return { error: "Unknown or expired transaction state." };
    if (parseCookies(req)[tx.cookieName] !== tx.cookieValue) return { error: "The transaction cookie is missing or does not match this state." };
    if (tx.used) return { error: "This transaction state was already used." };
    if (Date.now() - tx.createdAt > TX_TTL_MS) return { error: "The login transaction expired." };
    return { tx };
  }

  async function resume(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const form = await readForm(req);
    const state = url.searchParams.get("state") ?? form.get("state") ?? "";
    const checked = checkTransaction(req, state);
    if ("error" in checked) return failLogin(res, {}, "access_denied", checked.error);
    const { tx } = checked;
    tx.used = true; // single use, whatever the Action decides
    const clearTx = cookie(tx.cookieName, "", 0);
    const user = users.get(tx.userId)!;
    const readToken = (name: string) => form.get(name) ?? url.searchParams.get(name) ?? undefined;
    const result = await runContinue(loginContext(req, user, tx.query, tx.methods), state, readToken);
    if (result.kind === "deny") return failLogin(res, tx.query, "access_denied", result.reason, [clearTx]);
    completeLogin(res, tx, user, result.methods, result.claims, result.tokens, [clearTx]);
  }

  async function authorize(req: http.IncomingMessage, res: http.ServerResponse, query: Record<string, string>) {
    if (oidc.isClient(query.client_id)) {
      const checked = oidc.checkAuthorize(query);
      if (!checked.ok && !checked.redirect) return sendHtml(res, 400, errorPage("invalid_request", checked.message));
      if (!checked.ok && checked.redirect) return failLogin(res, query, checked.error, checked.description);
    }
    const sid = parseCookies(req)[SSO_COOKIE];
    const session = sid ? sessions.get(sid) : undefined;
    const user = session && users.get(session.userId);
    // With an SSO session there is no password step; its methods tell the Action what was done.
    if (sid && session && user) return postLogin(req, res, user, query, session.methods, sid);
    if (query.prompt?.split(" ").includes("none")) return failLogin(res, query, "login_required", "Login required");
    sendHtml(res, 200, loginPage({ issuer: issuerOf(req), query, email: demo.email, password: demo.password }));
  }

  async function login(req: http.IncomingMessage, res: http.ServerResponse) {
    const form = await readForm(req);
    const query: Record<string, string> = {};
    for (const [k, v] of form) if (k.startsWith("q_")) query[k.slice(2)] = v;
    const email = (form.get("email") ?? "").trim();
    const password = form.get("password") ?? "";
    const again = (status: number, error: string) => sendHtml(res, status, loginPage({ issuer: issuerOf(req), query, email, password: "", error }));
    if (!email || !password) return again(400, "Enter an email and a password.");
    if (email.toLowerCase() === demo.email.toLowerCase() && password !== demo.password) return again(401, "Wrong email or password.");
    await postLogin(req, res, userFor(email), query, [{ name: "pwd", timestamp: now() }], null);
  }

  function home(req: http.IncomingMessage, res: http.ServerResponse, query: Record<string, string>) {
    const params = new URLSearchParams({ client_id: "demo-app", response_type: "code", redirect_uri: `http://${issuerOf(req)}/callback`, scope: "openid" });
    for (const [k, v] of Object.entries(query)) params.set(k, v); // e.g. /?ui_locales=fr
    sendHtml(res, 200, homePage(`/authorize?${params}`));
  }

  function callback(res: http.ServerResponse, query: Record<string, string>) {
    if (query.error) return sendHtml(res, 200, errorPage(query.error, query.error_description ?? ""));
    const record = query.code ? codes.get(query.code) : undefined;
    if (!record) return sendHtml(res, 400, errorPage("invalid_request", "Unknown or missing authorization code."));
    sendHtml(res, 200, loggedInPage(record.user, record.methods, record.claims, record.tokens));
  }

  function logout(req: http.IncomingMessage, res: http.ServerResponse) {
    const sid = parseCookies(req)[SSO_COOKIE];
    if (sid) sessions.delete(sid);
    redirect(res, "/", [cookie(SSO_COOKIE, "", 0)]);
  }

  return async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", config.base);
    const query = Object.fromEntries(url.searchParams);
    if (url.pathname === "/oauth/token" || url.pathname.startsWith("/api/v2/")) return management(req, res, url);
    if (req.method === "GET" && url.pathname === "/.well-known/openid-configuration") return sendJson(res, 200, oidc.discovery(`http://${issuerOf(req)}`));
    if (req.method === "GET" && url.pathname === "/.well-known/jwks.json") return sendJson(res, 200, oidc.jwks());
    switch (`${req.method} ${url.pathname}`) {
      case "GET /":
        return home(req, res, query);
      case "GET /authorize":
        return authorize(req, res, query);
      case "POST /login":
        return login(req, res);
      case "GET /continue":
      case "POST /continue":
        return resume(req, res, url);
      case "GET /callback":
        return callback(res, query);
      case "GET /logout":
        return logout(req, res);
      default:
        return sendHtml(res, 404, notFoundPage());
    }
  };
}
