import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { z } from "zod";
import { isSafeConfiguredUrl, SAFE_URL_RULE } from "@/lib/security/safe-url";
import { KeyRing } from "@/lib/security/keys";

/** A configured Auth0 tenant: the host (with optional port) Keystep accepts as `iss`, and the scheme used to reach it. */
export interface Auth0Domain {
  host: string;
  scheme: "https" | "http";
  origin: string;
}

/**
 * An Auth0 tenant Keystep serves. Its users are keyed by `id`, whichever of its domains (canonical
 * or custom) a login came through, and only its own secret signs its tokens both ways.
 */
export interface Tenant {
  /** Keystep's key for this tenant's users: the Auth0 tenant id when configured, else its first domain's host. */
  id: string;
  /** The Auth0 tenant id (`event.tenant.id`) the Action reports; a token naming another tenant is refused. Null when not configured. */
  auth0Id: string | null;
  /** The HS256 secret this tenant's Action holds (KEYSTEP_SECRET in the single-tenant case). */
  secret: Uint8Array;
  /**
   * The Action secret being rotated out (KEYSTEP_PREVIOUS_SECRET, KEYSTEP_TENANT_<ID>_PREVIOUS_SECRET):
   * its tokens are still accepted, and their flows answered with it, during the rollover.
   */
  previousSecret: Uint8Array | null;
  /** Every domain the tenant's logins use as `iss`: canonical first, then custom domains. */
  domains: Auth0Domain[];
  /** Management API credentials (optional): revocations then reach Auth0 (lib/auth0/revoke.ts). */
  management: ManagementSettings | null;
}

/** A machine-to-machine application of the tenant, for the Management API; the domain is the canonical one (custom domains do not serve it). */
export interface ManagementSettings {
  domain: Auth0Domain;
  clientId: string;
  clientSecret: string;
}

export interface Env {
  nodeEnv: "production" | "development" | "test";
  publicUrl: URL;
  /** WebAuthn relying-party ID: KEYSTEP_RP_ID, or the public URL's host. */
  rpId: string;
  /**
   * Keystep's own keys: every ciphertext and keyed hash it stores, derived from KEYSTEP_ENCRYPTION_KEY
   * (and read with KEYSTEP_PREVIOUS_ENCRYPTION_KEYS). No Action secret keys anything Keystep stores.
   */
  keys: KeyRing;
  tenants: Tenant[];
  /** Every tenant's domains, in order. */
  auth0Domains: Auth0Domain[];
  databaseUrl: string;
  port: number;
  issuerName: string;
  flowTtlSeconds: number;
  /** Audit events and unused remembered devices older than this many days are purged (0: kept forever). */
  auditRetentionDays: number;
  magicLinkTtlSeconds: number;
  tokenMaxAgeSeconds: number;
  clockToleranceSeconds: number;
  logLevel: string;
  brand: { name: string; color: string; logoUrl: string | null };
  email: { smtpUrl: string; from: string } | null;
  sms: SmsConfig;
  /** WhatsApp codes: the same providers as SMS (Twilio from a WhatsApp sender, or the signed webhook with `channel: "whatsapp"`). */
  whatsapp: SmsConfig;
  budgets: Budgets;
  redisUrl: string | null;
  /** Bearer token for /api/admin; null keeps the admin API off (404). */
  adminToken: string | null;
  /** Bearer token of /api/metrics; unset: the endpoint answers 404. */
  metricsToken: string | null;
  /** The support console (/console, docs/console.md); null keeps it off. */
  console: ConsoleSettings | null;
  /** Estimated price of one text message per country of the number (ISO code, `*` for the rest), for the console's charts. */
  smsPrices: { currency: string; perCountry: Record<string, number> };
}

/** The support console's OpenID Connect sign-in against the deploying team's Auth0 tenant. */
export interface ConsoleSettings {
  /** The tenant's issuer URL (e.g. https://acme.eu.auth0.com/), from which discovery starts. */
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** The Auth0 role an operator needs (KEYSTEP_CONSOLE_ROLE, default `keystep-support`). */
  role: string;
  /** The namespace of the Action's claims (`<ns>amr`, `<ns>roles`): the Action's KEYSTEP_CLAIM_NAMESPACE, by default Keystep's public URL with a slash. */
  claimNamespace: string;
  /** The Keystep tenant (an id of `tenants`) whose users the console shows by default; null: the only one, or the operator picks. */
  tenant: string | null;
}

export type SmsConfig =
  | { provider: "none" }
  | { provider: "log"; allowedCountries: string[] }
  | { provider: "webhook"; url: string; secret: string; allowedCountries: string[] }
  | { provider: "twilio"; accountSid: string; authToken: string; from: string | null; messagingServiceSid: string | null; baseUrl: string; allowedCountries: string[] };

/** Hourly send budgets (DESIGN §4 "SMS abuse"): per destination, per user, per IP, and for the whole instance. */
export interface SendBudgets {
  perDestination: number;
  perUser: number;
  perIp: number;
  global: number;
}

/**
 * SMS adds daily caps (so a slow drip cannot spend an hourly budget every hour) and caps per
 * country of the number (so pumping to one country's premium ranges cannot spend the global
 * budget and switch SMS off for everyone else).
 */
export interface SmsBudgets extends SendBudgets {
  daily: { perDestination: number; perUser: number; global: number };
  perCountry: { hourly: number; daily: number };
}

export interface Budgets {
  sms: SmsBudgets;
  email: SendBudgets;
  /** WhatsApp messages are paid per message to a phone number too, so they get SMS-shaped budgets of their own. */
  whatsapp: SmsBudgets;
}

/**
 * Default SMS countries: where premium-rate "SMS pumping" fraud is rare and A2P delivery is
 * routine. Deployers widen it with SMS_ALLOWED_COUNTRIES (ISO 3166 codes, or * for all).
 */
export const DEFAULT_SMS_COUNTRIES = ["US", "CA", "GB", "IE", "FR", "DE", "NL", "BE", "ES", "PT", "IT", "AT", "CH", "SE", "NO", "DK", "FI", "AU", "NZ"];

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Keystep configuration is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parses one `KEYSTEP_AUTH0_DOMAINS` entry: `tenant.eu.auth0.com`, `https://login.example.com` or `http://127.0.0.1:4010`. */
export function parseAuth0Domain(raw: string): Auth0Domain {
  const entry = raw.trim();
  const withScheme = /^[a-z]+:\/\//i.test(entry) ? entry : `https://${entry}`;
  const url = new URL(withScheme);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`unsupported scheme in "${entry}"`);
  if (url.pathname !== "/" || url.search || url.hash || url.username) throw new Error(`"${entry}" must be a bare host[:port]`);
  const scheme = url.protocol === "http:" ? "http" : "https";
  return { host: url.host.toLowerCase(), scheme, origin: `${scheme}://${url.host.toLowerCase()}` };
}

function decodeKey(raw: string): Buffer | null {
  const value = raw.trim();
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, "hex");
  const b64 = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return b64.length === 32 ? b64 : null;
}

/**
 * Outside production a missing encryption key is generated once into the data folder, so a
 * newcomer's demo just works; production refuses to start without one (DESIGN §3).
 */
function devEncryptionKey(databaseUrl: string): Buffer {
  const dir = databaseUrl.startsWith("sqlite:") ? path.dirname(path.resolve(databaseUrl.slice(7))) : path.resolve("data");
  const file = path.join(dir, "encryption.key");
  if (fs.existsSync(file)) return Buffer.from(fs.readFileSync(file, "utf8").trim(), "hex");
  fs.mkdirSync(dir, { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key.toString("hex") + "\n", { mode: 0o600 });
  console.warn(`[keystep] KEYSTEP_ENCRYPTION_KEY is not set: generated a development key at ${file}`);
  return key;
}

const intIn = (min: number, max: number, dflt: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return dflt;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/**
 * Secrets that may also come from a file, the Docker and Kubernetes convention: `NAME_FILE`
 * holds a path (a mounted secret) and the file's content, without its trailing newline, is
 * the value. Setting both `NAME` and `NAME_FILE` is refused, so no one guesses which one won.
 */
export const FILE_SECRETS = [
  "KEYSTEP_SECRET",
  "KEYSTEP_PREVIOUS_SECRET",
  "KEYSTEP_ENCRYPTION_KEY",
  "KEYSTEP_PREVIOUS_ENCRYPTION_KEYS",
  "KEYSTEP_LEGACY_HASH_SECRET",
  "KEYSTEP_ADMIN_TOKEN",
  "KEYSTEP_METRICS_TOKEN",
  "KEYSTEP_CONSOLE_CLIENT_SECRET",
  "DATABASE_URL",
  "REDIS_URL",
  "SMTP_URL",
  "SMS_WEBHOOK_SECRET",
  "TWILIO_AUTH_TOKEN",
] as const;

function withFileSecrets(source: Record<string, string | undefined>, problems: string[]): Record<string, string | undefined> {
  const merged = { ...source };
  for (const name of FILE_SECRETS) if (source[`${name}_FILE`]) merged[name] = fileOrValue(source, name, problems);
  return merged;
}

/** Auth0 tenant names: lowercase letters, digits and hyphens. */
const TENANT_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** `acme-prod` → `KEYSTEP_TENANT_ACME_PROD_`: the prefix of one tenant's variables. */
export const tenantVariablePrefix = (id: string) => `KEYSTEP_TENANT_${id.toUpperCase().replace(/-/g, "_")}_`;

function parseDomains(list: string | undefined, name: string, nodeEnv: Env["nodeEnv"], problems: string[]): Auth0Domain[] {
  const domains: Auth0Domain[] = [];
  const entries = (list ?? "").split(/[\s,]+/).filter(Boolean);
  if (entries.length === 0) problems.push(`${name} must list at least one Auth0 domain (e.g. tenant.eu.auth0.com)`);
  for (const entry of entries) {
    try {
      const d = parseAuth0Domain(entry);
      if (d.scheme === "http" && nodeEnv === "production" && !/^(localhost|127\.0\.0\.1)(:\d+)?$/.test(d.host)) problems.push(`${name} entry "${entry}" uses http for a non-local host`);
      domains.push(d);
    } catch (e) {
      problems.push(`${name} entry is invalid: ${(e as Error).message}`);
    }
  }
  return domains;
}

/** Management API settings from `<prefix>MANAGEMENT_CLIENT_ID`, `_CLIENT_SECRET` (or `_FILE`) and `_DOMAIN` (default: the first domain): all or none. */
function managementSettings(raw: Record<string, string | undefined>, prefix: string, domains: Auth0Domain[], problems: string[]): ManagementSettings | null {
  const clientId = raw[`${prefix}MANAGEMENT_CLIENT_ID`]?.trim() ?? "";
  const clientSecret = fileOrValue(raw, `${prefix}MANAGEMENT_CLIENT_SECRET`, problems);
  const rawDomain = raw[`${prefix}MANAGEMENT_DOMAIN`]?.trim();
  if (!clientId && !clientSecret && !rawDomain) return null;
  if (!clientId || !clientSecret) {
    problems.push(`${prefix}MANAGEMENT_CLIENT_ID and ${prefix}MANAGEMENT_CLIENT_SECRET go together (a machine-to-machine application of the tenant)`);
    return null;
  }
  try {
    const domain = rawDomain ? parseAuth0Domain(rawDomain) : domains[0];
    if (!domain) return null;
    return { domain, clientId, clientSecret };
  } catch (e) {
    problems.push(`${prefix}MANAGEMENT_DOMAIN is invalid: ${(e as Error).message}`);
    return null;
  }
}

/** A value from `NAME` or `NAME_FILE` (never both), or "". */
function fileOrValue(raw: Record<string, string | undefined>, name: string, problems: string[]): string {
  const file = raw[`${name}_FILE`];
  const value = raw[name] ?? "";
  if (!file) return value;
  if (value) {
    problems.push(`${name} and ${name}_FILE are both set: keep one`);
    return value;
  }
  try {
    return fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (e) {
    problems.push(`${name}_FILE cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}): ${file}`);
    return "";
  }
}

/** A tenant secret from `NAME` or `NAME_FILE` (never both), at least 32 bytes. */
function tenantSecret(raw: Record<string, string | undefined>, name: string, problems: string[]): string {
  const value = fileOrValue(raw, name, problems);
  if (Buffer.byteLength(value, "utf8") < 32) problems.push(`${name} must be at least 32 bytes (that tenant's Auth0 Action secret)`);
  return value;
}

/**
 * The tenants Keystep serves. The simple case is one tenant: KEYSTEP_SECRET and
 * KEYSTEP_AUTH0_DOMAINS (plus KEYSTEP_AUTH0_TENANT, its Auth0 tenant id, to key users by it).
 * Several tenants are listed in KEYSTEP_TENANTS, each with its own secret and domains in
 * KEYSTEP_TENANT_<ID>_SECRET (or _FILE) and KEYSTEP_TENANT_<ID>_DOMAINS, so a development
 * tenant's admin, or the CI that deploys its Action, cannot mint a result production accepts.
 */
function parseTenants(source: Record<string, string | undefined>, raw: Record<string, string | undefined>, keystepSecret: string, nodeEnv: Env["nodeEnv"], problems: string[]): Tenant[] {
  const encode = (v: string) => new TextEncoder().encode(v);
  const listed = (source.KEYSTEP_TENANTS ?? "").split(/[\s,]+/).filter(Boolean);
  if (listed.length === 0) {
    const previous = previousSecret(source.KEYSTEP_PREVIOUS_SECRET ?? "", "KEYSTEP_PREVIOUS_SECRET", keystepSecret, "KEYSTEP_SECRET", problems);
    const auth0Id = source.KEYSTEP_AUTH0_TENANT?.trim() || null;
    if (auth0Id !== null && !TENANT_ID.test(auth0Id)) problems.push(`KEYSTEP_AUTH0_TENANT "${auth0Id}" is not an Auth0 tenant name (lowercase letters, digits and hyphens)`);
    const domains = parseDomains(source.KEYSTEP_AUTH0_DOMAINS, "KEYSTEP_AUTH0_DOMAINS", nodeEnv, problems);
    const id = auth0Id ?? domains[0]?.host ?? "";
    return [{ id, auth0Id, secret: encode(keystepSecret), previousSecret: previous ? encode(previous) : null, domains, management: managementSettings(raw, "KEYSTEP_AUTH0_", domains, problems) }];
  }
  for (const name of ["KEYSTEP_AUTH0_DOMAINS", "KEYSTEP_AUTH0_TENANT", "KEYSTEP_PREVIOUS_SECRET"])
    if (source[name]) problems.push(`${name} is for a single tenant; with KEYSTEP_TENANTS set, give each tenant's domains in KEYSTEP_TENANT_<ID>_DOMAINS`);
  const tenants: Tenant[] = [];
  const seenHosts = new Map<string, string>();
  const seenSecrets = new Map<string, string>();
  for (const id of listed) {
    if (!TENANT_ID.test(id)) {
      problems.push(`KEYSTEP_TENANTS entry "${id}" is not an Auth0 tenant name (lowercase letters, digits and hyphens)`);
      continue;
    }
    if (tenants.some((t) => t.id === id)) {
      problems.push(`KEYSTEP_TENANTS names "${id}" twice`);
      continue;
    }
    const prefix = tenantVariablePrefix(id);
    const secret = tenantSecret(raw, `${prefix}SECRET`, problems);
    const previous = previousSecret(fileOrValue(raw, `${prefix}PREVIOUS_SECRET`, problems), `${prefix}PREVIOUS_SECRET`, secret, `${prefix}SECRET`, problems);
    const domains = parseDomains(source[`${prefix}DOMAINS`], `${prefix}DOMAINS`, nodeEnv, problems);
    for (const d of domains) {
      const other = seenHosts.get(d.host);
      if (other !== undefined) problems.push(`${d.host} is a domain of both "${other}" and "${id}": a domain belongs to one tenant`);
      seenHosts.set(d.host, id);
    }
    // A previous secret is accepted as this tenant's during a rollover, so it too must be this tenant's alone.
    for (const [name, value] of [
      [`${prefix}SECRET`, secret],
      [`${prefix}PREVIOUS_SECRET`, previous],
    ] as const) {
      const sharing = value ? seenSecrets.get(value) : undefined;
      if (sharing !== undefined && sharing !== id)
        problems.push(`${name} is the same as "${sharing}"'s (current or previous) secret: each tenant needs its own secret, or one tenant's Action could mint results for the other`);
      if (value) seenSecrets.set(value, id);
    }
    tenants.push({ id, auth0Id: id, secret: encode(secret), previousSecret: previous ? encode(previous) : null, domains, management: managementSettings(raw, prefix, domains, problems) });
  }
  return tenants;
}

/** An Action secret being rotated out: unset, or 32+ bytes that differ from the current one. */
function previousSecret(value: string, name: string, current: string, currentName: string, problems: string[]): string | null {
  if (!value) return null;
  if (Buffer.byteLength(value, "utf8") < 32) problems.push(`${name} must be at least 32 bytes (the Action secret being rotated out)`);
  else if (value === current) problems.push(`${name} is the same as ${currentName}: set it to the old secret during a rotation, or leave it unset`);
  return value;
}

/**
 * Keystep's key ring (lib/security/keys.ts): KEYSTEP_ENCRYPTION_KEY (or the development key)
 * writes; the comma-separated KEYSTEP_PREVIOUS_ENCRYPTION_KEYS only read.
 */
function previousKeys(source: Record<string, string | undefined>, current: Buffer | null, problems: string[]): Buffer[] {
  const previous: Buffer[] = [];
  for (const [i, entry] of (source.KEYSTEP_PREVIOUS_ENCRYPTION_KEYS ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)
    .entries()) {
    const key = decodeKey(entry);
    if (!key) problems.push(`KEYSTEP_PREVIOUS_ENCRYPTION_KEYS entry ${i + 1} must be 32 bytes as 64 hex characters or base64`);
    else if (current?.equals(key)) problems.push(`KEYSTEP_PREVIOUS_ENCRYPTION_KEYS entry ${i + 1} is the current KEYSTEP_ENCRYPTION_KEY: list only the keys it replaced`);
    else if (previous.some((p) => p.equals(key))) problems.push(`KEYSTEP_PREVIOUS_ENCRYPTION_KEYS lists entry ${i + 1} twice`);
    else previous.push(key);
  }
  return previous;
}

/** A bearer token a caller presents (admin API, metrics): unset, or 32+ token68 characters that are not the secret. */
function bearerToken(value: string | undefined, name: string, secret: string, problems: string[]): string | null {
  const token = value || null;
  if (token === null) return null;
  // RFC 6750 token68 characters, so it travels in an Authorization header unchanged; 32+ so it cannot be guessed.
  if (token.length < 32 || !/^[A-Za-z0-9._~+/-]+=*$/.test(token)) problems.push(`${name} must be at least 32 characters of A-Z a-z 0-9 - . _ ~ + / (e.g. \`openssl rand -hex 32\`)`);
  // One leaked value must not open both this and the token signing key.
  else if (token === secret) problems.push(`${name} must differ from KEYSTEP_SECRET`);
  return token;
}

/** Validates the whole environment at once, naming every bad variable. */
export function loadEnv(raw: Record<string, string | undefined> = process.env): Env {
  const problems: string[] = [];
  const source = withFileSecrets(raw, problems);
  // Fail safe: only exactly `development` or `test` relaxes a guard. Anything else (`prod`,
  // `staging`, `Production`, a typo, or unset) runs with production guards, so a misspelt
  // deployment never starts without an encryption key or with a log-only SMS sender.
  const nodeEnv: Env["nodeEnv"] = source.NODE_ENV === "development" || source.NODE_ENV === "test" ? source.NODE_ENV : "production";
  const port = intIn(1, 65535, 3000).safeParse(source.PORT);
  if (!port.success) problems.push(`PORT ${port.error.issues[0]?.message}`);
  const portValue = port.success ? port.data : 3000;

  let publicUrl: URL | undefined;
  const rawPublic = source.KEYSTEP_PUBLIC_URL ?? (nodeEnv === "production" ? undefined : `http://localhost:${portValue}`);
  if (!rawPublic) problems.push("KEYSTEP_PUBLIC_URL is required in production (e.g. https://mfa.example.com)");
  else {
    try {
      publicUrl = new URL(rawPublic);
      const local = ["localhost", "127.0.0.1", "[::1]"].includes(publicUrl.hostname);
      if (publicUrl.protocol !== "https:" && !(publicUrl.protocol === "http:" && local)) problems.push("KEYSTEP_PUBLIC_URL must use https (http is allowed only for localhost)");
    } catch {
      problems.push(`KEYSTEP_PUBLIC_URL is not a URL: "${rawPublic}"`);
    }
  }

  const secret = source.KEYSTEP_SECRET ?? "";
  // The same HS256 secret signs both directions; RFC 7518 §3.2 wants at least the hash size.
  if (Buffer.byteLength(secret, "utf8") < 32) problems.push("KEYSTEP_SECRET must be at least 32 bytes (the Auth0 Action secret)");

  const tenants = parseTenants(source, raw, secret, nodeEnv, problems);
  const auth0Domains = tenants.flatMap((t) => t.domains);

  const databaseUrl = source.DATABASE_URL || "sqlite:./data/keystep.db";
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl)) problems.push("DATABASE_URL must be sqlite:<path> or postgres://…");

  let encryptionKey: Buffer | null = null;
  if (source.KEYSTEP_ENCRYPTION_KEY) {
    encryptionKey = decodeKey(source.KEYSTEP_ENCRYPTION_KEY);
    if (!encryptionKey) problems.push("KEYSTEP_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64");
  } else if (nodeEnv === "production") {
    problems.push("KEYSTEP_ENCRYPTION_KEY is required in production (32 bytes: `openssl rand -hex 32`)");
  }
  const previous = previousKeys(source, encryptionKey, problems);
  // Hashes stored before key ids were keyed with KEYSTEP_SECRET as it was then: KEYSTEP_LEGACY_HASH_SECRET
  // names that value once the secret has been rotated; until then the current and previous ones are tried.
  const legacyHashSecrets = source.KEYSTEP_LEGACY_HASH_SECRET ? [source.KEYSTEP_LEGACY_HASH_SECRET] : [secret, source.KEYSTEP_PREVIOUS_SECRET ?? ""].filter(Boolean);
  if (source.KEYSTEP_LEGACY_HASH_SECRET !== undefined && source.KEYSTEP_LEGACY_HASH_SECRET !== "" && Buffer.byteLength(source.KEYSTEP_LEGACY_HASH_SECRET, "utf8") < 32)
    problems.push("KEYSTEP_LEGACY_HASH_SECRET must be at least 32 bytes (the KEYSTEP_SECRET Keystep had before key ids)");

  const retention = intIn(0, 3650, 400).safeParse(source.KEYSTEP_AUDIT_RETENTION_DAYS);
  if (!retention.success) problems.push(`KEYSTEP_AUDIT_RETENTION_DAYS ${retention.error.issues[0]?.message}`);
  const ttl = intIn(60, 3600, 900).safeParse(source.KEYSTEP_FLOW_TTL_SECONDS);
  if (!ttl.success) problems.push(`KEYSTEP_FLOW_TTL_SECONDS ${ttl.error.issues[0]?.message}`);
  const linkTtl = intIn(60, 900, 600).safeParse(source.KEYSTEP_MAGIC_LINK_TTL_SECONDS);
  if (!linkTtl.success) problems.push(`KEYSTEP_MAGIC_LINK_TTL_SECONDS ${linkTtl.error.issues[0]?.message}`);
  const maxAge = intIn(60, 3600, 900).safeParse(source.KEYSTEP_TOKEN_MAX_AGE_SECONDS);
  if (!maxAge.success) problems.push(`KEYSTEP_TOKEN_MAX_AGE_SECONDS ${maxAge.error.issues[0]?.message}`);
  const tolerance = intIn(30, 60, 30).safeParse(source.KEYSTEP_CLOCK_TOLERANCE_SECONDS);
  if (!tolerance.success) problems.push(`KEYSTEP_CLOCK_TOLERANCE_SECONDS ${tolerance.error.issues[0]?.message}`);

  const budget = (name: string, dflt: number) => {
    const r = intIn(1, 1_000_000, dflt).safeParse(source[name]);
    if (!r.success) problems.push(`${name} ${r.error.issues[0]?.message}`);
    return r.success ? r.data : dflt;
  };
  const budgets: Budgets = {
    sms: {
      perDestination: budget("SMS_BUDGET_PER_NUMBER", 5),
      perUser: budget("SMS_BUDGET_PER_USER", 10),
      perIp: budget("SMS_BUDGET_PER_IP", 20),
      global: budget("SMS_BUDGET_GLOBAL", 500),
      daily: { perDestination: budget("SMS_BUDGET_PER_NUMBER_DAILY", 10), perUser: budget("SMS_BUDGET_PER_USER_DAILY", 20), global: budget("SMS_BUDGET_GLOBAL_DAILY", 3000) },
      // A fifth of the global budget: a pumped country runs dry long before everyone else does.
      perCountry: { hourly: budget("SMS_BUDGET_PER_COUNTRY", 100), daily: budget("SMS_BUDGET_PER_COUNTRY_DAILY", 600) },
    },
    whatsapp: {
      perDestination: budget("WHATSAPP_BUDGET_PER_NUMBER", 5),
      perUser: budget("WHATSAPP_BUDGET_PER_USER", 10),
      perIp: budget("WHATSAPP_BUDGET_PER_IP", 20),
      global: budget("WHATSAPP_BUDGET_GLOBAL", 500),
      daily: { perDestination: budget("WHATSAPP_BUDGET_PER_NUMBER_DAILY", 10), perUser: budget("WHATSAPP_BUDGET_PER_USER_DAILY", 20), global: budget("WHATSAPP_BUDGET_GLOBAL_DAILY", 3000) },
      perCountry: { hourly: budget("WHATSAPP_BUDGET_PER_COUNTRY", 100), daily: budget("WHATSAPP_BUDGET_PER_COUNTRY_DAILY", 600) },
    },
    email: {
      perDestination: budget("EMAIL_BUDGET_PER_ADDRESS", 10),
      perUser: budget("EMAIL_BUDGET_PER_USER", 10),
      perIp: budget("EMAIL_BUDGET_PER_IP", 30),
      global: budget("EMAIL_BUDGET_GLOBAL", 5000),
    },
  };

  let email: Env["email"] = null;
  if (source.SMTP_URL) {
    if (!/^smtps?:\/\/.+/.test(source.SMTP_URL)) problems.push("SMTP_URL must be smtp://… or smtps://…");
    if (!source.EMAIL_FROM) problems.push("EMAIL_FROM is required when SMTP_URL is set (e.g. Acme <mfa@acme.com>)");
    email = { smtpUrl: source.SMTP_URL, from: source.EMAIL_FROM ?? "" };
  }

  const allowedCountries = countryList(source.SMS_ALLOWED_COUNTRIES, "SMS_ALLOWED_COUNTRIES", DEFAULT_SMS_COUNTRIES, problems);
  const sms = phoneProvider(source, "SMS_PROVIDER", allowedCountries, nodeEnv, problems, () => {
    if (!source.TWILIO_FROM && !source.TWILIO_MESSAGING_SERVICE_SID) problems.push("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required when SMS_PROVIDER=twilio");
    return { from: source.TWILIO_FROM || null, messagingServiceSid: source.TWILIO_MESSAGING_SERVICE_SID || null };
  });
  // WhatsApp: its own country list (SMS's by default), the Twilio account or the signed webhook SMS uses.
  const whatsappCountries = countryList(source.WHATSAPP_ALLOWED_COUNTRIES, "WHATSAPP_ALLOWED_COUNTRIES", allowedCountries, problems);
  const whatsapp = phoneProvider(source, "WHATSAPP_PROVIDER", whatsappCountries, nodeEnv, problems, () => {
    if (!source.WHATSAPP_FROM || !/^\+[1-9]\d{6,14}$/.test(source.WHATSAPP_FROM))
      problems.push("WHATSAPP_FROM must be the WhatsApp sender's number in E.164 (e.g. +14155238886) when WHATSAPP_PROVIDER=twilio");
    return { from: source.WHATSAPP_FROM || null, messagingServiceSid: null };
  });

  const brandColor = source.KEYSTEP_BRAND_COLOR || "#4f46e5";
  if (!/^#[0-9a-f]{6}$/i.test(brandColor)) problems.push("KEYSTEP_BRAND_COLOR must be a #rrggbb colour");
  const logoUrl = source.KEYSTEP_BRAND_LOGO_URL || null;
  if (logoUrl && !isSafeConfiguredUrl(logoUrl)) problems.push(`KEYSTEP_BRAND_LOGO_URL must be ${SAFE_URL_RULE}`);
  const rpId = (source.KEYSTEP_RP_ID || publicUrl?.hostname || "localhost").toLowerCase();
  // WebAuthn requires the RP ID to be the origin's host or a registrable suffix of it.
  if (publicUrl && rpId !== publicUrl.hostname && !publicUrl.hostname.endsWith(`.${rpId}`)) problems.push("KEYSTEP_RP_ID must be KEYSTEP_PUBLIC_URL's host or a parent domain of it");
  const redisUrl = source.REDIS_URL || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push("REDIS_URL must be redis://… or rediss://…");
  const adminToken = bearerToken(source.KEYSTEP_ADMIN_TOKEN, "KEYSTEP_ADMIN_TOKEN", secret, problems);
  const metricsToken = bearerToken(source.KEYSTEP_METRICS_TOKEN, "KEYSTEP_METRICS_TOKEN", secret, problems);
  if (adminToken !== null && adminToken === metricsToken) problems.push("KEYSTEP_METRICS_TOKEN must differ from KEYSTEP_ADMIN_TOKEN: the metrics scraper must not hold the support API's key");

  const consoleSettings = publicUrl ? parseConsole(source, publicUrl, tenants, problems) : null;
  const smsPrices = parseSmsPrices(source, problems);

  // A missing or bad KEYSTEP_PUBLIC_URL has already added its problem above.
  if (problems.length > 0 || !publicUrl) throw new EnvError(problems);
  const current = encryptionKey ?? devEncryptionKey(databaseUrl);
  if (previous.some((p) => p.equals(current))) throw new EnvError(["KEYSTEP_PREVIOUS_ENCRYPTION_KEYS lists the development key in use: list only the keys it replaced"]);
  const keys = new KeyRing(
    current,
    previous,
    legacyHashSecrets.map((s) => new TextEncoder().encode(s)),
  );
  return {
    nodeEnv,
    publicUrl,
    rpId,
    keys,
    tenants,
    auth0Domains,
    databaseUrl,
    port: portValue,
    issuerName: source.KEYSTEP_ISSUER_NAME?.trim() || "Keystep",
    flowTtlSeconds: ttl.success ? ttl.data : 900,
    auditRetentionDays: retention.success ? retention.data : 400,
    magicLinkTtlSeconds: linkTtl.success ? linkTtl.data : 600,
    tokenMaxAgeSeconds: maxAge.success ? maxAge.data : 900,
    clockToleranceSeconds: tolerance.success ? tolerance.data : 30,
    logLevel: source.LOG_LEVEL || "info",
    brand: { name: source.KEYSTEP_BRAND_NAME?.trim() || source.KEYSTEP_ISSUER_NAME?.trim() || "Keystep", color: brandColor, logoUrl },
    email,
    sms,
    whatsapp,
    budgets,
    redisUrl,
    adminToken,
    metricsToken,
    console: consoleSettings,
    smsPrices,
  };
}

/** KEYSTEP_SMS_PRICES: a JSON object of country code (or `*`) → price of one message; KEYSTEP_SMS_PRICE_CURRENCY its currency. */
function parseSmsPrices(source: Record<string, string | undefined>, problems: string[]): Env["smsPrices"] {
  const currency = source.KEYSTEP_SMS_PRICE_CURRENCY?.trim().toUpperCase() || "USD";
  if (!/^[A-Z]{3}$/.test(currency)) problems.push("KEYSTEP_SMS_PRICE_CURRENCY must be an ISO 4217 code (e.g. USD, EUR)");
  const raw = source.KEYSTEP_SMS_PRICES?.trim();
  if (!raw) return { currency, perCountry: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = null;
  }
  const ok =
    parsed !== null &&
    typeof parsed === "object" &&
    !Array.isArray(parsed) &&
    Object.entries(parsed).every(([k, v]) => (k === "*" || /^[A-Z]{2}$/.test(k)) && typeof v === "number" && Number.isFinite(v) && v >= 0 && v < 100);
  if (!ok) {
    problems.push('KEYSTEP_SMS_PRICES must be a JSON object of ISO 3166 country codes (or "*") to the price of one message, e.g. {"GB":0.04,"US":0.008,"*":0.1}');
    return { currency, perCountry: {} };
  }
  return { currency, perCountry: parsed as Record<string, number> };
}

/** The console's settings: KEYSTEP_CONSOLE_ISSUER, _CLIENT_ID and _CLIENT_SECRET (or _FILE) all or none. */
function parseConsole(source: Record<string, string | undefined>, publicUrl: URL, tenants: Tenant[], problems: string[]): ConsoleSettings | null {
  const rawIssuer = source.KEYSTEP_CONSOLE_ISSUER?.trim() ?? "";
  const clientId = source.KEYSTEP_CONSOLE_CLIENT_ID?.trim() ?? "";
  const clientSecret = source.KEYSTEP_CONSOLE_CLIENT_SECRET ?? "";
  if (!rawIssuer && !clientId && !clientSecret) return null;
  if (!rawIssuer || !clientId || !clientSecret) {
    problems.push("KEYSTEP_CONSOLE_ISSUER, KEYSTEP_CONSOLE_CLIENT_ID and KEYSTEP_CONSOLE_CLIENT_SECRET go together (the console's Auth0 application)");
    return null;
  }
  let issuer: URL;
  try {
    issuer = new URL(/^[a-z]+:\/\//i.test(rawIssuer) ? rawIssuer : `https://${rawIssuer}`);
  } catch {
    problems.push(`KEYSTEP_CONSOLE_ISSUER is not a URL: "${rawIssuer}"`);
    return null;
  }
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(issuer.hostname);
  if (issuer.protocol !== "https:" && !(issuer.protocol === "http:" && local)) problems.push("KEYSTEP_CONSOLE_ISSUER must use https (http is allowed only for localhost)");
  if (issuer.search || issuer.hash || issuer.username) problems.push("KEYSTEP_CONSOLE_ISSUER must be the tenant's issuer URL, e.g. https://acme.eu.auth0.com/");
  const role = source.KEYSTEP_CONSOLE_ROLE?.trim() || "keystep-support";
  if (role.length > 200) problems.push("KEYSTEP_CONSOLE_ROLE must be an Auth0 role name (at most 200 characters)");
  const tenant = source.KEYSTEP_CONSOLE_TENANT?.trim() || null;
  if (tenant !== null && !tenants.some((t) => t.id === tenant)) problems.push(`KEYSTEP_CONSOLE_TENANT "${tenant}" is not a configured tenant (${tenants.map((t) => t.id).join(", ")})`);
  const claimNamespace = source.KEYSTEP_CONSOLE_CLAIM_NAMESPACE?.trim() || `${publicUrl.href.replace(/\/+$/, "")}/`;
  return { issuer, clientId, clientSecret, role, claimNamespace, tenant };
}

let cached: Env | undefined;

/** The validated environment, parsed on first use (boot, via instrumentation.ts). */
export function env(): Env {
  cached ??= loadEnv();
  return cached;
}

/** A list of ISO 3166-1 alpha-2 country codes (or `*`) from a setting; `fallback` when it is empty. */
function countryList(raw: string | undefined, name: string, fallback: string[], problems: string[]): string[] {
  const list = (raw ?? "")
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => c.toUpperCase());
  const out = list.length ? list : fallback;
  if (out.some((c) => c !== "*" && !/^[A-Z]{2}$/.test(c))) problems.push(`${name} must list ISO 3166-1 alpha-2 codes (or *)`);
  return out;
}

/**
 * A phone channel's sender (SMS_PROVIDER, WHATSAPP_PROVIDER): none, the development log (refused in
 * production), the signed webhook (SMS_WEBHOOK_*), or Twilio (TWILIO_*), whose sender `twilio` checks.
 */
function phoneProvider(
  source: Record<string, string | undefined>,
  name: "SMS_PROVIDER" | "WHATSAPP_PROVIDER",
  allowedCountries: string[],
  nodeEnv: Env["nodeEnv"],
  problems: string[],
  twilio: () => { from: string | null; messagingServiceSid: string | null },
): SmsConfig {
  switch (source[name] || "none") {
    case "none":
      return { provider: "none" };
    case "log":
      if (nodeEnv === "production") problems.push(`${name}=log is for development only and is refused in production`);
      return { provider: "log", allowedCountries };
    case "webhook":
      if (!source.SMS_WEBHOOK_URL || !/^https?:\/\//.test(source.SMS_WEBHOOK_URL)) problems.push(`SMS_WEBHOOK_URL must be an http(s) URL when ${name}=webhook`);
      if (Buffer.byteLength(source.SMS_WEBHOOK_SECRET ?? "") < 32) problems.push(`SMS_WEBHOOK_SECRET must be at least 32 bytes when ${name}=webhook`);
      return { provider: "webhook", url: source.SMS_WEBHOOK_URL ?? "", secret: source.SMS_WEBHOOK_SECRET ?? "", allowedCountries };
    case "twilio": {
      if (!source.TWILIO_ACCOUNT_SID || !source.TWILIO_AUTH_TOKEN) problems.push(`TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required when ${name}=twilio`);
      const sender = twilio();
      return {
        provider: "twilio",
        accountSid: source.TWILIO_ACCOUNT_SID ?? "",
        authToken: source.TWILIO_AUTH_TOKEN ?? "",
        ...sender,
        baseUrl: source.TWILIO_BASE_URL || "https://api.twilio.com",
        allowedCountries,
      };
    }
    default:
      problems.push(`${name} must be one of twilio, webhook, log, none`);
      return { provider: "none" };
  }
}
