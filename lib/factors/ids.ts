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
