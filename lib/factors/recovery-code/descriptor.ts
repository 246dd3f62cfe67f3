import { defineFactor } from "../descriptor";

/** Recovery codes: issued after a first setup, never set up on their own, always offered last. */
export const recoveryCode = defineFactor({
  id: "recovery-code",
  auth0Name: "recovery-code",
  tier: "recovery",
  screen: "lookup",
  messages: "factors.recovery-code",
  load: async () => ({ factor: (await import("./factor")).recoveryFactor }),
});
