import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";
import type { KeyRing } from "@/lib/security/keys";

/**
 * Support console sessions (docs/console.md, decision 0014), kept server-side: the cookie holds a
 * random value, the table its keyed hash. A session ends after 15 idle minutes or 8 hours, or at
 * sign-out; an ended session's row is deleted.
 */
export const CONSOLE_IDLE_MS = 15 * 60_000;
export const CONSOLE_ABSOLUTE_MS = 8 * 3600_000;
const HASH_PURPOSE = "console-session";

export interface Operator {
  sub: string;
  email: string | null;
  name: string | null;
}

export interface ConsoleSession {
  operator: Operator;
  createdAt: number;
  expiresAt: number;
}

/** Opens a session for an operator who just signed in; returns the cookie value. Sessions that have ended are removed on the way. */
export async function openConsoleSession(db: Kysely<Database>, keys: KeyRing, operator: Operator, now = Date.now()): Promise<string> {
  await db
    .deleteFrom("console_sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("last_seen_at", "<=", now - CONSOLE_IDLE_MS)]))
    .execute();
  const value = crypto.randomBytes(32).toString("base64url");
  await db
    .insertInto("console_sessions")
    .values({
      id: keys.hash(HASH_PURPOSE, value),
      operator_sub: operator.sub,
      operator_email: operator.email?.slice(0, 320) ?? null,
      operator_name: operator.name?.slice(0, 200) ?? null,
      created_at: now,
      last_seen_at: now,
      expires_at: now + CONSOLE_ABSOLUTE_MS,
    })
    .execute();
  return value;
}

/** The live session a cookie value names, its idle clock restarted; null when there is none or it has ended. */
export async function consoleSession(db: Kysely<Database>, keys: KeyRing, value: string | undefined, now = Date.now()): Promise<ConsoleSession | null> {
  if (!value || value.length > 100) return null;
  const row = await db.selectFrom("console_sessions").selectAll().where("id", "in", keys.hashCandidates(HASH_PURPOSE, value)).limit(1).executeTakeFirst();
  if (!row) return null;
  if (Number(row.expires_at) <= now || Number(row.last_seen_at) <= now - CONSOLE_IDLE_MS) {
    await db.deleteFrom("console_sessions").where("id", "=", row.id).execute();
    return null;
  }
  await db.updateTable("console_sessions").set({ last_seen_at: now }).where("id", "=", row.id).execute();
  return { operator: { sub: row.operator_sub, email: row.operator_email, name: row.operator_name }, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) };
}

/** Sign-out: the session's row goes. */
export async function closeConsoleSession(db: Kysely<Database>, keys: KeyRing, value: string | undefined): Promise<void> {
  if (!value || value.length > 100) return;
  await db.deleteFrom("console_sessions").where("id", "in", keys.hashCandidates(HASH_PURPOSE, value)).execute();
}
