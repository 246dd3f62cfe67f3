import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { AuthenticatorRow, Database, NewAuthenticator } from "@/lib/db/schema";
import type { FactorId } from "./registry";

/** After this many consecutive failures an authenticator is disabled and must be rebound (NIST SP 800-63B §5.2.2). */
export const MAX_CONSECUTIVE_FAILURES = 100;

export interface UserKey {
  /** The user's tenant (lib/env.ts Tenant.id): users are keyed by tenant, never by the domain a login came through. */
  tenant: string;
  sub: string;
}

/** The user's usable authenticators. */
export async function listActive(db: Kysely<Database>, user: UserKey, factor?: FactorId): Promise<AuthenticatorRow[]> {
  let q = db.selectFrom("authenticators").selectAll().where("tenant", "=", user.tenant).where("sub", "=", user.sub).where("disabled_at", "is", null);
  if (factor) q = q.where("factor", "=", factor);
  return q.orderBy("created_at").execute();
}

/** Every authenticator of the user, disabled ones included (a disabled factor still sets the user's tier). */
export async function listAll(db: Kysely<Database>, user: UserKey): Promise<AuthenticatorRow[]> {
  return db.selectFrom("authenticators").selectAll().where("tenant", "=", user.tenant).where("sub", "=", user.sub).orderBy("created_at").execute();
}

/** Saves a new authenticator for the user: what differs per factor is passed, the rest defaults. */
export async function insertAuthenticator(db: Kysely<Database>, user: UserKey, fields: Pick<NewAuthenticator, "factor" | "label"> & Partial<NewAuthenticator>, now = Date.now()): Promise<string> {
  const id = fields.id ?? crypto.randomUUID();
  await db
    .insertInto("authenticators")
    .values({ secret: null, destination: null, last_used_step: null, failure_count: 0, disabled_at: null, created_at: now, last_used_at: now, ...fields, id, tenant: user.tenant, sub: user.sub })
    .execute();
  return id;
}

/**
 * Records a successful TOTP use at `step`, only if that step is newer than the last one used.
 * The conditional UPDATE is the replay guard (RFC 6238 §5.2): of two racing submissions of one
 * code, exactly one updates the row.
 */
export async function claimTotpStep(db: Kysely<Database>, id: string, step: number, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable("authenticators")
    .set({ last_used_step: step, last_used_at: now, failure_count: 0 })
    .where("id", "=", id)
    .where("disabled_at", "is", null)
    .where((eb) => eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", step)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Counts a consecutive failure; disables the authenticator at the cap. Returns true when this failure disabled it. */
export async function addAuthenticatorFailure(db: Kysely<Database>, id: string, now = Date.now()): Promise<boolean> {
  const row = await db
    .updateTable("authenticators")
    .set((eb) => ({
      failure_count: eb("failure_count", "+", 1),
      disabled_at: eb
        .case()
        .when("failure_count", ">=", MAX_CONSECUTIVE_FAILURES - 1)
        .then(now)
        .else(eb.ref("disabled_at"))
        .end(),
    }))
    .where("id", "=", id)
    .returning(["disabled_at", "failure_count"])
    .executeTakeFirst();
  return !!row && row.disabled_at !== null && Number(row.failure_count) === MAX_CONSECUTIVE_FAILURES;
}
