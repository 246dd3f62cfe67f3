import { PostgresAdapter, sql, type Kysely } from "kysely";
import { migrateToLatest, pendingMigrations } from "./connect";
import type { Database } from "./schema";

/** Every table, parents first; each with the column it is read in order by. */
const TABLES = [
  ["flows", "id"],
  ["challenges", "id"],
  ["magic_links", "id"],
  ["authenticators", "id"],
  ["recovery_codes", "id"],
  ["devices", "id"],
  ["user_signals", "sub"],
  ["enrollment_links", "id"],
  ["attempts", "id"],
  ["audit_events", "id"],
] as const satisfies ReadonlyArray<readonly [keyof Database, string]>;

/** Tables whose id is generated: on PostgreSQL their sequence moves past the copied ids. */
const SERIAL = ["attempts", "audit_events"] as const;

export type CopyProgress = (table: string, copied: number) => void;

export class CopyError extends Error {}

/**
 * Copies every row of one Keystep database into another (SQLite to PostgreSQL, when one instance
 * becomes several), in batches, table by table, parents first. The source must be fully migrated
 * and is only read; the target is migrated first and must hold no rows, so a second run cannot
 * duplicate or mix data. On PostgreSQL the generated ids' sequences move past the copied ids.
 * Stop the server that writes to the source first: rows written during the copy are not copied.
 */
export async function copyDatabase(from: Kysely<Database>, to: Kysely<Database>, opts: { batch?: number; progress?: CopyProgress } = {}): Promise<Record<string, number>> {
  const batch = opts.batch ?? 500;
  const pending = await pendingMigrations(from);
  if (pending.length > 0) throw new CopyError(`The source database lacks migrations (${pending.join(", ")}): run \`npm run migrate\` against it first.`);
  await migrateToLatest(to);
  for (const [table] of TABLES) {
    const row = await to
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    if (Number(row.n) > 0) throw new CopyError(`The target database is not empty (${table} has rows): copy only into a new database.`);
  }
  const copied: Record<string, number> = {};
  for (const [table, key] of TABLES) {
    let n = 0;
    for (let offset = 0; ; offset += batch) {
      // One loop over every table's rows, whose shapes both sides share: typed per table, it would be nine loops.
      const rows = await (from as Kysely<any>).selectFrom(table).selectAll().orderBy(key).limit(batch).offset(offset).execute();
      if (rows.length === 0) break;
      await (to as Kysely<any>).insertInto(table).values(rows).execute();
      n += rows.length;
      opts.progress?.(table, n);
      if (rows.length < batch) break;
    }
    copied[table] = n;
  }
  if (to.getExecutor().adapter instanceof PostgresAdapter) {
    for (const table of SERIAL) await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 0) + 1, false)`.execute(to);
  }
  return copied;
}
