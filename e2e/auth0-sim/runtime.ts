/**
 * Runs the real auth0/action.js the way Auth0's Actions runtime does: an `event` shaped like
 * Auth0's post-login event, an `api` whose calls are recorded, and Auth0's precedence when the
 * Action has called several (a denial wins over a redirect).
 */
import { createRequire } from "node:module";
import { encodeToken, validateToken, type Claims, type EncodeInput } from "./tokens";

type Handler = (event: unknown, api: unknown) => Promise<void>;
const action = createRequire(import.meta.url)("../../auth0/action.js") as { onExecutePostLogin: Handler; onContinuePostLogin: Handler };

export interface SimUser {
  user_id: string;
  email: string;
  name: string;
  /** Set through the fake Management API (PATCH /api/v2/users/{id}); the Action sees it as Auth0 shows it. */
  app_metadata?: Record<string, unknown>;
  /** Auth0 RBAC roles (server.ts `roleRules`); the Action sees them in `event.authorization.roles` with any `sim_roles`. */
  roles?: string[];
}

export interface Method {
  name: string;
  timestamp: string;
}

/** Everything the runtime needs to build one login's `event`. */
export interface LoginContext {
  user: SimUser;
  query: Record<string, string>; // the /authorize query
  methods: Method[]; // completed in this session so far
  issuer: string;
  /** `event.tenant.id`. */
  tenantId: string;
  /** `event.transaction.id`: one per login transaction (its presence on a live tenant is on docs/live-tenant-checklist.md). */
  transactionId: string;
  ip: string;
  userAgent: string;
  secrets: { KEYSTEP_URL: string; KEYSTEP_SECRET: string; KEYSTEP_CONSOLE_CLIENT_ID?: string };
}

/** Custom claims the Action set, per token, as Auth0 adds them to the ID and access tokens it issues. */
export interface TokenClaims {
  idToken: Claims;
  accessToken: Claims;
}

export type ExecuteResult = { kind: "deny"; reason: string } | { kind: "redirect"; url: string; query: Record<string, string> } | { kind: "complete"; tokens: TokenClaims };

export type ContinueResult = { kind: "deny"; reason: string } | { kind: "complete"; methods: Method[]; claims: Claims | null; tokens: TokenClaims };

const words = (s: string | undefined) => (s ?? "").split(" ").filter(Boolean);

export function buildEvent(ctx: LoginContext) {
  const q = ctx.query;
  return {
    user: { user_id: ctx.user.user_id, email: ctx.user.email, email_verified: true, name: ctx.user.name, app_metadata: { ...(ctx.user.app_metadata ?? {}) }, user_metadata: {} },
    client: { client_id: q.client_id ?? "demo-app", name: "Demo App", metadata: {} },
    connection: { id: "con_sim", name: "Username-Password-Authentication", strategy: "auth0" },
    request: { ip: ctx.ip, method: "GET", query: { ...q }, body: {}, hostname: ctx.issuer.split(":")[0], geoip: { countryCode: q.sim_country ?? "GB" }, user_agent: ctx.userAgent },
    transaction: {
      id: ctx.transactionId,
      protocol: "oidc-basic-profile",
      ui_locales: words(q.ui_locales),
      requested_scopes: words(q.scope ?? "openid"),
      prompt: words(q.prompt),
      redirect_uri: q.redirect_uri,
      locale: "en",
    },
    authentication: { methods: ctx.methods.map((m) => ({ ...m })) },
    // Simulator-only knobs (sim_roles, sim_country) stand in for Auth0's RBAC and geoip in tests.
    authorization: { roles: [...new Set([...(ctx.user.roles ?? []), ...words(q.sim_roles)])] },
    secrets: { ...ctx.secrets },
    tenant: { id: ctx.tenantId },
    stats: { logins_count: 1 },
  };
}

/** The calls an Action made, in the order Auth0 weighs them. */
interface Calls {
  denied?: string;
  redirect?: { url: string; query: Record<string, string> };
  recorded: Method[];
  claims: Claims | null;
  tokens: TokenClaims;
}

// Auth0 refuses custom claims under its own namespaces and on the standard OIDC claim names.
const RESTRICTED_CLAIM = /^(https?:\/\/([^/]+\.)?(auth0\.com|webtask\.io|webtask\.run)\/|(iss|sub|aud|exp|nbf|iat|jti|azp|nonce|auth_time|at_hash|c_hash|acr|amr|sid|scope|gty|org_id|org_name)$)/;

function claimSetter(into: Claims) {
  return {
    setCustomClaim: (name: string, value: unknown) => {
      if (typeof name !== "string" || !name || RESTRICTED_CLAIM.test(name)) throw new Error(`setCustomClaim: "${name}" is a restricted claim name.`);
      into[name] = value;
    },
  };
}

function recordingApi(ctx: LoginContext, calls: Calls, readToken: (name: string) => string | undefined, state: string | null) {
  const tokenContext = { issuer: ctx.issuer, userId: ctx.user.user_id, ip: ctx.ip };
  return {
    access: {
      deny: (reason: string) => {
        calls.denied ??= String(reason);
      },
    },
    redirect: {
      encodeToken: (input: EncodeInput) => encodeToken(tokenContext, input),
      sendUserTo: (url: string, options?: { query?: Record<string, string> }) => {
        if (state !== null) throw new Error("The simulator does not support redirecting again from onContinuePostLogin.");
        const query = { ...(options?.query ?? {}) };
        // A tripwire rather than Auth0 behaviour: the Action must leave `state` to Auth0 (DESIGN §1.4).
        if ("state" in query) throw new Error("sendUserTo: the query must not contain `state`; Auth0 appends its own.");
        calls.redirect = { url: String(new URL(url)), query };
      },
      validateToken: (o: { secret: string; tokenParameterName?: string }) => {
        if (state === null) throw new Error("validateToken is only available in onContinuePostLogin.");
        calls.claims = validateToken(readToken(o.tokenParameterName ?? "session_token"), { secret: o.secret, state, userId: ctx.user.user_id });
        return calls.claims;
      },
    },
    authentication: {
      recordMethod: (name: string) => {
        if (typeof name !== "string" || !name) throw new Error("recordMethod needs a method name (a URL).");
        calls.recorded.push({ name, timestamp: new Date().toISOString() });
      },
    },
    idToken: claimSetter(calls.tokens.idToken),
    accessToken: claimSetter(calls.tokens.accessToken),
  };
}

/** Runs onExecutePostLogin. An uncaught error fails the login, as in Auth0. */
export async function runExecute(ctx: LoginContext): Promise<ExecuteResult> {
  const calls: Calls = { recorded: [], claims: null, tokens: { idToken: {}, accessToken: {} } };
  try {
    await action.onExecutePostLogin(
      buildEvent(ctx),
      recordingApi(ctx, calls, () => undefined, null),
    );
  } catch (e) {
    return { kind: "deny", reason: `The Action failed: ${(e as Error).message}` };
  }
  if (calls.denied !== undefined) return { kind: "deny", reason: calls.denied };
  if (calls.redirect) return { kind: "redirect", ...calls.redirect };
  return { kind: "complete", tokens: calls.tokens };
}

/** Runs onContinuePostLogin for the transaction bound to `state`; `readToken` reads the /continue request. */
export async function runContinue(ctx: LoginContext, state: string, readToken: (name: string) => string | undefined): Promise<ContinueResult> {
  const calls: Calls = { recorded: [], claims: null, tokens: { idToken: {}, accessToken: {} } };
  try {
    await action.onContinuePostLogin(buildEvent(ctx), recordingApi(ctx, calls, readToken, state));
  } catch (e) {
    return { kind: "deny", reason: `The Action failed: ${(e as Error).message}` };
  }
  if (calls.denied !== undefined) return { kind: "deny", reason: calls.denied };
  return { kind: "complete", methods: [...ctx.methods, ...calls.recorded], claims: calls.claims, tokens: calls.tokens };
}
