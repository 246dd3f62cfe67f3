import { defineFactor } from "../descriptor";

/** SMS codes (Auth0's `phone`). */
export const phone = defineFactor({
  id: "phone",
  auth0Name: "phone",
  tier: "possession",
  screen: "code",
  messages: "factors.phone",
  enroll: (env) => env.sms.provider !== "none",
  restricted: true,
  // SMS travels in the clear, so its codes live half as long as the 10 minutes NIST allows.
  channel: { destination: "phone", budgets: "sms", codeTtlMs: 5 * 60_000, countries: (env) => (env.sms.provider === "none" ? [] : env.sms.allowedCountries) },
  load: () => import("./channel"),
});
