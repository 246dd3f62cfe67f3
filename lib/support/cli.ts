import { CopyError, copyDatabase } from "@/lib/db/copy";
import type { KeyRing } from "@/lib/security/keys";
import { keyStatus, rotateKeys, type KeyStatus, type RotateSummary } from "./keys";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Kysely } from "kysely";
import { connect } from "@/lib/db/connect";
import type { Database } from "@/lib/db/schema";
import { EnvError, loadEnv, parseAuth0Domain, type Auth0Domain, type Tenant } from "@/lib/env";
import type { UserKey } from "@/lib/factors/authenticators";
import { ACTION_RUNTIME, ACTION_TRIGGER, DEFAULT_ACTION_NAME, FINGERPRINT_PREFIX, InstallError, installAction, installText, REQUIRED_SECRETS } from "./auth0-install";
import { describeManagementError, managementClient, parseTenantDomain } from "@/lib/auth0/management";
import { offeredFactors } from "@/lib/enrollment-links";
import {
  approveRecovery,
  cancelRecovery,
  issueEnrollmentLink,
  parseLifetime,
  parseUserKey,
  resetUser,
  resolveTenant,
  RECENT_EVENTS,
  revokeEnrollmentLinks,
  setFactorEnabled,
  showUser,
  type Actor,
  type FactorChange,
  type IssuedLink,
  type LinkSettings,
  type OpsResult,
  type RecoveryView,
  type ResetSummary,
  type UserView,
} from "./ops";

/** Exit statuses, as the help text states them. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export const HELP = `Keystep support tools

Usage: npm run keystep -- <command> [options]

Commands:
  show <user_id>                         Factors, remembered devices, recovery codes and the
                                         latest ${RECENT_EVENTS} audit events of a user
  reset <user_id>                        Remove all factors and recovery codes and revoke all
                                         devices: the next login sets up a factor again
  disable <user_id> <authenticator_id>   Stop one factor being offered or accepted
  enable <user_id> <authenticator_id>    Allow it again (also clears its failure count)
  enroll-link <user_id>                  Issue a single-use link that makes the user's next
                                         sign-in set up a factor (printed once; see options)
  enroll-link <user_id> --revoke <id|all>
                                         Revoke one unused link (its id), or all of the user's
  recovery approve <user_id> --reason <text>
                                         Shorten the wait of the user's open self-service
                                         recovery request: ready now (same browser only)
  recovery cancel <user_id> --reason <text>
                                         Cancel the user's open recovery request
  auth0 install                          Install or upgrade Keystep's Action in an Auth0 tenant
                                         (post-login ${ACTION_TRIGGER.version}, ${ACTION_RUNTIME}, bound last) and warn
                                         about tenant settings that skip or double MFA
  rotate                                 Re-encrypt every stored TOTP secret under the current
                                         KEYSTEP_ENCRYPTION_KEY (after adding the old key to
                                         KEYSTEP_PREVIOUS_ENCRYPTION_KEYS), then show keys status
  keys status                            What still depends on each key: when a previous key,
                                         or the KEYSTEP_SECRET of before key ids, can be removed
  copy-db --to <database_url>            Copy every row of DATABASE_URL (e.g. SQLite) into a new,
                                         empty database (e.g. PostgreSQL), migrating it first
  help                                   Show this text

Options:
  --tenant <id>     The user's Auth0 tenant, by its id or any of its domains (default: the
                    only tenant; required when KEYSTEP_TENANTS lists several)
  --reason <text>   Why (recovery approve/cancel): written to the audit trail
  --json            Machine-readable output (use npm run --silent to keep npm's lines out)
  -h, --help        Show this text

enroll-link options (reads KEYSTEP_PUBLIC_URL and KEYSTEP_ENCRYPTION_KEY as the server does):
  --factor <id>       the factor to set up, e.g. webauthn-roaming (security key), webauthn-platform
                      (passkey), otp; default: any factor the deployment offers that the user lacks
  --expires <n>m|h|d  how long the link lives (default 7d, at most 30d)
  --return-to <url>   the application's sign-in URL, shown on the link page after claiming

auth0 install options (each also read from the variable named after it):
  --domain <host>          Auth0 tenant domain                       AUTH0_DOMAIN
  --client-id <id>         Management API application (client        AUTH0_CLIENT_ID
                           credentials; scopes in docs/auth0-setup.md)
  --client-secret <s>      its secret (prefer the variable)          AUTH0_CLIENT_SECRET
  --keystep-url <url>      Keystep's public URL                       KEYSTEP_PUBLIC_URL
  --keystep-secret <s>     Keystep's secret (prefer the variable)    KEYSTEP_SECRET(_FILE)
  --secret NAME=VALUE      another Action secret, repeatable (KEYSTEP_SSO_MAX_AGE_SECONDS,
                           KEYSTEP_ALLOW_PASSWORD_GRANTS, KEYSTEP_CLAIM_NAMESPACE…)
  --action-name <name>     the Action's name (default "${DEFAULT_ACTION_NAME}")
  --dry-run                say what would change, change nothing
  KEYSTEP_AUTH0_DOMAINS, as Keystep has it, lets install check every domain is listed.
  Secret values are never printed.

User ids are Auth0 user_ids; quote them, as the | means a pipe to the shell:
  npm run keystep -- show 'auth0|64f1c2d3e4b5a6978812'
  npm run keystep -- disable 'auth0|64f1c2d3e4b5a6978812' 3f0c…  (the ID column of show)

Reads DATABASE_URL and KEYSTEP_AUTH0_DOMAINS as the server does. Every command is written
to the audit trail with actor "cli".

Exit status: 0 done (auth0 install: also with warnings); 1 the operation failed (unknown
user or authenticator, database or Auth0 error); 2 bad usage.
`;

export interface CliIo {
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
}

type Command =
  | { name: "show" | "reset" | "enroll-link"; sub: string }
  | { name: "disable" | "enable"; sub: string; authenticatorId: string }
  | { name: "recovery"; verb: "approve" | "cancel"; sub: string };

interface LinkOptions {
  factor?: string;
  expires?: string;
  returnTo?: string;
  revoke?: string;
}

class UsageError extends Error {}

function parseCommand(positionals: string[]): Command | "help" {
  const [name, ...args] = positionals;
  const arity = (n: number, shape: string) => {
    if (args.length !== n) throw new UsageError(`${name} takes ${shape}; got ${args.length} argument${args.length === 1 ? "" : "s"}. See: npm run keystep -- help`);
  };
  switch (name) {
    case undefined:
    case "help":
      return "help";
    case "show":
    case "reset":
    case "enroll-link":
      arity(1, "<user_id>");
      return { name, sub: args[0] ?? "" };
    case "disable":
    case "enable":
      arity(2, "<user_id> <authenticator_id>");
      return { name, sub: args[0] ?? "", authenticatorId: args[1] ?? "" };
    case "recovery": {
      const [verb, sub, ...extra] = args;
      if ((verb !== "approve" && verb !== "cancel") || sub === undefined || extra.length > 0)
        throw new UsageError("recovery takes approve|cancel <user_id> --reason <text>. See: npm run keystep -- help");
      return { name, verb, sub };
    }
    default:
      throw new UsageError(`Unknown command "${name}". Commands: show, reset, disable, enable, enroll-link, recovery, rotate, keys status, auth0 install, copy-db, help.`);
  }
}

/** DATABASE_URL and the configured tenants, validated like the server's settings (placeholders stand in for the rest). */
function settings(source: CliIo["env"]): { databaseUrl: string; tenants: Tenant[] } {
  // The support commands need the database and the tenants, not the server's other secrets:
  // those it does not have are stood in for, so the CLI runs from a shell with only DATABASE_URL.
  // Secrets may come from files (NAME_FILE), as the server reads them: a given file replaces the placeholder.
  const placeholders = { ...(source.KEYSTEP_SECRET_FILE ? {} : { KEYSTEP_SECRET: "x".repeat(32) }), KEYSTEP_ENCRYPTION_KEY: "0".repeat(64), KEYSTEP_PUBLIC_URL: "http://localhost:3000" };
  const configured = Boolean(source.KEYSTEP_AUTH0_DOMAINS?.trim() || source.KEYSTEP_TENANTS?.trim());
  const given = Object.fromEntries(
    Object.entries(source).filter(([name, v]) => v && (name.startsWith("KEYSTEP_TENANT") || name.startsWith("KEYSTEP_AUTH0_") || name === "KEYSTEP_SECRET" || name === "KEYSTEP_SECRET_FILE")),
  );
  const env = loadEnv({
    ...placeholders,
    ...given,
    NODE_ENV: "development",
    DATABASE_URL: source.DATABASE_URL,
    DATABASE_URL_FILE: source.DATABASE_URL_FILE,
    ...(configured ? {} : { KEYSTEP_AUTH0_DOMAINS: "unused.example" }),
  });
  return { databaseUrl: env.databaseUrl, tenants: configured ? env.tenants : [] };
}

/** Opens the database; a SQLite path that does not exist is an error, not a new empty file. */
function open(databaseUrl: string): Kysely<Database> {
  if (databaseUrl.startsWith("sqlite:")) {
    const file = databaseUrl.slice("sqlite:".length);
    if (file !== ":memory:" && !fs.existsSync(file)) throw new UsageError(`No database at ${path.resolve(file)}. Set DATABASE_URL to the one the server uses.`);
  }
  return connect(databaseUrl);
}

/** Runs one CLI invocation and returns its exit status. Expected failures print a message, never a stack. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.find((a) => !a.startsWith("-")) === "auth0") return runAuth0(argv, io);
  if (argv.find((a) => !a.startsWith("-")) === "copy-db") return runCopy(argv, io);
  if (["rotate", "keys"].includes(argv.find((a) => !a.startsWith("-")) ?? "")) return runKeys(argv, io);
  let json = false;
  let db: Kysely<Database> | undefined;
  const failWith = (status: number, error: string, message: string) => {
    io.err(json ? JSON.stringify({ error, message }) : `keystep: ${message}`);
    return status;
  };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        tenant: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        factor: { type: "string" },
        expires: { type: "string" },
        "return-to": { type: "string" },
        revoke: { type: "string" },
        reason: { type: "string" },
      },
    });
    json = values.json ?? false;
    const command = values.help ? "help" : parseCommand(positionals);
    if (command === "help") {
      io.out(HELP);
      return positionals.length === 0 && !values.help ? EXIT.usage : EXIT.ok;
    }
    const link: LinkOptions = { factor: values.factor, expires: values.expires, returnTo: values["return-to"], revoke: values.revoke };
    if (command.name !== "enroll-link" && Object.values(link).some((v) => v !== undefined))
      throw new UsageError("--factor, --expires, --return-to and --revoke belong to enroll-link. See: npm run keystep -- help");
    if (link.revoke !== undefined && (link.factor ?? link.expires ?? link.returnTo) !== undefined) throw new UsageError("--revoke takes no --factor, --expires or --return-to.");
    const { databaseUrl, tenants } = settings(io.env);
    const linkSettings = command.name === "enroll-link" && link.revoke === undefined ? serverLinkSettings(io.env) : null;
    const tenant = resolveTenant(tenants, values.tenant, "--tenant <id or domain>");
    if (!tenant.ok) return failWith(EXIT.usage, tenant.error, tenant.message);
    const user = parseUserKey(tenant.value, command.sub);
    if (!user.ok) return failWith(EXIT.usage, user.error, user.message);
    db = open(databaseUrl);
    const result = await run(db, command, user.value, tenants, { link, links: linkSettings, reason: values.reason ?? null });
    if (!result.ok) return failWith(result.error.startsWith("invalid_") || result.error === "reason_required" ? EXIT.usage : EXIT.failed, result.error, result.message);
    io.out(json ? JSON.stringify(result.value, null, 2) : result.text);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) return failWith(EXIT.usage, "usage", e.message);
    if (e instanceof EnvError) return failWith(EXIT.usage, "configuration", e.problems.join("; "));
    // node:util parseArgs reports unknown options and missing values as ERR_PARSE_ARGS_*.
    if (e instanceof TypeError && String((e as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS"))
      return failWith(EXIT.usage, "usage", `${e.message.replace(/\.?$/, ".")} See: npm run keystep -- help`);
    return failWith(EXIT.failed, "database_error", `Database error: ${describeError(e)}`);
  } finally {
    await db?.destroy().catch(() => {});
  }
}

const CLI: Actor = { kind: "cli" };

type Outcome = { ok: true; value: UserView | ResetSummary | FactorChange | IssuedLink | { revoked: number } | RecoveryView; text: string } | Extract<OpsResult<never>, { ok: false }>;

/**
 * What issuing a link needs from the server's settings: its key ring (the token's hash must be the
 * one the server computes), its public URL (the link's origin) and the factors it offers. Read from
 * the same variables as the server; none is stood in for.
 */
function serverLinkSettings(source: CliIo["env"]): LinkSettings {
  if (!source.KEYSTEP_ENCRYPTION_KEY && !source.KEYSTEP_ENCRYPTION_KEY_FILE)
    throw new UsageError("enroll-link needs KEYSTEP_ENCRYPTION_KEY (or _FILE) as the server has it, or the link would not open.");
  if (!source.KEYSTEP_PUBLIC_URL) throw new UsageError("enroll-link needs KEYSTEP_PUBLIC_URL, the server's public URL (the link's origin).");
  const configured = Boolean(source.KEYSTEP_AUTH0_DOMAINS?.trim() || source.KEYSTEP_TENANTS?.trim());
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v));
  const env = loadEnv({
    ...(source.KEYSTEP_SECRET || source.KEYSTEP_SECRET_FILE ? {} : { KEYSTEP_SECRET: "x".repeat(32) }),
    ...(configured ? {} : { KEYSTEP_AUTH0_DOMAINS: "unused.example" }),
    ...given,
    NODE_ENV: "development",
  });
  return { keys: env.keys, publicUrl: env.publicUrl, offered: offeredFactors(env) };
}

/** What a command brings besides the user: enroll-link's options and the server's settings, a recovery decision's reason. */
interface RunOptions {
  link?: LinkOptions;
  links?: LinkSettings | null;
  reason?: string | null;
}

async function run(db: Kysely<Database>, command: Command, user: UserKey, tenants: readonly Tenant[], { link = {}, links = null, reason = null }: RunOptions = {}): Promise<Outcome> {
  switch (command.name) {
    case "enroll-link": {
      if (link.revoke !== undefined) {
        const r = await revokeEnrollmentLinks(db, user, CLI, Date.now(), link.revoke === "all" ? undefined : link.revoke);
        return r.ok ? { ok: true, value: r.value, text: `Revoked ${plural(r.value.revoked, "enrollment link")} of ${user.sub}.\n` } : r;
      }
      const ttl = link.expires !== undefined ? parseLifetime(link.expires) : null;
      if (ttl && !ttl.ok) return ttl;
      if (!links) throw new Error("enroll-link without the server's settings");
      const r = await issueEnrollmentLink(db, user, { factor: link.factor ?? null, ttlMs: ttl?.value, returnTo: link.returnTo ?? null }, CLI, Date.now(), links);
      return r.ok ? { ok: true, value: r.value, text: linkText(r.value) } : r;
    }
    case "show": {
      const r = await showUser(db, user, CLI);
      return r.ok ? { ok: true, value: r.value, text: showText(r.value) } : r;
    }
    case "reset": {
      const r = await resetUser(db, user, CLI, Date.now(), tenants);
      return r.ok ? { ok: true, value: r.value, text: resetText(r.value) } : r;
    }
    case "disable":
    case "enable": {
      const r = await setFactorEnabled(db, user, command.authenticatorId, command.name === "enable", CLI, Date.now(), tenants);
      return r.ok ? { ok: true, value: r.value, text: changeText(command.name, user, r.value) } : r;
    }
    case "recovery": {
      // The CLI has no mail or SMS sender: it sends no notice; the audit trail records who and why.
      const op = command.verb === "approve" ? approveRecovery : cancelRecovery;
      const r = await op(db, user, CLI, reason, {}, Date.now(), tenants);
      return r.ok
        ? {
            ok: true,
            value: r.value,
            text: command.verb === "approve" ? `Approved the recovery request of ${user.sub}: ready now, from the browser it came from.` : `Cancelled the recovery request of ${user.sub}.`,
          }
        : r;
    }
    default: {
      const never: never = command;
      throw new Error(`unhandled command ${JSON.stringify(never)}`);
    }
  }
}

/** pg reports a refused connection as an AggregateError with an empty message. */
function describeError(e: unknown): string {
  if (e instanceof AggregateError && !e.message) return e.errors.map(describeError).join("; ");
  if (e instanceof Error) return e.message || (e as NodeJS.ErrnoException).code || e.name;
  return String(e);
}

const when = (iso: string | null) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "-");
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Plain columns, padded to the widest cell; long cells are cut so a row fits a terminal. */
export function table(headers: string[], rows: Array<Array<string | number | null>>, maxCell = 48): string {
  if (rows.length === 0) return "  (none)";
  const cells = rows.map((r) =>
    r.map((c) => {
      const s = c === null || c === "" ? "-" : String(c).replace(/[\u0000-\u001f\u007f]/g, " ");
      return s.length > maxCell ? `${s.slice(0, maxCell - 1)}…` : s;
    }),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd();
  return [line(headers), ...cells.map(line)].join("\n");
}

function showText(v: UserView): string {
  const detail = (d: Record<string, unknown> | null) =>
    d
      ? Object.entries(d)
          .map(([k, val]) => `${k}=${typeof val === "object" ? JSON.stringify(val) : String(val)}`)
          .join(" ")
      : null;
  return [
    `User    ${v.sub}`,
    `Tenant  ${v.tenant}`,
    "",
    `Factors (${v.factors.length})`,
    table(
      ["ID", "FACTOR", "LABEL", "DESTINATION", "STATUS", "FAILURES", "CREATED", "LAST USED"],
      v.factors.map((f) => [f.id, f.factor, f.label, f.destination, f.status, f.failureCount, when(f.createdAt), when(f.lastUsedAt)]),
    ),
    "",
    `Recovery codes: ${v.recoveryCodes.remaining} of ${v.recoveryCodes.issued} unused`,
    "",
    `Devices (${v.devices.length})`,
    table(
      ["ID", "LAST MFA", "REMEMBERED UNTIL", "USER AGENT"],
      v.devices.map((d) => [d.id, when(d.lastMfaAt), when(d.rememberedUntil), d.userAgent]),
    ),
    "",
    `Recent audit events (newest first, at most ${RECENT_EVENTS})`,
    table(
      ["AT", "EVENT", "FACTOR", "OUTCOME", "IP", "DETAIL"],
      v.events.map((e) => [when(e.at), e.event, e.factor, e.outcome, e.ip, detail(e.detail)]),
      96,
    ),
    "",
  ].join("\n");
}

function linkText(l: IssuedLink): string {
  return [
    `Enrollment link for ${l.sub} on ${l.tenant} (id ${l.id}):`,
    "",
    `  ${l.url}`,
    "",
    `It works once, until ${when(l.expiresAt)}. Their next sign-in in the browser that claims it sets up ${l.factor ?? "a factor they do not have yet"}.`,
    "Send it to the user only: it is shown this once and never stored.",
    `Revoke it with: npm run keystep -- enroll-link '${l.sub}' --revoke ${l.id}`,
    "",
  ].join("\n");
}

function resetText(r: ResetSummary): string {
  return (
    `Reset ${r.sub} on ${r.tenant}: removed ${plural(r.factorsRemoved, "factor")} and ${plural(r.recoveryCodesRemoved, "recovery code")}, ` +
    `revoked ${plural(r.devicesRevoked, "device")}.\nTheir next login asks them to set up a factor.\n${auth0Text(r.auth0Revoked)}`
  );
}

const AUTH0_STEPS: Record<string, string> = { revocation_time: "revocation time recorded", sessions: "sessions ended", refresh_tokens: "refresh tokens revoked" };

/** What reached Auth0; the audit trail (`show`) has each call, failures with Auth0's reason. */
function auth0Text(done: string[]): string {
  return done.length ? `Auth0: ${done.map((s) => AUTH0_STEPS[s] ?? s).join(", ")}.\n` : "Auth0: nothing revoked there (no Management API credentials, or the calls failed: see `show`).\n";
}

function changeText(verb: "disable" | "enable", user: UserKey, c: FactorChange): string {
  const a = c.authenticator;
  // A label is only what the user named it (often none).
  const what = `${a.factor} factor ${a.id}${a.label ? ` (${a.label})` : ""} of ${user.sub}`;
  if (!c.changed) return `No change: the ${what} is already ${verb}d.\n`;
  return `${verb === "disable" ? "Disabled" : "Enabled"} the ${what}.\n${verb === "disable" ? auth0Text(c.auth0Revoked) : ""}`;
}

const AUTH0_OPTIONS = {
  domain: { type: "string" },
  "client-id": { type: "string" },
  "client-secret": { type: "string" },
  "keystep-url": { type: "string" },
  "keystep-secret": { type: "string" },
  secret: { type: "string", multiple: true },
  "action-name": { type: "string" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** `auth0 <subcommand>`: talks to an Auth0 tenant's Management API, never to Keystep's database. */
/** `copy-db --to <url>`: DATABASE_URL into a new database, with a line per batch so a long copy shows progress. */
async function runCopy(argv: string[], io: CliIo): Promise<number> {
  let from: Kysely<Database> | undefined;
  let to: Kysely<Database> | undefined;
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { to: { type: "string" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      io.out(HELP);
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError("copy-db takes no other arguments. See: npm run keystep -- help");
    const target = values.to?.trim();
    if (!target) throw new UsageError("copy-db needs --to <database_url>, the new database (postgres://… or sqlite:<path>).");
    const { databaseUrl } = settings(io.env);
    if (target === databaseUrl) throw new UsageError("--to is DATABASE_URL itself: copy into another database.");
    from = open(databaseUrl);
    to = connect(target);
    const copied = await copyDatabase(from, to, { progress: (name, n) => io.err(`copying ${name}: ${n} rows`) });
    const total = Object.values(copied).reduce((a, b) => a + b, 0);
    io.out(`Copied ${plural(total, "row")} into the new database:\n${table(["table", "rows"], Object.entries(copied))}\nPoint DATABASE_URL at it, then start Keystep.\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`keystep: ${e.message}`);
      return EXIT.usage;
    }
    io.err(`keystep: copy-db failed: ${e instanceof CopyError ? e.message : describeError(e)}`);
    return EXIT.failed;
  } finally {
    await from?.destroy();
    await to?.destroy();
  }
}

/**
 * The server's keys, as it would load them. The encryption key must be given (KEYSTEP_ENCRYPTION_KEY
 * or _FILE): a development key generated here would open nothing. Settings a key command does not
 * use are stood in for.
 */
function keySettings(source: CliIo["env"]): { databaseUrl: string; keys: KeyRing } {
  if (!source.KEYSTEP_ENCRYPTION_KEY && !source.KEYSTEP_ENCRYPTION_KEY_FILE)
    throw new UsageError("Set KEYSTEP_ENCRYPTION_KEY (or KEYSTEP_ENCRYPTION_KEY_FILE), and KEYSTEP_PREVIOUS_ENCRYPTION_KEYS, as the server has them.");
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v));
  const configured = Boolean(source.KEYSTEP_AUTH0_DOMAINS?.trim() || source.KEYSTEP_TENANTS?.trim());
  const env = loadEnv({
    KEYSTEP_PUBLIC_URL: "http://localhost:3000",
    ...(source.KEYSTEP_SECRET || source.KEYSTEP_SECRET_FILE ? {} : { KEYSTEP_SECRET: "x".repeat(32) }),
    ...(configured ? {} : { KEYSTEP_AUTH0_DOMAINS: "unused.example" }),
    ...given,
    NODE_ENV: "development",
  });
  return { databaseUrl: env.databaseUrl, keys: env.keys };
}

/** `rotate` and `keys status`. */
async function runKeys(argv: string[], io: CliIo): Promise<number> {
  let db: Kysely<Database> | undefined;
  let json = argv.includes("--json");
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
    json = values.json ?? false;
    if (values.help) {
      io.out(HELP);
      return EXIT.ok;
    }
    const [name, ...rest] = positionals;
    const rotate = name === "rotate" && rest.length === 0;
    if (!rotate && !(name === "keys" && rest.length === 1 && rest[0] === "status")) throw new UsageError("Key commands: rotate, keys status. See: npm run keystep -- help");
    const { databaseUrl, keys } = keySettings(io.env);
    db = open(databaseUrl);
    const rotated = rotate ? await rotateKeys(db, keys, { actor: "cli", progress: (n) => io.err(`rotate: ${n} TOTP secrets checked`) }) : null;
    const status = await keyStatus(db, keys);
    io.out(json ? JSON.stringify(rotated ? { rotated, status } : status, null, 2) : `${rotated ? rotateText(rotated) : ""}${statusText(status)}`);
    if (rotated?.unreadable.length) {
      io.err(`keystep: ${plural(rotated.unreadable.length, "TOTP secret")} could not be opened with any configured key: ${rotated.unreadable.join(", ")}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } catch (e) {
    const fail = (status: number, error: string, message: string) => {
      io.err(json ? JSON.stringify({ error, message }) : `keystep: ${message}`);
      return status;
    };
    if (e instanceof UsageError) return fail(EXIT.usage, "usage", e.message);
    if (e instanceof EnvError) return fail(EXIT.usage, "configuration", e.problems.join("; "));
    if (e instanceof TypeError && String((e as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS"))
      return fail(EXIT.usage, "usage", `${e.message.replace(/\.?$/, ".")} See: npm run keystep -- help`);
    return fail(EXIT.failed, "database_error", `Database error: ${describeError(e)}`);
  } finally {
    await db?.destroy().catch(() => {});
  }
}

function rotateText(r: RotateSummary): string {
  return `Re-encrypted ${plural(r.rotated, "TOTP secret")} under key ${r.keyId} (${r.current} already were${r.unreadable.length ? `, ${r.unreadable.length} unreadable` : ""}).\n\n`;
}

function statusText(s: KeyStatus): string {
  const lines = [
    `Current key: ${s.current}${s.previous.length ? `; previous: ${s.previous.join(", ")}` : ""}`,
    "",
    table(
      ["stored", "key", "state", "rows"],
      s.uses.map((u) => [u.what, u.keyId ?? "-", u.state, u.rows]),
    ),
    `Passkeys without a stored user handle: ${s.legacyPasskeys}`,
    "",
    ...Object.entries(s.stillNeeded.previous).map(([id, needed]) => {
      if (!needed) return `Previous key ${id} is no longer needed: remove it from KEYSTEP_PREVIOUS_ENCRYPTION_KEYS.`;
      const by = s.uses.filter((u) => u.keyId === id && u.rows > 0).map((u) => `${u.what} (${u.rows})`);
      const totp = s.uses.some((u) => u.what === "TOTP secrets" && u.rows > 0 && (u.keyId === id || u.state === "legacy"));
      return `Previous key ${id} is still needed${by.length ? ` by ${by.join(", ")}` : ""}: ${totp ? "run rotate for the TOTP secrets; " : ""}hashes are used, replaced or expire on their own.`;
    }),
    s.stillNeeded.legacySecret ? "Values from before key ids still need KEYSTEP_SECRET (or KEYSTEP_LEGACY_HASH_SECRET) as it was then." : "Nothing depends on the KEYSTEP_SECRET of before key ids.",
  ];
  return `${lines.join("\n")}\n`;
}

async function runAuth0(argv: string[], io: CliIo): Promise<number> {
  let json = argv.includes("--json");
  const failWith = (status: number, error: string, message: string) => {
    io.err(json ? JSON.stringify({ error, message }) : `keystep: ${message}`);
    return status;
  };
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: AUTH0_OPTIONS });
    json = values.json ?? false;
    if (values.help) {
      io.out(HELP);
      return EXIT.ok;
    }
    const sub = positionals.slice(1);
    if (sub.length !== 1 || sub[0] !== "install") throw new UsageError(`auth0 takes one subcommand, install; got ${sub.length ? `"${sub.join(" ")}"` : "none"}. See: npm run keystep -- help`);
    const input = installSettings(values, io.env);
    const mgmt = managementClient({ domain: input.domain, clientId: input.clientId, clientSecret: input.clientSecret });
    const report = await installAction(mgmt, input);
    io.out(json ? JSON.stringify(report, null, 2) : installText(report));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) return failWith(EXIT.usage, "usage", e.message);
    if (e instanceof TypeError && String((e as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS"))
      return failWith(EXIT.usage, "usage", `${e.message.replace(/\.?$/, ".")} See: npm run keystep -- help`);
    if (e instanceof InstallError) return failWith(EXIT.failed, "install_failed", `auth0 install failed: ${e.message}`);
    return failWith(EXIT.failed, "auth0_error", `auth0 install failed: ${describeManagementError(e)}`);
  }
}

type Auth0Values = { [K in keyof typeof AUTH0_OPTIONS]?: (typeof AUTH0_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof AUTH0_OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

/** The install's settings from flags, else the environment; every problem is a usage error naming the flag. */
function installSettings(values: Auth0Values, env: CliIo["env"]) {
  const pick = (flag: string | undefined, name: string) => (flag ?? env[name] ?? "").trim();
  const problems: string[] = [];
  const missing = (what: string) => problems.push(`${what} is required`);

  const rawDomain = pick(values.domain, "AUTH0_DOMAIN");
  let domain: Auth0Domain | undefined;
  if (!rawDomain) missing("--domain (or AUTH0_DOMAIN)");
  else
    try {
      domain = parseTenantDomain(rawDomain);
    } catch (e) {
      problems.push(`--domain: ${(e as Error).message}`);
    }
  const clientId = pick(values["client-id"], "AUTH0_CLIENT_ID");
  if (!clientId) missing("--client-id (or AUTH0_CLIENT_ID)");
  const clientSecret = values["client-secret"] ?? env.AUTH0_CLIENT_SECRET ?? "";
  if (!clientSecret) missing("--client-secret (or AUTH0_CLIENT_SECRET)");

  const keystepUrl = pick(values["keystep-url"], "KEYSTEP_PUBLIC_URL");
  if (!keystepUrl) missing("--keystep-url (or KEYSTEP_PUBLIC_URL)");
  else if (!validKeystepUrl(keystepUrl)) problems.push(`--keystep-url must be an absolute https URL (http only for localhost), not "${keystepUrl}"`);
  let keystepSecret = values["keystep-secret"] ?? env.KEYSTEP_SECRET ?? "";
  if (!keystepSecret && env.KEYSTEP_SECRET_FILE) {
    try {
      keystepSecret = fs.readFileSync(env.KEYSTEP_SECRET_FILE, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      problems.push(`KEYSTEP_SECRET_FILE cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  if (!keystepSecret) missing("--keystep-secret (or KEYSTEP_SECRET)");
  else if (Buffer.byteLength(keystepSecret, "utf8") < 32) problems.push("the Keystep secret must be at least 32 bytes, the same value as Keystep's KEYSTEP_SECRET");

  const extraSecrets: Array<[string, string]> = [];
  for (const raw of values.secret ?? []) {
    const i = raw.indexOf("=");
    const name = i > 0 ? raw.slice(0, i).trim() : "";
    const value = i > 0 ? raw.slice(i + 1) : "";
    // The value is never echoed: a typo in a flag must not put a secret in a terminal's scrollback.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || value === "") problems.push(`--secret takes NAME=VALUE with a non-empty value${name ? ` (got one for "${name}")` : ""}`);
    else if ((REQUIRED_SECRETS as readonly string[]).includes(name)) problems.push(`--secret ${name}=…: set ${name} with --${name === "KEYSTEP_URL" ? "keystep-url" : "keystep-secret"}`);
    else if (name.startsWith(FINGERPRINT_PREFIX)) problems.push(`--secret ${name}=…: the ${FINGERPRINT_PREFIX}… name is the install's own`);
    else if (extraSecrets.some(([n]) => n === name)) problems.push(`--secret ${name} is given twice`);
    else extraSecrets.push([name, value]);
  }

  const actionName = (values["action-name"] ?? DEFAULT_ACTION_NAME).trim();
  if (!actionName) problems.push("--action-name cannot be empty");

  let keystepDomains: Auth0Domain[] | null = null;
  const rawDomains = (env.KEYSTEP_AUTH0_DOMAINS ?? "").split(/[\s,]+/).filter(Boolean);
  if (rawDomains.length)
    try {
      keystepDomains = rawDomains.map(parseAuth0Domain);
    } catch (e) {
      problems.push(`KEYSTEP_AUTH0_DOMAINS: ${(e as Error).message}`);
    }

  if (problems.length || !domain) throw new UsageError(`auth0 install: ${problems.join("; ")}. See: npm run keystep -- help`);
  return { domain, clientId, clientSecret, keystepUrl, keystepSecret, extraSecrets, actionName, dryRun: values["dry-run"] ?? false, keystepDomains };
}

function validKeystepUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || (url.protocol === "http:" && /^(localhost|127\.0\.0\.1|\[::1\])$/.test(url.hostname));
  } catch {
    return false;
  }
}
