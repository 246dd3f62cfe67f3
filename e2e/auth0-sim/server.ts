/**
 * A faithful stand-in for Auth0's side of the redirect-Action round trip (DESIGN §1), for the
 * demo and the browser tests. It runs the real auth0/action.js against an `event`/`api` shaped
 * like Auth0's. A test double may keep its state in memory; Keystep may not.
 */
import http from "node:http";
import crypto from "node:crypto";
import { createRequire } from "node:module";
import { SignJWT } from "jose";

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const action = require("../../auth0/action.js") as {
  onExecutePostLogin(event: unknown, api: unknown): Promise<void>;
  onContinuePostLogin(event: unknown, api: unknown): Promise<void>;
};

export interface SimOptions {
  port: number;
  host?: string;
  secret: string;
  keystepUrl: string;
  demoUser?: { email: string; name: string; password: string };
}

export interface Sim {
  url: string;
  issuer: string;
  close(): Promise<void>;
}

interface User {
  user_id: string;
  email: string;
  name: string;
}
interface Method {
  name: string;
  timestamp: string;
}
interface Session {
  userId: string;
  methods: Method[];
}
interface Transaction {
  state: string;
  txId: string;
  userId: string;
  query: Record<string, string>;
  methods: Method[];
  createdAt: number;
  used: boolean;
}
interface Outcome {
  user: User;
  methods: Method[];
  claims: Record<string, unknown> | null;
}

const TX_TTL_MS = 60 * 60 * 1000; // Auth0 keeps a login transaction at most an hour.
const rand = (n = 24) => crypto.randomBytes(n).toString("base64url");
const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

class Deny extends Error {}

export async function startAuth0Sim(opts: SimOptions): Promise<Sim> {
  const host = opts.host ?? "127.0.0.1";
  const issuer = `${host}:${opts.port}`;
  const base = `http://${issuer}`;
  const demo = opts.demoUser ?? { email: "demo@keystep.test", name: "Demo User", password: "demo-password" };
  const key = new TextEncoder().encode(opts.secret);

  const users = new Map<string, User>();
  const sessions = new Map<string, Session>();
  const transactions = new Map<string, Transaction>();
  const codes = new Map<string, Outcome>();

  const userFor = (email: string): User => {
    const user_id = `auth0|${crypto.createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 24)}`;
    if (!users.has(user_id)) users.set(user_id, { user_id, email, name: email === demo.email ? demo.name : email.split("@")[0]! });
    return users.get(user_id)!;
  };

  function event(user: User, tx: Pick<Transaction, "query" | "methods">, req: http.IncomingMessage) {
    const q = tx.query;
    return {
      user: { user_id: user.user_id, email: user.email, email_verified: true, name: user.name, app_metadata: {}, user_metadata: {} },
      client: { client_id: q.client_id ?? "demo-app", name: "Demo App" },
      request: { ip: "127.0.0.1", query: q, hostname: issuer, geoip: { countryCode: "GB" }, user_agent: req.headers["user-agent"] ?? "" },
      transaction: { protocol: "oidc-basic-profile", ui_locales: q.ui_locales ? q.ui_locales.split(" ") : [], requested_scopes: (q.scope ?? "openid").split(" "), prompts: q.prompt ? q.prompt.split(" ") : [] },
      authentication: { methods: tx.methods },
      authorization: { roles: [] as string[] },
      secrets: { KEYSTEP_URL: opts.keystepUrl, KEYSTEP_SECRET: opts.secret },
      tenant: { id: "sim" },
    };
  }

  /** api.redirect.encodeToken exactly as Auth0 builds it (DESIGN §1.3). */
  const encodeToken = (user: User) => (o: { secret: string; expiresInSeconds?: number; payload?: Record<string, unknown> }) => {
    const iat = Math.floor(Date.now() / 1000);
    const claims = { iat, iss: issuer, sub: user.user_id, exp: iat + (o.expiresInSeconds ?? 900), ip: "127.0.0.1", ...(o.payload ?? {}) };
    return { claims, secret: o.secret };
  };

  async function sign(claims: Record<string, unknown>, secret: string): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));
  }

  /** Runs onExecutePostLogin; answers with the redirect to Keystep, a denial, or a completed login. */
  async function runPostLogin(req: http.IncomingMessage, res: http.ServerResponse, user: User, query: Record<string, string>, methods: Method[]) {
    let denied: string | null = null;
    let redirect: { url: string; query: Record<string, string> } | null = null;
    let pending: { claims: Record<string, unknown>; secret: string } | null = null;
    const api = {
      access: { deny: (reason: string) => void (denied = reason) },
      redirect: {
        encodeToken: (o: { secret: string; expiresInSeconds?: number; payload?: Record<string, unknown> }) => {
          pending = encodeToken(user)(o);
          return "__TOKEN__";
        },
        sendUserTo: (url: string, o?: { query?: Record<string, string> }) => void (redirect = { url, query: o?.query ?? {} }),
      },
      authentication: { recordMethod: () => {} },
    };
    await action.onExecutePostLogin(event(user, { query, methods }, req), api);
    if (denied !== null) return toCallback(res, { error: "access_denied", error_description: denied });
    if (!redirect) return completeLogin(res, user, methods, null);
    const r = redirect as { url: string; query: Record<string, string> };
    const state = rand(24);
    const txId = rand(24);
    transactions.set(state, { state, txId, userId: user.user_id, query, methods, createdAt: Date.now(), used: false });
    const target = new URL(r.url);
    for (const [k, v] of Object.entries(r.query)) {
      const p = pending as { claims: Record<string, unknown>; secret: string } | null;
      target.searchParams.append(k, v === "__TOKEN__" && p ? await sign(p.claims, p.secret) : v);
    }
    // Auth0 appends its own state as the LAST parameter.
    target.searchParams.append("state", state);
    res.writeHead(302, { Location: target.toString(), "Set-Cookie": cookie("auth0_tx", txId, 3600) });
    res.end();
  }

  function cookie(name: string, value: string, maxAge: number) {
    // Auth0's cookies are SameSite=None; Secure so the cross-site POST to /continue carries them.
    // Chromium treats http://127.0.0.1 as a secure context, so Secure works in the simulator too.
    return `${name}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=None`;
  }

  function completeLogin(res: http.ServerResponse, user: User, methods: Method[], claims: Record<string, unknown> | null, extraCookies: string[] = []) {
    const sid = rand(24);
    sessions.set(sid, { userId: user.user_id, methods });
    const code = rand(16);
    codes.set(code, { user, methods, claims });
    res.writeHead(302, { Location: `/callback?code=${code}`, "Set-Cookie": [cookie("auth0_sso", sid, 86400), ...extraCookies] });
    res.end();
  }

  function toCallback(res: http.ServerResponse, params: Record<string, string>) {
    res.writeHead(302, { Location: `/callback?${new URLSearchParams(params)}` });
    res.end();
  }

  /** api.redirect.validateToken: synchronous like Auth0's, with exactly its checks; throws a message otherwise. */
  function validateToken(token: string | undefined, secret: string, state: string, userId: string): Record<string, unknown> {
    if (!token) throw new Error("missing session_token");
    const [h, p, sig] = token.split(".");
    if (!h || !p || !sig) throw new Error("malformed token");
    const header = JSON.parse(Buffer.from(h, "base64url").toString()) as { alg?: string };
    if (header.alg !== "HS256") throw new Error("unexpected alg");
    const expected = crypto.createHmac("sha256", Buffer.from(secret, "utf8")).update(`${h}.${p}`).digest();
    const given = Buffer.from(sig, "base64url");
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new Error("invalid signature");
    const payload = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    for (const c of ["iat", "exp", "sub", "iss", "state"]) if (payload[c] === undefined) throw new Error(`missing claim ${c}`);
    if (payload.state !== state) throw new Error("state mismatch");
    if (payload.sub !== userId) throw new Error("sub mismatch");
    if ((payload.exp as number) * 1000 <= Date.now()) throw new Error("token expired");
    return payload;
  }

  async function handleContinue(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const state = url.searchParams.get("state") ?? "";
    const tx = transactions.get(state);
    const cookies = parseCookies(req);
    if (!tx) return toCallback(res, { error: "access_denied", error_description: "Unknown or expired transaction state." });
    if (tx.used) return toCallback(res, { error: "access_denied", error_description: "This transaction state was already used." });
    if (cookies.auth0_tx !== tx.txId) return toCallback(res, { error: "access_denied", error_description: "The transaction cookie does not match this state." });
    if (Date.now() - tx.createdAt > TX_TTL_MS) return toCallback(res, { error: "access_denied", error_description: "The login transaction expired." });
    tx.used = true;
    const form = req.method === "POST" ? new URLSearchParams(await readBody(req)) : new URLSearchParams();
    const user = users.get(tx.userId)!;
    const methods = [...tx.methods];
    let claims: Record<string, unknown> | null = null;
    const api = {
      access: {
        deny: (reason: string) => {
          throw new Deny(reason);
        },
      },
      redirect: {
        validateToken: (o: { secret: string; tokenParameterName?: string }) => {
          const name = o.tokenParameterName ?? "session_token";
          claims = validateToken(form.get(name) ?? url.searchParams.get(name) ?? undefined, o.secret, state, user.user_id);
          return claims;
        },
      },
      authentication: { recordMethod: (name: string) => void methods.push({ name, timestamp: new Date().toISOString() }) },
    };
    try {
      await action.onContinuePostLogin(event(user, tx, req), api);
    } catch (e) {
      return toCallback(res, { error: "access_denied", error_description: (e as Error).message });
    }
    completeLogin(res, user, methods, claims, [cookie("auth0_tx", "", 0)]);
  }

  function page(title: string, body: string) {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;background:#0f172a;color:#e2e8f0;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#1e293b;padding:2rem;border-radius:12px;width:min(32rem,calc(100% - 2rem));box-sizing:border-box}h1{margin-top:0;font-size:1.5rem}
a,button{color:#fff;background:#eb5424;border:0;border-radius:6px;padding:.7rem 1.1rem;font:inherit;font-weight:600;text-decoration:none;display:inline-block;cursor:pointer}
a.secondary{background:transparent;color:#cbd5e1;text-decoration:underline}label{display:block;margin:.8rem 0 .3rem}input{width:100%;box-sizing:border-box;padding:.6rem;border-radius:6px;border:1px solid #475569;background:#0f172a;color:#fff;font:inherit}
pre{background:#0f172a;padding:1rem;border-radius:8px;overflow:auto;font-size:.8rem;white-space:pre-wrap;word-break:break-all}.note{color:#94a3b8;font-size:.85rem}[role=alert]{background:#7f1d1d;padding:.8rem;border-radius:8px}</style></head>
<body><main>${body}</main></body></html>`;
  }

  function send(res: http.ServerResponse, status: number, html: string, headers: Record<string, string> = {}) {
    res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...headers });
    res.end(html);
  }

  function loginForm(query: Record<string, string>, error?: string) {
    const hidden = Object.entries(query).map(([k, v]) => `<input type="hidden" name="q_${esc(k)}" value="${esc(v)}">`).join("");
    return page(
      "Log in — simulated Auth0",
      `<h1>Log in</h1><p class="note">Simulated Auth0 tenant <code>${esc(issuer)}</code>. Any email works; new emails are new users.</p>
${error ? `<p role="alert">${esc(error)}</p>` : ""}
<form method="post" action="/login">${hidden}
<label for="email">Email</label><input id="email" name="email" type="email" value="${esc(demo.email)}" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" value="${esc(demo.password)}" autocomplete="current-password">
<p><button type="submit">Log in</button></p></form>`,
    );
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", base);
    const query = Object.fromEntries(url.searchParams);
    switch (`${req.method} ${url.pathname}`) {
      case "GET /": {
        const authorize = new URLSearchParams({ client_id: "demo-app", response_type: "code", redirect_uri: `${base}/callback`, scope: "openid", ...query });
        return send(res, 200, page("Demo app (simulated Auth0)", `<h1>Demo app</h1><p>This app signs users in with a <strong>simulated Auth0</strong> tenant that runs Keystep's real post-login Action.</p>
<p><a href="/authorize?${esc(authorize.toString())}">Log in</a></p><p><a class="secondary" href="/logout">Log out</a></p>`));
      }
      case "GET /authorize": {
        const sid = parseCookies(req).auth0_sso;
        const session = sid ? sessions.get(sid) : undefined;
        if (session && users.has(session.userId)) return runPostLogin(req, res, users.get(session.userId)!, query, session.methods);
        if (query.prompt === "none") return toCallback(res, { error: "login_required", error_description: "No session." });
        return send(res, 200, loginForm(query));
      }
      case "POST /login": {
        const form = new URLSearchParams(await readBody(req));
        const q: Record<string, string> = {};
        for (const [k, v] of form) if (k.startsWith("q_")) q[k.slice(2)] = v;
        const email = (form.get("email") ?? "").trim();
        const password = form.get("password") ?? "";
        if (!email || !password) return send(res, 400, loginForm(q, "Enter an email and a password."));
        if (email === demo.email && password !== demo.password) return send(res, 401, loginForm(q, "Wrong email or password."));
        return runPostLogin(req, res, userFor(email), q, [{ name: "pwd", timestamp: new Date().toISOString() }]);
      }
      case "GET /continue":
      case "POST /continue":
        return handleContinue(req, res, url);
      case "GET /callback": {
        if (query.error) {
          return send(res, 200, page("Login failed", `<h1>Login failed</h1><span data-testid="result" hidden>error</span>
<div role="alert"><strong>${esc(query.error)}</strong>: ${esc(query.error_description)}</div><p><a href="/">Log in again</a></p>`));
        }
        const outcome = query.code ? codes.get(query.code) : undefined;
        if (!outcome) return send(res, 400, page("Login failed", `<h1>Login failed</h1><span data-testid="result" hidden>error</span><div role="alert">Unknown code.</div>`));
        const methods = outcome.methods.map((m) => `<li><code>${esc(m.name)}</code> at ${esc(m.timestamp)}</li>`).join("");
        return send(res, 200, page("Logged in", `<h1>Logged in</h1><span data-testid="result" hidden>logged-in</span>
<p>Signed in as <strong>${esc(outcome.user.email)}</strong> (<code>${esc(outcome.user.user_id)}</code>).</p>
<p>Authentication methods in this session:</p><ul>${methods}</ul>
${outcome.claims ? `<p>Keystep result (validated by the Action):</p><pre data-testid="claims">${esc(JSON.stringify(outcome.claims, null, 2))}</pre>` : `<p class="note">Keystep was not needed: this session already had Keystep's recorded method.</p>`}
<p><a href="/">Log in again</a> <a class="secondary" href="/logout">Log out</a></p>`));
      }
      case "GET /logout":
        res.writeHead(302, { Location: "/", "Set-Cookie": cookie("auth0_sso", "", 0) });
        return res.end();
      default:
        return send(res, 404, page("Not found", "<h1>Not found</h1>"));
    }
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(400, { "Content-Type": "text/plain" });
      res.end(`Bad request: ${(e as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port, host, resolve));
  return {
    url: base,
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseCookies(req: http.IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    (req.headers.cookie ?? "")
      .split(";")
      .map((c) => c.trim().split("="))
      .filter((p) => p.length >= 2)
      .map(([k, ...v]) => [k!, v.join("=")]),
  );
}

async function readBody(req: http.IncomingMessage, limit = 64 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
