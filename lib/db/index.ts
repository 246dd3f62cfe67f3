import type { Kysely } from "kysely";
import { env } from "@/lib/env";
import { connect, migrateToLatest } from "./connect";
import type { Database } from "./schema";
import { rekeyUsersToTenants } from "@/lib/users/rekey";

const globalForDb = globalThis as unknown as { keystepDb?: Kysely<Database>; keystepMigrated?: Promise<string[]>; keystepBooted?: "done" | "failed" };

/** The process-wide database handle (one pool per instance; survives dev hot reloads). */
export function db(): Kysely<Database> {
  globalForDb.keystepDb ??= connect(env().databaseUrl);
  return globalForDb.keystepDb;
}

/** Runs pending migrations once per process, then moves rows stored under a tenant's domain to the tenant (lib/users/rekey.ts). */
export function ensureMigrated(): Promise<string[]> {
  globalForDb.keystepMigrated ??= migrateToLatest(db()).then(
    async (applied) => {
      await rekeyUsersToTenants(db(), env().tenants);
      globalForDb.keystepBooted = "done";
      return applied;
    },
    (e: unknown) => {
      globalForDb.keystepBooted = "failed";
      throw e;
    },
  );
  return globalForDb.keystepMigrated;
}

/** Whether this process's migrations (and tenant rekeying) have run: the startup probe. Shared across Next's bundles through globalThis. */
export function migrationState(): "pending" | "done" | "failed" {
  return globalForDb.keystepBooted ?? "pending";
}

export type { Database } from "./schema";
