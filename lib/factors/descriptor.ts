import type { Budgets, Env } from "@/lib/env";
import type { Channel } from "./channel";
import type { Factor } from "./types";

/**
 * Strength tiers (README → Policy → Strength tiers). Once a user holds a factor of a higher tier,
 * lower tiers are not offered for login unless a policy rule or the Action names them, and
 * binding a new factor needs a proof of the highest tier held.
 * - phishing-resistant: passkey, security key;
 * - possession: authenticator app, SMS;
 * - email: email code, sign-in link (NIST SP 800-63B-4 does not count email as a factor);
 * - recovery: recovery codes, a fallback that is never offered first.
 */
export type Tier = "phishing-resistant" | "possession" | "email" | "recovery";

/** How the factor's challenge screen works: type a code, run a browser ceremony, wait for a link, or look up a saved code. */
export type ScreenKind = "code" | "ceremony" | "wait" | "lookup";

/** What a delivered code needs to know about its channel, as data (the sender lives in the folder's channel.ts). */
export interface ChannelSpec {
  /** What the user types at setup: an email address, or a phone number kept as E.164. */
  destination: "email" | "phone";
  /** Which of the deployment's send budgets (lib/env.ts `Budgets`) a send spends. */
  budgets: keyof Budgets;
  /** How long a code lives (NIST SP 800-63B §5.1.3: ≤ 10 minutes for out-of-band secrets). */
  codeTtlMs: number;
  /** Where codes may go (ISO 3166 codes, or *) for phone destinations; toll fraud targets the rest. */
  countries?(env: Env): string[];
}

/** The server half of a factor, loaded on demand so the registry stays free of server dependencies. */
export interface FactorModule {
  factor: Factor<unknown>;
  /** Channel factors also export their sender (lib/factors/channel.ts `Channel`). */
  channel?: Channel;
}

/**
 * Everything Keystep knows about one factor, in one place (the folder's descriptor.ts). The
 * registry lists descriptors; every list of factors elsewhere is derived from it.
 */
export interface FactorDescriptor<Id extends string = string> {
  id: Id;
  /** The factor's name in Auth0's MFA API (DESIGN §1), or null for Keystep's own (it is never sent to Auth0's factor APIs). */
  auth0Name: Id | null;
  tier: Tier;
  screen: ScreenKind;
  /** The next-intl namespace holding the factor's `name` and `hint` (and `to` when it delivers something). */
  messages: `factors.${Id}`;
  /** Whether this deployment can set the factor up (absent: it is never set up on its own). */
  enroll?(env: Env): boolean;
  /** Usable with no setup, from what the token says (Auth0 treats a verified email this way). */
  implicit?(env: Env, claims: TokenClaims): boolean;
  /** A NIST SP 800-63B-4 restricted authenticator (a code sent to a phone number): setup says so and offers stronger ones. */
  restricted?: boolean;
  /** Present on factors that send a one-time code through a channel. */
  channel?: ChannelSpec;
  load(): Promise<FactorModule>;
}

/** The claims a descriptor reads (a structural slice of SessionClaims, which itself lists factor ids). */
export interface TokenClaims {
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_verified?: boolean;
}

/** Declares a descriptor, keeping its id and its shape (e.g. whether it has a channel) as types. */
export const defineFactor = <const D extends FactorDescriptor>(d: D): D => d;
