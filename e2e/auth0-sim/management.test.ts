/**
 * The fake Management API, driven through the official `auth0` SDK the way the installer and the
 * support tools drive Auth0: tokens, Actions, post-login bindings, tenant settings, users, and the
 * sessions it shares with the simulator's login pages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementError } from "auth0";
import { managementClient, parseTenantDomain } from "@/lib/auth0/management";
import { startManagementApi, type ManagementApi } from "./management";
import { startAuth0Sim, type Sim } from "./server";

let api: ManagementApi;
beforeAll(async () => {
  api = await startManagementApi();
});
afterAll(() => api.close());

const client = (over: { clientSecret?: string; domain?: string } = {}) =>
  managementClient({ domain: parseTenantDomain(over.domain ?? api.domain), clientId: api.clientId, clientSecret: over.clientSecret ?? api.clientSecret });

async function statusOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (e instanceof ManagementError) return e.statusCode;
    throw e;
  }
}

describe("the fake Management API", () => {
  it("issues a token only to the configured client, and requires it on /api/v2", async () => {
    expect(await statusOf(client({ clientSecret: "wrong" }).guardian.policies.list())).toBe(401);
    expect(await statusOf(client().guardian.policies.list())).toBe(200);
    const bare = await fetch(`${api.url}/api/v2/guardian/policies`);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({ statusCode: 401, error: "Unauthorized", message: "Missing authentication" });
    const forged = await fetch(`${api.url}/api/v2/guardian/policies`, { headers: { authorization: "Bearer not-a-token" } });
    expect(forged.status).toBe(401);
  });

  it("refuses a call without the endpoint's scope, as Auth0 does", async () => {
    const narrow = await startManagementApi({ scopes: ["read:actions"] });
    try {
      const c = managementClient({ domain: parseTenantDomain(narrow.domain), clientId: narrow.clientId, clientSecret: narrow.clientSecret });
      expect(await statusOf(c.actions.list())).toBe(200);
      const e = await c.guardian.policies.list().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ManagementError);
      expect((e as ManagementError).statusCode).toBe(403);
      expect((e as ManagementError).body).toMatchObject({ message: "Insufficient scope, expected any of: read:mfa_policies", errorCode: "insufficient_scope" });
    } finally {
      await narrow.close();
    }
  });

  it("creates, builds, deploys and binds an Action, never returning a secret's value", async () => {
    const c = client();
    const created = await c.actions.create({
      name: "Other",
      supported_triggers: [{ id: "post-login", version: "v3" }],
      code: "exports.onExecutePostLogin = async () => {};",
      runtime: "node22",
      secrets: [{ name: "TOKEN", value: "s3cr3t-value" }],
    });
    expect(created).toMatchObject({ name: "Other", status: "pending", all_changes_deployed: false, secrets: [{ name: "TOKEN" }] });
    expect(JSON.stringify(created)).not.toContain("s3cr3t-value");
    expect(await statusOf(c.actions.deploy(created.id!))).toBe(400); // not built yet
    expect(await statusOf(c.actions.triggers.bindings.updateMany("post-login", { bindings: [{ ref: { type: "action_id", value: created.id! } }] }))).toBe(400); // not deployed
    expect((await c.actions.get(created.id!)).status).toBe("building");
    expect((await c.actions.get(created.id!)).status).toBe("built");
    const version = await c.actions.deploy(created.id!);
    expect(version).toMatchObject({ number: 1, deployed: true, action_id: created.id });
    expect(await c.actions.get(created.id!)).toMatchObject({ all_changes_deployed: true, deployed_version: { id: version.id } });
    const found = await c.actions.list({ actionName: "Other", triggerId: "post-login" });
    expect(found.data.map((a) => a.id)).toEqual([created.id]);
    expect((await c.actions.list({ actionName: "Nope" })).data).toEqual([]);

    const bound = await c.actions.triggers.bindings.updateMany("post-login", { bindings: [{ ref: { type: "action_name", value: "Other" }, display_name: "Other" }] });
    expect(bound.bindings?.map((b) => b.action?.name)).toEqual(["Other"]);
    const listed = await c.actions.triggers.bindings.list("post-login");
    expect(listed.data.map((b) => b.id)).toEqual(bound.bindings?.map((b) => b.id));
    const versions = await c.actions.versions.list(created.id!);
    expect(versions.data.map((v) => v.number)).toEqual([1]);
  });

  it("lists tenant settings: MFA policies, Guardian factors, custom domains and clients with their grants", async () => {
    api.state.mfaPolicies = ["all-applications"];
    api.state.guardianFactors.find((f) => f.name === "otp")!.enabled = true;
    api.state.customDomains = [{ custom_domain_id: "cd_1", domain: "login.example.com", primary: true, status: "ready", type: "auth0_managed_certs" }];
    try {
      const c = client();
      expect(await c.guardian.policies.list()).toEqual(["all-applications"]);
      expect((await c.guardian.factors.list()).filter((f) => f.enabled).map((f) => f.name)).toEqual(["otp"]);
      expect((await c.customDomains.list()).map((d) => d.domain)).toEqual(["login.example.com"]);
      const clients = [];
      for await (const cl of await c.clients.list({ fields: "client_id,name,grant_types", include_fields: true, per_page: 1 })) clients.push(cl);
      expect(clients).toEqual([
        { client_id: "demo-app", name: "Demo App", grant_types: ["authorization_code", "implicit", "refresh_token"] },
        { client_id: api.clientId, name: "Keystep installer", grant_types: ["client_credentials"] },
      ]);
    } finally {
      api.state.mfaPolicies = [];
      api.state.guardianFactors.find((f) => f.name === "otp")!.enabled = false;
      api.state.customDomains = [];
    }
  });
});

describe("the simulator's Management API shares its tenant", () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startAuth0Sim({ port: 0, secret: "sim-management-secret-0123456789-abcdef", keystepUrl: "http://localhost:3999" });
  });
  afterAll(() => sim.close());

  it("deleting a user's sessions ends their SSO session in the login pages; app_metadata reaches the user", async () => {
    const c = managementClient({ domain: parseTenantDomain(sim.url), clientId: sim.management.clientId, clientSecret: sim.management.clientSecret });
    // An SSO session as the login pages leave it (a login that went through Keystep).
    const user = { user_id: "auth0|mgmt-test", email: "mgmt@example.test", name: "Mgmt" };
    sim.state.users.set(user.user_id, user);
    sim.state.sessions.set("sid-1", { userId: user.user_id, methods: [{ name: "pwd", timestamp: new Date().toISOString() }], createdAt: new Date().toISOString() });
    const authorize = () => fetch(`${sim.url}/authorize?client_id=demo-app&prompt=none&state=s`, { headers: { cookie: "auth0_sso=sid-1" }, redirect: "manual" });

    // With the session, a silent login reaches the Action (which redirects, so Auth0 answers interaction_required).
    expect(new URL((await authorize()).headers.get("location")!, sim.url).searchParams.get("error")).toBe("interaction_required");
    expect((await c.users.sessions.list(user.user_id)).data.map((s) => s.id)).toEqual(["sid-1"]);

    await c.users.sessions.delete(user.user_id);
    expect(sim.state.sessions.has("sid-1")).toBe(false);
    expect(new URL((await authorize()).headers.get("location")!, sim.url).searchParams.get("error")).toBe("login_required");

    await c.users.update(user.user_id, { app_metadata: { keystep: { reset: true } } });
    expect(await c.users.get(user.user_id)).toMatchObject({ user_id: user.user_id, app_metadata: { keystep: { reset: true } } });
    await c.users.refreshToken.delete(user.user_id);
    expect(await statusOf(c.users.get("auth0|nobody"))).toBe(404);
  });
});
