import path from "node:path";
import fs from "node:fs";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from "kysely";
import SQLite from "better-sqlite3";
import pg from "pg";
import type { Database } from "./schema";
import { migrations } from "./migrations";

// int8 (bigint) columns hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(20, (v) => Number(v));

export interface ConnectOptions {
  /** PostgreSQL schema to use (tests isolate runs with one schema each). */
  schema?: string;
}

/** Opens a Kysely instance for `sqlite:<path>` or `postgres://…`. No I/O beyond opening the file or pool. */
export function connect(url: string, opts: ConnectOptions = {}): Kysely<Database> {
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length);
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const database = new SQLite(file);
    // WAL lets readers run beside the single writer; busy_timeout queues writers instead of failing.
    database.pragma("journal_mode = WAL");
    database.pragma("busy_timeout = 5000");
    database.pragma("foreign_keys = ON");
    return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // An idle client error must not crash the process; the next query reports it.
  pool.on("error", () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations; throws with the failing migration's error. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
