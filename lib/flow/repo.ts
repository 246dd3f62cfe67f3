import type { Kysely } from "kysely";
import type { Database, FlowRow } from "@/lib/db/schema";
import { randomToken } from "@/lib/security/crypto";
import type { KeyRing } from "@/lib/security/keys";
import type { Flow, FlowContext, FlowResult, Pending } from "./types";

function toFlow(row: FlowRow): Flow {
  return {
    id: row.id,
    tenant: row.tenant,
    sub: row.sub,
    state: row.state,
    status: row.status,
    context: JSON.parse(row.context) as FlowContext,
    pending: row.pending ? (JSON.parse(row.pending) as Pending) : {},
    failedAttempts: Number(row.failed_attempts),
    outcome: row.outcome,
    result: row.result ? (JSON.parse(row.result) as FlowResult) : null,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

/** The flow id is a keyed hash of the cookie value, so the table alone cannot mint cookies. */
export function flowIdFromCookie(keys: KeyRing, cookieValue: string): string {
  return keys.hash("flow-cookie", cookieValue);
}

/** The session token is stored only as a keyed hash: enough to refuse it twice, useless to replay. */
export function entryTokenHash(keys: KeyRing, sessionToken: string): string {
  return keys.hash("entry-token", sessionToken);
}

export type OpenResult = { ok: true; cookieValue: string; flow: Flow } | { ok: false; error: "state_replayed" | "token_replayed" };

/**
 * Opens a flow bound to Auth0's `state` and to the session token that carried it. The token has
 * no `jti`, so both are single-use: unique indexes on `state` and on the token's keyed hash make
 * a second entry with the same state, or the same token with any state, fail atomically (one
 * INSERT … ON CONFLICT DO NOTHING, whichever index it hits).
 */
export async function openFlow(db: Kysely<Database>, keys: KeyRing, input: { state: string; sessionToken: string; context: FlowContext; ttlSeconds: number }, now = Date.now()): Promise<OpenResult> {
  const cookieValue = randomToken(32);
  const id = flowIdFromCookie(keys, cookieValue);
  const tokenHash = entryTokenHash(keys, input.sessionToken);
  // A token that opened a flow under an earlier key (before a rotation) is spent too.
  const earlier = keys.hashCandidates("entry-token", input.sessionToken).filter((h) => h !== tokenHash);
  if (earlier.length > 0 && (await db.selectFrom("flows").select("id").where("entry_token_hash", "in", earlier).executeTakeFirst())) return { ok: false, error: "token_replayed" };
  const inserted = await db
    .insertInto("flows")
    .values({
      id,
      // Users are keyed by their tenant, whichever of its domains the login came through (#15 item 3).
      tenant: input.context.claims.tenant ?? input.context.claims.iss,
      sub: input.context.claims.sub,
      state: input.state,
      status: "active",
      context: JSON.stringify(input.context),
      pending: null,
      failed_attempts: 0,
      outcome: null,
      result: null,
      created_at: now,
      expires_at: now + input.ttlSeconds * 1000,
      completed_at: null,
      entry_token_hash: tokenHash,
    })
    // No conflict target: either unique index (state, or the token's hash) refuses the row.
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) {
    // Which one clashed only chooses the audit wording; the refusal itself was atomic.
    const sameState = await db.selectFrom("flows").select("id").where("state", "=", input.state).executeTakeFirst();
    return { ok: false, error: sameState ? "state_replayed" : "token_replayed" };
  }
  return { ok: true, cookieValue, flow: toFlow(inserted) };
}

/** The flow a cookie value names, whichever configured key its id was made under. */
export async function findFlowByCookie(db: Kysely<Database>, keys: KeyRing, cookieValue: string): Promise<Flow | null> {
  const row = await db.selectFrom("flows").selectAll().where("id", "in", keys.hashCandidates("flow-cookie", cookieValue)).limit(1).executeTakeFirst();
  return row ? toFlow(row) : null;
}

export async function findFlow(db: Kysely<Database>, id: string): Promise<Flow | null> {
  const row = await db.selectFrom("flows").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toFlow(row) : null;
}

/**
 * Replaces the pending blob only if it is unchanged (compare-and-set), on an active flow only:
 * a finished flow is final.
 */
export async function swapPending(db: Kysely<Database>, flow: Flow, next: Pending): Promise<boolean> {
  const before = Object.keys(flow.pending).length ? JSON.stringify(flow.pending) : null;
  const after = Object.keys(next).length ? JSON.stringify(next) : null;
  const q = db.updateTable("flows").set({ pending: after }).where("id", "=", flow.id).where("status", "=", "active");
  const res = await (before === null ? q.where("pending", "is", null) : q.where("pending", "=", before)).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Counts one wrong code against the flow, atomically; returns the new total. */
export async function addFlowFailure(db: Kysely<Database>, id: string): Promise<number> {
  const row = await db
    .updateTable("flows")
    .set((eb) => ({ failed_attempts: eb("failed_attempts", "+", 1) }))
    .where("id", "=", id)
    .returning("failed_attempts")
    .executeTakeFirstOrThrow();
  return Number(row.failed_attempts);
}

/** How long a finished flow stays readable: enough to post (or re-post) its result to Auth0. */
export const FINISHED_FLOW_TTL_MS = 5 * 60_000;

/**
 * Ends an active flow with its outcome; the one writer of a flow's end. Returns false if it had
 * already ended (first writer wins). A finished flow expires FINISHED_FLOW_TTL_MS later, then is purged.
 */
export async function completeFlow(db: Kysely<Database>, id: string, outcome: "success" | "denied", result: FlowResult, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable("flows")
    .set((eb) => ({
      status: "done",
      outcome,
      result: JSON.stringify(result),
      completed_at: now,
      pending: null,
      expires_at: eb
        .case()
        .when("expires_at", "<", now + FINISHED_FLOW_TTL_MS)
        .then(eb.ref("expires_at"))
        .else(now + FINISHED_FLOW_TTL_MS)
        .end(),
    }))
    .where("id", "=", id)
    .where("status", "=", "active")
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Gives an active flow another `ttlSeconds` (WCAG 2.2.1: time limits can be extended), never past
 * `maxLifetimeSeconds` from its start, because Auth0's own transaction ends after an hour.
 */
export async function extendFlow(db: Kysely<Database>, flow: Flow, ttlSeconds: number, maxLifetimeSeconds = 55 * 60, now = Date.now()): Promise<number | null> {
  const expiresAt = Math.min(now + ttlSeconds * 1000, flow.createdAt + maxLifetimeSeconds * 1000);
  if (expiresAt <= flow.expiresAt) return null;
  const res = await db.updateTable("flows").set({ expires_at: expiresAt }).where("id", "=", flow.id).where("status", "=", "active").where("expires_at", ">", now).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1 ? expiresAt : null;
}

/** Deletes flows (and their codes and links) that expired more than `graceMs` ago; returns how many flows went. */
export async function purgeExpiredFlows(db: Kysely<Database>, now = Date.now(), graceMs = 60 * 60_000): Promise<number> {
  const cutoff = now - graceMs;
  const old = db.selectFrom("flows").select("id").where("expires_at", "<", cutoff);
  await db.deleteFrom("challenges").where("flow_id", "in", old).execute();
  await db.deleteFrom("magic_links").where("flow_id", "in", old).execute();
  const res = await db.deleteFrom("flows").where("expires_at", "<", cutoff).executeTakeFirst();
  return Number(res.numDeletedRows);
}
