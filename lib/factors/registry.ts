import "server-only";
import { emailFactor, phoneFactor } from "./channel";
import type { FactorId } from "./ids";
import { magicLinkFactor } from "./magic-link";
import { otpFactor } from "./otp";
import { recoveryFactor } from "./recovery";
import { passkeyFactor, securityKeyFactor } from "./webauthn";
import type { Factor } from "./types";

/** Every factor, by Auth0 name. Adding a factor means adding one line here. */
export const factors: Record<FactorId, Factor<unknown>> = {
  "webauthn-platform": passkeyFactor,
  "webauthn-roaming": securityKeyFactor,
  otp: otpFactor,
  phone: phoneFactor,
  email: emailFactor,
  "magic-link": magicLinkFactor,
  "recovery-code": recoveryFactor,
};

export function factor(id: FactorId): Factor<unknown> {
  return factors[id];
}
