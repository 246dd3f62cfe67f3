/**
 * Keystep post-login Action for Auth0.
 *
 * Paste this file into an Auth0 post-login Action and add two secrets:
 *   KEYSTEP_URL     Keystep's public URL, e.g. https://mfa.example.com
 *   KEYSTEP_SECRET  the HS256 secret Keystep also holds (at least 32 bytes)
 *
 * Node built-ins only: Auth0 runs this file as it is.
 */
"use strict";

// Grants with no browser to redirect. Device-code IS interactive (the user is at a browser).
const NON_INTERACTIVE = new Set([
  "oauth2-refresh-token",
  "oauth2-resource-owner",
  "oauth2-password",
  "oauth2-resource-owner-jwt-bearer",
  "oauth2-token-exchange",
  "oauth2-client-credentials",
]);

const trimSlash = (s) => String(s || "").replace(/\/+$/, "");

/** Keystep's recorded method is in this SSO session: MFA already done, don't ask again. */
function alreadyVerified(event, keystepUrl) {
  const methods = (event.authentication && event.authentication.methods) || [];
  return methods.some((m) => m && trimSlash(m.name) === trimSlash(keystepUrl));
}

function firstLocale(event) {
  const fromTx = event.transaction && Array.isArray(event.transaction.ui_locales) ? event.transaction.ui_locales[0] : undefined;
  const query = (event.request && event.request.query) || {};
  const fromQuery = typeof query.ui_locales === "string" ? query.ui_locales.split(" ").filter(Boolean)[0] : undefined;
  return fromTx || fromQuery || (event.user && event.user.locale) || undefined;
}

/** What Keystep needs to decide and to greet the user. Never a key named `state`: Auth0 appends its own. */
function payloadFor(event) {
  const user = event.user || {};
  const query = (event.request && event.request.query) || {};
  const payload = {
    email: user.email,
    email_verified: user.email_verified,
    phone_number: user.phone_number,
    phone_verified: user.phone_verified,
    name: user.name,
    locale: firstLocale(event),
    client_id: event.client && event.client.client_id,
    client_name: event.client && event.client.name,
    roles: (event.authorization && event.authorization.roles) || [],
    device_id: typeof query.device_id === "string" ? query.device_id : undefined,
    country: event.request && event.request.geoip && event.request.geoip.countryCode,
    risk: event.authentication && event.authentication.riskAssessment && event.authentication.riskAssessment.confidence,
  };
  for (const k of Object.keys(payload)) if (payload[k] === undefined || payload[k] === null) delete payload[k];
  return payload;
}

exports.onExecutePostLogin = async (event, api) => {
  const { KEYSTEP_URL, KEYSTEP_SECRET } = event.secrets;
  if (alreadyVerified(event, KEYSTEP_URL)) return;
  if (event.transaction && NON_INTERACTIVE.has(event.transaction.protocol)) return;
  const query = (event.request && event.request.query) || {};
  const prompts = (event.transaction && event.transaction.prompts) || [];
  if (query.prompt === "none" || prompts.includes("none")) {
    // A silent login cannot show Keystep; fail it so the app falls back to an interactive login.
    api.access.deny("Multi-factor authentication is required; prompt=none cannot complete it.");
    return;
  }
  const token = api.redirect.encodeToken({ secret: KEYSTEP_SECRET, expiresInSeconds: 600, payload: payloadFor(event) });
  api.redirect.sendUserTo(`${trimSlash(KEYSTEP_URL)}/auth0/start`, { query: { session_token: token } });
};

exports.onContinuePostLogin = async (event, api) => {
  const { KEYSTEP_URL, KEYSTEP_SECRET } = event.secrets;
  let claims;
  try {
    // Checks HS256, iat/exp/sub/iss/state present, state equals this transaction's, sub equals the user.
    claims = api.redirect.validateToken({ secret: KEYSTEP_SECRET, tokenParameterName: "session_token" });
  } catch (err) {
    api.access.deny(`Keystep result could not be verified: ${err && err.message ? err.message : err}`);
    return;
  }
  // Only Keystep's result carries `outcome`; the session token Auth0 minted never does.
  if (claims.outcome === "success" && Array.isArray(claims.amr) && claims.amr.length > 0) {
    api.authentication.recordMethod(KEYSTEP_URL);
    return;
  }
  const reason = typeof claims.reason === "string" ? claims.reason.slice(0, 200) : "";
  if (claims.outcome === "denied") {
    api.access.deny(reason === "cancelled" || !reason ? "Sign-in was cancelled." : `Sign-in was refused: ${reason}.`);
    return;
  }
  api.access.deny("Multi-factor authentication did not complete.");
};
