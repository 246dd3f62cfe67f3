import { defineFactor } from "../descriptor";

/** Passkeys and security keys share one ceremony (factor.ts); only the authenticator selection differs. */
const webauthn = <const Id extends "webauthn-platform" | "webauthn-roaming">(id: Id) =>
  defineFactor({
    id,
    auth0Name: id,
    tier: "phishing-resistant",
    screen: "ceremony",
    messages: `factors.${id}`,
    // Offered everywhere; browsers without WebAuthn hide these options (.webauthn-only, app/layout.tsx).
    enroll: () => true,
    load: async () => ({ factor: (await import("./factor")).webauthnFactor(id) }),
  });

export const passkey = webauthn("webauthn-platform");
export const securityKey = webauthn("webauthn-roaming");
