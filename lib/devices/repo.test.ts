import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { BACKENDS, env } from "@/lib/test/databases";
import { appDeviceHash, deviceStatus, deviceTokenHash, NEW_DEVICE, recordDeviceMfa, revokeDevices } from "./repo";

const DAY = 86_400_000;

describe.each(BACKENDS)("remembered devices on $name", (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await backend.open()));
  afterAll(() => close());

  const user = () => ({ tenant: "tenant.eu.auth0.com", sub: `auth0|${crypto.randomUUID()}` });
  const token = () => deviceTokenHash(env.keys, crypto.randomBytes(32).toString("base64url"));

  it("a browser that passed MFA is known; only a ticked box makes it remembered, until it expires", async () => {
    const u = user();
    const t = token();
    const now = Date.now();
    expect(await deviceStatus(db, u, { tokenHash: t }, now)).toEqual(NEW_DEVICE);
    await recordDeviceMfa(db, u, { tokenHash: t }, now);
    expect(await deviceStatus(db, u, { tokenHash: t }, now)).toEqual({ known: true, remembered: false, lastMfaAt: now });
    await recordDeviceMfa(db, u, { tokenHash: t, rememberDays: 7 }, now + 1000);
    expect((await deviceStatus(db, u, { tokenHash: t }, now + 1000)).remembered).toBe(true);
    expect((await deviceStatus(db, u, { tokenHash: t }, now + 7 * DAY + 1001)).remembered).toBe(false);
    // A later MFA without the box keeps the earlier choice rather than clearing it.
    await recordDeviceMfa(db, u, { tokenHash: t }, now + 2000);
    expect((await deviceStatus(db, u, { tokenHash: t }, now + 3000)).remembered).toBe(true);
  });

  it("threat: a device cookie remembered for one user does not skip MFA for another", async () => {
    const alice = user();
    const mallory = user();
    const t = token();
    await recordDeviceMfa(db, alice, { tokenHash: t, rememberDays: 30 });
    expect(await deviceStatus(db, mallory, { tokenHash: t })).toEqual(NEW_DEVICE);
  });

  it("threat: a guessed or stolen-from-the-table value is not a cookie: only the keyed hash of the cookie matches", async () => {
    const u = user();
    const cookie = crypto.randomBytes(32).toString("base64url");
    const stored = deviceTokenHash(env.keys, cookie);
    await recordDeviceMfa(db, u, { tokenHash: stored, rememberDays: 30 });
    // Presenting the stored hash as if it were the cookie hashes again and finds nothing.
    expect((await deviceStatus(db, u, { tokenHash: deviceTokenHash(env.keys, stored) })).known).toBe(false);
    expect((await deviceStatus(db, u, { tokenHash: deviceTokenHash(env.keys, cookie) })).remembered).toBe(true);
  });

  it("threat: a planted device_id skips MFA", async () => {
    // Threat: device_id comes from the /authorize query, which anyone writes. A victim lured
    // through device_id=K who ticks "Don't ask again" used to let every browser sending K skip MFA,
    // and a later login with K overwrote the victim's stored app id.
    // Defence: only the HttpOnly device cookie's keyed hash matches a device; the app's id can
    // narrow a match but never grants one, and a stored app id is never overwritten.
    const victim = user();
    const planted = appDeviceHash(env.keys, "K");
    const victimCookie = token();
    await recordDeviceMfa(db, victim, { tokenHash: victimCookie, appDeviceHash: planted, rememberDays: 30 });
    // The attacker's browser: no cookie (entry passes none for a fresh browser) or its own cookie.
    expect(await deviceStatus(db, victim, { tokenHash: null, appDeviceHash: planted })).toEqual(NEW_DEVICE);
    expect(await deviceStatus(db, victim, { tokenHash: token(), appDeviceHash: planted })).toEqual(NEW_DEVICE);
    // The victim's own browser is still remembered, with or without the app's id.
    expect((await deviceStatus(db, victim, { tokenHash: victimCookie, appDeviceHash: planted })).remembered).toBe(true);
    expect((await deviceStatus(db, victim, { tokenHash: victimCookie })).remembered).toBe(true);
    // A stored app id is never overwritten by a later login that sends another one…
    await recordDeviceMfa(db, victim, { tokenHash: victimCookie, appDeviceHash: appDeviceHash(env.keys, "attacker-chosen") });
    const row = await db.selectFrom("devices").select("app_device_hash").where("token_hash", "=", victimCookie).where("sub", "=", victim.sub).executeTakeFirstOrThrow();
    expect(row.app_device_hash).toBe(planted);
  });

  it("the app's forwarded device id narrows a cookie match but never grants one", async () => {
    const u = user();
    const cookie = token();
    const app = appDeviceHash(env.keys, "app-device-1");
    await recordDeviceMfa(db, u, { tokenHash: cookie, appDeviceHash: app, rememberDays: 30 });
    // A new browser cookie (e.g. cleared cookies) with the same app-side device id is a new device.
    expect((await deviceStatus(db, u, { tokenHash: token(), appDeviceHash: app })).known).toBe(false);
    // The cookie matches, but the app says this is another device (a copied cookie): no match.
    expect((await deviceStatus(db, u, { tokenHash: cookie, appDeviceHash: appDeviceHash(env.keys, "other") })).known).toBe(false);
    expect((await deviceStatus(db, u, { tokenHash: cookie, appDeviceHash: app })).remembered).toBe(true);
    // A row recorded without an app id is matched by its cookie whatever the app sends, and
    // takes the first app id it sees.
    const bare = token();
    await recordDeviceMfa(db, u, { tokenHash: bare, rememberDays: 30 });
    expect((await deviceStatus(db, u, { tokenHash: bare, appDeviceHash: app })).remembered).toBe(true);
    await recordDeviceMfa(db, u, { tokenHash: bare, appDeviceHash: app });
    expect((await deviceStatus(db, u, { tokenHash: bare, appDeviceHash: appDeviceHash(env.keys, "other") })).known).toBe(false);
  });

  it("revoking forgets every device of the user, and only theirs", async () => {
    const u = user();
    const other = user();
    const [t1, t2] = [token(), token()];
    await recordDeviceMfa(db, u, { tokenHash: t1, rememberDays: 30 });
    await recordDeviceMfa(db, u, { tokenHash: t2, rememberDays: 30 });
    await recordDeviceMfa(db, other, { tokenHash: t1, rememberDays: 30 });
    expect(await revokeDevices(db, u)).toBe(2);
    expect(await deviceStatus(db, u, { tokenHash: t1 })).toEqual(NEW_DEVICE);
    expect((await deviceStatus(db, other, { tokenHash: t1 })).remembered).toBe(true);
    // Passing MFA again re-activates the row, but not the remembering.
    await recordDeviceMfa(db, u, { tokenHash: t1 });
    expect(await deviceStatus(db, u, { tokenHash: t1 })).toMatchObject({ known: true, remembered: false });
  });
});
