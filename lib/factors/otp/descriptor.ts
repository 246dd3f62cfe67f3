import { defineFactor } from "../descriptor";

/** Authenticator app (TOTP, RFC 6238). */
export const otp = defineFactor({
  id: "otp",
  auth0Name: "otp",
  tier: "possession",
  screen: "code",
  messages: "factors.otp",
  enroll: () => true,
  load: async () => ({ factor: (await import("./factor")).otpFactor }),
});
