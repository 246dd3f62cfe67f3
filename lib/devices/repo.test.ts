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

  const user = () => ({ host: "tenant.eu.auth0.com", sub: `auth0|${crypto.randomUUID()}` });
  const token = () => deviceTokenHash(env.secret, crypto.randomBytes(32).toString("base64url"));

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
    const stored = deviceTokenHash(env.secret, cookie);
    await recordDeviceMfa(db, u, { tokenHash: stored, rememberDays: 30 });
    // Presenting the stored hash as if it were the cookie hashes again and finds nothing.
    expect((await deviceStatus(db, u, { tokenHash: deviceTokenHash(env.secret, stored) })).known).toBe(false);
    expect((await deviceStatus(db, u, { tokenHash: deviceTokenHash(env.secret, cookie) })).remembered).toBe(true);
  });

  it("the app's forwarded device id is an additional signal", async () => {
    const u = user();
    const app = appDeviceHash(env.secret, "app-device-1");
    await recordDeviceMfa(db, u, { tokenHash: token(), appDeviceHash: app, rememberDays: 30 });
    // A new browser cookie (e.g. cleared cookies) but the same app-side device id.
    expect((await deviceStatus(db, u, { tokenHash: token(), appDeviceHash: app })).remembered).toBe(true);
    expect((await deviceStatus(db, u, { tokenHash: token(), appDeviceHash: appDeviceHash(env.secret, "other") })).known).toBe(false);
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
