import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { BACKENDS, newFlowCtx } from "@/lib/test/databases";
import { purgeExpired } from "./retention";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 4);

async function device(db: Kysely<Database>, name: string, o: { lastMfaAt: number; rememberedUntil?: number | null; revokedAt?: number | null }) {
  await db
    .insertInto("devices")
    .values({
      id: name,
      token_hash: crypto.randomUUID(),
      tenant: "t",
      sub: "auth0|1",
      app_device_hash: null,
      user_agent: null,
      created_at: o.lastMfaAt,
      last_mfa_at: o.lastMfaAt,
      remembered_until: o.rememberedUntil ?? null,
      revoked_at: o.revokedAt ?? null,
    })
    .execute();
}

describe.each(BACKENDS)("retention ($name)", (backend) => {
  it("no table grows forever: old spends, audit events past retention, stale devices and expired flows go; what still counts stays", async () => {
    const { db, close } = await backend.open();
    try {
      await db
        .insertInto("attempts")
        .values([
          { bucket: "sms:ip:198.51.100.1", at: NOW - 3 * DAY },
          { bucket: "sms:day:global", at: NOW - 20 * 3600_000 },
        ])
        .execute();
      await db
        .insertInto("audit_events")
        .values(
          [
            { at: NOW - 401 * DAY, event: "old" },
            { at: NOW - 10 * DAY, event: "recent" },
          ].map((e) => ({ ...e, tenant: "t", sub: "auth0|1", flow_id: null, factor: null, outcome: null, ip: null, user_agent: null, detail: null })),
        )
        .execute();
      await device(db, "revoked-long-ago", { lastMfaAt: NOW - 40 * DAY, revokedAt: NOW - 31 * DAY });
      await device(db, "revoked-lately", { lastMfaAt: NOW - 5 * DAY, revokedAt: NOW - DAY });
      await device(db, "unused", { lastMfaAt: NOW - 401 * DAY });
      await device(db, "still-remembered", { lastMfaAt: NOW - 401 * DAY, rememberedUntil: NOW + DAY });
      await device(db, "known", { lastMfaAt: NOW - 10 * DAY });
      const expired = await newFlowCtx(db, undefined, NOW - 2 * DAY);

      expect(await purgeExpired(db, { auditRetentionDays: 400, now: NOW })).toEqual({ flows: 1, attempts: 1, auditEvents: 1, devices: 2, enrollmentLinks: 0, recoveryRequests: 0 });
      expect((await db.selectFrom("attempts").select("bucket").execute()).map((r) => r.bucket)).toEqual(["sms:day:global"]);
      expect((await db.selectFrom("audit_events").select("event").execute()).map((r) => r.event)).toEqual(["recent"]);
      expect((await db.selectFrom("devices").select("id").orderBy("id").execute()).map((r) => r.id)).toEqual(["known", "revoked-lately", "still-remembered"]);
      expect(await db.selectFrom("flows").select("id").where("id", "=", expired.flow.id).executeTakeFirst()).toBeUndefined();
      // A second run finds nothing.
      expect(await purgeExpired(db, { auditRetentionDays: 400, now: NOW })).toEqual({ flows: 0, attempts: 0, auditEvents: 0, devices: 0, enrollmentLinks: 0, recoveryRequests: 0 });
    } finally {
      await close();
    }
  });

  it("KEYSTEP_AUDIT_RETENTION_DAYS=0 keeps audit events (and unused devices) forever", async () => {
    const { db, close } = await backend.open();
    try {
      await db
        .insertInto("audit_events")
        .values({ at: NOW - 4000 * DAY, event: "ancient", tenant: "t", sub: "auth0|1", flow_id: null, factor: null, outcome: null, ip: null, user_agent: null, detail: null })
        .execute();
      await device(db, "unused", { lastMfaAt: NOW - 4000 * DAY });
      expect(await purgeExpired(db, { auditRetentionDays: 0, now: NOW })).toMatchObject({ auditEvents: 0, devices: 0 });
    } finally {
      await close();
    }
  });
});
