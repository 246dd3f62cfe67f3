/** Factor names follow Auth0's own (DESIGN §1), plus Keystep's `magic-link`. */
export const FACTOR_IDS = ["webauthn-platform", "webauthn-roaming", "otp", "phone", "email", "magic-link", "recovery-code"] as const;
export type FactorId = (typeof FACTOR_IDS)[number];

export function isFactorId(v: unknown): v is FactorId {
  return typeof v === "string" && (FACTOR_IDS as readonly string[]).includes(v);
}
