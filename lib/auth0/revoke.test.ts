/**
 * Threat (#15 item 4): a support reset, a disabled factor or "This wasn't me" stopped at Keystep's
 * records, while the Auth0 session (which holds Keystep's record) and the refresh tokens lived on,
 * so whoever had them kept signing in. Defence: with the tenant's Management API credentials the
 * revocation reaches Auth0 through the official SDK; each call is audited; a failure never blocks.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import { startManagementApi, type ManagementApi } from "@/e2e/auth0-sim/management";
import type { Database } from "@/lib/db/schema";
import { BACKENDS } from "@/lib/test/databases";
import { testEnv } from "@/lib/test/env";
import { revokeAtAuth0, REVOKED_AT_KEY } from "./revoke";

const SUB = "auth0|revoked-user";
let api: ManagementApi;
let db: Kysely<Database>;
let close: () => Promise<void>;

beforeAll(async () => {
  api = await startManagementApi();
  const backend = BACKENDS[0];
  if (!backend) throw new Error("no backend");
  ({ db, close } = await backend.open());
});
afterAll(async () => {
  await api.close();
  await close();
});

/** A tenant whose Management API is the fake; its canonical domain is the fake's loopback host. */
const envWith = (over: Record<string, string> = {}) =>
  testEnv({ KEYSTEP_AUTH0_DOMAINS: api.domain, KEYSTEP_AUTH0_MANAGEMENT_CLIENT_ID: api.clientId, KEYSTEP_AUTH0_MANAGEMENT_CLIENT_SECRET: api.clientSecret, ...over });

function seedUser() {
  api.state.users.set(SUB, { user_id: SUB, email: "ada@example.com", name: "Ada" });
  api.state.sessions.set("sess-1", { userId: SUB, methods: [], createdAt: new Date().toISOString() });
  api.state.sessions.set("sess-other", { userId: "auth0|someone-else", methods: [], createdAt: new Date().toISOString() });
  api.state.refreshTokens.set("rt-1", { id: "rt-1", user_id: SUB, client_id: "app", created_at: new Date().toISOString() });
}

const audits = async () =>
  (await db.selectFrom("audit_events").selectAll().where("event", "=", "auth0.revoked").orderBy("id").execute()).map((r) => ({ outcome: r.outcome, ...JSON.parse(r.detail ?? "{}") }));

describe("revocation reaches Auth0", () => {
  beforeEach(async () => {
    await db.deleteFrom("audit_events").execute();
    seedUser();
  });

  it("threat: after a support reset the Auth0 session and refresh tokens live on — the reset records a revocation time, ends the sessions and the refresh tokens, each audited", async () => {
    const env = envWith();
    const key = env.tenants[0]!.id;
    const now = Date.now();
    expect(await revokeAtAuth0(db, env, { tenant: key, sub: SUB }, "support_reset", { now })).toEqual(["revocation_time", "sessions", "refresh_tokens"]);
    expect(api.state.users.get(SUB)?.app_metadata).toEqual({ [REVOKED_AT_KEY]: Math.floor(now / 1000) });
    expect([...api.state.sessions.keys()]).toEqual(["sess-other"]);
    expect([...api.state.refreshTokens.values()].filter((t) => t.user_id === SUB)).toEqual([]);
    expect(await audits()).toEqual([
      { outcome: "success", cause: "support_reset", step: "revocation_time" },
      { outcome: "success", cause: "support_reset", step: "sessions" },
      { outcome: "success", cause: "support_reset", step: "refresh_tokens" },
    ]);
  });

  it("a factor the user removed in a login keeps that login's sessions: the revocation time and the refresh tokens only", async () => {
    const env = envWith();
    expect(await revokeAtAuth0(db, env, { tenant: env.tenants[0]!.id, sub: SUB }, "factor_removed")).toEqual(["revocation_time", "refresh_tokens"]);
    expect(api.state.sessions.has("sess-1")).toBe(true);
  });

  it("a failure (a plan without session revocation, wrong credentials, Auth0 down) never throws and is audited with Auth0's one-line reason", async () => {
    const narrow = await startManagementApi({ scopes: ["update:users_app_metadata", "delete:refresh_tokens"] });
    try {
      narrow.state.users.set(SUB, { user_id: SUB, email: "ada@example.com", name: "Ada" });
      const env = testEnv({ KEYSTEP_AUTH0_DOMAINS: narrow.domain, KEYSTEP_AUTH0_MANAGEMENT_CLIENT_ID: narrow.clientId, KEYSTEP_AUTH0_MANAGEMENT_CLIENT_SECRET: narrow.clientSecret });
      expect(await revokeAtAuth0(db, env, { tenant: env.tenants[0]!.id, sub: SUB }, "reported")).toEqual(["revocation_time", "refresh_tokens"]);
      expect(await audits()).toContainEqual({ outcome: "failure", cause: "reported", step: "sessions", error: expect.stringContaining("403") });
      const wrong = testEnv({ KEYSTEP_AUTH0_DOMAINS: narrow.domain, KEYSTEP_AUTH0_MANAGEMENT_CLIENT_ID: narrow.clientId, KEYSTEP_AUTH0_MANAGEMENT_CLIENT_SECRET: "wrong" });
      expect(await revokeAtAuth0(db, wrong, { tenant: wrong.tenants[0]!.id, sub: SUB }, "reported")).toEqual([]);
    } finally {
      await narrow.close();
    }
    const down = testEnv({ KEYSTEP_AUTH0_DOMAINS: "http://127.0.0.1:9", KEYSTEP_AUTH0_MANAGEMENT_CLIENT_ID: "x", KEYSTEP_AUTH0_MANAGEMENT_CLIENT_SECRET: "y" });
    expect(await revokeAtAuth0(db, down, { tenant: down.tenants[0]!.id, sub: SUB }, "reported")).toEqual([]);
    expect((await audits()).filter((a) => a.outcome === "failure").length).toBeGreaterThanOrEqual(7);
  });

  it("without Management API credentials nothing is called and nothing is audited", async () => {
    const env = testEnv({ KEYSTEP_AUTH0_DOMAINS: api.domain });
    expect(await revokeAtAuth0(db, env, { tenant: env.tenants[0]!.id, sub: SUB }, "support_reset")).toEqual([]);
    expect(await audits()).toEqual([]);
    expect(api.state.sessions.has("sess-1")).toBe(true);
  });
});
