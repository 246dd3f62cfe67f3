/**
 * Keystep post-login Action for Auth0.
 *
 * Installed, as it is, by `npm run keystep -- auth0 install` (or the Terraform and Deploy CLI
 * fragments beside it: docs/auth0-setup.md), with two secrets:
 *   KEYSTEP_URL     Keystep's public URL, e.g. https://mfa.example.com
 *   KEYSTEP_SECRET  the HS256 secret Keystep holds for this tenant (at least 32 bytes)
 * and optional ones: KEYSTEP_SSO_MAX_AGE_SECONDS, KEYSTEP_ALLOW_PASSWORD_GRANTS,
 * KEYSTEP_CLAIM_NAMESPACE, KEYSTEP_CONSOLE_CLIENT_ID (the support console's application: its ID tokens
 * get the user's roles), and KEYSTEP_PREVIOUS_SECRET while the secret is being rotated
 * (docs/operations.md, "Rotating keys"). Do not edit it: the next install replaces it, and per-login rules live
 * in Keystep's policy file.
 *
 * Node built-ins only: Auth0 runs this file as it is, with no npm dependencies to audit.
 */
"use strict";

const crypto = require("node:crypto");

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
  // The secret being rotated out: results of logins Keystep began with it still verify, nothing is signed with it.
  const previous = typeof secrets.KEYSTEP_PREVIOUS_SECRET === "string" && secrets.KEYSTEP_PREVIOUS_SECRET !== secret ? secrets.KEYSTEP_PREVIOUS_SECRET : "";
  return url && secret ? { url, secret, previous } : null;
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
 * Keystep's record in the Auth0 session. api.authentication.recordMethod takes a URL naming the
 * method, and Auth0 hands every recorded name back in event.authentication.methods on later logins
 * in the session, with the time it was recorded. Only this Action calls it with Keystep's URL, and
 * only after validating Keystep's result, so the name can carry what the login proved:
 *
 *   <KEYSTEP_URL>/auth0/method?client=<client_id>&amr=<factor factor…>[&skipped=1]
 *
 * `client`: a record is reused only by the application it was made for, so a login to another app
 * (whose policy rules may ask for more, such as "the payments app needs a key") goes through
 * Keystep. `skipped=1`: policy let the login through without a factor (a remembered device, a
 * trusted network); such a record keeps silent renewal working (prompt=none) but never skips an
 * interactive login, where policy runs again. A bare-URL record from an earlier release is not
 * recognised: the user passes Keystep once more after the upgrade.
 */
const RECORD_PATH = "/auth0/method";

function methodName(config, client, amr, skipped) {
  const url = new URL(trimSlash(config.url) + RECORD_PATH);
  url.searchParams.set("client", client || "");
  url.searchParams.set("amr", amr.join(" "));
  if (skipped) url.searchParams.set("skipped", "1");
  return url.toString();
}

/**
 * When Keystep last revoked this user (support reset, a disabled or removed factor, "This wasn't
 * me"): it writes `keystep_revoked_at` (seconds) to app_metadata through the Management API, and
 * a session record from before it is not reused, in any session.
 */
function revokedAt(event) {
  const meta = (event.user && event.user.app_metadata) || {};
  const seconds = Number(meta.keystep_revoked_at);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** Keystep's newest readable record for this application in the SSO session, or null. */
function sessionRecord(event, config) {
  const client = (event.client && event.client.client_id) || "";
  const base = trimSlash(config.url) + RECORD_PATH;
  const revoked = revokedAt(event);
  let newest = null;
  for (const m of (event.authentication && event.authentication.methods) || []) {
    if (!m || typeof m.name !== "string") continue;
    let url;
    try {
      url = new URL(m.name);
    } catch {
      continue;
    }
    if (url.origin + url.pathname !== base || url.searchParams.get("client") !== client) continue;
    const at = Date.parse(m.timestamp);
    if (!Number.isFinite(at)) continue; // a method without a readable time counts as none
    if (at <= revoked) continue;
    const amr = (url.searchParams.get("amr") || "").split(" ").filter(Boolean);
    const skipped = url.searchParams.get("skipped") === "1";
    if (!newest || at > newest.at) newest = { at, amr, skipped };
  }
  return newest;
}

/** Whether this login asks Auth0 for no page at all (silent renewal). */
function isSilent(event) {
  const tx = event.transaction || {};
  const query = (event.request && event.request.query) || {};
  const fromTx = Array.isArray(tx.prompt) && tx.prompt.includes("none");
  return fromTx || (typeof query.prompt === "string" && query.prompt.split(" ").includes("none"));
}

/**
 * Whether this login may reuse the SSO session's Keystep record instead of going through Keystep:
 * only when nothing asks for more. Step-up (acr_values), an intent (keystep_intent=manage), or a
 * record older than the freshness window sends the user to Keystep, where policy (DENY, "every
 * 12 hours", "admins need a key", a rule's commands) runs again. A policy skip is reused by
 * silent renewal only.
 */
function mayReuseSession(event, payload, record) {
  if (record === null) return false;
  if (payload.step_up || payload.intent) return false;
  if (record.skipped && !isSilent(event)) return false;
  const ageSeconds = (Date.now() - record.at) / 1000;
  return ageSeconds >= -60 && ageSeconds <= ssoMaxAgeSeconds(event);
}

/**
 * Claims applications check (Auth0's step-up guide has apps read `amr`, which a custom method
 * never fills): the factors Keystep proved, when, and whether policy skipped MFA. Namespaced with
 * KEYSTEP_CLAIM_NAMESPACE, by default Keystep's own URL (a domain the deploying team controls):
 *   <ns>amr          the factor names of Keystep's result (its `amr`; empty when skipped)
 *   <ns>mfa_at       seconds since the epoch (absent when skipped)
 *   <ns>mfa_skipped  true when no factor was used (policy, or an allowed password grant)
 */
function claimNamespace(event, config) {
  const ns = (event.secrets || {}).KEYSTEP_CLAIM_NAMESPACE;
  return typeof ns === "string" && ns.trim() ? ns.trim() : `${trimSlash(config.url)}/`;
}

function setClaims(event, api, config, { amr, at, skipped }) {
  const ns = claimNamespace(event, config);
  for (const token of [api.idToken, api.accessToken]) {
    if (!token || typeof token.setCustomClaim !== "function") continue;
    token.setCustomClaim(`${ns}amr`, amr);
    if (!skipped) token.setCustomClaim(`${ns}mfa_at`, Math.floor(at / 1000));
    token.setCustomClaim(`${ns}mfa_skipped`, skipped);
  }
  setConsoleRoles(event, api, ns);
}

/**
 * Keystep's support console (docs/console.md) signs operators in with OpenID Connect and needs
 * their Auth0 roles, which Auth0 leaves out of ID tokens. For the console's application only (the
 * secret KEYSTEP_CONSOLE_CLIENT_ID), the ID token gets `<ns>roles`: no other application's tokens
 * grow, and none learns a user's roles this way.
 */
function setConsoleRoles(event, api, ns) {
  const consoleClient = (event.secrets || {}).KEYSTEP_CONSOLE_CLIENT_ID;
  const client = event.client && event.client.client_id;
  if (typeof consoleClient !== "string" || !consoleClient || client !== consoleClient) return;
  if (!api.idToken || typeof api.idToken.setCustomClaim !== "function") return;
  const roles = (event.authorization && Array.isArray(event.authorization.roles) ? event.authorization.roles : []).filter((r) => typeof r === "string");
  api.idToken.setCustomClaim(`${ns}roles`, roles.slice(0, 50));
}

function firstLocale(event) {
  const tx = event.transaction || {};
  const query = (event.request && event.request.query) || {};
  const fromTx = Array.isArray(tx.ui_locales) ? tx.ui_locales.find(Boolean) : undefined;
  const fromQuery = typeof query.ui_locales === "string" ? query.ui_locales.split(" ").find(Boolean) : undefined;
  return fromTx || fromQuery || (event.user && event.user.locale) || undefined;
}

/**
 * Auth0's coding guidelines keep personal data out of redirect URLs, and the session token rides
 * in one (proxy, CDN and browser-history logs). So everything the Action forwards travels sealed:
 * a compact JWE (RFC 7516: `dir`, A256GCM) whose key is derived from the Action secret with HKDF
 * (RFC 5869), built with Node's crypto because Actions take no audited JWE library. Keystep opens
 * it with `jose`. The sealed claims name the user (`sub`), so they cannot be moved into another
 * user's token. Only `jti` stays readable, with the claims Auth0 adds itself (`iss`, `sub`, `iat`,
 * `exp` and `ip`, the address the request to Keystep comes from anyway).
 */
const SEAL_INFO = "keystep session claims v1";

function sealClaims(secret, claims) {
  const key = Buffer.from(crypto.hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.alloc(0), SEAL_INFO, 32));
  const header = Buffer.from(JSON.stringify({ alg: "dir", enc: "A256GCM", cty: "keystep-claims" })).toString("base64url");
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(header, "ascii"));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(claims), "utf8"), cipher.final()]);
  return [header, "", iv.toString("base64url"), ciphertext.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

/**
 * What Keystep needs to decide and to greet the user. Never a key named `state`: Auth0 appends
 * its own `state` to the redirect, and Keystep uses that one as its single-use nonce.
 */
function payloadFor(event) {
  const user = event.user || {};
  const tx = event.transaction || {};
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
    // Auth0's id of this login transaction, where the event gives one: Keystep logs it with every
    // audit line, so Auth0's and Keystep's logs can be joined (docs/live-tenant-checklist.md).
    transaction_id: typeof tx.id === "string" ? tx.id : undefined,
    // The app asked for a fresh MFA: Keystep ignores remembered devices and ALLOW rules.
    step_up: typeof query.acr_values === "string" && query.acr_values.split(" ").includes(MFA_ACR) ? true : undefined,
    // Self-service: the app sends `keystep_intent=manage` to /authorize (README, "Manage factors").
    intent: query.keystep_intent === "manage" ? "manage" : undefined,
    // A token of its own for every login: Keystep accepts a session token once (its keyed hash
    // is unique), and two logins of one user in the same second with the same claims (two tabs,
    // two browsers) would otherwise be signed into the same token and the second refused.
    jti: crypto.randomUUID(),
    // Keystep serves several tenants with a secret each; the id lets it refuse another tenant's token.
    tenant: event.tenant && typeof event.tenant.id === "string" ? event.tenant.id : undefined,
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
  const record = sessionRecord(event, config);
  const protocol = event.transaction && event.transaction.protocol;
  if (SKIP_PROTOCOLS.has(protocol)) {
    // A refresh (or exchange) mints new tokens: they carry the session's claims again when known.
    if (record) setClaims(event, api, config, record);
    return;
  }
  if (PASSWORD_LIKE_PROTOCOLS.has(protocol)) {
    if (String((event.secrets || {}).KEYSTEP_ALLOW_PASSWORD_GRANTS).toLowerCase() !== "true") {
      api.access.deny(`Multi-factor authentication is required and cannot be completed with the ${protocol} grant.`);
      return;
    }
    setClaims(event, api, config, { amr: [], at: Date.now(), skipped: true });
    return;
  }
  if (mayReuseSession(event, payload, record)) {
    setClaims(event, api, config, record);
    return;
  }
  // Keystep's policy can read when this session last passed it (seconds since the epoch).
  if (record !== null && !record.skipped) payload.last_mfa_at = Math.floor(record.at / 1000);
  // prompt=none (silent renewal) that needs Keystep also gets the redirect: Auth0 (post-login v3)
  // cannot show a page then and answers the application `interaction_required`, which OIDC clients
  // treat as "log in interactively", where a denial would read as a refusal. A session whose
  // Keystep method is fresh was let through above, so silent renewal keeps working inside it.
  const { jti, ...claims } = payload;
  const sealed = { jti, enc: sealClaims(config.secret, { ...claims, sub: event.user && event.user.user_id }) };
  const token = api.redirect.encodeToken({ secret: config.secret, expiresInSeconds: TOKEN_TTL_SECONDS, payload: sealed });
  api.redirect.sendUserTo(trimSlash(config.url) + ENTRY_PATH, { query: { session_token: token } });
};

/** Keystep's result, verified with KEYSTEP_SECRET, else with KEYSTEP_PREVIOUS_SECRET when set; throws the first secret's error. */
function validateResult(api, config) {
  try {
    return api.redirect.validateToken({ secret: config.secret, tokenParameterName: "session_token" });
  } catch (err) {
    if (!config.previous) throw err;
    try {
      return api.redirect.validateToken({ secret: config.previous, tokenParameterName: "session_token" });
    } catch {
      throw err;
    }
  }
}

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
    // During a rotation Keystep answers a login with the secret that began it, so the previous one is tried too.
    claims = validateResult(api, config);
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
    // A policy skip (e.g. a remembered device) is recorded as one (`skipped=1`, no factors), so the
    // claims and any later silent renewal tell the app that no factor was used.
    const amr = claims.amr.filter((a) => typeof a === "string").slice(0, 16);
    const skipped = amr.length === 0;
    api.authentication.recordMethod(methodName(config, event.client && event.client.client_id, amr, skipped));
    setClaims(event, api, config, { amr, at: Date.now(), skipped });
    return;
  }
  api.access.deny(denialMessage(claims || {}));
};
