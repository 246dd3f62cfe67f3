/**
 * `npm run keystep -- auth0 install`, run through the CLI entry point (runCli) against the fake
 * Auth0 Management API (e2e/auth0-sim/management.ts), started in-process for each test.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startManagementApi, type FakeAction, type ManagementApi } from "@/e2e/auth0-sim/management";
import { FINGERPRINT_PREFIX } from "./auth0-install";
import { EXIT, runCli } from "./cli";

const ACTION_CODE = fs.readFileSync(path.resolve(__dirname, "../../auth0/action.js"), "utf8");
const KEYSTEP_SECRET = "keystep-secret-value-0123456789-0123456789";
const SSO_AGE = "sso-age-value-7b1f";

const started: ManagementApi[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.close()));
});

async function fakeTenant(opts: Parameters<typeof startManagementApi>[0] = {}) {
  const api = await startManagementApi(opts);
  started.push(api);
  return api;
}

/** Runs `auth0 install` as `npm run keystep -- auth0 install …` would, configured through the environment. */
async function install(api: ManagementApi, args: string[] = [], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(["auth0", "install", ...args], {
    env: {
      AUTH0_DOMAIN: api.domain,
      AUTH0_CLIENT_ID: api.clientId,
      AUTH0_CLIENT_SECRET: api.clientSecret,
      KEYSTEP_PUBLIC_URL: "https://mfa.example.com",
      KEYSTEP_SECRET,
      KEYSTEP_AUTH0_DOMAINS: api.domain,
      ...env,
    },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { status, out: out.join("\n"), err: err.join("\n") };
}

const writes = (api: ManagementApi, from = 0) => api.state.requests.slice(from).filter((r) => !r.startsWith("GET ") && r !== "POST /oauth/token");
const keystepAction = (api: ManagementApi, name = "Keystep") => [...api.state.actions.values()].find((a) => a.name === name);
const flow = (api: ManagementApi) => (api.state.bindings.get("post-login") ?? []).map((b) => api.state.actions.get(b.action_id)?.name);
const secretNames = (a: FakeAction | undefined) => (a?.secrets ?? []).map((s) => s.name).filter((n) => !n.startsWith(FINGERPRINT_PREFIX));
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at /);

/** An Action already in the tenant, deployed (as another team's, or an older Keystep install, leaves it). */
function seedAction(api: ManagementApi, over: Partial<FakeAction> & { name: string }, bind = true) {
  const at = new Date().toISOString();
  const action: FakeAction = {
    id: crypto.randomUUID(),
    supported_triggers: [{ id: "post-login", version: "v3" }],
    code: "exports.onExecutePostLogin = async () => {};",
    runtime: "node22",
    dependencies: [],
    secrets: [],
    status: "built",
    buildReads: 0,
    all_changes_deployed: true,
    deployed_version_id: null,
    created_at: at,
    updated_at: at,
    ...over,
  };
  const versionId = crypto.randomUUID();
  action.deployed_version_id = versionId;
  api.state.actions.set(action.id, action);
  api.state.versions.set(action.id, [
    {
      id: versionId,
      action_id: action.id,
      number: 1,
      code: action.code,
      runtime: action.runtime,
      dependencies: [],
      secrets: action.secrets.map(({ name, updated_at }) => ({ name, updated_at })),
      supported_triggers: action.supported_triggers,
      deployed: true,
      created_at: at,
    },
  ]);
  if (bind) {
    const bindings = api.state.bindings.get("post-login") ?? [];
    bindings.push({ id: crypto.randomUUID(), trigger_id: "post-login", display_name: action.name, action_id: action.id, created_at: at, updated_at: at });
    api.state.bindings.set("post-login", bindings);
  }
  return action;
}

describe("auth0 install", () => {
  it("auth0 install creates the Action from auth0/action.js (post-login v3, node22, its secrets), deploys it and binds it last", async () => {
    const api = await fakeTenant();
    seedAction(api, { name: "Add roles" });
    const r = await install(api, ["--secret", `KEYSTEP_SSO_MAX_AGE_SECONDS=${SSO_AGE}`]);
    expect(r.err).toBe("");
    expect(r.status).toBe(EXIT.ok);
    const action = keystepAction(api);
    expect(action).toMatchObject({ code: ACTION_CODE, runtime: "node22", supported_triggers: [{ id: "post-login", version: "v3" }], all_changes_deployed: true });
    expect(secretNames(action)).toEqual(["KEYSTEP_URL", "KEYSTEP_SECRET", "KEYSTEP_SSO_MAX_AGE_SECONDS"]);
    expect(Object.fromEntries(action!.secrets.map((s) => [s.name, s.value]))).toMatchObject({ KEYSTEP_URL: "https://mfa.example.com", KEYSTEP_SECRET, KEYSTEP_SSO_MAX_AGE_SECONDS: SSO_AGE });
    expect(api.state.versions.get(action!.id)?.map((v) => [v.number, v.deployed, v.code === ACTION_CODE])).toEqual([[1, true, true]]);
    expect(flow(api)).toEqual(["Add roles", "Keystep"]);
    expect(r.out).toContain('Action "Keystep": created (post-login v3, node22');
    expect(r.out).toContain("Secrets: set KEYSTEP_URL, KEYSTEP_SECRET, KEYSTEP_SSO_MAX_AGE_SECONDS");
    expect(r.out).toContain("Deployed: version 1");
    expect(r.out).toContain('Login flow: bound last, after "Add roles"');
    expect(r.out).toContain("Made 4 changes, no warnings.");
  });

  it("auth0 install is idempotent: a second run writes nothing and says so", async () => {
    const api = await fakeTenant();
    const args = ["--secret", `KEYSTEP_SSO_MAX_AGE_SECONDS=${SSO_AGE}`, "--secret", "KEYSTEP_CLAIM_NAMESPACE=https://keystep.example.com/"];
    expect((await install(api, args)).status).toBe(EXIT.ok);
    const before = api.state.requests.length;
    const again = await install(api, args);
    expect(again.status).toBe(EXIT.ok);
    expect(writes(api, before)).toEqual([]);
    expect(again.out).toContain('unchanged  Action "Keystep": up to date');
    expect(again.out).toContain("unchanged  Secrets: unchanged (KEYSTEP_URL, KEYSTEP_SECRET, KEYSTEP_SSO_MAX_AGE_SECONDS, KEYSTEP_CLAIM_NAMESPACE)");
    expect(again.out).toContain("unchanged  Deployed: version 1 is current");
    expect(again.out).toContain("unchanged  Login flow: already last");
    expect(again.out).toContain("Nothing to change: the Action is installed, deployed and last, no warnings.");
    expect(api.state.versions.get(keystepAction(api)!.id)).toHaveLength(1);
  });

  it("auth0 install upgrades an older install: this action.js, v3 and node22, deployed as a new version, same binding", async () => {
    const api = await fakeTenant();
    const old = seedAction(api, { name: "Keystep", code: "// Keystep 0.0.1", runtime: "node18", supported_triggers: [{ id: "post-login", version: "v2" }] });
    const binding = api.state.bindings.get("post-login")![0]!.id;
    const r = await install(api);
    expect(r.status).toBe(EXIT.ok);
    expect(keystepAction(api)).toMatchObject({ id: old.id, code: ACTION_CODE, runtime: "node22", supported_triggers: [{ id: "post-login", version: "v3" }] });
    expect(api.state.versions.get(old.id)?.map((v) => [v.number, v.deployed])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(api.state.bindings.get("post-login")?.map((b) => b.id)).toEqual([binding]);
    for (const line of ["trigger post-login v2 → v3", "runtime node18 → node22", "code updated to this auth0/action.js", "Deployed: version 2", "Login flow: already last"])
      expect(r.out).toContain(line);
  });

  it("auth0 install binds the Action last, keeping the other Actions' order, and moves it there when it is bound elsewhere", async () => {
    const api = await fakeTenant();
    seedAction(api, { name: "Geo block" });
    const keystep = seedAction(api, { name: "Keystep", code: ACTION_CODE });
    seedAction(api, { name: "Add roles" });
    seedAction(api, { name: "Audit" });
    const ids = Object.fromEntries((api.state.bindings.get("post-login") ?? []).map((b) => [api.state.actions.get(b.action_id)!.name, b.id]));
    const r = await install(api);
    expect(r.status).toBe(EXIT.ok);
    expect(flow(api)).toEqual(["Geo block", "Add roles", "Audit", "Keystep"]);
    // Every binding is the same one, only moved: the other Actions' bindings (and their secrets) are kept.
    expect(api.state.bindings.get("post-login")?.map((b) => b.id)).toEqual([ids["Geo block"], ids["Add roles"], ids.Audit, ids.Keystep]);
    expect(keystepAction(api)?.id).toBe(keystep.id);
    expect(r.out).toContain('Login flow: moved to last, after "Geo block", "Add roles", "Audit" (it was 2 of 4)');
    const before = api.state.requests.length;
    expect((await install(api)).out).toContain('Login flow: already last (after "Geo block", "Add roles", "Audit")');
    expect(writes(api, before)).toEqual([]);
  });

  it("auth0 install writes the secrets again when a value changed, and removes secrets it was not given", async () => {
    const api = await fakeTenant();
    expect((await install(api, ["--secret", "KEYSTEP_SSO_MAX_AGE_SECONDS=3600", "--secret", "KEYSTEP_ALLOW_PASSWORD_GRANTS=true"])).status).toBe(EXIT.ok);
    const before = api.state.requests.length;
    const r = await install(api, ["--secret", "KEYSTEP_SSO_MAX_AGE_SECONDS=7200"]);
    expect(r.status).toBe(EXIT.ok);
    expect(writes(api, before)).toEqual([`PATCH /api/v2/actions/actions/${keystepAction(api)!.id}`, `POST /api/v2/actions/actions/${keystepAction(api)!.id}/deploy`]);
    expect(Object.fromEntries(keystepAction(api)!.secrets.map((s) => [s.name, s.value]))).toMatchObject({ KEYSTEP_SSO_MAX_AGE_SECONDS: "7200" });
    expect(secretNames(keystepAction(api))).toEqual(["KEYSTEP_URL", "KEYSTEP_SECRET", "KEYSTEP_SSO_MAX_AGE_SECONDS"]);
    expect(r.out).toContain("Secrets: removed KEYSTEP_ALLOW_PASSWORD_GRANTS; values written again");
    expect(r.out).toContain("Deployed: version 2");

    // Same names, one value changed (the Keystep URL): the fingerprint tells, so the values are written again.
    const changed = await install(api, ["--secret", "KEYSTEP_SSO_MAX_AGE_SECONDS=7200"], { KEYSTEP_PUBLIC_URL: "https://mfa2.example.com" });
    expect(changed.out).toContain("Secrets: values written again");
    expect(keystepAction(api)!.secrets.find((s) => s.name === "KEYSTEP_URL")?.value).toBe("https://mfa2.example.com");
  });

  it("auth0 install never prints a secret, in text, JSON, dry runs or errors", async () => {
    const api = await fakeTenant();
    const hidden = [KEYSTEP_SECRET, api.clientSecret, SSO_AGE, "claim-ns-value-93c2"];
    const args = ["--secret", `KEYSTEP_SSO_MAX_AGE_SECONDS=${SSO_AGE}`, "--secret", "KEYSTEP_CLAIM_NAMESPACE=claim-ns-value-93c2"];
    const runs = [
      await install(api, args),
      await install(api, [...args, "--json"]),
      await install(api, [...args, "--dry-run"]),
      await install(api, ["--secret", `NOT A NAME=${SSO_AGE}`]),
      await install(api, args, { AUTH0_CLIENT_SECRET: `${api.clientSecret}x` }),
      await install(api, [...args, "--keystep-secret", "short"]),
    ];
    expect(runs.map((r) => r.status)).toEqual([EXIT.ok, EXIT.ok, EXIT.ok, EXIT.usage, EXIT.failed, EXIT.usage]);
    for (const r of runs) for (const secret of hidden) expect(`${r.out}\n${r.err}`).not.toContain(secret);
    expect(JSON.parse(runs[1]!.out)).toMatchObject({ domain: api.domain.replace("http://", ""), action: { name: "Keystep", deployedVersion: 1 }, changes: [], warnings: [] });
  });

  it("auth0 install warns when Auth0's own MFA policy is on as well (a double prompt)", async () => {
    const api = await fakeTenant();
    expect((await install(api)).out).not.toContain("MFA policy");
    api.state.mfaPolicies = ["all-applications"];
    api.state.guardianFactors.find((f) => f.name === "otp")!.enabled = true;
    const always = await install(api, ["--json"]);
    expect(always.status).toBe(EXIT.ok);
    expect(JSON.parse(always.out).warnings).toEqual([
      {
        code: "mfa_policy",
        message: expect.stringContaining('Auth0\'s own MFA policy is "Always" (all-applications) (factors enabled: otp): users are asked for a second factor by Auth0 and again by Keystep'),
      },
    ]);
    api.state.mfaPolicies = ["confidence-score"];
    const adaptive = await install(api);
    expect(adaptive.out).toContain("Adaptive MFA policy is on (confidence-score)");
    expect(adaptive.out).toContain("Warnings (1)");
    expect(adaptive.out).toContain("1 warning.");
  });

  it("auth0 install warns when a custom domain, or the tenant's own, is not in Keystep's KEYSTEP_AUTH0_DOMAINS", async () => {
    const api = await fakeTenant();
    api.state.customDomains = [
      { custom_domain_id: "cd_1", domain: "login.example.com", primary: true, status: "ready", type: "auth0_managed_certs" },
      { custom_domain_id: "cd_2", domain: "old.example.com", primary: false, status: "failed", type: "auth0_managed_certs" },
    ];
    const tenant = api.domain.replace("http://", "");
    const missingCustom = await install(api, ["--json"]);
    expect(JSON.parse(missingCustom.out).warnings).toEqual([{ code: "domain_not_listed", message: expect.stringContaining("login.example.com (a custom domain) is not in KEYSTEP_AUTH0_DOMAINS") }]);
    const missingTenant = await install(api, ["--json"], { KEYSTEP_AUTH0_DOMAINS: "https://login.example.com" });
    expect(JSON.parse(missingTenant.out).warnings).toEqual([{ code: "domain_not_listed", message: expect.stringContaining(`${tenant} (the tenant's domain) is not in KEYSTEP_AUTH0_DOMAINS`) }]);
    expect(JSON.parse((await install(api, ["--json"], { KEYSTEP_AUTH0_DOMAINS: `${api.domain}, login.example.com` })).out).warnings).toEqual([]);
    const unknown = await install(api, ["--json"], { KEYSTEP_AUTH0_DOMAINS: undefined });
    expect(JSON.parse(unknown.out).warnings).toEqual([{ code: "keystep_domains_unknown", message: expect.stringContaining(`must list ${tenant}, login.example.com.`) }]);
  });

  it("auth0 install warns about applications with password grants enabled, louder when the Action lets them through", async () => {
    const api = await fakeTenant();
    api.state.clients.push({ client_id: "legacy-cli", name: "Legacy CLI", app_type: "native", grant_types: ["password", "http://auth0.com/oauth/grant-type/password-realm", "refresh_token"] });
    const denied = await install(api);
    expect(denied.out).toContain(
      'Application "Legacy CLI" (legacy-cli) has the password grants password, http://auth0.com/oauth/grant-type/password-realm enabled: Keystep cannot run without a browser, so the Action denies these logins.',
    );
    expect(denied.out).not.toContain("Demo App");
    const allowed = await install(api, ["--secret", "KEYSTEP_ALLOW_PASSWORD_GRANTS=true"]);
    expect(allowed.out).toContain("KEYSTEP_ALLOW_PASSWORD_GRANTS=true lets these logins through WITHOUT any second factor");
  });

  it("auth0 install --dry-run changes nothing, says what it would do, and warns when the Action is not last", async () => {
    const api = await fakeTenant();
    seedAction(api, { name: "Keystep", code: "// old" });
    seedAction(api, { name: "Add roles" });
    const r = await install(api, ["--dry-run"]);
    expect(r.status).toBe(EXIT.ok);
    expect(writes(api)).toEqual([]);
    expect(flow(api)).toEqual(["Keystep", "Add roles"]);
    expect(keystepAction(api)?.code).toBe("// old");
    expect(r.out).toContain("(dry run: nothing was changed)");
    expect(r.out).toContain('to do      Action "Keystep": code updated to this auth0/action.js');
    expect(r.out).toContain('to do      Login flow: moved to last, after "Add roles" (it was 1 of 2)');
    expect(r.out).toContain('Action "Keystep" is not last in the post-login flow (it is 1 of 2)');
    expect(r.out).toContain("Would make 4 changes, 1 warning.");
    const fresh = await fakeTenant();
    const none = await install(fresh, ["--dry-run"]);
    expect(none.out).toContain('to do      Action "Keystep": created');
    expect(writes(fresh)).toEqual([]);
  });

  it("auth0 install warns instead of failing when a setting cannot be read (the Action is still installed)", async () => {
    const api = await fakeTenant({ scopes: ["read:actions", "create:actions", "update:actions", "read:triggers", "update:triggers", "read:guardian_factors", "read:mfa_policies", "read:clients"] });
    const r = await install(api);
    expect(r.status).toBe(EXIT.ok);
    expect(flow(api)).toEqual(["Keystep"]);
    expect(r.out).toContain("Could not check custom domains: Management API: 403 Insufficient scope, expected any of: read:custom_domains (insufficient_scope)");
  });

  it("auth0 install reports an Auth0 error in one line and exits 1", async () => {
    const api = await fakeTenant();
    const badSecret = await install(api, [], { AUTH0_CLIENT_SECRET: "wrong-secret" });
    expect(badSecret).toMatchObject({ status: EXIT.failed, out: "", err: "keystep: auth0 install failed: getting a Management API token: 401 Unauthorized" });
    const noScope = await fakeTenant({ scopes: ["read:triggers"] });
    const r = await install(noScope);
    expect(r).toMatchObject({ status: EXIT.failed, err: "keystep: auth0 install failed: Management API: 403 Insufficient scope, expected any of: read:actions (insufficient_scope)" });
    expect(JSON.parse((await install(noScope, ["--json"])).err)).toEqual({ error: "auth0_error", message: expect.stringContaining("403 Insufficient scope") });
    const gone = await fakeTenant();
    await gone.close();
    const unreachable = await install(gone);
    expect(unreachable.status).toBe(EXIT.failed);
    expect(unreachable.err).toMatch(/^keystep: auth0 install failed: .*ECONNREFUSED/);
    seedAction(api, { name: "Keystep", supported_triggers: [{ id: "credentials-exchange", version: "v2" }] }, false);
    expect((await install(api)).err).toBe('keystep: auth0 install failed: An Action named "Keystep" exists for another trigger (credentials-exchange); choose another name with --action-name.');
    for (const x of [badSecret, r, unreachable]) {
      expect(x.err.split("\n")).toHaveLength(1);
      noStack(x.err);
    }
  });

  it("auth0 install exits 2 on bad usage, naming what is missing or wrong", async () => {
    const api = await fakeTenant();
    const cases: Array<[string[], Record<string, string | undefined>, string]> = [
      [[], { AUTH0_DOMAIN: undefined, AUTH0_CLIENT_SECRET: undefined }, "--domain (or AUTH0_DOMAIN) is required; --client-secret (or AUTH0_CLIENT_SECRET) is required"],
      [["--domain", "http://tenant.example.com"], {}, "uses http for a non-local host"],
      [["--keystep-url", "mfa.example.com"], {}, "--keystep-url must be an absolute https URL"],
      [[], { KEYSTEP_SECRET: "too-short" }, "must be at least 32 bytes"],
      [["--secret", "KEYSTEP_URL=https://x.example"], {}, "set KEYSTEP_URL with --keystep-url"],
      [["--secret", "KEYSTEP_SSO_MAX_AGE_SECONDS"], {}, "--secret takes NAME=VALUE"],
      [["--secret", "A=1", "--secret", "A=2"], {}, "--secret A is given twice"],
      [["--bogus"], {}, "Unknown option '--bogus'"],
    ];
    for (const [args, env, message] of cases) {
      const r = await install(api, args, env);
      expect(r.status, args.join(" ")).toBe(EXIT.usage);
      expect(r.err).toContain(message);
      noStack(r.err);
    }
    const out: string[] = [];
    const err: string[] = [];
    expect(await runCli(["auth0", "uninstall"], { env: {}, out: (t) => out.push(t), err: (t) => err.push(t) })).toBe(EXIT.usage);
    expect(err.join("")).toContain('auth0 takes one subcommand, install; got "uninstall"');
    expect(writes(api)).toEqual([]);
  });
});
