import type { ChannelSpec, FactorDescriptor, Tier } from "./descriptor";
import { email } from "./email/descriptor";
import { magicLink } from "./magic-link/descriptor";
import { otp } from "./otp/descriptor";
import { phone } from "./phone/descriptor";
import { recoveryCode } from "./recovery-code/descriptor";
import { passkey, securityKey } from "./webauthn/descriptor";
import { whatsapp } from "./whatsapp/descriptor";

/**
 * Every factor, strongest first: this order is the preference order (the default challenge and
 * the recommended setup). Adding a factor means adding its folder and one line here; every other
 * list of factors (ids, tiers, the picker, the config schema, the Action's list) derives from it.
 */
export const DESCRIPTORS = [passkey, securityKey, otp, phone, whatsapp, email, magicLink, recoveryCode] as const;

export type FactorId = (typeof DESCRIPTORS)[number]["id"];
/** Factor names follow Auth0's own (DESIGN §1), plus Keystep's own factors. */
export const FACTOR_IDS = DESCRIPTORS.map((d) => d.id) as unknown as readonly [FactorId, ...FactorId[]];
export type { Tier } from "./descriptor";

export function isFactorId(v: unknown): v is FactorId {
  return typeof v === "string" && (FACTOR_IDS as readonly string[]).includes(v);
}

const BY_ID = new Map<string, FactorDescriptor<FactorId>>(DESCRIPTORS.map((d) => [d.id, d as FactorDescriptor<FactorId>]));

/** The descriptor of one factor. */
export function descriptor(id: FactorId): FactorDescriptor<FactorId> {
  const d = BY_ID.get(id);
  if (!d) throw new Error(`unknown factor ${id}`);
  return d;
}

/** Factors that deliver a one-time code through a channel (one `/[channel]` route serves them all). */
export type ChannelId = Extract<(typeof DESCRIPTORS)[number], { channel: object }>["id"];
export const CHANNEL_IDS = DESCRIPTORS.filter((d) => "channel" in d && d.channel).map((d) => d.id) as ChannelId[];

/** The channel part of a channel factor's descriptor. */
export function channelSpec(id: ChannelId): ChannelSpec {
  const spec = descriptor(id).channel;
  if (!spec) throw new Error(`${id} is not a channel`);
  return spec;
}

export function isChannelId(v: unknown): v is ChannelId {
  return typeof v === "string" && (CHANNEL_IDS as readonly string[]).includes(v);
}

export const TIER = Object.fromEntries(DESCRIPTORS.map((d) => [d.id, d.tier])) as Record<FactorId, Tier>;
const RANK: Record<Tier, number> = { recovery: 0, email: 1, possession: 2, "phishing-resistant": 3 };

/** A number to compare tiers with: higher is stronger. */
export function tierRank(id: FactorId): number {
  return RANK[TIER[id]];
}

/** Strongest first: the factor a returning user is challenged with when nothing else decides. Recovery codes are never chosen by default. */
export const PREFERENCE: readonly FactorId[] = FACTOR_IDS.filter((id) => TIER[id] !== "recovery");

/**
 * Factors stronger than a code sent to a phone number. NIST SP 800-63B-4 §3.1.3.3 treats the
 * phone network as a restricted authenticator: codes can be intercepted and numbers taken over
 * (SIM swap, port-out). Restricted setup screens say so and offer these instead.
 */
export const STRONGER_THAN_SMS: readonly FactorId[] = DESCRIPTORS.filter((d) => RANK[d.tier] >= RANK.possession && !("restricted" in d && d.restricted)).map((d) => d.id);
