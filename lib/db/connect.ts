import path from "node:path";
import fs from "node:fs";
import { CompiledQuery, Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type DatabaseConnection, type Driver, type MigrationProvider, type QueryCompiler } from "kysely";
import SQLite from "better-sqlite3";
import pg from "pg";
import type { Database } from "./schema";
import { migrations } from "./migrations";

// int8 (bigint) columns hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Kysely's SQLite driver begins every transaction DEFERRED. In WAL mode a deferred transaction
 * that has read and then writes while another connection (a backup, a second process by
 * mistake) holds the write lock fails at once with SQLITE_BUSY: SQLite skips the busy handler
 * there to avoid a deadlock, so busy_timeout never helps, and the request answered 500 in
 * milliseconds. BEGIN IMMEDIATE takes the write lock first, where the busy handler does wait.
 * Every Keystep transaction writes, so each one begins IMMEDIATE. This wraps the driver through
 * Kysely's Driver interface (its documented extension point) and delegates everything else.
 */
class ImmediateTransactions implements Driver {
  constructor(private readonly inner: Driver) {}
  init() {
    return this.inner.init();
  }
  acquireConnection() {
    return this.inner.acquireConnection();
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
  commitTransaction(connection: DatabaseConnection) {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection) {
    return this.inner.rollbackTransaction(connection);
  }
  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    await this.inner.savepoint?.(connection, name, compile);
  }
  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    await this.inner.rollbackToSavepoint?.(connection, name, compile);
  }
  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    await this.inner.releaseSavepoint?.(connection, name, compile);
  }
  releaseConnection(connection: DatabaseConnection) {
    return this.inner.releaseConnection(connection);
  }
  destroy() {
    return this.inner.destroy();
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    return new ImmediateTransactions(super.createDriver());
  }
}

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
    // SQLite plans without statistics until ANALYZE runs, and nothing runs it for us: `optimize`
    // at open analyses the tables that need it (bounded by analysis_limit: ~0.3 s on 1M users and
    // 10M audit events, ~1 ms when nothing changed), and again every six hours for a long-lived
    // server (sqlite.org/pragma.html#pragma_optimize). The page cache stays at SQLite's default
    // (2 MB): the OS already caches the file, and a bigger cache would only add to the RSS.
    database.pragma("analysis_limit = 400");
    database.pragma("optimize = 0x10002");
    const optimize = setInterval(() => {
      try {
        database.pragma("optimize");
      } catch {
        clearInterval(optimize); // closed
      }
    }, 6 * 3600_000);
    optimize.unref();
    return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
  }
  // `?schema=name` selects a PostgreSQL schema (search_path), so one database can host several instances.
  const parsed = new URL(url);
  const schema = opts.schema ?? parsed.searchParams.get("schema");
  parsed.searchParams.delete("schema");
  if (schema && !/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client error must not crash the process; the next query reports it.
  pool.on("error", () => {});
  // pg-pool listens for a client's errors only while it is idle in the pool. A session PostgreSQL
  // ends while the client is checked out (a restart, a failover) emitted 'error' with no listener:
  // an uncaught exception. Every client gets a listener for its whole life; the statement in
  // flight or the next one still fails (the screen answers "unavailable"), and the pool discards
  // the broken client on release (lib/db/pg-restart.drill.test.ts, e2e/drills.spec.ts).
  pool.on("connect", (client) => client.on("error", () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations; throws with the failing migration's error. */
/**
 * The migrator for this database. Kysely looks for its bookkeeping tables by name across all
 * schemas unless told which one; with several Keystep schemas in one database (?schema=…) it must
 * be the current one.
 */
async function migratorFor(db: Kysely<Database>): Promise<Migrator> {
  const migrationTableSchema = db.getExecutor().adapter instanceof PostgresAdapter ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s : undefined;
  return new Migrator({ db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
}

/** Migrations this release has that the database has not applied (the readiness probe). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  return (await (await migratorFor(db)).getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = await migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
