import { PostgresAdapter, sql, type Kysely, type RawBuilder } from "kysely";
import type { Database } from "@/lib/db/schema";

/**
 * The console's charts (/console/stats), aggregated in SQL from the audit store and the factors
 * table, alike on SQLite and PostgreSQL. Each function returns rows ready to draw and to list.
 */
const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** A JSON field of audit_events.detail as text, in each database's dialect. */
function detailField(db: Kysely<Database>, key: string): RawBuilder<string | null> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return pg ? sql<string | null>`(detail::jsonb ->> ${sql.lit(key)})` : sql<string | null>`json_extract(detail, ${sql.lit(`$.${key}`)})`;
}

/** Epoch ms truncated to its bucket, as a number in both databases. */
const bucket = (column: string, size: number) => sql<number>`(${sql.ref(column)} / ${sql.lit(size)}) * ${sql.lit(size)}`;

export interface AdoptionPoint {
  week: string;
  users: number;
}

/** Users with a passkey, cumulative, per week the first one was added (within the tenant). */
export async function passkeyAdoption(db: Kysely<Database>, tenant: string): Promise<AdoptionPoint[]> {
  const firsts = db
    .selectFrom("authenticators")
    .select((eb) => ["sub", eb.fn.min("created_at").as("first")])
    .where("tenant", "=", tenant)
    .where("factor", "=", "webauthn-platform")
    .groupBy("sub")
    .as("firsts");
  const rows = await db
    .selectFrom(firsts)
    .select([bucket("first", WEEK).as("week"), sql<number | string>`count(*)`.as("n")])
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
  let total = 0;
  return rows.map((r) => {
    total += Number(r.n);
    return { week: new Date(Number(r.week)).toISOString().slice(0, 10), users: total };
  });
}

export interface Count {
  key: string;
  n: number;
}

/** Active factors by type. */
export async function factorMix(db: Kysely<Database>, tenant: string): Promise<Count[]> {
  const rows = await db
    .selectFrom("authenticators")
    .select(["factor", (eb) => eb.fn.countAll<number | string>().as("n")])
    .where("tenant", "=", tenant)
    .where("disabled_at", "is", null)
    .groupBy("factor")
    .orderBy("n", "desc")
    .orderBy("factor")
    .execute();
  return rows.map((r) => ({ key: r.factor, n: Number(r.n) }));
}

export interface Rate {
  factor: string;
  success: number;
  failure: number;
}

/** Challenge successes and failures per factor since `since`. */
export async function challengeRates(db: Kysely<Database>, tenant: string, since: number): Promise<Rate[]> {
  const rows = await db
    .selectFrom("audit_events")
    .select(["factor", "event", (eb) => eb.fn.countAll<number | string>().as("n")])
    .where("tenant", "=", tenant)
    .where("at", ">=", since)
    .where("event", "in", ["challenge.success", "challenge.failure"])
    .where("factor", "is not", null)
    .groupBy(["factor", "event"])
    .execute();
  const byFactor = new Map<string, Rate>();
  for (const r of rows) {
    const factor = r.factor ?? "";
    const rate = byFactor.get(factor) ?? { factor, success: 0, failure: 0 };
    if (r.event === "challenge.success") rate.success = Number(r.n);
    else rate.failure = Number(r.n);
    byFactor.set(factor, rate);
  }
  return [...byFactor.values()].sort((a, b) => a.factor.localeCompare(b.factor));
}

/** Lockouts per day since `since`: sign-ins ended after too many failures, and factors locked at the cap. */
export async function lockouts(db: Kysely<Database>, tenant: string, since: number): Promise<Count[]> {
  const rows = await db
    .selectFrom("audit_events")
    .select([bucket("at", DAY).as("day"), sql<number | string>`count(*)`.as("n")])
    .where("tenant", "=", tenant)
    .where("at", ">=", since)
    .where("event", "in", ["flow.locked", "challenge.locked"])
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
  return rows.map((r) => ({ key: new Date(Number(r.day)).toISOString().slice(0, 10), n: Number(r.n) }));
}

export interface SmsCountry {
  country: string;
  messages: number;
  /** messages × the configured price for the country (or `*`); null when no price applies. */
  cost: number | null;
}

/** Text messages sent (codes by SMS) per country of the number since `since`, with their estimated cost. */
export async function smsByCountry(db: Kysely<Database>, tenant: string, since: number, prices: Record<string, number>): Promise<SmsCountry[]> {
  const country = detailField(db, "country");
  const rows = await db
    .selectFrom("audit_events")
    .select([country.as("country"), sql<number | string>`count(*)`.as("n")])
    .where("tenant", "=", tenant)
    .where("at", ">=", since)
    .where("event", "=", "code.sent")
    .where("factor", "=", "phone")
    .groupBy(sql`1`)
    .orderBy(sql`2`, "desc")
    .orderBy(sql`1`)
    .execute();
  return rows.map((r) => {
    const c = r.country ?? "unknown";
    const price = prices[c] ?? prices["*"];
    return { country: c, messages: Number(r.n), cost: price === undefined ? null : Math.round(price * Number(r.n) * 100) / 100 };
  });
}

export interface RuleOutcome {
  rule: string;
  outcome: string;
  n: number;
}

/** Policy decisions per rule and outcome since `since` (`policy.outcome` events; no rule: the default). */
export async function policyOutcomes(db: Kysely<Database>, tenant: string, since: number): Promise<RuleOutcome[]> {
  // No rule (the default decision) is '' in both databases, so it sorts first in both.
  const rule = sql<string>`coalesce(${detailField(db, "rule")}, '')`;
  const rows = await db
    .selectFrom("audit_events")
    .select([rule.as("rule"), "outcome", sql<number | string>`count(*)`.as("n")])
    .where("tenant", "=", tenant)
    .where("at", ">=", since)
    .where("event", "=", "policy.outcome")
    .groupBy([sql`1`, "outcome"])
    .orderBy(sql`1`)
    .orderBy("outcome")
    .execute();
  return rows.map((r) => ({ rule: r.rule, outcome: r.outcome ?? "", n: Number(r.n) }));
}
