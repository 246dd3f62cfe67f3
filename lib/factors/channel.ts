import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { z } from "zod";
import type { Env } from "@/lib/env";
import { maskEmail, maskPhone } from "@/lib/delivery/templates";
import { insertAuthenticator, listActive } from "./authenticators";
import { activeChallenge, checkCode, resendAt } from "./code";
import { channelSpec, descriptor, type ChannelId } from "./registry";
import type { Delivered } from "./send";
import type { FactorCtx, EnrollFactor } from "./types";

/**
 * A channel that delivers one-time codes (email, SMS, WhatsApp…). What is data (the kind of
 * destination, its budgets, how long a code lives, where it may go) sits in the factor's
 * descriptor; the folder's channel.ts adds the sender and the rendered message. Parsing,
 * masking, budgets, cool-down and the code itself are shared, so every channel gets them alike.
 */
export interface Channel {
  id: ChannelId;
  /** Renders the code message in the user's language and hands it to the configured sender; never throws. */
  send(ctx: FactorCtx, destination: string, code: string): Promise<Delivered>;
}

/** The server half a channel folder exports (see FactorDescriptor.load). */
export interface ChannelModule {
  channel: Channel;
  factor: EnrollFactor<ChannelEnrollView>;
}

export interface ChannelEnrollView {
  stage: "destination" | "code";
  masked?: string;
  resendAt?: number;
}

const spec = (id: ChannelId) => channelSpec(id);

/** A destination as the user may see it on screen: enough to recognise, not to harvest. */
export function mask(channel: ChannelId, destination: string): string {
  return spec(channel).destination === "email" ? maskEmail(destination) : maskPhone(destination);
}

/** Where this deployment lets the channel send (ISO 3166 codes, or *); empty when it is off. */
export function allowedCountries(channel: ChannelId, env: Env): string[] {
  return spec(channel).countries?.(env) ?? [];
}

export type DestinationError = "email_invalid" | "phone_invalid" | "phone_not_mobile" | "country_not_allowed";
export type Destination = { ok: true; value: string } | { ok: false; error: DestinationError };

const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());

/** Validates what the user typed: an email address, or a phone number stored as E.164. */
export function parseDestination(channel: ChannelId, raw: string, country: string | undefined, allowed: string[]): Destination {
  if (spec(channel).destination === "email") {
    const r = emailSchema.safeParse(raw);
    return r.success ? { ok: true, value: r.data } : { ok: false, error: "email_invalid" };
  }
  const phone = parsePhoneNumberFromString(raw.slice(0, 40), (country?.toUpperCase() || undefined) as CountryCode | undefined);
  if (!phone || !phone.isValid()) return { ok: false, error: "phone_invalid" };
  const type = phone.getType();
  // Landlines and premium numbers cannot receive codes and are the usual toll-fraud targets.
  if (type && !["MOBILE", "FIXED_LINE_OR_MOBILE", "PERSONAL_NUMBER"].includes(type)) return { ok: false, error: "phone_not_mobile" };
  if (!allowed.includes("*") && (!phone.country || !allowed.includes(phone.country))) return { ok: false, error: "country_not_allowed" };
  return { ok: true, value: phone.number };
}

/** Where a challenge code goes: the saved destination, or the token's verified email where the factor is implicit. */
export async function challengeDestination(ctx: FactorCtx, channel: ChannelId): Promise<string | null> {
  const [saved] = await listActive(ctx.db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }, channel);
  if (saved?.destination) return saved.destination;
  const claims = ctx.flow.context.claims;
  const implicit = descriptor(channel).implicit?.(ctx.env, claims) ?? false;
  return implicit && spec(channel).destination === "email" && claims.email ? claims.email.toLowerCase() : null;
}

/** Every channel is the same factor: a destination, then a code sent to it. */
export function channelFactor(channel: ChannelId): EnrollFactor<ChannelEnrollView> {
  return {
    id: channel,

    async beginEnroll(ctx) {
      const live = await activeChallenge(ctx.db, ctx.flow.id, channel, ctx.now);
      if (!live || live.purpose !== "enroll") return { stage: "destination" };
      return { stage: "code", masked: mask(channel, live.destination), resendAt: await resendAt(ctx.db, ctx.flow.id, channel) };
    },

    async finishEnroll(ctx, code) {
      const r = await checkCode(ctx, channel, "enroll", code);
      if (!r.ok) return r;
      // No label: the factor's name is shown in the user's language (the descriptor's messages).
      await insertAuthenticator(ctx.db, { tenant: ctx.flow.tenant, sub: ctx.flow.sub }, { factor: channel, label: "", destination: r.destination ?? null }, ctx.now);
      return { ok: true };
    },

    async verify(ctx, code) {
      const r = await checkCode(ctx, channel, "challenge", code);
      return r.ok ? { ok: true } : r;
    },
  };
}
