/**
 * Keystep post-login Action for Auth0.
 *
 * Paste this file into an Auth0 post-login Action and add two secrets:
 *   KEYSTEP_URL     Keystep's public URL, e.g. https://mfa.example.com
 *   KEYSTEP_SECRET  the HS256 secret Keystep also holds (at least 32 bytes)
 *
 * Node built-ins only: Auth0 runs this file as it is, with no npm dependencies to audit.
 */
"use strict";

/**
 * Protocols (`event.transaction.protocol`) with no browser to redirect. Auth0 fails the login if
 * an Action calls sendUserTo in one of them, so each needs an explicit answer.
 *
 * SKIP: the user already passed Keystep, or the credential is not the user's password.
 *   oauth2-refresh-token   the refresh token was issued by a login that went through Keystep
 *   oauth2-token-exchange  the subject token was vetted by your Custom Token Exchange Action
 *   oauth2-resource-owner-jwt-bearer  a signed assertion from a trusted issuer, not a password
 *   oauth2-client-credentials  machine-to-machine; never reaches post-login (listed for clarity)
 *   oauth2-webauthn        a native passkey sign-in: a device-bound key with user verification
 *                          (biometric or PIN) is already two factors and phishing-resistant, and
 *                          there is no browser to send the user to
 *
 * PASSWORD-LIKE: a password (or a social provider's token) with no browser, so Keystep cannot
 * run. They are DENIED, with a clear message, as Auth0's own MFA answers them (`mfa_required`):
 * a password alone must not buy tokens. The secret KEYSTEP_ALLOW_PASSWORD_GRANTS=true lets them
 * through without MFA, for apps that still need them while they move off (an explicit, audited
 * choice in the tenant's Action secrets). Better still, disable these grants on your apps.
 *   oauth2-resource-owner, oauth2-password  the Resource Owner Password grant
 *   wstrust-usernamemixed                   WS-Trust username and password
 *   oauth2-access-token                     native social login with a provider's access token
 *
 * oauth2-device-code IS interactive (the user confirms in a browser), so it is redirected as usual.
 * CIBA (backchannel) approvals happen on the user's enrolled device in Auth0 Guardian, which is
 * the second factor; Auth0 names no separate post-login protocol for it, and anything not listed
 * here is redirected, which fails closed where there is no browser.
 */
const SKIP_PROTOCOLS = new Set(["oauth2-refresh-token", "oauth2-token-exchange", "oauth2-resource-owner-jwt-bearer", "oauth2-client-credentials", "oauth2-webauthn"]);
const PASSWORD_LIKE_PROTOCOLS = new Set(["oauth2-resource-owner", "oauth2-password", "wstrust-usernamemixed", "oauth2-access-token"]);

const ENTRY_PATH = "/auth0/start";
const TOKEN_TTL_SECONDS = 600; // long enough to find a phone; Keystep caps the token's age itself
const REASON_MAX = 200;

const trimSlash = (s) => String(s || "").replace(/\/+$/, "");

// Per-login MFA commands (Auth0's challengeWith, challengeWithAny, enrollWith, enrollWithAny) are
// a policy rule's `commands` in Keystep's config file, not code here: this file is Keystep's and
// is replaced whole on every upgrade (docs/policy.md, "Porting Auth0 Action code").

// OpenID Connect's MFA policy URI (PAPE), as Auth0 documents for step-up with `acr_values`.
const MFA_ACR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

/** Missing secrets must fail closed: a misconfigured Action that let logins through would be silent. */
function readSecrets(event) {
  const secrets = event.secrets || {};
  const url = typeof secrets.KEYSTEP_URL === "string" ? secrets.KEYSTEP_URL.trim() : "";
  const secret = typeof secrets.KEYSTEP_SECRET === "string" ? secrets.KEYSTEP_SECRET : "";
  return url && secret ? { url, secret } : null;
}

/**
 * NIST SP 800-63B §4.2.3: at AAL2 the user authenticates again at least every 12 hours. An SSO
 * session (Auth0 keeps one for days) reuses Keystep's recorded method only while it is this fresh;
 * the secret KEYSTEP_SSO_MAX_AGE_SECONDS sets another window (0: never reuse it).
 */
const DEFAULT_SSO_MAX_AGE_SECONDS = 12 * 3600;

function ssoMaxAgeSeconds(event) {
  const raw = (event.secrets || {}).KEYSTEP_SSO_MAX_AGE_SECONDS;
  const n = Number(raw);
  return raw !== undefined && raw !== "" && Number.isInteger(n) && n >= 0 ? n : DEFAULT_SSO_MAX_AGE_SECONDS;
}

/**
 * When Keystep's method was recorded in this SSO session (ms since the epoch), or null. Only
 * api.authentication.recordMethod can put a URL-named method there, and only this Action calls
 * it, after validating Keystep's result. A method without a readable time counts as none.
 */
function recordedMethodAt(event, keystepUrl) {
  const methods = (event.authentication && event.authentication.methods) || [];
  const times = methods.filter((m) => m && trimSlash(m.name) === trimSlash(keystepUrl)).map((m) => Date.parse(m.timestamp));
  const valid = times.filter((t) => Number.isFinite(t));
  return valid.length ? Math.max(...valid) : null;
}

/**
 * Whether this login may reuse the SSO session's Keystep method instead of going through Keystep:
 * only when nothing asks for more. Step-up (acr_values), an intent (keystep_intent=manage), or a
 * method older than the freshness window all send the user to Keystep, where policy (DENY,
 * "every 12 hours", "admins need a key", a rule's commands) runs again.
 */
function mayReuseSession(event, payload, recordedAt) {
  if (recordedAt === null) return false;
  if (payload.step_up || payload.intent) return false;
  const ageSeconds = (Date.now() - recordedAt) / 1000;
  return ageSeconds >= -60 && ageSeconds <= ssoMaxAgeSeconds(event);
}

function firstLocale(event) {
  const tx = event.transaction || {};
  const query = (event.request && event.request.query) || {};
  const fromTx = Array.isArray(tx.ui_locales) ? tx.ui_locales.find(Boolean) : undefined;
  const fromQuery = typeof query.ui_locales === "string" ? query.ui_locales.split(" ").find(Boolean) : undefined;
  return fromTx || fromQuery || (event.user && event.user.locale) || undefined;
}

/**
 * What Keystep needs to decide and to greet the user. Never a key named `state`: Auth0 appends
 * its own `state` to the redirect, and Keystep uses that one as its single-use nonce.
 */
function payloadFor(event) {
  const user = event.user || {};
  const request = event.request || {};
  const query = request.query || {};
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
    country: request.geoip && request.geoip.countryCode,
    risk: event.authentication && event.authentication.riskAssessment && event.authentication.riskAssessment.confidence,
    logins_count: event.stats && typeof event.stats.logins_count === "number" ? event.stats.logins_count : undefined,
    // The app asked for a fresh MFA: Keystep ignores remembered devices and ALLOW rules.
    step_up: typeof query.acr_values === "string" && query.acr_values.split(" ").includes(MFA_ACR) ? true : undefined,
    // Self-service: the app sends `keystep_intent=manage` to /authorize (README, "Manage factors").
    intent: query.keystep_intent === "manage" ? "manage" : undefined,
    // A token of its own for every login: Keystep accepts a session token once (its keyed hash
    // is unique), and two logins of one user in the same second with the same claims (two tabs,
    // two browsers) would otherwise be signed into the same token and the second refused.
    jti: require("node:crypto").randomUUID(),
  };
  for (const key of Object.keys(payload)) if (payload[key] === undefined || payload[key] === null) delete payload[key];
  return payload;
}

/** A message the application can show: Keystep's reason codes in words, anything else verbatim but bounded. */
function denialMessage(claims) {
  const reason = typeof claims.reason === "string" ? claims.reason.slice(0, REASON_MAX) : "";
  if (claims.outcome === "denied") {
    if (!reason || reason === "cancelled") return "Sign-in was cancelled.";
    if (reason === "too_many_attempts") return "Sign-in was refused after too many failed attempts.";
    return `Sign-in was refused: ${reason}`;
  }
  return "Multi-factor authentication did not complete.";
}

exports.onExecutePostLogin = async (event, api) => {
  const config = readSecrets(event);
  if (!config) {
    api.access.deny("Keystep is not configured: set the KEYSTEP_URL and KEYSTEP_SECRET secrets.");
    return;
  }
  const payload = payloadFor(event);
  const recordedAt = recordedMethodAt(event, config.url);
  if (mayReuseSession(event, payload, recordedAt)) return;
  // Keystep's policy can read when this session last passed it (seconds since the epoch).
  if (recordedAt !== null) payload.last_mfa_at = Math.floor(recordedAt / 1000);
  const protocol = event.transaction && event.transaction.protocol;
  if (SKIP_PROTOCOLS.has(protocol)) return;
  if (PASSWORD_LIKE_PROTOCOLS.has(protocol)) {
    if (String((event.secrets || {}).KEYSTEP_ALLOW_PASSWORD_GRANTS).toLowerCase() !== "true") {
      api.access.deny(`Multi-factor authentication is required and cannot be completed with the ${protocol} grant.`);
    }
    return;
  }
  // prompt=none (silent renewal) that needs Keystep also gets the redirect: Auth0 (post-login v3)
  // cannot show a page then and answers the application `interaction_required`, which OIDC clients
  // treat as "log in interactively", where a denial would read as a refusal. A session whose
  // Keystep method is fresh was let through above, so silent renewal keeps working inside it.
  const token = api.redirect.encodeToken({ secret: config.secret, expiresInSeconds: TOKEN_TTL_SECONDS, payload });
  api.redirect.sendUserTo(trimSlash(config.url) + ENTRY_PATH, { query: { session_token: token } });
};

exports.onContinuePostLogin = async (event, api) => {
  const config = readSecrets(event);
  if (!config) {
    api.access.deny("Keystep is not configured: set the KEYSTEP_URL and KEYSTEP_SECRET secrets.");
    return;
  }
  let claims;
  try {
    // Auth0 checks HS256, that iat/exp/sub/iss/state are present, that `state` is this
    // transaction's (so a result can't be replayed into another login) and that `sub` is this user.
    claims = api.redirect.validateToken({ secret: config.secret, tokenParameterName: "session_token" });
  } catch (err) {
    api.access.deny(`Keystep result could not be verified: ${err && err.message ? err.message : String(err)}`);
    return;
  }
  // Checked here too, not only trusted to validateToken: a result minted for another user must
  // never complete (or deny) this user's login, whatever the platform checks.
  const userId = event.user && event.user.user_id;
  if (claims && (typeof claims.sub !== "string" || typeof userId !== "string" || claims.sub !== userId)) {
    api.access.deny("Keystep result is for another user.");
    return;
  }
  // The session token Auth0 minted for the way out is signed with the same secret; only Keystep's
  // result carries `outcome`, so posting the incoming token back can never pass as a success.
  if (claims && claims.outcome === "success" && Array.isArray(claims.amr)) {
    // A policy skip (e.g. a remembered device) lets the login through without recording MFA in
    // the session, so an app that checks for it (step-up) still sees that none happened.
    if (claims.amr.length > 0) api.authentication.recordMethod(config.url);
    return;
  }
  api.access.deny(denialMessage(claims || {}));
};
