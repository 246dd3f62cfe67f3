import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/lib/db/schema";
import { insertAuthenticator, listActive } from "@/lib/factors/authenticators";
import { issueRecoveryCodes, remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { requestRecovery } from "@/lib/recovery/requests";
import { handleAdminRequest } from "@/lib/support/api";
import { KeyRing } from "@/lib/security/keys";
import { TEST_SECRET, testEnv } from "@/lib/test/env";

const TOKEN = "admin-token-for-tests-0123456789abcdef";
const HOST = "127.0.0.1:4010";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keystep-admin-"));

/**
 * The route module as Next would load it, with the server's settings in process.env; each call
 * reloads it, since settings are read once per process. The database persists between loads.
 */
async function load(settings: Record<string, string | undefined> = {}) {
  vi.resetModules();
  const all = {
    KEYSTEP_SECRET: TEST_SECRET,
    KEYSTEP_AUTH0_DOMAINS: `http://${HOST}`,
    KEYSTEP_ENCRYPTION_KEY: "0".repeat(64),
    KEYSTEP_PUBLIC_URL: "http://localhost:3000",
    DATABASE_URL: `sqlite:${path.join(dir, "keystep.db")}`,
    KEYSTEP_ADMIN_TOKEN: TOKEN,
    ...settings,
  };
  for (const [k, v] of Object.entries(all)) vi.stubEnv(k, v);
  // A new process: the boot's migrations and tenant rekeying run again (lib/db ensureMigrated).
  (globalThis as { keystepMigrated?: unknown }).keystepMigrated = undefined;
  const route = await import("./route");
  const { db, ensureMigrated } = await import("@/lib/db");
  await ensureMigrated();
  return { ...route, db: db() };
}

type Routes = Awaited<ReturnType<typeof load>>;
let routes: Routes;
let db: Kysely<Database>;

beforeAll(async () => {
  routes = await load();
  db = routes.db;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

const url = (p: string) => `http://localhost:3000/api/admin${p}`;
const enc = encodeURIComponent;

function call(method: "GET" | "POST" | "DELETE", p: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, r: Routes = routes) {
  return r[method](new Request(url(p), { method, headers }));
}

async function enrolled(sub = `auth0|${crypto.randomUUID()}`) {
  const user = { tenant: HOST, sub };
  const otp = await insertAuthenticator(db, user, { factor: "otp", label: "Authenticator app", secret: "v1.sealed" });
  await issueRecoveryCodes(db, new KeyRing(new Uint8Array(32)), user);
  return { user, otp };
}

/** Every answer is JSON with an error code and a message, and no stack trace. */
async function expectProblem(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const body = (await res.json()) as { error: string; message: string };
  expect(body).toEqual({ error, message: expect.any(String) });
  expect(body.message).not.toMatch(/\n\s+at /);
  return body;
}

describe("admin API access", () => {
  it("is off when KEYSTEP_ADMIN_TOKEN is unset: 404 JSON, even with a token", async () => {
    const off = await load({ KEYSTEP_ADMIN_TOKEN: undefined });
    const { user } = await enrolled();
    await expectProblem(await call("GET", `/users/${enc(user.sub)}`, undefined, off), 404, "not_found");
    await expectProblem(await call("POST", `/users/${enc(user.sub)}/reset`, {}, off), 404, "not_found");
    expect(await listActive(db, user)).toHaveLength(1);
  });

  it("rejects a missing bearer token with 401 and a Bearer challenge", async () => {
    const { user } = await enrolled();
    const res = await call("POST", `/users/${enc(user.sub)}/reset`, {});
    await expectProblem(res, 401, "unauthorized");
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="keystep-admin"');
    expect(await listActive(db, user)).toHaveLength(1);
  });

  it("rejects a wrong bearer token, a near miss, a prefix and another scheme", async () => {
    const { user } = await enrolled();
    for (const authorization of [
      "Bearer not-the-admin-token-0123456789abcdef",
      `Bearer ${TOKEN.slice(0, -1)}x`,
      `Bearer ${TOKEN.slice(0, 16)}`,
      `Bearer ${TOKEN}${TOKEN}`,
      `Basic ${Buffer.from(`admin:${TOKEN}`).toString("base64")}`,
      TOKEN,
    ]) {
      const res = await call("POST", `/users/${enc(user.sub)}/reset`, { authorization });
      await expectProblem(res, 401, "unauthorized");
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="keystep-admin"/);
    }
    expect(await listActive(db, user)).toHaveLength(1);
  });

  it("rejects the token passed in the query string instead of the header", async () => {
    const res = await routes.GET(new Request(url(`/users/x?access_token=${TOKEN}`)));
    await expectProblem(res, 401, "unauthorized");
  });

  it("checks the token before routing, so unknown paths do not reveal themselves", async () => {
    await expectProblem(await call("GET", "/nothing-here", {}), 401, "unauthorized");
    await expectProblem(await call("GET", "/nothing-here"), 404, "not_found");
  });
});

describe("admin API operations", () => {
  it("shows a user by URL-encoded id, as JSON that is never cached", async () => {
    const { user, otp } = await enrolled();
    const res = await call("GET", `/users/${enc(user.sub)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await res.json();
    expect(body).toMatchObject({ tenant: HOST, sub: user.sub, factors: [{ id: otp, factor: "otp", status: "active" }], recoveryCodes: { remaining: 10, issued: 10 } });
    expect(JSON.stringify(body)).not.toContain("v1.sealed");
  });

  it("keeps an encoded slash inside the user id", async () => {
    const { user } = await enrolled("samlp|acme|ada/finance");
    const res = await call("GET", `/users/${enc(user.sub)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: "samlp|acme|ada/finance" });
  });

  it("resets a user, recording the caller in the audit trail", async () => {
    const { user } = await enrolled();
    const res = await call("POST", `/users/${enc(user.sub)}/reset`, { authorization: `Bearer ${TOKEN}`, "x-forwarded-for": "198.51.100.7, 10.0.0.1", "user-agent": "helpdesk/1.0" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tenant: HOST, sub: user.sub, factorsRemoved: 1, recoveryCodesRemoved: 10, devicesRevoked: 0, auth0Revoked: [] });
    expect(await listActive(db, user)).toEqual([]);
    expect(await remainingRecoveryCodes(db, user)).toBe(0);
    const row = await db.selectFrom("audit_events").selectAll().where("sub", "=", user.sub).where("event", "=", "admin.reset").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ ip: "198.51.100.7", user_agent: "helpdesk/1.0" });
    expect(JSON.parse(row.detail!)).toMatchObject({ actor: "api" });
  });

  it("disables and enables one factor", async () => {
    const { user, otp } = await enrolled();
    const off = await call("POST", `/users/${enc(user.sub)}/authenticators/${otp}/disable`);
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ changed: true, authenticator: { id: otp, status: "disabled" } });
    expect(await listActive(db, user)).toEqual([]);
    const on = await call("POST", `/users/${enc(user.sub)}/authenticators/${otp}/enable`);
    expect(await on.json()).toMatchObject({ changed: true, authenticator: { id: otp, status: "active", failureCount: 0 } });
  });

  it("answers 404 JSON for an unknown user or authenticator", async () => {
    const { user } = await enrolled();
    await expectProblem(await call("GET", `/users/${enc("auth0|nobody")}`), 404, "user_not_found");
    await expectProblem(await call("POST", `/users/${enc("auth0|nobody")}/reset`), 404, "user_not_found");
    await expectProblem(await call("POST", `/users/${enc(user.sub)}/authenticators/${crypto.randomUUID()}/disable`), 404, "authenticator_not_found");
  });

  it("answers 400 JSON for a bad user id, authenticator id or encoding", async () => {
    const { user } = await enrolled();
    await expectProblem(await call("GET", `/users/${enc("auth0|1\nx")}`), 400, "invalid_user_id");
    await expectProblem(await call("GET", "/users/%20auth0%7C1"), 400, "invalid_user_id");
    await expectProblem(await call("POST", `/users/${enc(user.sub)}/authenticators/${enc("x' or 1=1")}/disable`), 400, "invalid_authenticator_id");
    await expectProblem(await call("GET", "/users/auth0%7C%E0%A4%A"), 400, "invalid_request");
  });

  it("answers JSON for unknown paths and wrong methods", async () => {
    const { user } = await enrolled();
    await expectProblem(await call("GET", ""), 404, "not_found");
    await expectProblem(await call("GET", `/users/${enc(user.sub)}/secrets`), 404, "not_found");
    await expectProblem(await call("POST", `/users/${enc(user.sub)}/authenticators/x/delete`), 404, "not_found");
    const wrong = await call("GET", `/users/${enc(user.sub)}/reset`);
    await expectProblem(wrong, 405, "method_not_allowed");
    expect(wrong.headers.get("allow")).toBe("POST");
    expect((await call("DELETE", `/users/${enc(user.sub)}`)).headers.get("allow")).toBe("GET, HEAD");
    expect(await listActive(db, user)).toHaveLength(1);
  });

  it("issues an enrollment link (201, URL once), refuses bad bodies and unoffered factors, and revokes", async () => {
    const { user } = await enrolled();
    const post = (p: string, body?: string) =>
      routes.POST(new Request(url(p), { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, ...(body !== undefined ? { body } : {}) }));
    const res = await post(`/users/${enc(user.sub)}/enrollment-links`, JSON.stringify({ factor: "otp", expires: "3d", returnTo: "https://app.example.com/login" }));
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const link = (await res.json()) as { id: string; url: string; factor: string; returnTo: string };
    expect(link).toMatchObject({ factor: "otp", returnTo: "https://app.example.com/login" });
    expect(link.url).toMatch(/^http:\/\/localhost:3000\/enroll\/[A-Za-z0-9_-]{43}$/);
    // No body: any factor, 7 days.
    expect((await post(`/users/${enc(user.sub)}/enrollment-links`)).status).toBe(201);
    await expectProblem(await post(`/users/${enc(user.sub)}/enrollment-links`, "{not json"), 400, "invalid_request");
    await expectProblem(await post(`/users/${enc(user.sub)}/enrollment-links`, JSON.stringify({ factor: "otp", token: "x" })), 400, "invalid_request");
    await expectProblem(await post(`/users/${enc(user.sub)}/enrollment-links`, JSON.stringify({ factor: "whatsapp" })), 400, "invalid_factor");
    await expectProblem(await post(`/users/${enc(user.sub)}/enrollment-links`, JSON.stringify({ expires: "90d" })), 400, "invalid_lifetime");
    await expectProblem(await post(`/users/${enc(user.sub)}/enrollment-links`, JSON.stringify({ returnTo: "ftp://x" })), 400, "invalid_return_to");
    await expectProblem(await call("GET", `/users/${enc(user.sub)}/enrollment-links`), 405, "method_not_allowed");
    const one = await post(`/users/${enc(user.sub)}/enrollment-links/${link.id}/revoke`);
    expect(await one.json()).toMatchObject({ revoked: 1 });
    await expectProblem(await post(`/users/${enc(user.sub)}/enrollment-links/${link.id}/revoke`), 404, "link_not_found");
    expect(await (await post(`/users/${enc(user.sub)}/enrollment-links/revoke`)).json()).toMatchObject({ revoked: 1 });
    const events = await db.selectFrom("audit_events").select(["event", "detail"]).where("sub", "=", user.sub).execute();
    expect(events.filter((e) => e.event === "enroll_link.issued")).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain(link.url.split("/").pop());
  });

  it("needs ?tenant= when several tenants are configured", async () => {
    const { user } = await enrolled();
    const several = await load({
      KEYSTEP_AUTH0_DOMAINS: undefined,
      KEYSTEP_TENANTS: "sim,acme",
      KEYSTEP_TENANT_SIM_SECRET: TEST_SECRET,
      KEYSTEP_TENANT_SIM_DOMAINS: `http://${HOST}`,
      KEYSTEP_TENANT_ACME_SECRET: "a".repeat(40),
      KEYSTEP_TENANT_ACME_DOMAINS: "tenant.eu.auth0.com",
    });
    const body = await expectProblem(await call("GET", `/users/${enc(user.sub)}`, undefined, several), 400, "tenant_required");
    expect(body.message).toContain("?tenant=<id or domain>");
    // The user's rows, stored under the sim's domain, now belong to the tenant "sim": by its id or its domain.
    expect((await call("GET", `/users/${enc(user.sub)}?tenant=${HOST}`, undefined, several)).status).toBe(200);
    expect((await call("GET", `/users/${enc(user.sub)}?tenant=sim`, undefined, several)).status).toBe(200);
    await expectProblem(await call("GET", `/users/${enc(user.sub)}?tenant=tenant.us.auth0.com`, undefined, several), 400, "tenant_unknown");
  });

  it("answers a database failure with 500 JSON and no stack trace", async () => {
    const broken = () => ({ db: {} as Kysely<Database>, env: { adminToken: TOKEN, tenants: testEnv({ KEYSTEP_AUTH0_DOMAINS: `http://${HOST}` }).tenants } });
    const res = await handleAdminRequest(new Request(url("/users/auth0%7C1"), { headers: { authorization: `Bearer ${TOKEN}` } }), broken);
    await expectProblem(res, 500, "internal_error");
  });
});

describe("admin API: recovery requests", () => {
  it("approves and cancels a user's open request with a JSON reason; no reason or no request is a clear problem", async () => {
    const { user } = await enrolled();
    const deps = {
      db,
      keys: new KeyRing(new Uint8Array(32)),
      publicUrl: "http://localhost:3000",
      budgets: { take: async () => ({ ok: true }) as const, ping: async () => true },
      notify: async () => {},
      revoke: async () => {},
    };
    const input = { user, email: "ada@example.com", deviceHash: "d", userAgent: null, ip: null, locale: "en", selfService: true, waitHours: 72 };
    expect((await requestRecovery(deps, input, Date.now())).ok).toBe(true);
    const post = (verb: string, body: string) =>
      routes.POST(new Request(url(`/users/${enc(user.sub)}/recovery/${verb}`), { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body }));
    await expectProblem(await post("approve", "{}"), 400, "reason_required");
    const approved = await post("approve", JSON.stringify({ reason: "verified by phone" }));
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ status: "ready", approvedBy: "api" });
    expect((await post("cancel", JSON.stringify({ reason: "user asked" }))).status).toBe(200);
    await expectProblem(await post("cancel", JSON.stringify({ reason: "again" })), 404, "no_recovery_request");
  });
});
