import { PostgresAdapter, sql, type Kysely } from "kysely";
import type { Redis } from "ioredis";
import type { Database } from "@/lib/db/schema";

export interface BudgetKey {
  bucket: string;
  limit: number;
  windowMs: number;
}

export type Take = { ok: true } | { ok: false; reason: "exhausted"; bucket: string; retryAfterMs: number } | { ok: false; reason: "unavailable" };

/** Sliding-window send budgets. `take` spends one unit from every key, or none if any is spent. */
export interface BudgetStore {
  take(keys: BudgetKey[], now?: number): Promise<Take>;
  /** Whether the store answers now (the readiness probe): false rather than an error. */
  ping(): Promise<boolean>;
}

/**
 * Database-backed budgets (the default): one row per spend in `attempts`, checked and spent in
 * one transaction holding an advisory lock per bucket (sorted, so two requests never deadlock).
 * Any store error fails closed.
 */
export class DbBudgetStore implements BudgetStore {
  constructor(private readonly db: Kysely<Database>) {}

  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.db);
      return true;
    } catch {
      return false;
    }
  }

  async take(keys: BudgetKey[], now = Date.now()): Promise<Take> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        if (trx.getExecutor().adapter instanceof PostgresAdapter) {
          for (const k of [...keys].sort((a, b) => a.bucket.localeCompare(b.bucket))) {
            await sql`select pg_advisory_xact_lock(hashtextextended(${k.bucket}, 0))`.execute(trx);
          }
        }
        for (const k of keys) {
          const row = await trx
            .selectFrom("attempts")
            .select((eb) => [eb.fn.countAll<number | string>().as("n"), eb.fn.min("at").as("oldest")])
            .where("bucket", "=", k.bucket)
            .where("at", ">", now - k.windowMs)
            .executeTakeFirstOrThrow();
          if (Number(row.n) >= k.limit) return { ok: false, reason: "exhausted", bucket: k.bucket, retryAfterMs: Math.max(1000, Number(row.oldest) + k.windowMs - now) } as const;
        }
        await trx
          .insertInto("attempts")
          .values(keys.map((k) => ({ bucket: k.bucket, at: now })))
          .execute();
        // Spends older than the window never count again: drop them, or the table grows with
        // every code ever sent (a bucket is always used with one window).
        for (const k of keys)
          await trx
            .deleteFrom("attempts")
            .where("bucket", "=", k.bucket)
            .where("at", "<=", now - k.windowMs)
            .execute();
        return { ok: true } as const;
      });
    } catch {
      return { ok: false, reason: "unavailable" };
    }
  }
}

// Checks every key's sorted set, then spends in all of them: one script, so atomic in Redis.
const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
local n = #KEYS
for i = 1, n do
  local limit = tonumber(ARGV[1 + i * 2 - 1])
  local window = tonumber(ARGV[1 + i * 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    return {i, tonumber(oldest[2]) + window - now}
  end
end
for i = 1, n do
  local window = tonumber(ARGV[1 + i * 2])
  redis.call('ZADD', KEYS[i], now, ARGV[#ARGV] .. ':' .. i)
  redis.call('PEXPIRE', KEYS[i], window)
end
return {0, 0}
`;

/** Redis-backed budgets for several instances without database writes on every send; fails closed. */
export class RedisBudgetStore implements BudgetStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = "keystep:budget:",
  ) {}

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async take(keys: BudgetKey[], now = Date.now()): Promise<Take> {
    try {
      const args = [String(now), ...keys.flatMap((k) => [String(k.limit), String(k.windowMs)]), `${now}-${Math.random().toString(36).slice(2)}`];
      const [index, retry] = (await this.redis.eval(TAKE_SCRIPT, keys.length, ...keys.map((k) => this.prefix + k.bucket), ...args)) as [number, number];
      if (index === 0) return { ok: true };
      return { ok: false, reason: "exhausted", bucket: keys[index - 1]?.bucket ?? "", retryAfterMs: Math.max(1000, retry) };
    } catch {
      return { ok: false, reason: "unavailable" };
    }
  }
}
