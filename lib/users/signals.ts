import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";

type User = { tenant: string; sub: string };

/** "This wasn't me" reports for the user, which rules can read (`wasntMeReports`). */
export async function wasntMeCount(db: Kysely<Database>, user: User): Promise<number> {
  const row = await db.selectFrom("user_signals").select("wasnt_me_count").where("tenant", "=", user.tenant).where("sub", "=", user.sub).executeTakeFirst();
  return row ? Number(row.wasnt_me_count) : 0;
}

/** Counts one "This wasn't me" report for the user. */
export async function recordWasntMe(db: Kysely<Database>, user: User, now = Date.now()): Promise<void> {
  await db
    .insertInto("user_signals")
    .values({ tenant: user.tenant, sub: user.sub, wasnt_me_count: 1, last_wasnt_me_at: now })
    .onConflict((oc) => oc.columns(["tenant", "sub"]).doUpdateSet((eb) => ({ wasnt_me_count: eb("user_signals.wasnt_me_count", "+", 1), last_wasnt_me_at: now })))
    .execute();
}
