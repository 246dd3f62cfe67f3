import { sends } from "@/lib/metrics";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { Budgets, SendBudgets, SmsBudgets } from "@/lib/env";
import type { BudgetKey, BudgetStore } from "@/lib/security/budgets";
import { channelSpec, type ChannelId } from "./registry";
import type { FactorCtx } from "./types";

export const RESEND_COOLDOWN_MS = 30_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type SendError = "cooldown" | "budget_exhausted" | "budget_unavailable" | "delivery_failed";
export type SendResult = { ok: true; resendAt: number } | { ok: false; error: SendError; retryAfterMs?: number };
/** What a sender answers; `detail` is for logs only. */
export type Delivered = { ok: true } | { ok: false; error: string; detail?: string };

/**
 * The country an E.164 number belongs to (ISO 3166 code), or its calling code for numbers of no
 * country (+800, +882…), so those share one budget too.
 */
export function phoneCountry(e164: string): string {
  const phone = parsePhoneNumberFromString(e164);
  if (!phone) return "unknown";
  return phone.country ?? `+${phone.countryCallingCode}`;
}

const hasDaily = (l: SendBudgets | SmsBudgets): l is SmsBudgets => "daily" in l;

/**
 * The budgets one send spends: hourly per destination, user, instance and (when known) IP.
 * Channels that pay per message to a phone number (SMS, WhatsApp) add daily caps per number, user
 * and instance, and hourly and daily caps per country of the number. Each bucket has its own
 * name, as a bucket is always used with one window.
 */
export function budgetKeys(channel: ChannelId, limits: Budgets, ctx: FactorCtx, destination: string): BudgetKey[] {
  const l = limits[channelSpec(channel).budgets];
  const dest = destination.toLowerCase();
  const user = `${ctx.flow.tenant}|${ctx.flow.sub}`;
  const keys: BudgetKey[] = [
    { bucket: `${channel}:dest:${dest}`, limit: l.perDestination, windowMs: HOUR },
    { bucket: `${channel}:user:${user}`, limit: l.perUser, windowMs: HOUR },
    { bucket: `${channel}:global`, limit: l.global, windowMs: HOUR },
  ];
  if (ctx.flow.context.ip) keys.push({ bucket: `${channel}:ip:${ctx.flow.context.ip}`, limit: l.perIp, windowMs: HOUR });
  if (hasDaily(l)) {
    const country = phoneCountry(destination);
    keys.push(
      { bucket: `${channel}:country:${country}`, limit: l.perCountry.hourly, windowMs: HOUR },
      { bucket: `${channel}:day:country:${country}`, limit: l.perCountry.daily, windowMs: DAY },
      { bucket: `${channel}:day:dest:${dest}`, limit: l.daily.perDestination, windowMs: DAY },
      { bucket: `${channel}:day:user:${user}`, limit: l.daily.perUser, windowMs: DAY },
      { bucket: `${channel}:day:global`, limit: l.daily.global, windowMs: DAY },
    );
  }
  return keys;
}

/** One thing to send (a code, a sign-in link): how the flow's last send is found, how the new secret is stored, how it is delivered. */
export interface Outgoing {
  /** When this flow last sent one of these (the cool-down runs from it), or null. */
  lastSentAt(): Promise<number | null>;
  /** Stores the new secret, retiring older ones; returns how to undo it if delivery fails. */
  store(): Promise<{ undo(): Promise<void> }>;
  /** Hands the message to the sender; never throws. */
  deliver(): Promise<Delivered>;
}

/**
 * The one send routine for every channel and every kind of message: cool-down first, then every
 * send budget, then storing and delivery. A failed delivery removes what was stored, so it does
 * not start the cool-down.
 */
export async function sendGuarded(ctx: FactorCtx, o: { channel: ChannelId; destination: string; budgets: BudgetStore; limits: Budgets }, out: Outgoing): Promise<SendResult> {
  const result = await sendOnce(ctx, o, out);
  sends.inc({ channel: o.channel, result: result.ok ? "sent" : result.error });
  return result;
}

async function sendOnce(ctx: FactorCtx, o: { channel: ChannelId; destination: string; budgets: BudgetStore; limits: Budgets }, out: Outgoing): Promise<SendResult> {
  const { now } = ctx;
  const last = await out.lastSentAt();
  const earliest = last === null ? 0 : last + RESEND_COOLDOWN_MS;
  if (earliest > now) return { ok: false, error: "cooldown", retryAfterMs: earliest - now };
  const spent = await o.budgets.take(budgetKeys(o.channel, o.limits, ctx, o.destination), now);
  if (!spent.ok) return spent.reason === "unavailable" ? { ok: false, error: "budget_unavailable" } : { ok: false, error: "budget_exhausted", retryAfterMs: spent.retryAfterMs };
  const stored = await out.store();
  const sent = await out.deliver();
  if (!sent.ok) {
    await stored.undo();
    return { ok: false, error: "delivery_failed" };
  }
  return { ok: true, resendAt: now + RESEND_COOLDOWN_MS };
}
