import { defineFactor } from "../descriptor";

/**
 * WhatsApp codes: a Keystep factor (Auth0 has none), sent to a phone number like SMS. It is a
 * possession factor like SMS and just as restricted: the account hangs on the number, so a SIM
 * swap or port-out can take it over.
 */
export const whatsapp = defineFactor({
  id: "whatsapp",
  auth0Name: null,
  tier: "possession",
  screen: "code",
  messages: "factors.whatsapp",
  enroll: (env) => env.whatsapp.provider !== "none",
  restricted: true,
  channel: { destination: "phone", budgets: "whatsapp", codeTtlMs: 5 * 60_000, countries: (env) => (env.whatsapp.provider === "none" ? [] : env.whatsapp.allowedCountries) },
  load: () => import("./channel"),
});
