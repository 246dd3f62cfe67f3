import { events } from "@/lib/metrics";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import type { UserKey } from "@/lib/factors/authenticators";
import { log } from "@/lib/log";

export interface AuditEvent {
  event: string;
  tenant?: string | null;
  sub?: string | null;
  flowId?: string | null;
  factor?: string | null;
  outcome?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Auth0's transaction id, on the log line only, so Auth0's and Keystep's logs can be joined. */
  auth0Tx?: string | null;
  detail?: Record<string, unknown>;
}

/** A stored audit event, as read back for support. */
export interface AuditRecord {
  at: number;
  event: string;
  flowId: string | null;
  factor: string | null;
  outcome: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown> | null;
}

export const REDACTED = "[redacted]";

/**
 * Keys whose values are never kept: codes, secrets, tokens, passwords (DESIGN §4 "no secret in a
 * log"). Matched on the key with case and separators removed, so `recoveryCode`, `otp_code`,
 * `session-token` and `clientSecret` are all caught.
 */
function sensitiveKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z]/g, "");
  return /secret|token|password|passcode|cookie|authorization/.test(k) || /codes?$/.test(k) || k === "otp" || k === "pin";
}

/** A copy of `value` with every sensitive key's value replaced, however deep it sits. */
export function redactDetail(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth >= 6) return "[truncated]";
  if (Array.isArray(value)) return value.map((v) => redactDetail(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = sensitiveKey(k) ? REDACTED : redactDetail(v, depth + 1);
  return out;
}

/**
 * Appends to the audit trail: one row in `audit_events` and one structured log line, both with
 * `detail` redacted. Never throws: a failed audit write is logged, not shown to the user.
 */
export async function audit(db: Kysely<Database>, e: AuditEvent): Promise<void> {
  const at = Date.now();
  const detail = e.detail ? (redactDetail(e.detail) as Record<string, unknown>) : null;
  const row = {
    at,
    event: e.event,
    tenant: e.tenant ?? null,
    sub: e.sub ?? null,
    flow_id: e.flowId ?? null,
    factor: e.factor ?? null,
    outcome: e.outcome ?? null,
    ip: e.ip ?? null,
    user_agent: e.userAgent?.slice(0, 300) ?? null,
  };
  events.inc({ event: e.event, outcome: e.outcome ?? "", factor: e.factor ?? "" });
  // The log line stands on its own: a log pipeline keeps the trail even when the row cannot be written.
  log.info({ kind: "audit", ...row, ...(e.auth0Tx ? { auth0_tx: e.auth0Tx } : {}), detail }, `audit ${e.event}`);
  try {
    await db
      .insertInto("audit_events")
      .values({ ...row, detail: detail ? JSON.stringify(detail) : null })
      .execute();
  } catch (err) {
    log.error({ err, event: e.event }, "audit write failed");
  }
}

/** The user's latest audit events, newest first (served by audit_user_idx on tenant, sub, at). */
export async function recentAuditEvents(db: Kysely<Database>, user: UserKey, limit = 50): Promise<AuditRecord[]> {
  const rows = await db
    .selectFrom("audit_events")
    .select(["at", "event", "flow_id", "factor", "outcome", "ip", "user_agent", "detail"])
    .where("tenant", "=", user.tenant)
    .where("sub", "=", user.sub)
    // id breaks ties within one millisecond; on SQLite it is the rowid the index already carries.
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    at: Number(r.at),
    event: r.event,
    flowId: r.flow_id,
    factor: r.factor,
    outcome: r.outcome,
    ip: r.ip,
    userAgent: r.user_agent,
    detail: parseDetail(r.detail),
  }));
}

function parseDetail(raw: string | null): Record<string, unknown> | null {
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { raw };
  }
}

/** The flow fields every audit row about a flow carries. */
interface AuditedFlow {
  tenant: string;
  sub: string;
  id: string;
  context: { ip?: string | null; userAgent?: string | null; claims?: { transaction_id?: string } };
}

/**
 * Who an audit row is about: the tenant, the user, the flow, and the browser that started it (its
 * address and user agent). The one place this subject is built; `factor` names the method involved.
 */
export function auditWho(flow: AuditedFlow, factor?: string): Pick<AuditEvent, "tenant" | "sub" | "flowId" | "factor" | "ip" | "userAgent" | "auth0Tx"> {
  return {
    tenant: flow.tenant,
    sub: flow.sub,
    flowId: flow.id,
    ...(factor ? { factor } : {}),
    ip: flow.context.ip ?? null,
    userAgent: flow.context.userAgent ?? null,
    auth0Tx: flow.context.claims?.transaction_id ?? null,
  };
}
