import "server-only";
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { ChallengeRow, Database } from "@/lib/db/schema";
import type { Budgets } from "@/lib/env";
import { keyedHash, safeEqual } from "@/lib/security/crypto";
import type { BudgetKey, BudgetStore } from "@/lib/security/budgets";
import type { CheckResult, FactorCtx } from "./types";

/** The two channels that deliver a one-time code; they differ only in delivery. */
export type Channel = "email" | "phone";

/** NIST SP 800-63B §5.1.3: out-of-band secrets live ≤ 10 min; SMS gets 5 because it travels in the clear. */
export const CODE_TTL_MS: Record<Channel, number> = { email: 10 * 60_000, phone: 5 * 60_000 };
export const RESEND_COOLDOWN_MS = 30_000;
export const MAX_CODE_ATTEMPTS = 5;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type SendError = "cooldown" | "budget_exhausted" | "budget_unavailable" | "delivery_failed";
export type SendResult = { ok: true; resendAt: number } | { ok: false; error: SendError; retryAfterMs?: number };

export interface CodeDelivery {
  /** Sends `code` to `destination`; never throws. */
  deliver(channel: Channel, destination: string, code: string, ctx: FactorCtx): Promise<{ ok: true } | { ok: false; error: string; detail?: string }>;
  budgets: BudgetStore;
  limits: Budgets;
}

/** Six digits from the CSPRNG (crypto.randomInt is uniform, no modulo bias). */
export function newCode(): string {
  return crypto.randomInt(0, 1_000_000).toString().padStart(6, "0");
}

const hashCode = (key: Uint8Array, challengeId: string, code: string) => keyedHash(key, `code:${challengeId}`, code);

/** The live code for this flow and channel, if any: newest, unconsumed, not superseded, not expired. */
export async function activeChallenge(db: Kysely<Database>, flowId: string, channel: Channel, now = Date.now()): Promise<ChallengeRow | null> {
  const row = await db
    .selectFrom("challenges")
    .selectAll()
    .where("flow_id", "=", flowId)
    .where("factor", "=", channel)
    .where("consumed_at", "is", null)
    .where("superseded_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

/** When the user may ask for another code (the newest send of this flow and channel + cool-down). */
export async function resendAt(db: Kysely<Database>, flowId: string, channel: Channel): Promise<number> {
  const last = await db
    .selectFrom("challenges")
    .select("created_at")
    .where("flow_id", "=", flowId)
    .where("factor", "=", channel)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return last ? Number(last.created_at) + RESEND_COOLDOWN_MS : 0;
}

/**
 * The country an E.164 number belongs to (ISO 3166 code), or its calling code for numbers of no
 * country (+800, +882…), so those share one budget too.
 */
export function phoneCountry(e164: string): string {
  const phone = parsePhoneNumberFromString(e164);
  if (!phone) return "unknown";
  return phone.country ?? `+${phone.countryCallingCode}`;
}

/**
 * The budgets one send spends: hourly per destination, user, instance and (when known) IP. SMS
 * adds daily caps per number, user and instance, and hourly and daily caps per country of the
 * number. Each bucket has its own name, as a bucket is always used with one window.
 */
export function budgetKeys(channel: Channel, limits: Budgets, ctx: FactorCtx, destination: string): BudgetKey[] {
  const l = channel === "phone" ? limits.sms : limits.email;
  const dest = destination.toLowerCase();
  const user = `${ctx.flow.host}|${ctx.flow.sub}`;
  const keys: BudgetKey[] = [
    { bucket: `${channel}:dest:${dest}`, limit: l.perDestination, windowMs: HOUR },
    { bucket: `${channel}:user:${user}`, limit: l.perUser, windowMs: HOUR },
    { bucket: `${channel}:global`, limit: l.global, windowMs: HOUR },
  ];
  if (ctx.flow.context.ip) keys.push({ bucket: `${channel}:ip:${ctx.flow.context.ip}`, limit: l.perIp, windowMs: HOUR });
  if (channel === "phone") {
    const { daily, perCountry } = limits.sms;
    const country = phoneCountry(destination);
    keys.push(
      { bucket: `phone:country:${country}`, limit: perCountry.hourly, windowMs: HOUR },
      { bucket: `phone:day:country:${country}`, limit: perCountry.daily, windowMs: DAY },
      { bucket: `phone:day:dest:${dest}`, limit: daily.perDestination, windowMs: DAY },
      { bucket: `phone:day:user:${user}`, limit: daily.perUser, windowMs: DAY },
      { bucket: `phone:day:global`, limit: daily.global, windowMs: DAY },
    );
  }
  return keys;
}

/**
 * Sends a fresh code: cool-down first, then every send budget, then delivery. A new code retires
 * the previous one; failures stay counted on the flow, so a resend never buys more guesses. A
 * failed delivery removes its row, so it does not start the cool-down.
 */
export async function sendCode(ctx: FactorCtx, delivery: CodeDelivery, channel: Channel, purpose: "setup" | "challenge", destination: string): Promise<SendResult> {
  const { db, now } = ctx;
  const earliest = await resendAt(db, ctx.flow.id, channel);
  if (earliest > now) return { ok: false, error: "cooldown", retryAfterMs: earliest - now };
  const spent = await delivery.budgets.take(budgetKeys(channel, delivery.limits, ctx, destination), now);
  if (!spent.ok) return spent.reason === "unavailable" ? { ok: false, error: "budget_unavailable" } : { ok: false, error: "budget_exhausted", retryAfterMs: spent.retryAfterMs };

  const id = crypto.randomUUID();
  const code = newCode();
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("challenges")
      .set({ superseded_at: now })
      .where("flow_id", "=", ctx.flow.id)
      .where("factor", "=", channel)
      .where("superseded_at", "is", null)
      .where("consumed_at", "is", null)
      .execute();
    await trx
      .insertInto("challenges")
      .values({ id, flow_id: ctx.flow.id, factor: channel, purpose, destination, code_hash: hashCode(ctx.env.secret, id, code), attempts: 0, created_at: now, expires_at: now + CODE_TTL_MS[channel], consumed_at: null, superseded_at: null })
      .execute();
  });
  const sent = await delivery.deliver(channel, destination, code, ctx);
  if (!sent.ok) {
    await db.deleteFrom("challenges").where("id", "=", id).execute();
    return { ok: false, error: "delivery_failed" };
  }
  return { ok: true, resendAt: now + RESEND_COOLDOWN_MS };
}

export type CodeCheck = (CheckResult & { destination?: string }) | { ok: false; error: "code_expired" };

/**
 * Checks a code against this flow's live challenge only (a code from another flow never
 * matches: the lookup is by flow). Counts the attempt first, atomically, so parallel guesses
 * cannot exceed MAX_CODE_ATTEMPTS; consumes on success with a conditional UPDATE, so of fifty
 * parallel submissions of the right code exactly one wins.
 */
export async function checkCode(ctx: FactorCtx, channel: Channel, purpose: "setup" | "challenge", code: string): Promise<CodeCheck> {
  const { db, now } = ctx;
  const live = await activeChallenge(db, ctx.flow.id, channel, now);
  if (!live || live.purpose !== purpose) return { ok: false, error: "code_expired" };
  const counted = await db
    .updateTable("challenges")
    .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
    .where("id", "=", live.id)
    .where("attempts", "<", MAX_CODE_ATTEMPTS)
    .where("consumed_at", "is", null)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) !== 1) return { ok: false, error: "code_expired" };
  if (!safeEqual(hashCode(ctx.env.secret, live.id, code), live.code_hash)) return { ok: false, error: "code_invalid" };
  const consumed = await db.updateTable("challenges").set({ consumed_at: now }).where("id", "=", live.id).where("consumed_at", "is", null).executeTakeFirst();
  if (Number(consumed.numUpdatedRows) !== 1) return { ok: false, error: "code_reused" };
  return { ok: true, destination: live.destination };
}

/** Retires the flow's pending codes for a channel (the user goes back to enter another address or number). */
export async function supersedeCodes(db: Kysely<Database>, flowId: string, channel: Channel, now: number): Promise<void> {
  await db.updateTable("challenges").set({ superseded_at: now }).where("flow_id", "=", flowId).where("factor", "=", channel).where("superseded_at", "is", null).execute();
}
