/**
 * A fake Auth0 Management API (v2) for the simulator and for tests: the client-credentials token
 * endpoint `/oauth/token` and the part of `/api/v2/` that `npm run keystep -- auth0 install` and
 * support tools use, shaped like Auth0's documented responses and driven through the official
 * `auth0` SDK in tests. It shares the simulator's in-memory tenant (users, SSO sessions), so
 * deleting a user's sessions here ends their SSO session in the simulator's login pages.
 *
 * What it models of Auth0, because the installer depends on it:
 * - a token is issued only to the configured client id and secret, for the audience
 *   `https://<domain>/api/v2/`, and every `/api/v2/` call needs it and the endpoint's scope
 *   (403 `insufficient_scope` otherwise, as Auth0 answers);
 * - an Action is built after a create or an update (its status is `building` on the first read,
 *   `built` on the next) and cannot be deployed before it is built;
 * - secret values are write-only: responses carry names and `updated_at`, never values;
 * - an update's `secrets` list replaces the Action's secrets (an entry without a value keeps the
 *   value it had);
 * - PATCH on a trigger's bindings replaces the whole list, in the order given; a `binding_id` ref
 *   keeps that binding, an `action_id` or `action_name` ref binds a deployed Action.
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Method, SimUser } from "./runtime";

const BODY_LIMIT = 1024 * 1024;
const TOKEN_TTL_S = 86_400; // Auth0's default Management API token lifetime

/** Every scope the fake knows; a client is granted all of them unless told otherwise. */
export const MANAGEMENT_SCOPES = [
  "read:actions",
  "create:actions",
  "update:actions",
  "read:triggers",
  "update:triggers",
  "read:guardian_factors",
  "read:mfa_policies",
  "read:custom_domains",
  "read:clients",
  "read:users",
  "update:users_app_metadata",
  "read:sessions",
  "delete:sessions",
  "read:refresh_tokens",
  "delete:refresh_tokens",
] as const;

export interface SimSession {
  userId: string;
  methods: Method[];
  createdAt: string;
}

export interface SimRefreshToken {
  id: string;
  user_id: string;
  client_id: string;
  created_at: string;
}

export interface FakeSecret {
  name: string;
  value: string;
  updated_at: string;
}

export interface FakeAction {
  id: string;
  name: string;
  supported_triggers: Array<{ id: string; version: string }>;
  code: string;
  runtime: string;
  dependencies: Array<{ name: string; version: string }>;
  secrets: FakeSecret[];
  status: "pending" | "building" | "built";
  /** Reads left before a pending build is done. */
  buildReads: number;
  all_changes_deployed: boolean;
  deployed_version_id: string | null;
  created_at: string;
  updated_at: string;
  built_at?: string;
}

export interface FakeVersion {
  id: string;
  action_id: string;
  number: number;
  code: string;
  runtime: string;
  dependencies: Array<{ name: string; version: string }>;
  secrets: Array<{ name: string; updated_at: string }>;
  supported_triggers: Array<{ id: string; version: string }>;
  deployed: boolean;
  created_at: string;
}

export interface FakeBinding {
  id: string;
  trigger_id: string;
  display_name: string;
  action_id: string;
  created_at: string;
  updated_at: string;
}

export interface FakeClient {
  client_id: string;
  name: string;
  app_type: string;
  grant_types: string[];
  is_first_party?: boolean;
}

export interface FakeCustomDomain {
  custom_domain_id: string;
  domain: string;
  primary: boolean;
  status: "pending_verification" | "ready" | "failed";
  type: "auth0_managed_certs" | "self_managed_certs";
}

/** The tenant as the simulator and its Management API both see it. Tests may change it directly. */
export interface TenantState {
  users: Map<string, SimUser>;
  sessions: Map<string, SimSession>;
  refreshTokens: Map<string, SimRefreshToken>;
  /** The machine-to-machine application allowed to call the Management API. */
  credentials: { clientId: string; clientSecret: string; scopes: string[] };
  tokens: Map<string, { expiresAt: number; scopes: string[] }>;
  actions: Map<string, FakeAction>;
  versions: Map<string, FakeVersion[]>;
  bindings: Map<string, FakeBinding[]>;
  guardianFactors: Array<{ name: string; enabled: boolean; trial_expired?: boolean }>;
  /** `[]` is Auth0's "Never"; `["all-applications"]` "Always"; `["confidence-score"]` adaptive MFA. */
  mfaPolicies: string[];
  customDomains: FakeCustomDomain[];
  clients: FakeClient[];
  /** Every Management API request, in order (`POST /oauth/token`, `PATCH /api/v2/actions/actions/…`). */
  requests: string[];
}

const GUARDIAN_FACTORS = ["sms", "push-notification", "email", "duo", "otp", "webauthn-roaming", "webauthn-platform", "recovery-code"];

export function createTenantState(credentials: { clientId: string; clientSecret: string; scopes?: string[] }): TenantState {
  return {
    users: new Map(),
    sessions: new Map(),
    refreshTokens: new Map(),
    credentials: { clientId: credentials.clientId, clientSecret: credentials.clientSecret, scopes: credentials.scopes ?? [...MANAGEMENT_SCOPES] },
    tokens: new Map(),
    actions: new Map(),
    versions: new Map(),
    bindings: new Map(),
    guardianFactors: GUARDIAN_FACTORS.map((name) => ({ name, enabled: false, trial_expired: false })),
    mfaPolicies: [],
    customDomains: [],
    clients: [
      { client_id: "demo-app", name: "Demo App", app_type: "regular_web", grant_types: ["authorization_code", "implicit", "refresh_token"], is_first_party: true },
      { client_id: credentials.clientId, name: "Keystep installer", app_type: "non_interactive", grant_types: ["client_credentials"], is_first_party: true },
    ],
    requests: [],
  };
}

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict" };

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: string,
  ) {
    super(message);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new ApiError(400, "Payload too large", "invalid_body");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  if (String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ApiError(400, "Invalid request payload JSON format", "invalid_body");
}

const now = () => new Date().toISOString();
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** Auth0's page/per_page pagination; `include_totals` wraps the items with the counts. */
function paginate<T>(items: T[], query: URLSearchParams, key: string, offsetStyle = false) {
  const page = Math.max(0, Number(query.get("page") ?? 0) || 0);
  const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 50) || 50));
  const slice = items.slice(page * perPage, page * perPage + perPage);
  if (offsetStyle) return query.get("include_totals") === "true" ? { start: page * perPage, limit: perPage, length: slice.length, total: items.length, [key]: slice } : slice;
  return { total: items.length, page, per_page: perPage, [key]: slice };
}

/** The request handler for `/oauth/token` and `/api/v2/…`; `domain` is the host the SDK is told (`127.0.0.1:PORT`). */
/** Another grant at `/oauth/token` (the simulator's authorization_code, oidc.ts): its status and JSON body. */
export type OtherGrant = (req: http.IncomingMessage, body: Record<string, unknown>) => Promise<[number, Record<string, unknown>]>;

export function createManagementHandler(state: TenantState, domain: () => string, otherGrant?: OtherGrant) {
  const audience = () => `https://${domain()}/api/v2/`;

  /** The fields Auth0 repeats wherever it names an action (the action itself, and each version's `action`). */
  function actionSummary(a: FakeAction) {
    return {
      id: a.id,
      name: a.name,
      supported_triggers: a.supported_triggers.map((t) => ({ ...t })),
      all_changes_deployed: a.all_changes_deployed,
      created_at: a.created_at,
      updated_at: a.updated_at,
    };
  }

  function actionJson(a: FakeAction) {
    const versions = state.versions.get(a.id) ?? [];
    const deployed = versions.find((v) => v.id === a.deployed_version_id);
    return {
      ...actionSummary(a),
      code: a.code,
      dependencies: a.dependencies.map((d) => ({ ...d })),
      runtime: a.runtime,
      secrets: a.secrets.map(({ name, updated_at }) => ({ name, updated_at })),
      ...(deployed ? { deployed_version: versionJson(a, deployed) } : {}),
      status: a.status,
      ...(a.built_at ? { built_at: a.built_at } : {}),
    };
  }

  function versionJson(a: FakeAction, v: FakeVersion) {
    return {
      id: v.id,
      action_id: v.action_id,
      code: v.code,
      dependencies: v.dependencies.map((d) => ({ ...d })),
      deployed: v.deployed,
      runtime: v.runtime,
      secrets: v.secrets.map((s) => ({ ...s })),
      status: "built",
      number: v.number,
      errors: [],
      action: actionSummary(a),
      built_at: v.created_at,
      created_at: v.created_at,
      updated_at: v.created_at,
      supported_triggers: v.supported_triggers.map((t) => ({ ...t })),
    };
  }

  function bindingJson(b: FakeBinding) {
    const a = state.actions.get(b.action_id);
    return { id: b.id, trigger_id: b.trigger_id, display_name: b.display_name, ...(a ? { action: actionJson(a) } : {}), created_at: b.created_at, updated_at: b.updated_at };
  }

  function findAction(id: string): FakeAction {
    const a = state.actions.get(id);
    if (!a) throw new ApiError(404, "The action does not exist.", "inexistent_action");
    return a;
  }

  function findUser(id: string): SimUser {
    const u = state.users.get(id);
    if (!u) throw new ApiError(404, "The user does not exist.", "inexistent_user");
    return u;
  }

  function userJson(u: SimUser) {
    const [provider, ...rest] = u.user_id.split("|");
    return {
      user_id: u.user_id,
      email: u.email,
      email_verified: true,
      name: u.name,
      identities: [{ provider, user_id: rest.join("|"), connection: "Username-Password-Authentication", isSocial: false }],
      app_metadata: { ...(u.app_metadata ?? {}) },
      user_metadata: {},
    };
  }

  /** The Action's draft fields shared by create and update; `current` keeps the values of an update's omitted fields. */
  function draftFields(body: Record<string, unknown>, current?: FakeAction) {
    const triggers = body.supported_triggers ?? current?.supported_triggers;
    if (!Array.isArray(triggers) || triggers.length !== 1) throw new ApiError(400, "Payload validation error: 'supported_triggers' must list exactly one trigger.", "invalid_body");
    const trigger = triggers[0] as { id?: unknown; version?: unknown };
    if (trigger.id !== "post-login") throw new ApiError(400, `The simulator supports the post-login trigger only (got ${JSON.stringify(trigger.id)}).`, "invalid_body");
    const version = str(trigger.version) ?? "v3";
    if (!["v1", "v2", "v3"].includes(version)) throw new ApiError(400, `Unknown post-login trigger version ${JSON.stringify(version)}.`, "invalid_body");
    const runtime = str(body.runtime) ?? current?.runtime ?? "node22";
    if (!["node18", "node22"].includes(runtime)) throw new ApiError(400, `Unsupported runtime ${JSON.stringify(runtime)}.`, "invalid_body");
    const code = body.code === undefined ? (current?.code ?? "") : str(body.code);
    if (code === undefined) throw new ApiError(400, "Payload validation error: 'code' must be a string.", "invalid_body");
    let secrets = current?.secrets ?? [];
    if (body.secrets !== undefined) {
      if (!Array.isArray(body.secrets)) throw new ApiError(400, "Payload validation error: 'secrets' must be an array.", "invalid_body");
      const seen = new Set<string>();
      secrets = body.secrets.map((raw: unknown) => {
        const s = (raw ?? {}) as { name?: unknown; value?: unknown };
        const name = str(s.name);
        if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || seen.has(name))
          throw new ApiError(400, `Payload validation error: invalid or repeated secret name ${JSON.stringify(s.name)}.`, "invalid_body");
        seen.add(name);
        const previous = current?.secrets.find((p) => p.name === name);
        const value = str(s.value);
        if (value === undefined && !previous) throw new ApiError(400, `Payload validation error: secret ${name} needs a value.`, "invalid_body");
        return value === undefined ? previous! : { name, value, updated_at: previous?.value === value ? previous.updated_at : now() };
      });
    }
    const dependencies = Array.isArray(body.dependencies) ? (body.dependencies as Array<{ name: string; version: string }>) : (current?.dependencies ?? []);
    return { supported_triggers: [{ id: "post-login", version }], runtime, code, secrets, dependencies };
  }

  /** Reading a building Action moves its build along, so a client that polls sees it finish. */
  function advanceBuild(a: FakeAction) {
    if (a.status === "built") return;
    if (a.buildReads > 0) {
      a.buildReads -= 1;
      a.status = "building";
    } else {
      a.status = "built";
      a.built_at = now();
    }
  }

  const routes: Array<[string, RegExp, string | null, (m: RegExpMatchArray, url: URL, body: Record<string, unknown>) => [number, unknown]]> = [
    [
      "GET",
      /^\/actions\/actions$/,
      "read:actions",
      (_m, url) => {
        const q = url.searchParams;
        const name = q.get("actionName");
        const trigger = q.get("triggerId");
        const deployed = q.get("deployed");
        const list = [...state.actions.values()].filter(
          (a) => (!name || a.name === name) && (!trigger || a.supported_triggers.some((t) => t.id === trigger)) && (deployed === null || (deployed === "true") === Boolean(a.deployed_version_id)),
        );
        return [200, paginate(list.map(actionJson), q, "actions")];
      },
    ],
    [
      "POST",
      /^\/actions\/actions$/,
      "create:actions",
      (_m, _url, body) => {
        const name = str(body.name)?.trim();
        if (!name) throw new ApiError(400, "Payload validation error: 'name' is required.", "invalid_body");
        if ([...state.actions.values()].some((a) => a.name === name)) throw new ApiError(409, `An action with the name '${name}' already exists.`, "action_conflict");
        const at = now();
        const action: FakeAction = {
          id: crypto.randomUUID(),
          name,
          ...draftFields(body),
          status: "pending",
          buildReads: 1,
          all_changes_deployed: false,
          deployed_version_id: null,
          created_at: at,
          updated_at: at,
        };
        state.actions.set(action.id, action);
        return [201, actionJson(action)];
      },
    ],
    [
      "GET",
      /^\/actions\/actions\/([^/]+)$/,
      "read:actions",
      (m) => {
        const a = findAction(m[1]!);
        advanceBuild(a);
        return [200, actionJson(a)];
      },
    ],
    [
      "PATCH",
      /^\/actions\/actions\/([^/]+)$/,
      "update:actions",
      (m, _url, body) => {
        const a = findAction(m[1]!);
        const name = str(body.name)?.trim();
        if (name && name !== a.name && [...state.actions.values()].some((x) => x.name === name)) throw new ApiError(409, `An action with the name '${name}' already exists.`, "action_conflict");
        Object.assign(a, draftFields(body, a), name ? { name } : {}, { status: "pending", buildReads: 1, all_changes_deployed: false, updated_at: now() });
        return [200, actionJson(a)];
      },
    ],
    [
      "POST",
      /^\/actions\/actions\/([^/]+)\/deploy$/,
      "create:actions",
      (m) => {
        const a = findAction(m[1]!);
        if (a.status !== "built") throw new ApiError(400, "The action is still being built: deploy it once its status is 'built'.", "action_not_built");
        const versions = state.versions.get(a.id) ?? [];
        for (const v of versions) v.deployed = false;
        const version: FakeVersion = {
          id: crypto.randomUUID(),
          action_id: a.id,
          number: versions.length + 1,
          code: a.code,
          runtime: a.runtime,
          dependencies: a.dependencies.map((d) => ({ ...d })),
          secrets: a.secrets.map(({ name, updated_at }) => ({ name, updated_at })),
          supported_triggers: a.supported_triggers.map((t) => ({ ...t })),
          deployed: true,
          created_at: now(),
        };
        state.versions.set(a.id, [...versions, version]);
        a.deployed_version_id = version.id;
        a.all_changes_deployed = true;
        return [200, versionJson(a, version)];
      },
    ],
    [
      "GET",
      /^\/actions\/actions\/([^/]+)\/versions$/,
      "read:actions",
      (m, url) => {
        const a = findAction(m[1]!);
        const versions = [...(state.versions.get(a.id) ?? [])].reverse(); // newest first, as Auth0 lists them
        return [
          200,
          paginate(
            versions.map((v) => versionJson(a, v)),
            url.searchParams,
            "versions",
          ),
        ];
      },
    ],
    [
      "GET",
      /^\/actions\/actions\/([^/]+)\/versions\/([^/]+)$/,
      "read:actions",
      (m) => {
        const a = findAction(m[1]!);
        const v = (state.versions.get(a.id) ?? []).find((x) => x.id === m[2]);
        if (!v) throw new ApiError(404, "The action version does not exist.", "inexistent_action_version");
        return [200, versionJson(a, v)];
      },
    ],
    ["GET", /^\/actions\/triggers\/([^/]+)\/bindings$/, "read:triggers", (m, url) => [200, paginate((state.bindings.get(m[1]!) ?? []).map(bindingJson), url.searchParams, "bindings")]],
    [
      "PATCH",
      /^\/actions\/triggers\/([^/]+)\/bindings$/,
      "update:triggers",
      (m, _url, body) => {
        const trigger = m[1]!;
        if (trigger !== "post-login") throw new ApiError(400, `The simulator supports the post-login trigger only (got ${JSON.stringify(trigger)}).`, "invalid_body");
        if (!Array.isArray(body.bindings)) throw new ApiError(400, "Payload validation error: 'bindings' must be an array.", "invalid_body");
        const current = state.bindings.get(trigger) ?? [];
        const at = now();
        const next = body.bindings.map((raw: unknown): FakeBinding => {
          const item = (raw ?? {}) as { ref?: { type?: unknown; value?: unknown }; display_name?: unknown };
          const type = item.ref?.type;
          const value = str(item.ref?.value) ?? "";
          if (type === "binding_id") {
            const existing = current.find((b) => b.id === value);
            if (!existing) throw new ApiError(404, `The binding ${value} does not exist.`, "inexistent_binding");
            const display = str(item.display_name);
            return display && display !== existing.display_name ? { ...existing, display_name: display, updated_at: at } : existing;
          }
          const action = type === "action_id" ? state.actions.get(value) : type === "action_name" ? [...state.actions.values()].find((a) => a.name === value) : undefined;
          if (type !== "action_id" && type !== "action_name") throw new ApiError(400, `Payload validation error: unknown ref type ${JSON.stringify(type)}.`, "invalid_body");
          if (!action) throw new ApiError(404, `The action ${value} does not exist.`, "inexistent_action");
          if (!action.supported_triggers.some((t) => t.id === trigger)) throw new ApiError(400, `The action ${action.name} does not support the ${trigger} trigger.`, "invalid_body");
          if (!action.deployed_version_id) throw new ApiError(400, `The action ${action.name} must be deployed before it is bound.`, "action_not_deployed");
          return { id: crypto.randomUUID(), trigger_id: trigger, display_name: str(item.display_name) ?? action.name, action_id: action.id, created_at: at, updated_at: at };
        });
        const ids = next.map((b) => b.id);
        if (new Set(ids).size !== ids.length) throw new ApiError(400, "Payload validation error: a binding is listed twice.", "invalid_body");
        state.bindings.set(trigger, next);
        return [200, { bindings: next.map(bindingJson) }];
      },
    ],
    ["GET", /^\/guardian\/factors$/, "read:guardian_factors", () => [200, state.guardianFactors.map((f) => ({ ...f }))]],
    ["GET", /^\/guardian\/policies$/, "read:mfa_policies", () => [200, [...state.mfaPolicies]]],
    ["GET", /^\/custom-domains$/, "read:custom_domains", () => [200, state.customDomains.map((d) => ({ ...d }))]],
    [
      "GET",
      /^\/clients$/,
      "read:clients",
      (_m, url) => {
        const fields = url.searchParams.get("fields")?.split(",").filter(Boolean);
        const include = url.searchParams.get("include_fields") !== "false";
        const shaped = state.clients.map((c) => {
          const full: Record<string, unknown> = { ...c, grant_types: [...c.grant_types] };
          if (!fields) return full;
          return Object.fromEntries(Object.entries(full).filter(([k]) => fields.includes(k) === include));
        });
        return [200, paginate(shaped, url.searchParams, "clients", true)];
      },
    ],
    ["GET", /^\/users\/([^/]+)$/, "read:users", (m) => [200, userJson(findUser(decodeURIComponent(m[1]!)))]],
    [
      "PATCH",
      /^\/users\/([^/]+)$/,
      "update:users_app_metadata",
      (m, _url, body) => {
        const user = findUser(decodeURIComponent(m[1]!));
        const other = Object.keys(body).filter((k) => k !== "app_metadata");
        if (other.length) throw new ApiError(400, `The simulator updates app_metadata only (got ${other.join(", ")}).`, "invalid_body");
        const patch = body.app_metadata;
        if (!patch || typeof patch !== "object" || Array.isArray(patch)) throw new ApiError(400, "Payload validation error: 'app_metadata' must be an object.", "invalid_body");
        // Auth0 merges app_metadata's top-level keys; a key set to null is removed.
        const merged: Record<string, unknown> = { ...(user.app_metadata ?? {}) };
        for (const [k, v] of Object.entries(patch)) {
          if (v === null) delete merged[k];
          else merged[k] = v;
        }
        user.app_metadata = merged;
        return [200, userJson(user)];
      },
    ],
    [
      "GET",
      /^\/users\/([^/]+)\/sessions$/,
      "read:sessions",
      (m) => {
        const user = findUser(decodeURIComponent(m[1]!));
        const sessions = [...state.sessions].filter(([, s]) => s.userId === user.user_id);
        return [200, { sessions: sessions.map(([id, s]) => ({ id, user_id: s.userId, created_at: s.createdAt, updated_at: s.createdAt, authenticated_at: s.createdAt })) }];
      },
    ],
    [
      "DELETE",
      /^\/users\/([^/]+)\/sessions$/,
      "delete:sessions",
      (m) => {
        const user = findUser(decodeURIComponent(m[1]!));
        for (const [id, s] of state.sessions) if (s.userId === user.user_id) state.sessions.delete(id);
        return [202, undefined];
      },
    ],
    [
      "GET",
      /^\/users\/([^/]+)\/refresh-tokens$/,
      "read:refresh_tokens",
      (m) => {
        const user = findUser(decodeURIComponent(m[1]!));
        return [200, { tokens: [...state.refreshTokens.values()].filter((t) => t.user_id === user.user_id).map((t) => ({ ...t })) }];
      },
    ],
    [
      "DELETE",
      /^\/users\/([^/]+)\/refresh-tokens$/,
      "delete:refresh_tokens",
      (m) => {
        const user = findUser(decodeURIComponent(m[1]!));
        for (const [id, t] of state.refreshTokens) if (t.user_id === user.user_id) state.refreshTokens.delete(id);
        return [202, undefined];
      },
    ],
  ];

  async function token(req: http.IncomingMessage, res: http.ServerResponse) {
    const body = await readBody(req);
    if (body.grant_type === "authorization_code" && otherGrant) {
      const [status, payload] = await otherGrant(req, body);
      return sendJson(res, status, payload);
    }
    if (body.grant_type !== "client_credentials") return sendJson(res, 403, { error: "unauthorized_client", error_description: "Grant type not allowed for the client." });
    const { clientId, clientSecret, scopes } = state.credentials;
    const secretOk =
      typeof body.client_secret === "string" && crypto.timingSafeEqual(crypto.createHash("sha256").update(body.client_secret).digest(), crypto.createHash("sha256").update(clientSecret).digest());
    if (body.client_id !== clientId || !secretOk) return sendJson(res, 401, { error: "access_denied", error_description: "Unauthorized" });
    if (body.audience !== audience()) return sendJson(res, 403, { error: "access_denied", error_description: `Service not enabled within domain: ${String(body.audience)}` });
    const accessToken = crypto.randomBytes(32).toString("base64url"); // opaque: only this fake reads it
    state.tokens.set(accessToken, { expiresAt: Date.now() + TOKEN_TTL_S * 1000, scopes: [...scopes] });
    sendJson(res, 200, { access_token: accessToken, token_type: "Bearer", expires_in: TOKEN_TTL_S, scope: scopes.join(" ") });
  }

  return async function handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    state.requests.push(`${req.method} ${url.pathname}`);
    try {
      if (url.pathname === "/oauth/token") {
        if (req.method !== "POST") throw new ApiError(404, "Not Found");
        return await token(req, res);
      }
      const path = url.pathname.slice("/api/v2".length);
      const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""));
      if (!auth) throw new ApiError(401, "Missing authentication");
      const granted = state.tokens.get(auth[1]!);
      if (!granted || granted.expiresAt < Date.now()) throw new ApiError(401, "Invalid token");
      const pathMatches = routes.filter(([, pattern]) => pattern.test(path));
      if (pathMatches.length === 0) throw new ApiError(404, "Not Found");
      const route = pathMatches.find(([method]) => method === req.method);
      if (!route) throw new ApiError(405, "Method Not Allowed");
      const [, pattern, scope, run] = route;
      if (scope && !granted.scopes.includes(scope)) throw new ApiError(403, `Insufficient scope, expected any of: ${scope}`, "insufficient_scope");
      const body = req.method === "GET" || req.method === "DELETE" ? {} : await readBody(req);
      const [status, payload] = run(path.match(pattern)!, url, body);
      sendJson(res, status, payload);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      sendJson(res, e.status, { statusCode: e.status, error: STATUS_TEXT[e.status] ?? "Error", message: e.message, ...(e.errorCode ? { errorCode: e.errorCode } : {}) });
    }
  };
}

export interface ManagementApi {
  url: string; // http://127.0.0.1:PORT
  /** The host to give the SDK and `auth0 install --domain` (with the http scheme: `http://127.0.0.1:PORT`). */
  domain: string;
  state: TenantState;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/** Starts the fake Management API on its own loopback port (for Vitest); the simulator mounts the same handler. */
export async function startManagementApi(opts: { clientId?: string; clientSecret?: string; scopes?: string[]; state?: TenantState } = {}): Promise<ManagementApi> {
  const clientId = opts.clientId ?? "keystep-installer";
  const clientSecret = opts.clientSecret ?? crypto.randomBytes(24).toString("base64url");
  const state = opts.state ?? createTenantState({ clientId, clientSecret, scopes: opts.scopes });
  let host = "";
  const handle = createManagementHandler(state, () => host);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (url.pathname !== "/oauth/token" && !url.pathname.startsWith("/api/v2/")) return sendJson(res, 404, { statusCode: 404, error: "Not Found", message: "Not Found" });
    handle(req, res, url).catch((e: unknown) => sendJson(res, 500, { statusCode: 500, error: "Internal Server Error", message: e instanceof Error ? e.message : String(e) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${host}`,
    domain: `http://${host}`,
    state,
    clientId: state.credentials.clientId,
    clientSecret: state.credentials.clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
