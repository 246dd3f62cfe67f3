import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, DeviceRow } from "@/lib/db/schema";
import type { UserKey } from "@/lib/factors/authenticators";
import type { KeyRing } from "@/lib/security/keys";

/**
 * The device cookie: `__Host-` (this origin only, Secure, Path=/), HttpOnly, 256 random bits.
 * One value per browser; rows bind it to each user who passed MFA in that browser.
 */
export const DEVICE_COOKIE = "__Host-keystep_device";

/** Only the keyed hash of the cookie value is stored, so the table alone cannot mint cookies. */
export const deviceTokenHash = (keys: KeyRing, token: string) => keys.hash("device-cookie", token);
/** The forms a device cookie's hash may be stored in (the current key, earlier keys, legacy). */
export const deviceTokenHashes = (keys: KeyRing, token: string) => keys.hashCandidates("device-cookie", token);
/**
 * The app-forwarded `device_id` (an anonymous id) is stored hashed too. It comes from the
 * /authorize query, which anyone can write, so it only ever narrows a cookie match.
 */
export const appDeviceHash = (keys: KeyRing, id: string) => keys.hash("app-device", id);
export const appDeviceHashes = (keys: KeyRing, id: string) => keys.hashCandidates("app-device", id);

/** What policy knows about this browser for this user. */
export interface DeviceStatus {
  /** This browser (its device cookie) passed MFA for this user before and was not revoked. */
  known: boolean;
  /** The user asked not to be asked again here, and that has not expired or been revoked. */
  remembered: boolean;
  lastMfaAt: number | null;
}

export const NEW_DEVICE: DeviceStatus = { known: false, remembered: false, lastMfaAt: null };

/**
 * Looks up the browser by its device cookie's keyed hash: only the HttpOnly cookie can match a
 * device. The app's device id never grants a match (it is attacker-writable); it narrows one: a
 * row that stored an app id does not match a request carrying a different one.
 */
export async function deviceStatus(
  db: Kysely<Database>,
  user: UserKey,
  ids: { tokenHash?: string | readonly string[] | null; appDeviceHash?: string | readonly string[] | null },
  now = Date.now(),
): Promise<DeviceStatus> {
  // Each may be one hash or every form it may be stored in (deviceTokenHashes, appDeviceHashes).
  const list = (v: string | readonly string[] | null | undefined) => (v === null || v === undefined ? [] : typeof v === "string" ? [v] : [...v]);
  const tokens = list(ids.tokenHash);
  if (tokens.length === 0) return NEW_DEVICE;
  const app = list(ids.appDeviceHash);
  const rows = await db
    .selectFrom("devices")
    .select(["last_mfa_at", "remembered_until"])
    .where("tenant", "=", user.tenant)
    .where("sub", "=", user.sub)
    .where("token_hash", "in", tokens)
    .where("revoked_at", "is", null)
    .$if(app.length > 0, (q) => q.where((eb) => eb.or([eb("app_device_hash", "is", null), eb("app_device_hash", "in", app)])))
    .execute();
  if (rows.length === 0) return NEW_DEVICE;
  const lastMfaAt = Math.max(...rows.map((r) => Number(r.last_mfa_at)));
  return { known: true, remembered: rows.some((r) => r.remembered_until !== null && Number(r.remembered_until) > now), lastMfaAt };
}

/**
 * Moves this browser's row, stored under an earlier key (or before key ids), to the current key's
 * hash, so "remember this device" outlives the earlier key. One row, and only while none holds the
 * current hash already; a parallel entry that moved it first wins (the unique index refuses ours).
 */
export async function rehashDevice(db: Kysely<Database>, user: UserKey, hashes: readonly string[], current: string): Promise<boolean> {
  const stale = hashes.filter((h) => h !== current);
  if (stale.length === 0) return false;
  try {
    const res = await db
      .updateTable("devices")
      .set({ token_hash: current })
      .where("id", "=", (eb) =>
        eb.selectFrom("devices").select("id").where("tenant", "=", user.tenant).where("sub", "=", user.sub).where("token_hash", "in", stale).orderBy("last_mfa_at", "desc").limit(1),
      )
      .where((eb) => eb.not(eb.exists(eb.selectFrom("devices as d").select("d.id").where("d.tenant", "=", user.tenant).where("d.sub", "=", user.sub).where("d.token_hash", "=", current))))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  } catch {
    return false;
  }
}

/** Records that this browser passed MFA for the user; `rememberDays` > 0 also remembers it. */
export async function recordDeviceMfa(
  db: Kysely<Database>,
  user: UserKey,
  input: { tokenHash: string; appDeviceHash?: string | null; userAgent?: string | null; rememberDays?: number },
  now = Date.now(),
): Promise<void> {
  const rememberedUntil = input.rememberDays && input.rememberDays > 0 ? now + input.rememberDays * 86_400_000 : null;
  await db
    .insertInto("devices")
    .values({
      id: crypto.randomUUID(),
      token_hash: input.tokenHash,
      tenant: user.tenant,
      sub: user.sub,
      app_device_hash: input.appDeviceHash ?? null,
      user_agent: input.userAgent?.slice(0, 300) ?? null,
      created_at: now,
      last_mfa_at: now,
      remembered_until: rememberedUntil,
      revoked_at: null,
    })
    .onConflict((oc) =>
      oc.columns(["token_hash", "tenant", "sub"]).doUpdateSet((eb) => ({
        last_mfa_at: now,
        revoked_at: null,
        user_agent: input.userAgent?.slice(0, 300) ?? null,
        // A stored app id is never overwritten (a lured login must not re-point it); an empty one
        // takes the first the app sends, which from then on narrows this cookie's matches.
        ...(input.appDeviceHash ? { app_device_hash: eb.fn.coalesce(eb.ref("devices.app_device_hash"), eb.val(input.appDeviceHash)) } : {}),
        // Ticking the box again extends; not ticking it leaves an earlier choice as it was.
        ...(rememberedUntil ? { remembered_until: rememberedUntil } : {}),
      })),
    )
    .execute();
}

/** The user's devices that are not revoked, newest MFA first. */
export async function listDevices(db: Kysely<Database>, user: UserKey): Promise<DeviceRow[]> {
  return db.selectFrom("devices").selectAll().where("tenant", "=", user.tenant).where("sub", "=", user.sub).where("revoked_at", "is", null).orderBy("last_mfa_at", "desc").execute();
}

/**
 * Forgets every device of the user (a factor was removed, the user asked, or support reset them).
 * Rows stay, revoked, for the audit trail. Returns how many were revoked.
 */
export async function revokeDevices(db: Kysely<Database>, user: UserKey, now = Date.now()): Promise<number> {
  const res = await db
    .updateTable("devices")
    .set({ revoked_at: now, remembered_until: null })
    .where("tenant", "=", user.tenant)
    .where("sub", "=", user.sub)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
