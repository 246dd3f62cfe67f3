import "server-only";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import { log } from "@/lib/log";

export interface AuditEvent {
  event: string;
  auth0Host?: string | null;
  sub?: string | null;
  flowId?: string | null;
  factor?: string | null;
  outcome?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
}

/** Appends to the audit trail. Never throws: a failed audit write is logged, not shown to the user. */
export async function audit(db: Kysely<Database>, e: AuditEvent): Promise<void> {
  try {
    await db
      .insertInto("audit_events")
      .values({
        at: Date.now(),
        event: e.event,
        auth0_host: e.auth0Host ?? null,
        sub: e.sub ?? null,
        flow_id: e.flowId ?? null,
        factor: e.factor ?? null,
        outcome: e.outcome ?? null,
        ip: e.ip ?? null,
        user_agent: e.userAgent?.slice(0, 300) ?? null,
        detail: e.detail ? JSON.stringify(e.detail) : null,
      })
      .execute();
  } catch (err) {
    log.error({ err, event: e.event }, "audit write failed");
  }
}
