import { PostgresAdapter, sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "@/lib/db/schema";

export interface Budget {
  limit: number;
  windowMs: number;
}

/**
 * Auth0 paces OTP guesses at 10 failures per user per hour; we do the same, per (tenant, user,
 * factor): a password holder who burns the authenticator app's budget never blocks the user's
 * passkey (not paced at all: a signature cannot be guessed) or recovery codes (their own budget).
 */
export const USER_OTP_FAILURES: Budget = { limit: 10, windowMs: 60 * 60 * 1000 };

/** `exhausted`: this failure spent the budget's last unit (the moment to tell the user). */
export type Budgeted<T> = { blocked: false; value: T; exhausted: boolean } | { blocked: true; retryAfterMs: number };

/**
 * Runs one guess against a failure budget with a sliding window. The check, the guess and the
 * failure record happen in one transaction serialised per bucket (a PostgreSQL advisory lock;
 * SQLite has a single writer), so parallel guesses cannot slip past the limit together, and
 * parallel correct answers are not punished for each other. Rows live in the database, so the
 * pacing survives restarts and is shared by every instance.
 */
export async function withFailureBudget<T>(
  db: Kysely<Database>,
  bucket: string,
  budget: Budget,
  now: number,
  guess: (trx: Transaction<Database>) => Promise<{ value: T; failed: boolean }>,
): Promise<Budgeted<T>> {
  return db.transaction().execute(async (trx) => {
    if (trx.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${bucket}, 0))`.execute(trx);
    }
    const row = await trx
      .selectFrom("attempts")
      .select((eb) => [eb.fn.countAll<number | string>().as("n"), eb.fn.min("at").as("oldest")])
      .where("bucket", "=", bucket)
      .where("at", ">", now - budget.windowMs)
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= budget.limit) {
      return { blocked: true, retryAfterMs: Math.max(1000, Number(row.oldest) + budget.windowMs - now) };
    }
    const { value, failed } = await guess(trx);
    if (failed) {
      await trx.insertInto("attempts").values({ bucket, at: now }).execute();
      await trx
        .deleteFrom("attempts")
        .where("bucket", "=", bucket)
        .where("at", "<=", now - budget.windowMs)
        .execute();
    }
    return { blocked: false, value, exhausted: failed && Number(row.n) + 1 >= budget.limit };
  });
}
