import { sql, type Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import type { UserKey } from "@/lib/factors/authenticators";

/** How many users an email search lists, and how many recent flows the user view shows. */
export const MATCH_LIMIT = 20;
export const RECENT_FLOWS = 20;

/**
 * Users by email (docs/console.md): Keystep keys users by (tenant, Auth0 user id) and keeps no
 * profile, so an address is matched where Keystep saw it: an email factor's destination, and the
 * `email` claim of the user's logins (flows, kept until they are purged). Exact, case-insensitive.
 */
export async function findUsersByEmail(db: Kysely<Database>, tenant: string, email: string): Promise<string[]> {
  const address = email.trim().toLowerCase();
  const byFactor = await db
    .selectFrom("authenticators")
    .select("sub")
    .distinct()
    .where("tenant", "=", tenant)
    .where("factor", "=", "email")
    .where(sql<string>`lower(destination)`, "=", address)
    .limit(MATCH_LIMIT)
    .execute();
  // The context is JSON text; the LIKE narrows, the parsed claim decides.
  const needle = `%${JSON.stringify(address)
    .slice(1, -1)
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const flows = await db
    .selectFrom("flows")
    .select(["sub", "context"])
    .where("tenant", "=", tenant)
    .where(sql<string>`lower(context)`, "like", sql<string>`${needle} escape '\\'`)
    .orderBy("created_at", "desc")
    .limit(200)
    .execute();
  const subs = new Set(byFactor.map((r) => r.sub));
  for (const f of flows) {
    try {
      const claims = (JSON.parse(f.context) as { claims?: { email?: unknown } }).claims;
      if (typeof claims?.email === "string" && claims.email.toLowerCase() === address) subs.add(f.sub);
    } catch {
      // an unreadable context names no one
    }
  }
  return [...subs].slice(0, MATCH_LIMIT);
}

export interface FlowSummary {
  createdAt: string;
  status: string;
  outcome: string | null;
  reason: string | null;
  amr: string[];
  client: string | null;
}

/** The user's latest logins through Keystep, newest first, with how each ended. */
export async function recentFlows(db: Kysely<Database>, user: UserKey, limit = RECENT_FLOWS): Promise<FlowSummary[]> {
  const rows = await db
    .selectFrom("flows")
    .select(["created_at", "status", "outcome", "result", "context"])
    .where("tenant", "=", user.tenant)
    .where("sub", "=", user.sub)
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const result = parse(r.result) as { amr?: unknown; reason?: unknown } | null;
    const context = parse(r.context) as { claims?: { client_name?: unknown; client_id?: unknown } } | null;
    const client = context?.claims?.client_name ?? context?.claims?.client_id;
    return {
      createdAt: new Date(Number(r.created_at)).toISOString(),
      status: r.status,
      outcome: r.outcome,
      reason: typeof result?.reason === "string" ? result.reason : null,
      amr: Array.isArray(result?.amr) ? result.amr.filter((a): a is string => typeof a === "string") : [],
      client: typeof client === "string" ? client : null,
    };
  });
}

function parse(raw: string | null): unknown {
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
