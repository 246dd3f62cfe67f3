import { revokeAtAuth0 } from "@/lib/auth0/revoke";
import { sql, type Kysely } from "kysely";
import { audit, recentAuditEvents, type AuditRecord } from "@/lib/audit";
import type { AuthenticatorRow, Database, DeviceRow } from "@/lib/db/schema";
import { listDevices, revokeDevices } from "@/lib/devices/repo";
import { parseAuth0Domain, type Tenant } from "@/lib/env";
import { MAX_CONSECUTIVE_FAILURES, type UserKey } from "@/lib/factors/authenticators";
import { remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { createLink, ENROLL_LINK_DEFAULT_TTL_MS, ENROLL_LINK_MAX_TTL_MS, enrollLinkUrl, revokeLinks } from "@/lib/enrollment-links";
import { isFactorId, type FactorId } from "@/lib/factors/registry";
import { approveRequest, cancelForUser, openRequest, phaseOf, type RecoveryNotice } from "@/lib/recovery/requests";
import type { RecoveryRequestRow } from "@/lib/db/schema";
import type { KeyRing } from "@/lib/security/keys";

/**
 * Support operations shared by the CLI (scripts/keystep.ts) and the admin API (/api/admin).
 * Expected failures come back as a tagged result; every change writes an `admin.*` audit event.
 */

/** Who asked: the operator's shell, an API caller, or an operator signed in to the console. */
export interface Actor {
  kind: "cli" | "api" | "console";
  ip?: string | null;
  userAgent?: string | null;
  /** The console's operator (their email, else their Auth0 user id) and user id. */
  operator?: string;
  operatorSub?: string;
  /** Why, as the operator typed it (the console asks for a reason before every change). */
  reason?: string;
}

export type OpsError =
  | "invalid_user_id"
  | "invalid_authenticator_id"
  | "invalid_factor"
  | "invalid_lifetime"
  | "invalid_return_to"
  | "invalid_link_id"
  | "tenant_required"
  | "tenant_unknown"
  | "user_not_found"
  | "authenticator_not_found"
  | "link_not_found"
  | "reason_required"
  | "no_recovery_request";

export type OpsResult<T> = { ok: true; value: T } | { ok: false; error: OpsError; message: string };

const fail = (error: OpsError, message: string): { ok: false; error: OpsError; message: string } => ({ ok: false, error, message });

/** How many events `show` returns. */
export const RECENT_EVENTS = 50;

export interface FactorView {
  id: string;
  factor: string;
  label: string;
  destination: string | null;
  status: "active" | "disabled";
  failureCount: number;
  createdAt: string;
  lastUsedAt: string | null;
  disabledAt: string | null;
}

export interface DeviceView {
  id: string;
  userAgent: string | null;
  createdAt: string;
  lastMfaAt: string;
  rememberedUntil: string | null;
}

export interface EventView extends Omit<AuditRecord, "at"> {
  at: string;
}

export interface UserView {
  tenant: string;
  sub: string;
  factors: FactorView[];
  recoveryCodes: { remaining: number; issued: number };
  devices: DeviceView[];
  events: EventView[];
  /** The user's open self-service recovery request (docs/recovery.md), if any. */
  recovery: RecoveryView | null;
}

export interface ResetSummary {
  tenant: string;
  sub: string;
  factorsRemoved: number;
  recoveryCodesRemoved: number;
  devicesRevoked: number;
  /** What reached Auth0 (lib/auth0/revoke.ts): `revocation_time`, `sessions`, `refresh_tokens`; empty without Management API credentials. */
  auth0Revoked: string[];
}

export interface FactorChange {
  authenticator: FactorView;
  /** False when the factor was already in the requested state. */
  changed: boolean;
  /** What reached Auth0 when a factor was disabled (as ResetSummary's). */
  auth0Revoked: string[];
}

const iso = (ms: number) => new Date(Number(ms)).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

function factorView(r: AuthenticatorRow): FactorView {
  return {
    id: r.id,
    factor: r.factor,
    label: r.label,
    destination: r.destination,
    status: r.disabled_at === null ? "active" : "disabled",
    failureCount: Number(r.failure_count),
    createdAt: iso(r.created_at),
    lastUsedAt: isoOrNull(r.last_used_at),
    disabledAt: isoOrNull(r.disabled_at),
  };
}

// Hashes of the device cookie and app device id stay out of the view: support has no use for them.
function deviceView(d: DeviceRow): DeviceView {
  return { id: d.id, userAgent: d.user_agent, createdAt: iso(d.created_at), lastMfaAt: iso(d.last_mfa_at), rememberedUntil: isoOrNull(d.remembered_until) };
}

/**
 * The tenant to act on, as Keystep keys its users: the one asked for, by its id or by any of its
 * domains (canonical or custom, with or without a scheme), or the single configured one. With no
 * tenant configured, the name given is the key. `how` tells the caller how to name one.
 */
export function resolveTenant(configured: readonly Tenant[], requested: string | null | undefined, how: string): OpsResult<string> {
  const names = configured.map((t) => t.auth0Id ?? t.domains.map((d) => d.host).join(", "));
  if (requested !== null && requested !== undefined) {
    const byId = configured.find((t) => t.id === requested.trim());
    if (byId) return { ok: true, value: byId.id };
    let host: string;
    try {
      host = parseAuth0Domain(requested).host;
    } catch {
      return fail("tenant_unknown", `"${requested}" is not an Auth0 tenant id or domain (e.g. acme-prod, tenant.eu.auth0.com).`);
    }
    if (configured.length === 0) return { ok: true, value: host };
    const byDomain = configured.find((t) => t.domains.some((d) => d.host === host));
    if (byDomain) return { ok: true, value: byDomain.id };
    return fail("tenant_unknown", `Tenant "${requested.trim()}" is not configured; Keystep serves ${names.join("; ")}.`);
  }
  const [only] = configured;
  if (configured.length === 1 && only !== undefined) return { ok: true, value: only.id };
  if (configured.length === 0) return fail("tenant_required", `No Auth0 tenant is configured, so name one with ${how}.`);
  return fail("tenant_required", `Several Auth0 tenants are configured (${names.join("; ")}); name one with ${how}.`);
}

/** A user key from a tenant (resolveTenant) and an Auth0 user id (`auth0|…`, `google-oauth2|…`, …). */
export function parseUserKey(tenant: string, sub: string): OpsResult<UserKey> {
  if (sub.length === 0 || sub.length > 512 || sub.trim() !== sub || /[\u0000-\u001f\u007f]/.test(sub))
    return fail("invalid_user_id", "The user id must be an Auth0 user_id such as auth0|64f1c2… (1–512 characters, no spaces at the ends).");
  return { ok: true, value: { tenant, sub } };
}

const AUTHENTICATOR_ID = /^[A-Za-z0-9_-]{1,128}$/;

function checkAuthenticatorId(id: string): OpsResult<string> {
  return AUTHENTICATOR_ID.test(id) ? { ok: true, value: id } : fail("invalid_authenticator_id", "The authenticator id must be an id from `show` (letters, digits, - and _).");
}

const userNotFound = (user: UserKey) => fail("user_not_found", `No Keystep record of user ${user.sub} on ${user.tenant}.`);

/** Keystep has seen the user if any of their rows exist: a factor, codes, a device, or an audit event. */
async function userExists(db: Kysely<Database>, user: UserKey): Promise<boolean> {
  const found = await Promise.all(
    (["authenticators", "recovery_codes", "devices", "audit_events"] as const).map((table) =>
      db.selectFrom(table).select("sub").where("tenant", "=", user.tenant).where("sub", "=", user.sub).limit(1).executeTakeFirst(),
    ),
  );
  return found.some(Boolean);
}

const actorFields = (actor: Actor) => ({ ip: actor.ip ?? null, userAgent: actor.userAgent ?? null });

/** The actor as every admin.* audit event's detail names them. */
const actorDetail = (actor: Actor) => ({
  actor: actor.kind,
  ...(actor.operator ? { operator: actor.operator } : {}),
  ...(actor.operatorSub ? { operatorSub: actor.operatorSub } : {}),
  ...(actor.reason ? { reason: actor.reason.slice(0, 500) } : {}),
});

/** The user's factors (disabled ones too), recovery codes, remembered devices and latest audit events. */
export async function showUser(db: Kysely<Database>, user: UserKey, actor: Actor): Promise<OpsResult<UserView>> {
  if (!(await userExists(db, user))) return userNotFound(user);
  const now = Date.now();
  const [factors, remaining, issued, devices, events, recovery] = await Promise.all([
    db.selectFrom("authenticators").selectAll().where("tenant", "=", user.tenant).where("sub", "=", user.sub).orderBy("created_at").orderBy("id").execute(),
    remainingRecoveryCodes(db, user),
    db
      .selectFrom("recovery_codes")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("tenant", "=", user.tenant)
      .where("sub", "=", user.sub)
      .executeTakeFirstOrThrow(),
    listDevices(db, user),
    recentAuditEvents(db, user, RECENT_EVENTS),
    openRequest(db, user, now),
  ]);
  // Looking at a user's data is itself recorded, after the read so it does not list itself.
  await audit(db, { event: "admin.viewed", tenant: user.tenant, sub: user.sub, outcome: "success", ...actorFields(actor), detail: actorDetail(actor) });
  return {
    ok: true,
    value: {
      tenant: user.tenant,
      sub: user.sub,
      factors: factors.map(factorView),
      recoveryCodes: { remaining, issued: Number(issued.n) },
      devices: devices.map(deviceView),
      events: events.map((e) => ({ ...e, at: iso(e.at) })),
      recovery: recovery ? recoveryView(recovery, now) : null,
    },
  };
}

/**
 * Starts the user over: removes every factor and recovery code and revokes every device, in one
 * transaction, so the next login goes to setup. Used when a user lost all their factors.
 */
export async function resetUser(db: Kysely<Database>, user: UserKey, actor: Actor, now = Date.now(), tenants: readonly Tenant[] = []): Promise<OpsResult<ResetSummary>> {
  if (!(await userExists(db, user))) return userNotFound(user);
  const summary = await db.transaction().execute(async (trx) => {
    const factors = await trx.deleteFrom("authenticators").where("tenant", "=", user.tenant).where("sub", "=", user.sub).returning("factor").execute();
    const codes = await trx.deleteFrom("recovery_codes").where("tenant", "=", user.tenant).where("sub", "=", user.sub).executeTakeFirst();
    const devicesRevoked = await revokeDevices(trx, user, now);
    return { factors: factors.map((f) => f.factor), recoveryCodesRemoved: Number(codes.numDeletedRows), devicesRevoked };
  });
  await audit(db, {
    event: "admin.reset",
    tenant: user.tenant,
    sub: user.sub,
    outcome: "success",
    ...actorFields(actor),
    detail: { ...actorDetail(actor), factorsRemoved: summary.factors, recoveryCodesRemoved: summary.recoveryCodesRemoved, devicesRevoked: summary.devicesRevoked },
  });
  // Whoever had the lost device may hold an Auth0 session or a refresh token: they end too.
  const auth0Revoked = await revokeAtAuth0(db, { tenants }, user, "support_reset", { now });
  return {
    ok: true,
    value: { tenant: user.tenant, sub: user.sub, factorsRemoved: summary.factors.length, recoveryCodesRemoved: summary.recoveryCodesRemoved, devicesRevoked: summary.devicesRevoked, auth0Revoked },
  };
}

/**
 * Disables one factor (it stops being offered or accepted) or enables it again. Enabling also
 * clears the consecutive-failure count, so a factor locked at the cap gets a fresh start.
 */
export async function setFactorEnabled(
  db: Kysely<Database>,
  user: UserKey,
  authenticatorId: string,
  enabled: boolean,
  actor: Actor,
  now = Date.now(),
  tenants: readonly Tenant[] = [],
): Promise<OpsResult<FactorChange>> {
  const id = checkAuthenticatorId(authenticatorId);
  if (!id.ok) return id;
  const mine = db.selectFrom("authenticators").selectAll().where("id", "=", id.value).where("tenant", "=", user.tenant).where("sub", "=", user.sub);
  const before = await mine.executeTakeFirst();
  if (!before) {
    if (!(await userExists(db, user))) return userNotFound(user);
    return fail("authenticator_not_found", `User ${user.sub} has no authenticator ${id.value}.`);
  }
  const update = db.updateTable("authenticators").where("id", "=", before.id).where("tenant", "=", user.tenant).where("sub", "=", user.sub);
  // The conditional UPDATE decides "changed", so of two concurrent requests one records the change.
  const res = enabled
    ? await update
        .set({ disabled_at: null, failure_count: 0 })
        .where((eb) => eb.or([eb("disabled_at", "is not", null), eb("failure_count", ">", 0)]))
        .executeTakeFirst()
    : await update.set({ disabled_at: now }).where("disabled_at", "is", null).executeTakeFirst();
  const changed = Number(res.numUpdatedRows) === 1;
  // A disabled factor no longer vouches for the devices remembered with it (as when a user removes one).
  const devicesRevoked = !enabled && changed ? await revokeDevices(db, user, now) : 0;
  const after = (await mine.executeTakeFirst()) ?? before;
  await audit(db, {
    event: enabled ? "admin.factor_enabled" : "admin.factor_disabled",
    tenant: user.tenant,
    sub: user.sub,
    factor: before.factor,
    outcome: changed ? "success" : "unchanged",
    ...actorFields(actor),
    detail: { ...actorDetail(actor), authenticatorId: before.id, ...(enabled ? { failuresCleared: Number(before.failure_count) } : { devicesRevoked }) },
  });
  const auth0Revoked = !enabled && changed ? await revokeAtAuth0(db, { tenants }, user, "factor_disabled", { now }) : [];
  return { ok: true, value: { authenticator: factorView(after), changed, auth0Revoked } };
}

export interface IssuedLink {
  id: string;
  tenant: string;
  sub: string;
  /** The factor to set up; null: any factor the deployment offers that the user lacks. */
  factor: FactorId | null;
  /** The link, shown once: only its keyed hash is stored. */
  url: string;
  expiresAt: string;
  returnTo: string | null;
}

export interface LinkSettings {
  keys: KeyRing;
  publicUrl: URL;
  /** The factors this deployment can set up (lib/enrollment-links.ts offeredFactors). */
  offered: readonly FactorId[];
}

/** A link's lifetime as support writes it: a number and a unit, m(inutes), h(ours) or d(ays): "7d", "12h", "90m". */
export function parseLifetime(raw: string): OpsResult<number> {
  const m = /^\s*(\d{1,6})\s*([mhd])\s*$/.exec(raw);
  if (!m) return fail("invalid_lifetime", `"${raw}" is not a lifetime: write a number and m, h or d, such as 7d, 12h or 90m (at most 30d).`);
  return { ok: true, value: Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"] };
}

/** The application's sign-in URL a link page points to: absolute https (http only for a local address). */
function checkReturnTo(raw: string): OpsResult<string> {
  try {
    const url = new URL(raw);
    const local = /^(localhost|127\.0\.0\.1|\[::1\])$/.test(url.hostname);
    if ((url.protocol === "https:" || (url.protocol === "http:" && local)) && !url.username && !url.password && raw.length <= 2000) return { ok: true, value: url.toString() };
  } catch {
    // refused below
  }
  return fail("invalid_return_to", "The return-to URL must be the application's absolute https sign-in URL (http only for localhost), at most 2000 characters.");
}

/**
 * Issues an enrollment link for a user (docs/decisions/0012-enrollment-links.md): single use,
 * expiring (default 7 days, at most 30), optionally naming the factor to set up. The user need not
 * be known to Keystep yet (onboarding). The URL is returned once and never stored or audited.
 */
export async function issueEnrollmentLink(
  db: Kysely<Database>,
  user: UserKey,
  opts: { factor?: string | null; ttlMs?: number; returnTo?: string | null },
  actor: Actor,
  now: number,
  settings: LinkSettings,
): Promise<OpsResult<IssuedLink>> {
  let factor: FactorId | null = null;
  if (opts.factor !== undefined && opts.factor !== null) {
    if (!isFactorId(opts.factor) || !settings.offered.includes(opts.factor))
      return fail("invalid_factor", `This deployment does not offer "${opts.factor}" for setup; it offers ${settings.offered.join(", ") || "no factor"}. Leave the factor out for any of them.`);
    factor = opts.factor;
  }
  const ttlMs = opts.ttlMs ?? ENROLL_LINK_DEFAULT_TTL_MS;
  if (!Number.isFinite(ttlMs) || ttlMs < 60_000 || ttlMs > ENROLL_LINK_MAX_TTL_MS) return fail("invalid_lifetime", "A link lives between 1 minute and 30 days (default 7 days).");
  let returnTo: string | null = null;
  if (opts.returnTo !== undefined && opts.returnTo !== null) {
    const checked = checkReturnTo(opts.returnTo);
    if (!checked.ok) return checked;
    returnTo = checked.value;
  }
  const link = await createLink(db, settings.keys, { user, factor, ttlMs, returnTo, createdBy: actor.kind }, now);
  await audit(db, {
    event: "enroll_link.issued",
    tenant: user.tenant,
    sub: user.sub,
    factor,
    outcome: "success",
    ...actorFields(actor),
    detail: { ...actorDetail(actor), linkId: link.id, expiresAt: iso(link.expiresAt), ...(returnTo ? { returnTo } : {}) },
  });
  return { ok: true, value: { id: link.id, tenant: user.tenant, sub: user.sub, factor, url: enrollLinkUrl(settings, link.token), expiresAt: iso(link.expiresAt), returnTo } };
}

/** Revokes a user's unused enrollment links, or the one `linkId` names. A reset keeps links: support issues one after a reset. */
export async function revokeEnrollmentLinks(
  db: Kysely<Database>,
  user: UserKey,
  actor: Actor,
  now = Date.now(),
  linkId?: string,
): Promise<OpsResult<{ tenant: string; sub: string; revoked: number }>> {
  if (linkId !== undefined && !/^[0-9a-f-]{36}$/.test(linkId)) return fail("invalid_link_id", "The link id must be the id `enroll-link` printed (a UUID).");
  const revoked = await revokeLinks(db, user, now, linkId);
  if (linkId !== undefined && revoked === 0) return fail("link_not_found", `User ${user.sub} has no unused, unrevoked enrollment link ${linkId}.`);
  await audit(db, {
    event: "enroll_link.revoked",
    tenant: user.tenant,
    sub: user.sub,
    outcome: revoked > 0 ? "success" : "unchanged",
    ...actorFields(actor),
    detail: { ...actorDetail(actor), revoked, ...(linkId ? { linkId } : {}) },
  });
  return { ok: true, value: { tenant: user.tenant, sub: user.sub, revoked } };
}

/** A self-service recovery request as support sees it (docs/recovery.md); hashes and tokens stay out. */
export interface RecoveryView {
  id: string;
  status: string;
  createdAt: string;
  readyAt: string;
  approvedBy: string | null;
  userAgent: string | null;
  ip: string | null;
}

const REASON_MAX = 500;

function checkReason(reason: string | null | undefined): OpsResult<string> {
  const r = (reason ?? "").replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  return r.length > 0 && r.length <= REASON_MAX ? { ok: true, value: r } : fail("reason_required", `Give a reason (1–${REASON_MAX} characters): it goes to the audit trail.`);
}

const noRequest = (user: UserKey) => fail("no_recovery_request", `User ${user.sub} on ${user.tenant} has no open recovery request.`);

/** What the ops need to act on a recovery request: the key ring, and a notifier where one is wired (the server; the CLI has none). */
export interface RecoveryOpsDeps {
  keys?: KeyRing;
  publicUrl?: string;
  notify?: (n: RecoveryNotice) => Promise<void>;
}

function recoveryDepsOf(db: Kysely<Database>, d: RecoveryOpsDeps, tenants: readonly Tenant[]) {
  return {
    db,
    // Approving and cancelling look requests up by user, never by token.
    keys: d.keys as KeyRing,
    publicUrl: d.publicUrl ?? "http://localhost",
    // Support never opens a request, so no budget is spent here.
    budgets: { take: async () => ({ ok: true }) as const, ping: async () => true },
    notify: d.notify ?? (async () => {}),
    revoke: (user: UserKey, cause: Parameters<typeof revokeAtAuth0>[3], now: number) => revokeAtAuth0(db, { tenants }, user, cause, { now }),
  };
}

/**
 * Support shortens the wait of the user's open recovery request, with a reason: it is ready now,
 * still only from the browser it came from. Audited `recovery.approved` with the actor and reason.
 */
export async function approveRecovery(
  db: Kysely<Database>,
  user: UserKey,
  actor: Actor,
  reason: string | null | undefined,
  d: RecoveryOpsDeps,
  now = Date.now(),
  tenants: readonly Tenant[] = [],
): Promise<OpsResult<RecoveryView>> {
  const why = checkReason(reason);
  if (!why.ok) return why;
  const row = await approveRequest(recoveryDepsOf(db, d, tenants), user, actor.kind, why.value, now);
  if (!row) return noRequest(user);
  await auditRecoveryAction(db, "admin.recovery_approved", user, actor, row.id, why.value);
  return { ok: true, value: recoveryView(row) };
}

/** Support cancels the user's open recovery request, with a reason. Audited `recovery.cancelled` and `admin.recovery_cancelled`. */
export async function cancelRecovery(
  db: Kysely<Database>,
  user: UserKey,
  actor: Actor,
  reason: string | null | undefined,
  d: RecoveryOpsDeps,
  now = Date.now(),
  tenants: readonly Tenant[] = [],
): Promise<OpsResult<RecoveryView>> {
  const why = checkReason(reason);
  if (!why.ok) return why;
  const row = await openRequest(db, user, now);
  if (!row || !(await cancelForUser(recoveryDepsOf(db, d, tenants), user, "support", now, { actor: actor.kind, note: why.value }))) return noRequest(user);
  await auditRecoveryAction(db, "admin.recovery_cancelled", user, actor, row.id, why.value);
  return { ok: true, value: { ...recoveryView(row), status: "cancelled" } };
}

/** The admin.* event of a support action on a recovery request: who, why, and which request. */
function auditRecoveryAction(db: Kysely<Database>, event: "admin.recovery_approved" | "admin.recovery_cancelled", user: UserKey, actor: Actor, requestId: string, reason: string) {
  return audit(db, { event, tenant: user.tenant, sub: user.sub, outcome: "success", ...actorFields(actor), detail: { ...actorDetail(actor), requestId, reason } });
}

/** A request as support sees it; its status is the phase it is in at `now` (a pending request whose wait is over reads "ready"). */
function recoveryView(r: RecoveryRequestRow, now = Date.now()): RecoveryView {
  return { id: r.id, status: phaseOf(r, now), createdAt: iso(r.created_at), readyAt: iso(r.ready_at), approvedBy: r.approved_by, userAgent: r.user_agent, ip: r.ip };
}

export interface UnlockSummary {
  tenant: string;
  sub: string;
  /** Factors that were locked at the failure cap (MAX_CONSECUTIVE_FAILURES) and work again. */
  factorsUnlocked: string[];
  /** Failed code guesses forgotten from the hourly pacing (lib/flow/attempt.ts), so the user can try again now. */
  failuresCleared: number;
}

/**
 * Undoes lockouts, and only lockouts: factors disabled by reaching the consecutive-failure cap are
 * enabled with a fresh count (a factor support or the user disabled stays disabled), and the
 * user's hourly code-guess pacing is emptied.
 */
export async function unlockUser(db: Kysely<Database>, user: UserKey, actor: Actor): Promise<OpsResult<UnlockSummary>> {
  if (!(await userExists(db, user))) return userNotFound(user);
  const prefix = `otp-failures:${user.tenant}|${user.sub}|`;
  const done = await db.transaction().execute(async (trx) => {
    const locked = await trx
      .updateTable("authenticators")
      .set({ disabled_at: null, failure_count: 0 })
      .where("tenant", "=", user.tenant)
      .where("sub", "=", user.sub)
      .where("failure_count", ">=", MAX_CONSECUTIVE_FAILURES)
      .returning("id")
      .execute();
    // substr, not LIKE: a user id may hold % or _.
    const paced = await trx.deleteFrom("attempts").where(sql<string>`substr(bucket, 1, ${prefix.length})`, "=", prefix).executeTakeFirst();
    return { factorsUnlocked: locked.map((r) => r.id), failuresCleared: Number(paced.numDeletedRows) };
  });
  const changed = done.factorsUnlocked.length > 0 || done.failuresCleared > 0;
  await audit(db, { event: "admin.unlocked", tenant: user.tenant, sub: user.sub, outcome: changed ? "success" : "unchanged", ...actorFields(actor), detail: { ...actorDetail(actor), ...done } });
  return { ok: true, value: { tenant: user.tenant, sub: user.sub, ...done } };
}

/** Forgets every remembered device of the user: their next login asks for a factor on each. */
export async function revokeUserDevices(db: Kysely<Database>, user: UserKey, actor: Actor, now = Date.now()): Promise<OpsResult<{ tenant: string; sub: string; devicesRevoked: number }>> {
  if (!(await userExists(db, user))) return userNotFound(user);
  const devicesRevoked = await revokeDevices(db, user, now);
  await audit(db, {
    event: "admin.devices_revoked",
    tenant: user.tenant,
    sub: user.sub,
    outcome: devicesRevoked > 0 ? "success" : "unchanged",
    ...actorFields(actor),
    detail: { ...actorDetail(actor), devicesRevoked },
  });
  return { ok: true, value: { tenant: user.tenant, sub: user.sub, devicesRevoked } };
}
