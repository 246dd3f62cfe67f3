import "server-only";
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { z } from "zod";
import { maskEmail, maskPhone } from "@/lib/delivery/templates";
import { insertAuthenticator, listActive } from "./authenticators";
import { activeChallenge, checkCode, resendAt, type Channel } from "./code";
import type { Factor, FactorCtx } from "./types";

export interface ChannelSetupView {
  stage: "destination" | "code";
  masked?: string;
  resendAt?: number;
}

export function mask(channel: Channel, destination: string): string {
  return channel === "email" ? maskEmail(destination) : maskPhone(destination);
}

export type DestinationError = "email_invalid" | "phone_invalid" | "phone_not_mobile" | "country_not_allowed";
export type Destination = { ok: true; value: string } | { ok: false; error: DestinationError };

const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());

/** Validates what the user typed: an email address, or a phone number stored as E.164. */
export function parseDestination(channel: Channel, raw: string, country: string | undefined, allowedCountries: string[]): Destination {
  if (channel === "email") {
    const r = emailSchema.safeParse(raw);
    return r.success ? { ok: true, value: r.data } : { ok: false, error: "email_invalid" };
  }
  const phone = parsePhoneNumberFromString(raw.slice(0, 40), (country?.toUpperCase() || undefined) as CountryCode | undefined);
  if (!phone || !phone.isValid()) return { ok: false, error: "phone_invalid" };
  const type = phone.getType();
  // Landlines and premium numbers cannot receive codes and are the usual toll-fraud targets.
  if (type && !["MOBILE", "FIXED_LINE_OR_MOBILE", "PERSONAL_NUMBER"].includes(type)) return { ok: false, error: "phone_not_mobile" };
  if (!allowedCountries.includes("*") && (!phone.country || !allowedCountries.includes(phone.country))) return { ok: false, error: "country_not_allowed" };
  return { ok: true, value: phone.number };
}

/** Where a challenge code goes: the saved destination, or the token's verified email. */
export async function challengeDestination(ctx: FactorCtx, channel: Channel): Promise<string | null> {
  const [saved] = await listActive(ctx.db, { host: ctx.flow.host, sub: ctx.flow.sub }, channel);
  if (saved?.destination) return saved.destination;
  const claims = ctx.flow.context.claims;
  return channel === "email" && claims.email && claims.email_verified ? claims.email.toLowerCase() : null;
}

/** Email and SMS codes: the same factor shape, differing only in delivery. */
export function channelFactor(channel: Channel): Factor<ChannelSetupView> {
  return {
    id: channel,

    async beginSetup(ctx) {
      const live = await activeChallenge(ctx.db, ctx.flow.id, channel, ctx.now);
      if (!live || live.purpose !== "setup") return { stage: "destination" };
      return { stage: "code", masked: mask(channel, live.destination), resendAt: await resendAt(ctx.db, ctx.flow.id, channel) };
    },

    async finishSetup(ctx, code) {
      const r = await checkCode(ctx, channel, "setup", code);
      if (!r.ok) return r;
      await insertAuthenticator(ctx.db, { host: ctx.flow.host, sub: ctx.flow.sub }, { factor: channel, label: channel === "email" ? "Email" : "Text message", destination: r.destination ?? null }, ctx.now);
      return { ok: true };
    },

    async verify(ctx, code) {
      const r = await checkCode(ctx, channel, "challenge", code);
      return r.ok ? { ok: true } : r;
    },
  };
}

export const emailFactor = channelFactor("email");
export const phoneFactor = channelFactor("phone");
