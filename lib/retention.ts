import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { purgeExpiredFlows } from "@/lib/flow/repo";
import { purgeOldLinks } from "@/lib/enrollment-links";
import { purgeRecoveryRequests } from "@/lib/recovery/requests";

const DAY = 86_400_000;
/** The longest window any budget or failure count uses (a daily send cap): older spends never count again. */
const LONGEST_BUDGET_WINDOW_MS = DAY;
/** A device the user or support revoked stays visible to support this long, then goes. */
const REVOKED_DEVICE_KEEP_MS = 30 * DAY;

export interface Purged {
  flows: number;
  attempts: number;
  auditEvents: number;
  devices: number;
  enrollmentLinks: number;
  recoveryRequests: number;
}

/**
 * What Keystep keeps, and for how long, so no table grows forever (run at boot and every 15
 * minutes, lib/boot.ts):
 * - flows, with their codes and links, an hour after they expire;
 * - budget and failure-count spends once older than twice the longest window (a bucket that is
 *   never used again is not pruned by its own spends);
 * - audit events older than `auditRetentionDays` (0 keeps them);
 * - enrollment links 30 days after they expired, were used or were revoked;
 * - devices revoked more than 30 days ago, and devices that have not passed MFA within
 *   `auditRetentionDays` and are not remembered;
 * - recovery requests closed more than 90 days ago and past their restore window; a ripe request
 *   left unfinished for 7 days expires (lib/recovery/requests.ts).
 */
export async function purgeExpired(db: Kysely<Database>, opts: { auditRetentionDays: number; now?: number }): Promise<Purged> {
  const now = opts.now ?? Date.now();
  const flows = await purgeExpiredFlows(db, now);
  const attempts = Number(
    (
      await db
        .deleteFrom("attempts")
        .where("at", "<", now - 2 * LONGEST_BUDGET_WINDOW_MS)
        .executeTakeFirst()
    ).numDeletedRows,
  );
  let auditEvents = 0;
  let devices = Number(
    (
      await db
        .deleteFrom("devices")
        .where("revoked_at", "<", now - REVOKED_DEVICE_KEEP_MS)
        .executeTakeFirst()
    ).numDeletedRows,
  );
  if (opts.auditRetentionDays > 0) {
    const cutoff = now - opts.auditRetentionDays * DAY;
    auditEvents = Number((await db.deleteFrom("audit_events").where("at", "<", cutoff).executeTakeFirst()).numDeletedRows);
    devices += Number(
      (
        await db
          .deleteFrom("devices")
          .where("last_mfa_at", "<", cutoff)
          .where((eb) => eb.or([eb("remembered_until", "is", null), eb("remembered_until", "<", now)]))
          .executeTakeFirst()
      ).numDeletedRows,
    );
  }
  const enrollmentLinks = await purgeOldLinks(db, now, REVOKED_DEVICE_KEEP_MS);
  const recoveryRequests = await purgeRecoveryRequests(db, now);
  return { flows, attempts, auditEvents, devices, enrollmentLinks, recoveryRequests };
}
