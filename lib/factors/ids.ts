/** Factor names follow Auth0's own (DESIGN §1), plus Keystep's `magic-link`. */
export const FACTOR_IDS = ["webauthn-platform", "webauthn-roaming", "otp", "phone", "email", "magic-link", "recovery-code"] as const;
export type FactorId = (typeof FACTOR_IDS)[number];

export function isFactorId(v: unknown): v is FactorId {
  return typeof v === "string" && (FACTOR_IDS as readonly string[]).includes(v);
}

/**
 * Factors stronger than a text message. NIST SP 800-63B-4 §3.1.3.3 treats the phone network
 * (SMS) as a restricted authenticator: codes can be intercepted and numbers taken over (SIM swap,
 * port-out). The phone setup screen says so and offers these instead, where they are available.
 */
export const STRONGER_THAN_SMS: readonly FactorId[] = ["webauthn-platform", "webauthn-roaming", "otp"];

/**
 * Strength tiers (README → Policy → Strength tiers). Once a user holds a factor of a higher tier,
 * lower tiers are not offered for login unless a policy rule or the Action names them, and
 * binding a new factor needs a proof of the highest tier held.
 * - phishing-resistant: passkey, security key;
 * - possession: authenticator app, SMS;
 * - email-based: email code, sign-in link (NIST SP 800-63B-4 does not count email as a factor);
 * - recovery: recovery codes, a fallback that is never offered first.
 */
export type Tier = "phishing-resistant" | "possession" | "email" | "recovery";
export const TIER: Record<FactorId, Tier> = {
  "webauthn-platform": "phishing-resistant",
  "webauthn-roaming": "phishing-resistant",
  otp: "possession",
  phone: "possession",
  email: "email",
  "magic-link": "email",
  "recovery-code": "recovery",
};
const RANK: Record<Tier, number> = { recovery: 0, email: 1, possession: 2, "phishing-resistant": 3 };

/** A number to compare tiers with: higher is stronger. */
export function tierRank(id: FactorId): number {
  return RANK[TIER[id]];
}
