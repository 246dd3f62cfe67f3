import { defineFactor } from "../descriptor";

/** Keystep's email sign-in link: no setup, usable wherever an email code is implicit. */
export const magicLink = defineFactor({
  id: "magic-link",
  auth0Name: null,
  tier: "email",
  screen: "wait",
  messages: "factors.magic-link",
  implicit: (env, claims) => env.email !== null && !!claims.email && claims.email_verified === true,
  load: async () => ({ factor: (await import("./factor")).magicLinkFactor }),
});
