import "server-only";
import { emailFactor, phoneFactor } from "./channel";
import type { FactorId } from "./ids";
import { otpFactor } from "./otp";
import { passkeyFactor, securityKeyFactor } from "./webauthn";
import type { Factor } from "./types";

/** Every factor, by Auth0 name. Adding a factor means adding one line here. */
export const factors: Record<FactorId, Factor<unknown>> = {
  "webauthn-platform": passkeyFactor,
  "webauthn-roaming": securityKeyFactor,
  otp: otpFactor,
  phone: phoneFactor,
  email: emailFactor,
};

export function factor(id: FactorId): Factor<unknown> {
  return factors[id];
}
