/**
 * Threat (#15 item 3): users keyed by the domain a login came through split in two on a custom
 * domain, and the second, empty set of factors is open to a first-enrollment takeover by anyone
 * holding the password. Defence: users are keyed by their tenant; rows stored under a domain move
 * to the tenant at boot, and what was hashed under the domain (recovery codes, passkey user
 * handles) keeps working.
 */
import crypto from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { listActive, insertAuthenticator } from "@/lib/factors/authenticators";
import { issueRecoveryCodes, recoveryFactor, remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { recordDeviceMfa } from "@/lib/devices/repo";
import { openFlow } from "@/lib/flow/repo";
import { recordWasntMe, wasntMeCount } from "@/lib/users/signals";
import { BACKENDS } from "@/lib/test/databases";
import { testEnv } from "@/lib/test/env";
import { rekeyUsersToTenants } from "./rekey";

const env = testEnv({ KEYSTEP_AUTH0_TENANT: "acme", KEYSTEP_AUTH0_DOMAINS: "acme.eu.auth0.com,login.acme.com" });
const CANONICAL = { tenant: "acme.eu.auth0.com", sub: "auth0|ada" };
const CUSTOM = { tenant: "login.acme.com", sub: "auth0|ada" };
const TENANT = { tenant: "acme", sub: "auth0|ada" };

describe.each(BACKENDS)("users keyed by tenant ($name)", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ db, close } = await backend.open());
  });
  afterEach(() => close());

  it("threat: a custom domain and the canonical domain split one user in two — rows under either domain become the tenant's, once", async () => {
    await insertAuthenticator(db, CANONICAL, { factor: "otp", label: "" });
    await insertAuthenticator(db, CUSTOM, { factor: "phone", label: "", destination: "+447700900123" });
    const tokenHash = crypto.randomBytes(16).toString("hex");
    await recordDeviceMfa(db, CANONICAL, { tokenHash });
    await recordDeviceMfa(db, CUSTOM, { tokenHash });
    await recordWasntMe(db, CANONICAL);
    await recordWasntMe(db, CUSTOM);
    await recordWasntMe(db, CUSTOM);

    expect(await rekeyUsersToTenants(db, env.tenants)).toBeGreaterThan(0);
    expect((await listActive(db, TENANT)).map((a) => a.factor).sort()).toEqual(["otp", "phone"]);
    expect(await listActive(db, CANONICAL)).toEqual([]);
    expect(await listActive(db, CUSTOM)).toEqual([]);
    const devices = await db.selectFrom("devices").select("tenant").execute();
    expect(devices).toEqual([{ tenant: "acme" }]);
    expect(await wasntMeCount(db, TENANT)).toBe(3);
    expect(await wasntMeCount(db, CUSTOM)).toBe(0);

    expect(await rekeyUsersToTenants(db, env.tenants)).toBe(0);
  });

  it("recovery codes issued while users were keyed by a domain still work after the move, once each", async () => {
    const [code] = await issueRecoveryCodes(db, env.keys, CUSTOM);
    await rekeyUsersToTenants(db, env.tenants);
    expect(await remainingRecoveryCodes(db, TENANT)).toBe(10);
    const opened = await openFlow(db, env.keys, {
      state: crypto.randomBytes(16).toString("base64url"),
      sessionToken: crypto.randomBytes(24).toString("base64url"),
      context: { claims: { iss: "acme.eu.auth0.com", tenant: "acme", sub: TENANT.sub, iat: 0, exp: 0 }, ip: null, userAgent: null },
      ttlSeconds: 900,
    });
    if (!opened.ok) throw new Error("state clash");
    expect(opened.flow.tenant).toBe("acme");
    const ctx = { db, env, flow: opened.flow, now: Date.now() };
    expect(await recoveryFactor.verify(ctx, code!)).toEqual({ ok: true });
    expect(await recoveryFactor.verify(ctx, code!)).toEqual({ ok: false, error: "code_invalid" });
  });
});
