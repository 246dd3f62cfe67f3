import { sql, type Kysely } from "kysely";
import { pendingMigrations } from "@/lib/db/connect";
import type { Database } from "@/lib/db/schema";

/**
 * Kubernetes-style probes (docs/operations.md):
 * - liveness: the process answers; it never touches a dependency, so a database outage does not
 *   get every instance restarted;
 * - startup: this process has applied the migrations (and moved rows to their tenants);
 * - readiness: the database answers, no migration of this release is pending (a newer instance
 *   may have to run first), and Redis answers when the send budgets live there.
 */
export type Check = "ok" | "unavailable" | "pending";

export interface Probe {
  status: "ok" | "unavailable";
  checks: Record<string, Check>;
}

const TIMEOUT_MS = 2000;

/** A check that answers within the probe's time, or counts as unavailable. */
async function bounded(check: () => Promise<Check>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Check>((resolve) => {
    timer = setTimeout(() => resolve("unavailable"), TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch((): Check => "unavailable"), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const verdict = (checks: Record<string, Check>): Probe => ({ status: Object.values(checks).every((c) => c === "ok") ? "ok" : "unavailable", checks });

export async function readiness(deps: { db: Kysely<Database>; redis?: () => Promise<boolean> }): Promise<Probe> {
  const database = await bounded(async () => {
    await sql`select 1`.execute(deps.db);
    return "ok";
  });
  const migrations = database === "ok" ? await bounded(async () => ((await pendingMigrations(deps.db)).length === 0 ? "ok" : "pending")) : "unavailable";
  const checks: Record<string, Check> = { database, migrations };
  const redis = deps.redis;
  if (redis) checks.redis = await bounded(async () => ((await redis()) ? "ok" : "unavailable"));
  return verdict(checks);
}

export function startup(state: "pending" | "done" | "failed"): Probe {
  return verdict({ migrations: state === "done" ? "ok" : state === "failed" ? "unavailable" : "pending" });
}

export function probeResponse(probe: Probe): Response {
  return Response.json(probe, { status: probe.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
