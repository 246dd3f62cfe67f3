import crypto from "node:crypto";
import type { Kysely } from "kysely";
import { audit } from "@/lib/audit";
import type { RevocationCause } from "@/lib/auth0/revoke";
import type { Database, RecoveryRequestRow } from "@/lib/db/schema";
import { revokeDevices } from "@/lib/devices/repo";
import type { UserKey } from "@/lib/factors/authenticators";
import type { BudgetKey, BudgetStore } from "@/lib/security/budgets";
import { randomToken } from "@/lib/security/crypto";
import type { KeyRing } from "@/lib/security/keys";

/*
 * Self-service recovery with a waiting period (#17, docs/decisions/0013-self-service-recovery.md).
 * A user who cannot use any factor proves their verified email; that opens a request which grants
 * nothing until its waiting period is over. Every channel the user has is told, with a one-click
 * cancel link; any sign-in with an existing factor cancels it. After the wait, the same browser
 * (the device cookie's hash) proves the email again and enrolls a new factor; the old factors are
 * then disabled, and a restore link brings them back within a grace period.
 *
 * Every function takes `now`: the clock is injected, never read here.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The "ends soon" notice goes out this long before the wait ends. */
export const REMINDER_BEFORE_MS = DAY;
/** A ripe request not completed within this long after its wait expires. */
export const READY_FOR_MS = 7 * DAY;
/** How long the restore link (re-enabling the old factors) works after a completion. */
export const RESTORE_GRACE_MS = 7 * DAY;
/** Closed requests are kept this long for support, then purged (lib/retention.ts). */
export const CLOSED_KEEP_MS = 90 * DAY;

/** Request budgets: per user, per IP and for the whole instance, per day. */
export const RECOVERY_BUDGETS = { perUser: 3, perIp: 10, global: 200 } as const;

const OPEN = ["pending", "ready"] as const;

export type RecoveryPhase = "pending" | "ready" | "cancelled" | "completed" | "expired";

export type NoticeKind = "started" | "reminder" | "cancelled" | "completed";

/** One notice for every channel the user has: the email, and a phone by SMS when they have one. */
export interface RecoveryNotice {
  kind: NoticeKind;
  user: UserKey;
  email: string;
  locale: string | null;
  readyAt: number;
  /** Absolute one-click link: `/recovery/cancel/<token>` (started, reminder) or `/recovery/restore/<token>` (completed). */
  link?: string;
}

export interface RecoveryDeps {
  db: Kysely<Database>;
  keys: KeyRing;
  /** The public origin the links in notices point at. */
  publicUrl: string;
  budgets: BudgetStore;
  /** Sends a notice on every channel; best effort, never throws. */
  notify(notice: RecoveryNotice): Promise<void>;
  /** Carries a revocation to Auth0 (lib/auth0/revoke.ts revokeAtAuth0). */
  revoke(user: UserKey, cause: RevocationCause, now: number): Promise<unknown>;
}

export type RequestRefusal = "self_service_off" | "no_device" | "no_email" | "open_request" | "budget_user" | "budget_ip" | "budget_global" | "unavailable";

export type RequestResult = { ok: true; id: string; readyAt: number } | { ok: false; reason: RequestRefusal; retryAfterMs?: number };

const CANCEL = "recovery-cancel";
const RESTORE = "recovery-restore";

const userWhere = (user: UserKey) => ({ tenant: user.tenant, sub: user.sub });

/** The phase a row is in now: an open request whose wait is over is ready; one left ready too long has expired. */
export function phaseOf(row: Pick<RecoveryRequestRow, "status" | "ready_at">, now: number): RecoveryPhase {
  if (row.status !== "pending" && row.status !== "ready") return row.status;
  const readyAt = Number(row.ready_at);
  if (now >= readyAt + READY_FOR_MS) return "expired";
  return now >= readyAt ? "ready" : "pending";
}

/** The user's open request (pending or ready, not expired), if any. */
export async function openRequest(db: Kysely<Database>, user: UserKey, now: number): Promise<RecoveryRequestRow | null> {
  const row = await db.selectFrom("recovery_requests").selectAll().where("tenant", "=", user.tenant).where("sub", "=", user.sub).where("status", "in", OPEN).executeTakeFirst();
  if (!row) return null;
  if (phaseOf(row, now) === "expired") {
    await db.updateTable("recovery_requests").set({ status: "expired" }).where("id", "=", row.id).where("status", "in", OPEN).execute();
    await audit(db, { event: "recovery.expired", ...userWhere(user), outcome: "expired", detail: { requestId: row.id } });
    return null;
  }
  return row;
}

/**
 * What a flow from a browser may learn about the user's request. Only the browser the request came
 * from sees its date and may finish it; any other browser learns only that one is pending.
 */
export type Standing = { kind: "none" } | { kind: "elsewhere" } | { kind: "waiting"; id: string; readyAt: number } | { kind: "ready"; id: string; readyAt: number };

export async function standing(db: Kysely<Database>, keys: KeyRing, user: UserKey, deviceHash: DeviceHashes, now: number): Promise<Standing> {
  const row = await openRequest(db, user, now);
  if (!row) return { kind: "none" };
  if (!sameDevice(row, deviceHash)) return { kind: "elsewhere" };
  const readyAt = Number(row.ready_at);
  return phaseOf(row, now) === "ready" ? { kind: "ready", id: row.id, readyAt } : { kind: "waiting", id: row.id, readyAt };
}

/**
 * Whether the flow from `deviceHash` may finish this request now: the wait is over (or support
 * approved it) and the browser is the one the request came from.
 */
export function finishableBy(row: Pick<RecoveryRequestRow, "status" | "ready_at" | "device_hash">, deviceHash: DeviceHashes, now: number): boolean {
  return phaseOf(row, now) === "ready" && sameDevice(row, deviceHash);
}

/**
 * What the flow finishing a request set up itself: the authenticators made since it proved the
 * email again (`Pending.recovery.at`). The flow counts only these (lib/flow/user-factors.ts), and
 * the completion keeps only these (lib/flow/transition.ts).
 */
export function addedSince<R extends { created_at: number }>(rows: readonly R[], at: number): R[] {
  return rows.filter((r) => Number(r.created_at) >= at);
}

/** A request's status as stored (null when it is gone). */
export async function requestStatus(db: Kysely<Database>, id: string): Promise<RecoveryRequestRow["status"] | null> {
  return (await db.selectFrom("recovery_requests").select("status").where("id", "=", id).executeTakeFirst())?.status ?? null;
}

/**
 * A browser as a flow knows it: the keyed hash of its device cookie, or that hash under every
 * configured key (FlowContext.deviceHashes), so a request made before a key rotation still
 * recognises the browser it came from.
 */
export type DeviceHashes = string | readonly string[] | undefined;

/** The browser of a flow, as recovery compares it: every form of its cookie's hash where the flow has them. */
export const flowDevice = (context: { deviceHash?: string; deviceHashes?: string[] }): DeviceHashes => context.deviceHashes ?? context.deviceHash;

/** The device binding: the request's stored hash is one of the browser's. Constant time per comparison. */
function sameDevice(row: Pick<RecoveryRequestRow, "device_hash">, deviceHash: DeviceHashes): boolean {
  const candidates = deviceHash === undefined ? [] : typeof deviceHash === "string" ? [deviceHash] : deviceHash;
  const a = Buffer.from(row.device_hash);
  let found = false;
  for (const candidate of candidates) {
    const b = Buffer.from(candidate);
    found = (a.length === b.length && crypto.timingSafeEqual(a, b)) || found;
  }
  return found;
}

function budgetKeys(user: UserKey, ip: string | null): BudgetKey[] {
  const keys: BudgetKey[] = [
    { bucket: `recovery:user:${user.tenant}:${user.sub}`, limit: RECOVERY_BUDGETS.perUser, windowMs: DAY },
    { bucket: "recovery:global", limit: RECOVERY_BUDGETS.global, windowMs: DAY },
  ];
  if (ip) keys.push({ bucket: `recovery:ip:${ip}`, limit: RECOVERY_BUDGETS.perIp, windowMs: DAY });
  return keys;
}

function refusalFor(bucket: string): RequestRefusal {
  if (bucket.startsWith("recovery:user:")) return "budget_user";
  if (bucket.startsWith("recovery:ip:")) return "budget_ip";
  return "budget_global";
}

const cancelLink = (deps: Pick<RecoveryDeps, "publicUrl">, token: string) => new URL(`/recovery/cancel/${token}`, deps.publicUrl).toString();
const restoreLink = (deps: Pick<RecoveryDeps, "publicUrl">, token: string) => new URL(`/recovery/restore/${token}`, deps.publicUrl).toString();

/**
 * Opens a request for a user who proved their verified email in this flow. Refused when policy
 * turns self-service off, when the browser has no device cookie (nothing to bind to), when the
 * user already has an open request (also enforced by a unique index), or when a budget is spent.
 * Tells every channel, with a cancel link.
 */
export async function requestRecovery(
  deps: RecoveryDeps,
  input: {
    user: UserKey;
    email: string | null | undefined;
    deviceHash: string | undefined;
    userAgent: string | null;
    ip: string | null;
    locale: string | null;
    selfService: boolean;
    waitHours: number;
  },
  now: number,
): Promise<RequestResult> {
  const { db, keys } = deps;
  const who = { ...userWhere(input.user), ip: input.ip, userAgent: input.userAgent };
  const refuse = async (reason: RequestRefusal, retryAfterMs?: number): Promise<RequestResult> => {
    await audit(db, { event: "recovery.refused", ...who, outcome: "denied", detail: { reason } });
    return retryAfterMs === undefined ? { ok: false, reason } : { ok: false, reason, retryAfterMs };
  };
  if (!input.selfService) return refuse("self_service_off");
  if (!input.deviceHash) return refuse("no_device");
  if (!input.email) return refuse("no_email");
  if (await openRequest(db, input.user, now)) return refuse("open_request");
  const spent = await deps.budgets.take(budgetKeys(input.user, input.ip), now);
  if (!spent.ok) return spent.reason === "exhausted" ? refuse(refusalFor(spent.bucket), spent.retryAfterMs) : refuse("unavailable");
  const id = crypto.randomUUID();
  const token = randomToken(32);
  const readyAt = now + input.waitHours * HOUR;
  const inserted = await db
    .insertInto("recovery_requests")
    .values({
      id,
      ...userWhere(input.user),
      status: "pending",
      device_hash: input.deviceHash,
      user_agent: input.userAgent,
      ip: input.ip,
      email: input.email,
      locale: input.locale,
      created_at: now,
      ready_at: readyAt,
      reminded_at: null,
      completed_at: null,
      cancelled_at: null,
      cancel_reason: null,
      cancel_token_hash: keys.hash(CANCEL, token),
      reminder_cancel_token_hash: null,
      approved_by: null,
      approve_reason: null,
      disabled_factors: null,
      restore_token_hash: null,
      restore_until: null,
      restored_at: null,
      seen_at: null,
    })
    // The partial unique index on open requests refuses a second one, atomically.
    .onConflict((oc) => oc.doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!inserted) return refuse("open_request");
  await audit(db, { event: "recovery.requested", ...who, outcome: "pending", detail: { requestId: id, waitHours: input.waitHours, readyAt } });
  await deps.notify({ kind: "started", user: input.user, email: input.email, locale: input.locale, readyAt, link: cancelLink(deps, token) });
  return { ok: true, id, readyAt };
}

/** The request a cancel link names, whichever notice carried it (open or not: the page says which). */
export async function findByCancelToken(db: Kysely<Database>, keys: KeyRing, token: string): Promise<RecoveryRequestRow | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const hashes = keys.hashCandidates(CANCEL, token);
  return (
    (await db
      .selectFrom("recovery_requests")
      .selectAll()
      .where((eb) => eb.or([eb("cancel_token_hash", "in", hashes), eb("reminder_cancel_token_hash", "in", hashes)]))
      .executeTakeFirst()) ?? null
  );
}

export type CancelReason = "link" | "signed_in" | "support" | "banner";

/** Closes one open request as cancelled (compare-and-set: of two cancels, one wins). Returns whether it did. */
async function cancelRow(deps: RecoveryDeps, row: RecoveryRequestRow, reason: CancelReason, now: number, extra: { actor?: string; note?: string } = {}): Promise<boolean> {
  const res = await deps.db
    .updateTable("recovery_requests")
    .set({ status: "cancelled", cancelled_at: now, cancel_reason: extra.note ? `${reason}: ${extra.note}` : reason })
    .where("id", "=", row.id)
    .where("status", "in", OPEN)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await audit(deps.db, {
    event: "recovery.cancelled",
    tenant: row.tenant,
    sub: row.sub,
    outcome: "success",
    detail: { requestId: row.id, reason, ...(extra.actor ? { actor: extra.actor } : {}), ...(extra.note ? { note: extra.note } : {}) },
  });
  await deps.notify({ kind: "cancelled", user: { tenant: row.tenant, sub: row.sub }, email: row.email, locale: row.locale, readyAt: Number(row.ready_at) });
  return true;
}

/** "This wasn't me — cancel" (the POST of the one-click link). */
export async function cancelByToken(deps: RecoveryDeps, token: string, now: number): Promise<"cancelled" | "closed" | "unknown"> {
  const row = await findByCancelToken(deps.db, deps.keys, token);
  if (!row) return "unknown";
  return (await cancelRow(deps, row, "link", now)) ? "cancelled" : "closed";
}

/** Cancels the user's open request, if any (a sign-in with an existing factor, the banner, support). Returns whether one was cancelled. */
export async function cancelForUser(deps: RecoveryDeps, user: UserKey, reason: CancelReason, now: number, extra: { actor?: string; note?: string } = {}): Promise<boolean> {
  const row = await openRequest(deps.db, user, now);
  return row ? cancelRow(deps, row, reason, now, extra) : false;
}

/** Support shortens the wait: the request is ready now. Audited with the actor and the reason. */
export async function approveRequest(deps: RecoveryDeps, user: UserKey, actor: string, reason: string, now: number): Promise<RecoveryRequestRow | null> {
  const row = await openRequest(deps.db, user, now);
  if (!row) return null;
  const res = await deps.db
    .updateTable("recovery_requests")
    .set({ status: "ready", ready_at: Math.min(Number(row.ready_at), now), approved_by: actor, approve_reason: reason })
    .where("id", "=", row.id)
    .where("status", "in", OPEN)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return null;
  await audit(deps.db, { event: "recovery.approved", tenant: row.tenant, sub: row.sub, outcome: "success", detail: { requestId: row.id, actor, reason } });
  return (await deps.db.selectFrom("recovery_requests").selectAll().where("id", "=", row.id).executeTakeFirst()) ?? null;
}

export type CompleteRefusal = "no_request" | "other_device" | "waiting";

/**
 * Finishes a ripe request from the browser it came from, after the user proved the email again and
 * enrolled `keep` (the new factor's authenticator id): every other authenticator is disabled, the
 * unused recovery codes are spent, remembered devices are revoked, Auth0 sessions and refresh
 * tokens are revoked, and the user gets a restore link valid for RESTORE_GRACE_MS.
 */
export async function completeRecovery(
  deps: RecoveryDeps,
  input: { user: UserKey; deviceHash: DeviceHashes; keep: readonly string[] },
  now: number,
): Promise<{ ok: true; disabled: number } | { ok: false; reason: CompleteRefusal }> {
  const { db, keys } = deps;
  const user = input.user;
  const row = await openRequest(db, user, now);
  if (!row) return { ok: false, reason: "no_request" };
  if (!sameDevice(row, input.deviceHash)) {
    await audit(db, { event: "recovery.refused", ...userWhere(user), outcome: "denied", detail: { requestId: row.id, reason: "other_device" } });
    return { ok: false, reason: "other_device" };
  }
  if (phaseOf(row, now) !== "ready") return { ok: false, reason: "waiting" };
  const token = randomToken(32);
  const done = await db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable("recovery_requests")
      .set({ status: "completed", completed_at: now, restore_token_hash: keys.hash(RESTORE, token), restore_until: now + RESTORE_GRACE_MS })
      .where("id", "=", row.id)
      .where("status", "in", OPEN)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return null;
    let auth = trx.updateTable("authenticators").set({ disabled_at: now }).where("tenant", "=", user.tenant).where("sub", "=", user.sub).where("disabled_at", "is", null);
    if (input.keep.length > 0) auth = auth.where("id", "not in", [...input.keep]);
    const authenticators = (await auth.returning("id").execute()).map((r) => r.id);
    const recoveryCodes = (
      await trx.updateTable("recovery_codes").set({ used_at: now }).where("tenant", "=", user.tenant).where("sub", "=", user.sub).where("used_at", "is", null).returning("id").execute()
    ).map((r) => r.id);
    await trx
      .updateTable("recovery_requests")
      .set({ disabled_factors: JSON.stringify({ authenticators, recoveryCodes, added: [...input.keep] }) })
      .where("id", "=", row.id)
      .execute();
    const devicesRevoked = await revokeDevices(trx, user, now);
    return { authenticators, recoveryCodes, devicesRevoked };
  });
  if (!done) return { ok: false, reason: "no_request" };
  await audit(db, { event: "recovery.completed", ...userWhere(user), outcome: "success", detail: { requestId: row.id, ...done } });
  await deps.revoke(user, "recovery_completed", now);
  await deps.notify({ kind: "completed", user, email: row.email, locale: row.locale, readyAt: Number(row.ready_at), link: restoreLink(deps, token) });
  return { ok: true, disabled: done.authenticators.length };
}

/** The completed request a restore link names, if it still works. */
export async function findByRestoreToken(db: Kysely<Database>, keys: KeyRing, token: string, now: number): Promise<RecoveryRequestRow | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const row = await db.selectFrom("recovery_requests").selectAll().where("restore_token_hash", "in", keys.hashCandidates(RESTORE, token)).executeTakeFirst();
  return row && row.status === "completed" && row.restored_at === null && Number(row.restore_until) > now ? row : null;
}

/**
 * The restore link's POST undoes a completion, once, within the grace period: it re-enables the
 * factors and recovery codes the completion disabled (only those still as it left them), and turns
 * off what the recovery added (the new factor, and the recovery codes issued since), since the
 * person restoring says the recovery was not theirs, or not needed.
 */
export async function restoreFactors(deps: RecoveryDeps, token: string, now: number): Promise<{ ok: true; restored: number } | { ok: false }> {
  const row = await findByRestoreToken(deps.db, deps.keys, token, now);
  if (!row) return { ok: false };
  const completedAt = Number(row.completed_at);
  const {
    authenticators = [],
    recoveryCodes = [],
    added = [],
  } = JSON.parse(row.disabled_factors ?? "{}") as {
    authenticators?: string[];
    recoveryCodes?: string[];
    added?: string[];
  };
  const restored = await deps.db.transaction().execute(async (trx) => {
    const claimed = await trx.updateTable("recovery_requests").set({ restored_at: now }).where("id", "=", row.id).where("restored_at", "is", null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return null;
    let n = 0;
    if (authenticators.length > 0) {
      const r = await trx
        .updateTable("authenticators")
        .set({ disabled_at: null, failure_count: 0 })
        .where("id", "in", authenticators)
        .where("tenant", "=", row.tenant)
        .where("sub", "=", row.sub)
        .where("disabled_at", "=", completedAt)
        .executeTakeFirst();
      n = Number(r.numUpdatedRows);
    }
    if (recoveryCodes.length > 0)
      await trx
        .updateTable("recovery_codes")
        .set({ used_at: null })
        .where("id", "in", recoveryCodes)
        .where("tenant", "=", row.tenant)
        .where("sub", "=", row.sub)
        .where("used_at", "=", completedAt)
        .execute();
    if (added.length > 0)
      await trx.updateTable("authenticators").set({ disabled_at: now }).where("id", "in", added).where("tenant", "=", row.tenant).where("sub", "=", row.sub).where("disabled_at", "is", null).execute();
    await trx
      .updateTable("recovery_codes")
      .set({ used_at: now })
      .where("tenant", "=", row.tenant)
      .where("sub", "=", row.sub)
      .where("used_at", "is", null)
      .where("created_at", ">=", completedAt)
      .execute();
    return n;
  });
  if (restored === null) return { ok: false };
  await audit(deps.db, { event: "recovery.restored", tenant: row.tenant, sub: row.sub, outcome: "success", detail: { requestId: row.id, authenticators: restored, removed: added.length } });
  // Whoever finished the recovery may hold a session made with the new factor: it ends too.
  await deps.revoke({ tenant: row.tenant, sub: row.sub }, "recovery_restored", now);
  return { ok: true, restored };
}

/**
 * The "ends soon" notice: once per request, when now ≥ ready_at − REMINDER_BEFORE_MS and the wait
 * is not over. Each reminder carries its own cancel link (the first one keeps working). Run from
 * boot every 15 minutes; returns how many went out.
 */
export async function sendReminders(deps: RecoveryDeps, now: number): Promise<number> {
  const due = await deps.db
    .selectFrom("recovery_requests")
    .selectAll()
    .where("status", "=", "pending")
    .where("reminded_at", "is", null)
    .where("ready_at", "<=", now + REMINDER_BEFORE_MS)
    .where("ready_at", ">", now)
    .limit(500)
    .execute();
  let sent = 0;
  for (const row of due) {
    const token = randomToken(32);
    const res = await deps.db
      .updateTable("recovery_requests")
      .set({ reminded_at: now, reminder_cancel_token_hash: deps.keys.hash(CANCEL, token) })
      .where("id", "=", row.id)
      .where("status", "=", "pending")
      .where("reminded_at", "is", null)
      .executeTakeFirst();
    // Another instance's job took it.
    if (Number(res.numUpdatedRows) !== 1) continue;
    await audit(deps.db, { event: "recovery.reminded", tenant: row.tenant, sub: row.sub, outcome: "success", detail: { requestId: row.id } });
    await deps.notify({ kind: "reminder", user: { tenant: row.tenant, sub: row.sub }, email: row.email, locale: row.locale, readyAt: Number(row.ready_at), link: cancelLink(deps, token) });
    sent++;
  }
  return sent;
}

/** Retention: closed requests older than CLOSED_KEEP_MS (and past any restore window) go; open ones left ready too long expire. */
export async function purgeRecoveryRequests(db: Kysely<Database>, now: number): Promise<number> {
  await db
    .updateTable("recovery_requests")
    .set({ status: "expired" })
    .where("status", "in", OPEN)
    .where("ready_at", "<=", now - READY_FOR_MS)
    .execute();
  const res = await db
    .deleteFrom("recovery_requests")
    .where("status", "not in", OPEN)
    .where("created_at", "<", now - CLOSED_KEEP_MS)
    .where((eb) => eb.or([eb("restore_until", "is", null), eb("restore_until", "<", now)]))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
