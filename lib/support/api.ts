import type { Kysely } from "kysely";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Database } from "@/lib/db/schema";
import { env, type Env } from "@/lib/env";
import { log } from "@/lib/log";
import { bearer, tokenMatches } from "@/lib/security/bearer";
import { securityHeaders } from "@/lib/security/headers";
import { offeredFactors } from "@/lib/enrollment-links";
import { notify } from "@/lib/recovery/wiring";
import {
  approveRecovery,
  cancelRecovery,
  issueEnrollmentLink,
  parseLifetime,
  parseUserKey,
  resetUser,
  resolveTenant,
  revokeEnrollmentLinks,
  setFactorEnabled,
  showUser,
  type Actor,
  type LinkSettings,
  type OpsError,
  type OpsResult,
} from "./ops";

/**
 * The admin API under /api/admin: the support operations over HTTP for a help desk or an
 * internal tool. Off (404) unless KEYSTEP_ADMIN_TOKEN is set; every answer is JSON.
 *
 *   GET  /api/admin/users/{user_id}
 *   POST /api/admin/users/{user_id}/reset
 *   POST /api/admin/users/{user_id}/authenticators/{id}/disable
 *   POST /api/admin/users/{user_id}/authenticators/{id}/enable
 *   POST /api/admin/users/{user_id}/enrollment-links         {"factor"?, "expires"?, "returnTo"?}
 *   POST /api/admin/users/{user_id}/enrollment-links/revoke  every unused link of the user
 *   POST /api/admin/users/{user_id}/enrollment-links/{id}/revoke
 *   POST /api/admin/users/{user_id}/recovery/approve   {"reason": "…"}
 *   POST /api/admin/users/{user_id}/recovery/cancel    {"reason": "…"}
 *
 * `?tenant=<id or domain>` picks the Auth0 tenant when several are configured.
 */

export const ADMIN_PREFIX = "/api/admin";
const REALM = 'Bearer realm="keystep-admin"';

// The proxy skips /api, so these answers carry their own headers: nothing here is a page to
// render, frame or cache.
const HEADERS = securityHeaders("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");

function json(status: number, body: unknown, extra: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...HEADERS, ...extra } });
}

const problem = (status: number, error: string, message: string, extra: Record<string, string> = {}) => json(status, { error, message }, extra);

const STATUS: Record<OpsError, number> = {
  invalid_user_id: 400,
  invalid_authenticator_id: 400,
  invalid_factor: 400,
  invalid_lifetime: 400,
  invalid_return_to: 400,
  invalid_link_id: 400,
  link_not_found: 404,
  tenant_required: 400,
  tenant_unknown: 400,
  user_not_found: 404,
  authenticator_not_found: 404,
  reason_required: 400,
  no_recovery_request: 404,
};

function answer<T>(r: OpsResult<T>): Response {
  return r.ok ? json(200, r.value) : problem(STATUS[r.error], r.error, r.message);
}

/** The caller as the proxy in front reports it; informational, for the audit trail only. */
function actor(request: Request): Actor {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || request.headers.get("x-real-ip")?.trim() || null;
  return { kind: "api", ip: forwarded?.slice(0, 64) ?? null, userAgent: request.headers.get("user-agent")?.slice(0, 300) ?? null };
}

type Method = "GET" | "POST";
interface Route {
  method: Method;
  run(deps: AdminDeps, tenant: string, who: Actor, request: Request): Promise<Response>;
}

const linkBody = z.object({ factor: z.string().max(64).nullish(), expires: z.string().max(16).nullish(), returnTo: z.string().max(2000).nullish() }).strict();

/** POST …/enrollment-links: the body (JSON, optional) names the factor, the lifetime ("7d") and the app's sign-in URL. */
async function issueLink({ db, links }: AdminDeps, tenant: string, sub: string, who: Actor, request: Request): Promise<Response> {
  const u = parseUserKey(tenant, sub);
  if (!u.ok) return answer(u);
  const text = await request.text();
  let raw: unknown = {};
  try {
    raw = text.trim() ? JSON.parse(text) : {};
  } catch {
    return problem(400, "invalid_request", 'The body must be JSON: {"factor"?: "webauthn-roaming", "expires"?: "7d", "returnTo"?: "https://app.example/login"}.');
  }
  const body = linkBody.safeParse(raw);
  if (!body.success) return problem(400, "invalid_request", "The body takes factor, expires and returnTo, each a string (or absent).");
  const ttl = body.data.expires ? parseLifetime(body.data.expires) : null;
  if (ttl && !ttl.ok) return answer(ttl);
  if (!links) throw new Error("enrollment links need the server's keys and public URL");
  const r = await issueEnrollmentLink(db, u.value, { factor: body.data.factor ?? null, ttlMs: ttl?.value, returnTo: body.data.returnTo ?? null }, who, Date.now(), links);
  return r.ok ? json(201, r.value) : answer(r);
}

/** The operation for a path below /api/admin (segments already decoded), or null. */
function route(segments: string[]): Route | null {
  const [users, sub, action, id, verb, ...rest] = segments;
  if (users !== "users" || sub === undefined || rest.length > 0) return null;
  const user = (tenant: string) => parseUserKey(tenant, sub);
  if (action === undefined)
    return {
      method: "GET",
      run: async ({ db }, tenant, who) => {
        const u = user(tenant);
        return answer(u.ok ? await showUser(db, u.value, who) : u);
      },
    };
  if (action === "reset" && id === undefined)
    return {
      method: "POST",
      run: async ({ db, env }, tenant, who) => {
        const u = user(tenant);
        return answer(u.ok ? await resetUser(db, u.value, who, Date.now(), env.tenants) : u);
      },
    };
  if (action === "authenticators" && id !== undefined && (verb === "disable" || verb === "enable"))
    return {
      method: "POST",
      run: async ({ db, env }, tenant, who) => {
        const u = user(tenant);
        return answer(u.ok ? await setFactorEnabled(db, u.value, id, verb === "enable", who, Date.now(), env.tenants) : u);
      },
    };
  if (action === "enrollment-links" && id === undefined && verb === undefined) return { method: "POST", run: (deps, tenant, who, request) => issueLink(deps, tenant, sub, who, request) };
  if (action === "enrollment-links" && ((id === "revoke" && verb === undefined) || (id !== undefined && verb === "revoke")))
    return {
      method: "POST",
      run: async ({ db }, tenant, who) => {
        const u = user(tenant);
        return answer(u.ok ? await revokeEnrollmentLinks(db, u.value, who, Date.now(), id === "revoke" ? undefined : id) : u);
      },
    };
  if (action === "recovery" && (id === "approve" || id === "cancel") && verb === undefined)
    return {
      method: "POST",
      run: async ({ db, env }, tenant, who, request) => {
        const u = user(tenant);
        if (!u.ok) return answer(u);
        const reason = await reasonOf(request);
        const op = id === "approve" ? approveRecovery : cancelRecovery;
        return answer(await op(db, u.value, who, reason, { notify }, Date.now(), env.tenants));
      },
    };
  return null;
}

/** The `reason` of a JSON body ({"reason": "…"}); anything else is no reason (the op says it is required). */
async function reasonOf(request: Request): Promise<string | null> {
  try {
    const body = (await request.json()) as unknown;
    return body && typeof body === "object" && "reason" in body && typeof body.reason === "string" ? body.reason : null;
  } catch {
    return null;
  }
}

export interface AdminDeps {
  db: Kysely<Database>;
  env: Pick<Env, "adminToken" | "tenants">;
  /** What issuing an enrollment link needs (the server's keys, public URL and offered factors). */
  links?: LinkSettings;
}

const serverDeps = (): AdminDeps => {
  const config = env();
  return { db: db(), env: config, links: { keys: config.keys, publicUrl: config.publicUrl, offered: offeredFactors(config) } };
};

/** Handles any request below /api/admin. Never throws and never answers with anything but JSON. */
export async function handleAdminRequest(request: Request, deps: () => AdminDeps = serverDeps): Promise<Response> {
  try {
    const d = deps();
    // Off unless configured: indistinguishable from a path that does not exist.
    if (!d.env.adminToken) return problem(404, "not_found", "No such endpoint.");
    const presented = bearer(request);
    if (presented === null) return problem(401, "unauthorized", "Send the admin token as Authorization: Bearer <KEYSTEP_ADMIN_TOKEN>.", { "WWW-Authenticate": REALM });
    if (!tokenMatches(presented, d.env.adminToken)) {
      log.warn({ ip: actor(request).ip }, "admin api: wrong bearer token");
      return problem(401, "unauthorized", "The bearer token is not valid.", { "WWW-Authenticate": `${REALM}, error="invalid_token"` });
    }

    const url = new URL(request.url);
    if (url.pathname !== ADMIN_PREFIX && !url.pathname.startsWith(`${ADMIN_PREFIX}/`)) return problem(404, "not_found", "No such endpoint.");
    // Split before decoding, so an encoded slash (%2F) inside a user id stays part of it.
    let segments: string[];
    try {
      segments = url.pathname
        .slice(ADMIN_PREFIX.length + 1)
        .split("/")
        .map(decodeURIComponent);
    } catch {
      return problem(400, "invalid_request", "The path is not valid percent-encoding; encode user ids with encodeURIComponent.");
    }
    const r = route(segments);
    if (!r) return problem(404, "not_found", "No such endpoint. See GET /api/admin/users/{user_id}.");
    if (request.method !== r.method && !(r.method === "GET" && request.method === "HEAD"))
      return problem(405, "method_not_allowed", `Use ${r.method} here.`, { Allow: r.method === "GET" ? "GET, HEAD" : r.method });

    const tenant = resolveTenant(d.env.tenants, url.searchParams.get("tenant"), "?tenant=<id or domain>");
    if (!tenant.ok) return answer(tenant);
    return await r.run(d, tenant.value, actor(request), request);
  } catch (err) {
    log.error({ err }, "admin api failed");
    return problem(500, "internal_error", "The request failed; the server log has the details.");
  }
}
