import type { Kysely } from "kysely";
import { tenantKeys } from "@/lib/auth0/domains";
import type { Database } from "@/lib/db/schema";
import type { Tenant } from "@/lib/env";

/** Tables whose rows belong to a user, keyed by (tenant, sub). Audit events are history and keep the key they were written with. */
const PLAIN_TABLES = ["flows", "authenticators", "recovery_codes"] as const;

/**
 * Moves every row stored under one of a tenant's domains (releases before #15 keyed users by the
 * domain a login came through, so a custom domain and the canonical one split a user in two) to
 * the tenant's id, in one transaction per tenant. Idempotent: run at every boot, it finds nothing
 * the second time. A user split across domains ends up with both sets of factors, as the audit
 * trail shows; a browser remembered under both keeps the tenant key's record. Returns the number
 * of rows moved.
 */
export async function rekeyUsersToTenants(db: Kysely<Database>, tenants: readonly Tenant[]): Promise<number> {
  let moved = 0;
  for (const tenant of tenants) {
    const aliases = tenantKeys(tenant).filter((k) => k !== tenant.id);
    if (aliases.length === 0) continue;
    moved += await db.transaction().execute(async (trx) => {
      let n = 0;
      for (const table of PLAIN_TABLES) {
        const r = await trx.updateTable(table).set({ tenant: tenant.id }).where("tenant", "in", aliases).executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      // devices: one row per (browser, tenant, user); a duplicate under an alias is dropped.
      const devices = await trx.selectFrom("devices").select(["id", "token_hash", "sub"]).where("tenant", "in", aliases).execute();
      for (const d of devices) {
        const kept = await trx.selectFrom("devices").select("id").where("token_hash", "=", d.token_hash).where("tenant", "=", tenant.id).where("sub", "=", d.sub).executeTakeFirst();
        if (kept) await trx.deleteFrom("devices").where("id", "=", d.id).execute();
        else await trx.updateTable("devices").set({ tenant: tenant.id }).where("id", "=", d.id).execute();
        n += 1;
      }
      // user_signals: one row per user; the counts add up.
      const signals = await trx.selectFrom("user_signals").selectAll().where("tenant", "in", aliases).execute();
      for (const s of signals) {
        const kept = await trx.selectFrom("user_signals").selectAll().where("tenant", "=", tenant.id).where("sub", "=", s.sub).executeTakeFirst();
        if (kept) {
          const last = Math.max(kept.last_wasnt_me_at ?? 0, s.last_wasnt_me_at ?? 0) || null;
          await trx
            .updateTable("user_signals")
            .set({ wasnt_me_count: kept.wasnt_me_count + s.wasnt_me_count, last_wasnt_me_at: last })
            .where("tenant", "=", tenant.id)
            .where("sub", "=", s.sub)
            .execute();
          await trx.deleteFrom("user_signals").where("tenant", "=", s.tenant).where("sub", "=", s.sub).execute();
        } else await trx.updateTable("user_signals").set({ tenant: tenant.id }).where("tenant", "=", s.tenant).where("sub", "=", s.sub).execute();
        n += 1;
      }
      return n;
    });
  }
  return moved;
}
