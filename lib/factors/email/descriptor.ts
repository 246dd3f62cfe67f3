import { defineFactor } from "../descriptor";

/** Email codes. A verified email in the token is usable without setup, as Auth0 treats it. */
export const email = defineFactor({
  id: "email",
  auth0Name: "email",
  tier: "email",
  screen: "code",
  messages: "factors.email",
  enroll: (env) => env.email !== null,
  implicit: (env, claims) => env.email !== null && !!claims.email && claims.email_verified === true,
  channel: { destination: "email", budgets: "email", codeTtlMs: 10 * 60_000 },
  load: () => import("./channel"),
});
