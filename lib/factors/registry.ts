import "server-only";
import type { FactorId } from "./ids";
import { otpFactor } from "./otp";
import type { Factor } from "./types";

/** Every factor, by Auth0 name. Adding a factor means adding one line here. */
export const factors = {
  otp: otpFactor,
} satisfies Record<FactorId, Factor<unknown>>;

export function factor<F extends FactorId>(id: F): (typeof factors)[F] {
  return factors[id];
}
