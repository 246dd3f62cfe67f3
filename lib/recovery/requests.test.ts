import crypto from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { insertAuthenticator, listActive } from "@/lib/factors/authenticators";
import { issueRecoveryCodes, remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { DbBudgetStore } from "@/lib/security/budgets";
import { BACKENDS, env } from "@/lib/test/databases";
import {
  approveRequest,
  cancelByToken,
  cancelForUser,
  completeRecovery,
  openRequest,
  purgeRecoveryRequests,
  READY_FOR_MS,
  RECOVERY_BUDGETS,
  type RecoveryDeps,
  type RecoveryNotice,
  requestRecovery,
  RESTORE_GRACE_MS,
  restoreFactors,
  sendReminders,
  standing,
} from "./requests";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const DEVICE = "device-hash-of-the-requesting-browser";
const OTHER_DEVICE = "device-hash-of-another-browser";

describe.each(BACKENDS)("self-service recovery requests ($name)", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  let notices: RecoveryNotice[];
  let revoked: Array<{ sub: string; cause: string }>;
  let deps: RecoveryDeps;
  let user: { tenant: string; sub: string };

  beforeEach(async () => {
    ({ db, close } = await backend.open());
    notices = [];
    revoked = [];
    deps = {
      db,
      keys: env.keys,
      publicUrl: "https://mfa.example.com",
      budgets: new DbBudgetStore(db),
      notify: async (n) => {
        notices.push(n);
      },
      revoke: async (u, cause) => {
        revoked.push({ sub: u.sub, cause });
      },
    };
    user = { tenant: "tenant.eu.auth0.com", sub: `auth0|${crypto.randomUUID()}` };
  });
  afterEach(async () => close());

  const ask = (over: Partial<Parameters<typeof requestRecovery>[1]> = {}, now = T0) =>
    requestRecovery(deps, { user, email: "ada@example.com", deviceHash: DEVICE, userAgent: "Firefox", ip: "203.0.113.9", locale: "en", selfService: true, waitHours: 72, ...over }, now);
  const tokenOf = (link: string | undefined) => new URL(link ?? "").pathname.split("/").at(-1) ?? "";

  it("a verified request grants nothing yet: it waits 72 hours, and the start notice carries a one-click cancel link", async () => {
    const r = await ask();
    expect(r).toEqual({ ok: true, id: expect.any(String), readyAt: T0 + 72 * HOUR });
    expect(notices).toEqual([
      { kind: "started", user, email: "ada@example.com", locale: "en", readyAt: T0 + 72 * HOUR, link: expect.stringMatching(/^https:\/\/mfa\.example\.com\/recovery\/cancel\/[\w-]{40,}$/) },
    ]);
    expect(await standing(db, env.keys, user, DEVICE, T0 + 71 * HOUR)).toEqual({ kind: "waiting", id: expect.any(String), readyAt: T0 + 72 * HOUR });
    expect(await standing(db, env.keys, user, DEVICE, T0 + 72 * HOUR)).toEqual({ kind: "ready", id: expect.any(String), readyAt: T0 + 72 * HOUR });
    // Only a keyed hash of the token is stored.
    const row = await db.selectFrom("recovery_requests").selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(tokenOf(notices[0]?.link));
  });

  it("the wait is the policy's: a rule may make it longer", async () => {
    const r = await ask({ waitHours: 240 });
    expect(r.ok && r.readyAt).toBe(T0 + 240 * HOUR);
  });

  it("is refused, with a reason for each, when policy turns it off, the browser has no device cookie or the user no verified email", async () => {
    expect(await ask({ selfService: false })).toEqual({ ok: false, reason: "self_service_off" });
    expect(await ask({ deviceHash: undefined })).toEqual({ ok: false, reason: "no_device" });
    expect(await ask({ email: null })).toEqual({ ok: false, reason: "no_email" });
    expect(await db.selectFrom("recovery_requests").selectAll().execute()).toEqual([]);
    expect(notices).toEqual([]);
  });

  it("one open request per user, checked first and enforced by the database", async () => {
    expect((await ask()).ok).toBe(true);
    expect(await ask({}, T0 + HOUR)).toEqual({ ok: false, reason: "open_request" });
    const row = await db.selectFrom("recovery_requests").selectAll().executeTakeFirstOrThrow();
    // A racing second insert (past the check) hits the partial unique index.
    await expect(
      db
        .insertInto("recovery_requests")
        .values({ ...row, id: crypto.randomUUID() })
        .execute(),
    ).rejects.toThrow();
    // A closed request does not count.
    await cancelForUser(deps, user, "support", T0 + 2 * HOUR);
    expect((await ask({}, T0 + 3 * HOUR)).ok).toBe(true);
  });

  it("a budget per user and per IP, each refusal named", async () => {
    for (let i = 0; i < RECOVERY_BUDGETS.perUser; i++) {
      expect((await ask({}, T0 + i * 1000)).ok).toBe(true);
      await cancelForUser(deps, user, "support", T0 + i * 1000 + 1);
    }
    const refused = await ask({}, T0 + 10_000);
    expect(refused).toMatchObject({ ok: false, reason: "budget_user" });
    expect(refused.ok === false && refused.retryAfterMs).toBeGreaterThan(0);
    // Another user from the same address spends the IP budget.
    let reason: string | undefined;
    for (let i = 0; i < RECOVERY_BUDGETS.perIp + 1 && !reason; i++) {
      user = { tenant: user.tenant, sub: `auth0|ip-${i}-${crypto.randomUUID()}` };
      const r = await ask({ ip: "198.51.100.7" }, T0 + 20_000 + i);
      if (!r.ok) reason = r.reason;
    }
    expect(reason).toBe("budget_ip");
  });

  it("a request, its notices and a cancel link that stops it (a second click says it is closed)", async () => {
    await ask();
    const token = tokenOf(notices[0]?.link);
    expect(await cancelByToken(deps, token, T0 + HOUR)).toBe("cancelled");
    expect(notices.map((n) => n.kind)).toEqual(["started", "cancelled"]);
    expect(await openRequest(db, user, T0 + HOUR)).toBeNull();
    expect(await cancelByToken(deps, token, T0 + 2 * HOUR)).toBe("closed");
    expect(await cancelByToken(deps, "not-a-token", T0)).toBe("unknown");
    expect(await cancelByToken(deps, crypto.randomBytes(32).toString("base64url"), T0)).toBe("unknown");
    // A cancelled request never completes, even after the wait.
    expect(await completeRecovery(deps, { user, deviceHash: DEVICE, keep: [] }, T0 + 100 * HOUR)).toEqual({ ok: false, reason: "no_request" });
    const audit = await db.selectFrom("audit_events").select(["event", "outcome"]).where("sub", "=", user.sub).orderBy("id").execute();
    expect(audit.map((a) => a.event)).toEqual(["recovery.requested", "recovery.cancelled"]);
  });

  it("a sign-in with an old factor cancels the open request", async () => {
    await ask();
    expect(await cancelForUser(deps, user, "signed_in", T0 + 5 * HOUR)).toBe(true);
    const row = await db.selectFrom("recovery_requests").selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "cancelled", cancel_reason: "signed_in" });
    expect(Number(row.cancelled_at)).toBe(T0 + 5 * HOUR);
    expect(await cancelForUser(deps, user, "signed_in", T0 + 6 * HOUR)).toBe(false);
  });

  it("the 'ends soon' notice goes once, a day before the end, with a cancel link of its own that works", async () => {
    await ask();
    expect(await sendReminders(deps, T0 + 47 * HOUR)).toBe(0);
    expect(await sendReminders(deps, T0 + 48 * HOUR)).toBe(1);
    expect(await sendReminders(deps, T0 + 49 * HOUR)).toBe(0);
    const reminder = notices.find((n) => n.kind === "reminder");
    expect(reminder?.link).toMatch(/\/recovery\/cancel\//);
    expect(reminder?.link).not.toBe(notices[0]?.link);
    expect(await cancelByToken(deps, tokenOf(reminder?.link), T0 + 50 * HOUR)).toBe("cancelled");
  });

  it("a request that completes after the wait: old factors disabled, new one kept, Auth0 revoked, a restore link that works once", async () => {
    const otp = await insertAuthenticator(db, user, { factor: "otp", label: "" }, T0 - DAY);
    const phone = await insertAuthenticator(db, user, { factor: "phone", label: "", destination: "+447700900123" }, T0 - DAY);
    await issueRecoveryCodes(db, env.keys, user, T0 - DAY);
    await ask();
    expect(await completeRecovery(deps, { user, deviceHash: DEVICE, keep: [] }, T0 + 71 * HOUR)).toEqual({ ok: false, reason: "waiting" });
    const fresh = await insertAuthenticator(db, user, { factor: "webauthn-platform", label: "" }, T0 + 72 * HOUR);
    expect(await completeRecovery(deps, { user, deviceHash: DEVICE, keep: [fresh] }, T0 + 72 * HOUR)).toEqual({ ok: true, disabled: 2 });
    expect((await listActive(db, user)).map((a) => a.id)).toEqual([fresh]);
    expect(await remainingRecoveryCodes(db, user)).toBe(0);
    expect(revoked).toEqual([{ sub: user.sub, cause: "recovery_completed" }]);
    const done = notices.find((n) => n.kind === "completed");
    expect(done?.link).toMatch(/^https:\/\/mfa\.example\.com\/recovery\/restore\/[\w-]{40,}$/);
    expect(await openRequest(db, user, T0 + 72 * HOUR)).toBeNull();

    const token = tokenOf(done?.link);
    // The completion's own new codes (issued after it, as the flow does) go with the undo.
    await issueRecoveryCodes(db, env.keys, user, T0 + 72 * HOUR);
    expect(await restoreFactors(deps, token, T0 + 80 * HOUR)).toEqual({ ok: true, restored: 2 });
    // Undone: the old factors are back, what the recovery added is off, and sessions end again.
    expect((await listActive(db, user)).map((a) => a.id).sort()).toEqual([otp, phone].sort());
    expect(await remainingRecoveryCodes(db, user)).toBe(0);
    expect(revoked).toEqual([
      { sub: user.sub, cause: "recovery_completed" },
      { sub: user.sub, cause: "recovery_restored" },
    ]);
    expect(await restoreFactors(deps, token, T0 + 81 * HOUR)).toEqual({ ok: false });
  });

  it("the restore link ends with its grace period", async () => {
    await insertAuthenticator(db, user, { factor: "otp", label: "" }, T0 - DAY);
    await ask();
    await approveRequest(deps, user, "cli", "verified by phone call", T0 + HOUR);
    await completeRecovery(deps, { user, deviceHash: DEVICE, keep: [] }, T0 + HOUR);
    const token = tokenOf(notices.find((n) => n.kind === "completed")?.link);
    expect(await restoreFactors(deps, token, T0 + HOUR + RESTORE_GRACE_MS)).toEqual({ ok: false });
    expect(await listActive(db, user)).toEqual([]);
  });

  it("support approves (shortens the wait), audited with who and why", async () => {
    await ask();
    const approved = await approveRequest(deps, user, "cli", "ID checked at the desk", T0 + HOUR);
    expect(approved).toMatchObject({ status: "ready", approved_by: "cli", approve_reason: "ID checked at the desk" });
    expect(await standing(db, env.keys, user, DEVICE, T0 + HOUR)).toMatchObject({ kind: "ready" });
    const row = await db.selectFrom("audit_events").select(["event", "detail"]).where("event", "=", "recovery.approved").executeTakeFirstOrThrow();
    expect(JSON.parse(row.detail ?? "{}")).toMatchObject({ actor: "cli", reason: "ID checked at the desk" });
    expect(await approveRequest(deps, { ...user, sub: "auth0|nobody" }, "cli", "x", T0)).toBeNull();
  });

  it("threat: a recovery request from another device cannot be completed, nor its date learnt, from another browser", async () => {
    await insertAuthenticator(db, user, { factor: "otp", label: "" }, T0 - DAY);
    await ask();
    // Even after the wait, and even once support approved it.
    await approveRequest(deps, user, "cli", "approved", T0 + HOUR);
    expect(await standing(db, env.keys, user, OTHER_DEVICE, T0 + 80 * HOUR)).toEqual({ kind: "elsewhere" });
    expect(await standing(db, env.keys, user, undefined, T0 + 80 * HOUR)).toEqual({ kind: "elsewhere" });
    expect(await completeRecovery(deps, { user, deviceHash: OTHER_DEVICE, keep: [] }, T0 + 80 * HOUR)).toEqual({ ok: false, reason: "other_device" });
    expect(await completeRecovery(deps, { user, deviceHash: undefined, keep: [] }, T0 + 80 * HOUR)).toEqual({ ok: false, reason: "other_device" });
    expect(await listActive(db, user)).toHaveLength(1);
    expect(revoked).toEqual([]);
    expect((await openRequest(db, user, T0 + 80 * HOUR))?.status).toBe("ready");
    // Another browser cannot open a second request over it either.
    expect(await ask({ deviceHash: OTHER_DEVICE }, T0 + 80 * HOUR)).toEqual({ ok: false, reason: "open_request" });
  });

  it("a request made before a key rotation is still finished from its browser: the flow carries the cookie's hash under every key", async () => {
    await insertAuthenticator(db, user, { factor: "otp", label: "" }, T0 - DAY);
    await ask();
    // After a rotation the flow's current hash differs; the old key's form is among its candidates.
    const afterRotation = ["k2$the-same-cookie-under-the-new-key", DEVICE];
    expect(await standing(db, env.keys, user, afterRotation, T0 + 80 * HOUR)).toMatchObject({ kind: "ready" });
    expect(await standing(db, env.keys, user, ["k2$another-browser", OTHER_DEVICE], T0 + 80 * HOUR)).toEqual({ kind: "elsewhere" });
    expect(await completeRecovery(deps, { user, deviceHash: afterRotation, keep: [] }, T0 + 80 * HOUR)).toEqual({ ok: true, disabled: 1 });
  });

  it("a ripe request left unfinished expires, and old closed requests are purged", async () => {
    await ask();
    expect(await openRequest(db, user, T0 + 72 * HOUR + READY_FOR_MS)).toBeNull();
    expect((await db.selectFrom("recovery_requests").select("status").executeTakeFirstOrThrow()).status).toBe("expired");
    expect(await purgeRecoveryRequests(db, T0 + 80 * DAY)).toBe(0);
    expect(await purgeRecoveryRequests(db, T0 + 91 * DAY)).toBe(1);
  });
});

const DAY = 24 * HOUR;
