import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { deviceTokenHash, listDevices, recordDeviceMfa } from "@/lib/devices/repo";
import { insertAuthenticator, listActive, MAX_CONSECUTIVE_FAILURES, type UserKey } from "@/lib/factors/authenticators";
import { issueRecoveryCodes, remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { BACKENDS, env } from "@/lib/test/databases";
import { testEnv } from "@/lib/test/env";
import { requestRecovery } from "@/lib/recovery/requests";
import { DbBudgetStore } from "@/lib/security/budgets";
import {
  approveRecovery,
  cancelRecovery,
  issueEnrollmentLink,
  parseUserKey,
  resetUser,
  resolveTenant,
  RECENT_EVENTS,
  revokeEnrollmentLinks,
  revokeUserDevices,
  setFactorEnabled,
  showUser,
  unlockUser,
  type Actor,
} from "./ops";

const CLI: Actor = { kind: "cli" };
const API: Actor = { kind: "api", ip: "198.51.100.7", userAgent: "curl/8.5.0" };
const HOST = "tenant.eu.auth0.com";

describe("tenant resolution", () => {
  const one = testEnv({ KEYSTEP_AUTH0_DOMAINS: `${HOST}, login.acme.com` }).tenants;
  const two = testEnv({
    KEYSTEP_AUTH0_DOMAINS: "",
    KEYSTEP_TENANTS: "acme-prod,acme-dev",
    KEYSTEP_TENANT_ACME_PROD_SECRET: "p".repeat(40),
    KEYSTEP_TENANT_ACME_PROD_DOMAINS: `${HOST}, login.acme.com`,
    KEYSTEP_TENANT_ACME_DEV_SECRET: "d".repeat(40),
    KEYSTEP_TENANT_ACME_DEV_DOMAINS: "http://127.0.0.1:4010",
  }).tenants;

  it("defaults to the single configured tenant", () => {
    expect(resolveTenant(one, undefined, "--tenant <id or domain>")).toEqual({ ok: true, value: HOST });
  });

  it("asks for a tenant when several are configured, naming them and how to choose", () => {
    const r = resolveTenant(two, undefined, "--tenant <id or domain>");
    expect(r).toMatchObject({ ok: false, error: "tenant_required" });
    expect(!r.ok && r.message).toContain("acme-prod; acme-dev");
    expect(!r.ok && r.message).toContain("--tenant <id or domain>");
  });

  it("accepts a tenant by its id or by any of its domains, canonical or custom, with or without a scheme, in any case", () => {
    expect(resolveTenant(two, "acme-dev", "")).toEqual({ ok: true, value: "acme-dev" });
    expect(resolveTenant(two, "127.0.0.1:4010", "")).toEqual({ ok: true, value: "acme-dev" });
    expect(resolveTenant(two, "https://Tenant.EU.auth0.com", "")).toEqual({ ok: true, value: "acme-prod" });
    expect(resolveTenant(two, "login.acme.com", "")).toEqual({ ok: true, value: "acme-prod" });
    expect(resolveTenant(one, "login.acme.com", "")).toEqual({ ok: true, value: HOST });
  });

  it("refuses a tenant that is not configured, so a typo cannot act on an empty user", () => {
    expect(resolveTenant(two, "tenant.us.auth0.com", "")).toMatchObject({ ok: false, error: "tenant_unknown" });
    expect(resolveTenant(two, "https://x.com/path", "")).toMatchObject({ ok: false, error: "tenant_unknown" });
  });

  it("takes any tenant when none is configured, and needs one named", () => {
    expect(resolveTenant([], "login.acme.com", "")).toEqual({ ok: true, value: "login.acme.com" });
    expect(resolveTenant([], undefined, "--tenant <host>")).toMatchObject({ ok: false, error: "tenant_required" });
  });
});

describe("user ids", () => {
  it("accepts Auth0 user ids of every connection type", () => {
    for (const sub of ["auth0|64f1c2d3e4", "google-oauth2|1234567890", "samlp|acme|ada@acme.com", "email|65a0"]) expect(parseUserKey(HOST, sub)).toEqual({ ok: true, value: { tenant: HOST, sub } });
  });

  it("refuses empty, padded, over-long and control-character ids", () => {
    for (const sub of ["", " auth0|1", "auth0|1 ", "auth0|1\nadmin.reset", "a".repeat(513)]) expect(parseUserKey(HOST, sub)).toMatchObject({ ok: false, error: "invalid_user_id" });
  });
});

describe.each(BACKENDS)("support operations on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  const newUser = (): UserKey => ({ tenant: HOST, sub: `auth0|${crypto.randomUUID()}` });

  /** A user with an app, a phone, recovery codes and two devices (one remembered). */
  async function enrolledUser() {
    const user = newUser();
    const otp = await insertAuthenticator(db, user, { factor: "otp", label: "Authenticator app", secret: "v1.sealed-secret-ciphertext" }, 1_000);
    const phone = await insertAuthenticator(db, user, { factor: "phone", label: "Text message", destination: "+447700900123" }, 2_000);
    await issueRecoveryCodes(db, env.keys, user);
    await recordDeviceMfa(db, user, { tokenHash: deviceTokenHash(env.keys, `laptop-${user.sub}`), userAgent: "Firefox", rememberDays: 30 });
    await recordDeviceMfa(db, user, { tokenHash: deviceTokenHash(env.keys, `phone-${user.sub}`), userAgent: "Safari" });
    return { user, otp, phone };
  }

  async function events(user: UserKey, event: string) {
    return db.selectFrom("audit_events").selectAll().where("sub", "=", user.sub).where("event", "=", event).execute();
  }

  describe("show", () => {
    it("lists factors, recovery codes, devices and events without secrets or hashes", async () => {
      const { user, otp, phone } = await enrolledUser();
      const r = await showUser(db, user, CLI);
      if (!r.ok) throw new Error(r.message);
      expect(r.value.factors.map((f) => [f.id, f.factor, f.status])).toEqual([
        [otp, "otp", "active"],
        [phone, "phone", "active"],
      ]);
      expect(r.value.factors[1]!.destination).toBe("+447700900123");
      expect(r.value.recoveryCodes).toEqual({ remaining: 10, issued: 10 });
      expect(r.value.devices.map((d) => d.userAgent).sort()).toEqual(["Firefox", "Safari"]);
      expect(r.value.devices.find((d) => d.userAgent === "Firefox")!.rememberedUntil).not.toBeNull();
      const json = JSON.stringify(r.value);
      expect(json).not.toContain("sealed-secret-ciphertext");
      expect(json).not.toContain(deviceTokenHash(env.keys, `laptop-${user.sub}`));
    });

    it("shows a disabled factor as disabled", async () => {
      const { user, otp } = await enrolledUser();
      await setFactorEnabled(db, user, otp, false, CLI);
      const r = await showUser(db, user, CLI);
      expect(r.ok && r.value.factors.find((f) => f.id === otp)).toMatchObject({ status: "disabled", disabledAt: expect.any(String) });
    });

    it(`returns the latest ${RECENT_EVENTS} audit events, newest first`, async () => {
      const user = newUser();
      const base = Date.now() - 1_000_000;
      await db
        .insertInto("audit_events")
        .values(
          Array.from({ length: 60 }, (_, i) => ({
            at: base + i * 1000,
            tenant: user.tenant,
            sub: user.sub,
            flow_id: null,
            event: `e.${i}`,
            factor: null,
            outcome: null,
            ip: null,
            user_agent: null,
            detail: null,
          })),
        )
        .execute();
      const r = await showUser(db, user, CLI);
      if (!r.ok) throw new Error(r.message);
      expect(r.value.events).toHaveLength(RECENT_EVENTS);
      expect(r.value.events[0]!.event).toBe("e.59");
      expect(r.value.events.at(-1)!.event).toBe("e.10");
      expect(r.value.events[0]!.at).toBe(new Date(base + 59_000).toISOString());
    });

    it("records the look as admin.viewed, with the actor", async () => {
      const { user } = await enrolledUser();
      await showUser(db, user, API);
      const [row] = await events(user, "admin.viewed");
      expect(row).toMatchObject({ tenant: HOST, outcome: "success", ip: "198.51.100.7", user_agent: "curl/8.5.0" });
      expect(JSON.parse(row!.detail!)).toEqual({ actor: "api" });
    });

    it("reports an unknown user without writing anything about them", async () => {
      const user = newUser();
      expect(await showUser(db, user, CLI)).toMatchObject({ ok: false, error: "user_not_found" });
      expect(await db.selectFrom("audit_events").select("id").where("sub", "=", user.sub).execute()).toEqual([]);
    });

    it("keeps users of different tenants apart", async () => {
      const { user } = await enrolledUser();
      expect(await showUser(db, { tenant: "other.eu.auth0.com", sub: user.sub }, CLI)).toMatchObject({ ok: false, error: "user_not_found" });
    });
  });

  describe("reset", () => {
    it("removes every factor and recovery code and revokes every device", async () => {
      const { user } = await enrolledUser();
      const r = await resetUser(db, user, CLI);
      expect(r).toEqual({ ok: true, value: { tenant: HOST, sub: user.sub, factorsRemoved: 2, recoveryCodesRemoved: 10, devicesRevoked: 2, auth0Revoked: [] } });
      expect(await listActive(db, user)).toEqual([]);
      expect(await db.selectFrom("authenticators").select("id").where("sub", "=", user.sub).execute()).toEqual([]);
      expect(await remainingRecoveryCodes(db, user)).toBe(0);
      expect(await listDevices(db, user)).toEqual([]);
      // Device rows stay, revoked, for the record.
      const devices = await db.selectFrom("devices").select(["revoked_at", "remembered_until"]).where("sub", "=", user.sub).execute();
      expect(devices).toHaveLength(2);
      for (const d of devices) expect(d).toMatchObject({ revoked_at: expect.any(Number), remembered_until: null });
    });

    it("records admin.reset with what was removed and who did it", async () => {
      const { user } = await enrolledUser();
      await resetUser(db, user, API);
      const [row] = await events(user, "admin.reset");
      expect(row).toMatchObject({ outcome: "success", ip: "198.51.100.7" });
      expect(JSON.parse(row!.detail!)).toEqual({ actor: "api", factorsRemoved: ["otp", "phone"], recoveryCodesRemoved: 10, devicesRevoked: 2 });
    });

    it("leaves other users untouched", async () => {
      const a = await enrolledUser();
      const b = await enrolledUser();
      await resetUser(db, a.user, CLI);
      expect(await listActive(db, b.user)).toHaveLength(2);
      expect(await remainingRecoveryCodes(db, b.user)).toBe(10);
      expect(await listDevices(db, b.user)).toHaveLength(2);
    });

    it("can be shown and repeated afterwards: the user is still known, with nothing left", async () => {
      const { user } = await enrolledUser();
      await resetUser(db, user, CLI);
      const shown = await showUser(db, user, CLI);
      expect(shown.ok && shown.value).toMatchObject({ factors: [], devices: [], recoveryCodes: { remaining: 0, issued: 0 } });
      expect(shown.ok && shown.value.events[0]!.event).toBe("admin.reset");
      expect(await resetUser(db, user, CLI)).toMatchObject({ ok: true, value: { factorsRemoved: 0, recoveryCodesRemoved: 0, devicesRevoked: 0 } });
    });

    it("refuses an unknown user", async () => {
      expect(await resetUser(db, newUser(), CLI)).toMatchObject({ ok: false, error: "user_not_found" });
    });
  });

  describe("disable and enable", () => {
    it("disabling stops a factor being offered; enabling brings it back with a fresh failure count", async () => {
      const { user, otp } = await enrolledUser();
      await db.updateTable("authenticators").set({ failure_count: MAX_CONSECUTIVE_FAILURES, disabled_at: 5 }).where("id", "=", otp).execute();
      await db.updateTable("authenticators").set({ disabled_at: null }).where("id", "=", otp).execute();

      const off = await setFactorEnabled(db, user, otp, false, CLI, 123_456);
      expect(off).toMatchObject({ ok: true, value: { changed: true, authenticator: { id: otp, status: "disabled", disabledAt: new Date(123_456).toISOString() } } });
      expect((await listActive(db, user)).map((a) => a.factor)).toEqual(["phone"]);

      const on = await setFactorEnabled(db, user, otp, true, CLI);
      expect(on).toMatchObject({ ok: true, value: { changed: true, authenticator: { status: "active", failureCount: 0, disabledAt: null } } });
      expect((await listActive(db, user)).map((a) => a.factor)).toEqual(["otp", "phone"]);
    });

    it("enables a factor the failure cap disabled", async () => {
      const { user, otp } = await enrolledUser();
      await db.updateTable("authenticators").set({ failure_count: MAX_CONSECUTIVE_FAILURES, disabled_at: Date.now() }).where("id", "=", otp).execute();
      await setFactorEnabled(db, user, otp, true, CLI);
      const row = await db.selectFrom("authenticators").select(["failure_count", "disabled_at"]).where("id", "=", otp).executeTakeFirstOrThrow();
      expect(row).toEqual({ failure_count: 0, disabled_at: null });
    });

    it("records each change with the factor and actor, and a repeat as unchanged", async () => {
      const { user, phone } = await enrolledUser();
      await setFactorEnabled(db, user, phone, false, API, 1_000);
      const again = await setFactorEnabled(db, user, phone, false, CLI, 2_000);
      expect(again).toMatchObject({ ok: true, value: { changed: false, authenticator: { disabledAt: new Date(1_000).toISOString() } } });
      const rows = await events(user, "admin.factor_disabled");
      expect(rows.map((r) => [r.factor, r.outcome, JSON.parse(r.detail!).actor]).sort()).toEqual([
        ["phone", "success", "api"],
        ["phone", "unchanged", "cli"],
      ]);
      expect(JSON.parse(rows[0]!.detail!).authenticatorId).toBe(phone);
      await setFactorEnabled(db, user, phone, true, CLI);
      expect(await events(user, "admin.factor_enabled")).toMatchObject([{ factor: "phone", outcome: "success" }]);
    });

    it("threat: an authenticator id of another user cannot be disabled through this user", async () => {
      const victim = await enrolledUser();
      const other = await enrolledUser();
      expect(await setFactorEnabled(db, other.user, victim.otp, false, API)).toMatchObject({ ok: false, error: "authenticator_not_found" });
      expect(await listActive(db, victim.user)).toHaveLength(2);
    });

    it("refuses an unknown authenticator, an unknown user and a malformed id", async () => {
      const { user } = await enrolledUser();
      expect(await setFactorEnabled(db, user, crypto.randomUUID(), false, CLI)).toMatchObject({ ok: false, error: "authenticator_not_found" });
      expect(await setFactorEnabled(db, newUser(), crypto.randomUUID(), false, CLI)).toMatchObject({ ok: false, error: "user_not_found" });
      expect(await setFactorEnabled(db, user, "x' OR '1'='1", false, CLI)).toMatchObject({ ok: false, error: "invalid_authenticator_id" });
    });

    it("threat: racing disables record exactly one change", async () => {
      const { user, otp } = await enrolledUser();
      const results = await Promise.all(Array.from({ length: 10 }, () => setFactorEnabled(db, user, otp, false, API)));
      expect(results.filter((r) => r.ok && r.value.changed)).toHaveLength(1);
    });
  });
});

describe.each(BACKENDS)("unlock and revoke devices on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());
  const CONSOLE: Actor = { kind: "console", operator: "op@example.com", operatorSub: "auth0|op", reason: "locked out, identity checked" };
  const newUser = (): UserKey => ({ tenant: HOST, sub: `auth0|${crypto.randomUUID()}%_` });

  it("unlock enables a factor locked at the failure cap and empties the user's code pacing, and nothing else", async () => {
    const user = newUser();
    const other = newUser();
    const locked = await insertAuthenticator(db, user, { factor: "otp", label: "" });
    const disabled = await insertAuthenticator(db, user, { factor: "phone", label: "", destination: "+447700900123" });
    await db.updateTable("authenticators").set({ failure_count: MAX_CONSECUTIVE_FAILURES, disabled_at: 1 }).where("id", "=", locked).execute();
    await setFactorEnabled(db, user, disabled, false, CLI);
    const at = Date.now();
    await db
      .insertInto("attempts")
      .values([
        { bucket: `otp-failures:${user.tenant}|${user.sub}|otp`, at },
        { bucket: `otp-failures:${user.tenant}|${user.sub}|recovery-code`, at },
        // Another user whose id merely starts the same way keeps their pacing.
        { bucket: `otp-failures:${other.tenant}|${other.sub}|otp`, at },
        { bucket: `otp-failures:${user.tenant}|${user.sub}x|otp`, at },
      ])
      .execute();
    const r = await unlockUser(db, user, CONSOLE);
    expect(r).toEqual({ ok: true, value: { tenant: HOST, sub: user.sub, factorsUnlocked: [locked], failuresCleared: 2 } });
    expect((await listActive(db, user)).map((a) => a.id)).toEqual([locked]);
    expect(await db.selectFrom("attempts").select("bucket").where("bucket", "like", "otp-failures:%").where("at", "=", at).execute()).toHaveLength(2);
    const [event] = await db.selectFrom("audit_events").selectAll().where("sub", "=", user.sub).where("event", "=", "admin.unlocked").execute();
    expect(event).toMatchObject({ outcome: "success" });
    expect(JSON.parse(event!.detail!)).toMatchObject({ actor: "console", operator: "op@example.com", operatorSub: "auth0|op", reason: "locked out, identity checked" });
    // Again: nothing left to unlock.
    expect(await unlockUser(db, user, CONSOLE)).toMatchObject({ ok: true, value: { factorsUnlocked: [], failuresCleared: 0 } });
  });

  it("revoking devices forgets every remembered device of that user only", async () => {
    const user = newUser();
    const other = newUser();
    await recordDeviceMfa(db, user, { tokenHash: deviceTokenHash(env.keys, `a-${user.sub}`), userAgent: "Firefox", rememberDays: 30 });
    await recordDeviceMfa(db, other, { tokenHash: deviceTokenHash(env.keys, `b-${other.sub}`), userAgent: "Safari", rememberDays: 30 });
    expect(await revokeUserDevices(db, user, CONSOLE)).toEqual({ ok: true, value: { tenant: HOST, sub: user.sub, devicesRevoked: 1 } });
    expect(await listDevices(db, user)).toEqual([]);
    expect(await listDevices(db, other)).toHaveLength(1);
    const [event] = await db.selectFrom("audit_events").selectAll().where("sub", "=", user.sub).where("event", "=", "admin.devices_revoked").execute();
    expect(JSON.parse(event!.detail!)).toMatchObject({ operator: "op@example.com", reason: "locked out, identity checked", devicesRevoked: 1 });
  });

  it("threat: a console action audited without its operator — recovery and enrollment-link events name the operator and the reason too", async () => {
    const user = newUser();
    await insertAuthenticator(db, user, { factor: "otp", label: "" });
    const deps = { db, keys: env.keys, publicUrl: "https://mfa.example.com", budgets: new DbBudgetStore(db), notify: async () => {}, revoke: async () => {} };
    const ask = () => requestRecovery(deps, { user, email: "ada@example.com", deviceHash: "device", userAgent: null, ip: null, locale: "en", selfService: true, waitHours: 72 }, Date.now());
    const ops = { keys: env.keys, publicUrl: "https://mfa.example.com" };
    expect((await ask()).ok).toBe(true);
    expect(await approveRecovery(db, user, CONSOLE, CONSOLE.reason, ops)).toMatchObject({ ok: true });
    expect(await cancelRecovery(db, user, CONSOLE, CONSOLE.reason, ops)).toMatchObject({ ok: true });
    const settings = { keys: env.keys, publicUrl: new URL("https://mfa.example.com"), offered: ["otp" as const] };
    expect(await issueEnrollmentLink(db, user, { factor: "otp" }, CONSOLE, Date.now(), settings)).toMatchObject({ ok: true });
    expect(await revokeEnrollmentLinks(db, user, CONSOLE)).toMatchObject({ ok: true });
    const events = ["admin.recovery_approved", "admin.recovery_cancelled", "enroll_link.issued", "enroll_link.revoked"];
    const rows = await db.selectFrom("audit_events").selectAll().where("sub", "=", user.sub).where("event", "in", events).execute();
    expect(rows.map((r) => r.event).sort()).toEqual([...events].sort());
    for (const row of rows) expect(JSON.parse(row.detail!), row.event).toMatchObject({ actor: "console", operator: "op@example.com", operatorSub: "auth0|op", reason: "locked out, identity checked" });
  });

  it("both refuse a user Keystep has never seen", async () => {
    expect(await unlockUser(db, newUser(), CONSOLE)).toMatchObject({ ok: false, error: "user_not_found" });
    expect(await revokeUserDevices(db, newUser(), CONSOLE)).toMatchObject({ ok: false, error: "user_not_found" });
  });
});
