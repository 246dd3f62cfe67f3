/**
 * `npm run keystep -- auth0 install`: installs or upgrades Keystep's post-login Action in an Auth0
 * tenant through the Management API (the official SDK, see lib/auth0/management.ts), and reads the
 * tenant settings that would let a login skip or double Keystep's MFA.
 *
 * Idempotent. The Action is found by name. Its code is the content of auth0/action.js, its
 * trigger post-login v3, its runtime node22; a field is written only when it differs, it is
 * deployed only when the deployed version is not the current draft, and the post-login flow is
 * changed only when the Action is not bound exactly once, last. A second run changes nothing.
 *
 * Secrets. Auth0 never returns a secret's value, so the values cannot be compared. The install
 * adds one more secret whose NAME carries a fingerprint of all the values:
 * `KEYSTEP_INSTALL_FINGERPRINT_<16 hex>`, the first 64 bits of HMAC-SHA256 keyed with
 * KEYSTEP_SECRET over the sorted NAME=VALUE pairs. Reading the names back tells whether any value
 * changed without storing or revealing one (the key is the Keystep secret itself, so the name
 * says nothing to whoever can read it). When the names differ, every secret is written again.
 * The Action's secrets are exactly the ones given: a secret set by hand and not given is removed.
 *
 * Order: the Action must run LAST in the post-login flow, so every other Action (which may deny
 * the login, or add roles and metadata that Keystep's policy reads) has run before Keystep
 * decides, and no Action after it can act on a login Keystep has not yet seen through.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ManagementClient } from "auth0";
import type { Auth0Domain } from "@/lib/env";
import { describeManagementError } from "@/lib/auth0/management";

export const ACTION_FILE = path.resolve(__dirname, "../../auth0/action.js");
export const ACTION_TRIGGER = { id: "post-login", version: "v3" } as const;
export const ACTION_RUNTIME = "node22";
export const DEFAULT_ACTION_NAME = "Keystep";
/** Every install sets these; Terraform and the Deploy CLI fragments under auth0/ list the same (a test keeps them in step). */
export const REQUIRED_SECRETS = ["KEYSTEP_URL", "KEYSTEP_SECRET"] as const;
/** Secrets the Action reads when they are set (`--secret NAME=VALUE`); any other name is passed on too. */
export const OPTIONAL_SECRETS = ["KEYSTEP_SSO_MAX_AGE_SECONDS", "KEYSTEP_ALLOW_PASSWORD_GRANTS", "KEYSTEP_CLAIM_NAMESPACE", "KEYSTEP_PREVIOUS_SECRET", "KEYSTEP_CONSOLE_CLIENT_ID"] as const;
export const FINGERPRINT_PREFIX = "KEYSTEP_INSTALL_FINGERPRINT_";
/** Grants where a password (or a legacy resource-owner call) buys tokens with no browser, so Keystep cannot run. */
export const PASSWORD_GRANTS = ["password", "http://auth0.com/oauth/grant-type/password-realm", "http://auth0.com/oauth/legacy/grant-type/ro"];

/** Build waits: Auth0 builds an Action after each change and deploys only a built one. */
const BUILD_POLL_MS = [0, 100, 200, 400, 800, 1500, 3000];
const BUILD_TIMEOUT_MS = 120_000;

export interface InstallInput {
  domain: Auth0Domain;
  keystepUrl: string;
  keystepSecret: string;
  /** `--secret NAME=VALUE`, in the order given. */
  extraSecrets: Array<[string, string]>;
  actionName: string;
  dryRun: boolean;
  /** Keystep's KEYSTEP_AUTH0_DOMAINS, or null when this command was not told it. */
  keystepDomains: Auth0Domain[] | null;
  actionFile?: string;
}

export type WarningCode = "mfa_policy" | "domain_not_listed" | "keystep_domains_unknown" | "password_grant" | "action_not_last" | "check_failed";

export interface Warning {
  code: WarningCode;
  message: string;
}

export interface InstallReport {
  domain: string;
  dryRun: boolean;
  action: { id: string | null; name: string; deployedVersion: number | null };
  /** What this run changed (with --dry-run: would change). */
  changes: string[];
  /** What was already as it should be. */
  unchanged: string[];
  warnings: Warning[];
}

export class InstallError extends Error {}

/** The fingerprint secret's name for these secrets (see the file comment). */
export function fingerprintName(secrets: Array<[string, string]>, key: string): string {
  const canonical = [...secrets]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join("\n");
  return FINGERPRINT_PREFIX + crypto.createHmac("sha256", key).update(canonical).digest("hex").slice(0, 16);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quoteList = (names: string[]) => names.map((n) => `"${n}"`).join(", ");
const shown = (names: string[]) => names.filter((n) => !n.startsWith(FINGERPRINT_PREFIX));

async function all<T>(page: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of page) out.push(item);
  return out;
}

export async function installAction(mgmt: ManagementClient, input: InstallInput): Promise<InstallReport> {
  const code = readActionCode(input.actionFile ?? ACTION_FILE);
  const given: Array<[string, string]> = [["KEYSTEP_URL", input.keystepUrl], ["KEYSTEP_SECRET", input.keystepSecret], ...input.extraSecrets];
  const fingerprint = fingerprintName(given, input.keystepSecret);
  const secrets = [...given, [fingerprint, "1"] as [string, string]].map(([name, value]) => ({ name, value }));
  const wantedNames = secrets.map((s) => s.name);
  const report: InstallReport = { domain: input.domain.host, dryRun: input.dryRun, action: { id: null, name: input.actionName, deployedVersion: null }, changes: [], unchanged: [], warnings: [] };
  const label = `Action "${input.actionName}"`;

  // 1. The Action: create it, or update the fields that differ.
  const named = (await all(await mgmt.actions.list({ actionName: input.actionName, per_page: 100 }))).filter((a) => a.name === input.actionName);
  let action = named[0];
  if (action && !action.supported_triggers?.some((t) => t.id === ACTION_TRIGGER.id))
    throw new InstallError(
      `An Action named "${input.actionName}" exists for another trigger (${(action.supported_triggers ?? []).map((t) => t.id).join(", ")}); choose another name with --action-name.`,
    );
  let needsDeploy: boolean;
  if (!action) {
    report.changes.push(`${label}: created (post-login ${ACTION_TRIGGER.version}, ${ACTION_RUNTIME}, code from auth0/action.js)`);
    report.changes.push(`Secrets: set ${shown(wantedNames).join(", ")}`);
    if (!input.dryRun) action = await mgmt.actions.create({ name: input.actionName, supported_triggers: [{ ...ACTION_TRIGGER }], code, runtime: ACTION_RUNTIME, secrets, dependencies: [] });
    needsDeploy = true;
  } else {
    report.action.id = action.id ?? null;
    const patch: Parameters<ManagementClient["actions"]["update"]>[1] = {};
    const trigger = action.supported_triggers?.find((t) => t.id === ACTION_TRIGGER.id);
    if (trigger?.version !== ACTION_TRIGGER.version || (action.supported_triggers?.length ?? 0) !== 1) {
      patch.supported_triggers = [{ ...ACTION_TRIGGER }];
      report.changes.push(`${label}: trigger post-login ${trigger?.version ?? "?"} → ${ACTION_TRIGGER.version}`);
    }
    if (action.runtime !== ACTION_RUNTIME) {
      patch.runtime = ACTION_RUNTIME;
      report.changes.push(`${label}: runtime ${action.runtime ?? "?"} → ${ACTION_RUNTIME}`);
    }
    if (action.code !== code) {
      patch.code = code;
      report.changes.push(`${label}: code updated to this auth0/action.js`);
    }
    const haveNames = (action.secrets ?? []).map((s) => s.name ?? "");
    const sameSecrets = haveNames.length === wantedNames.length && wantedNames.every((n) => haveNames.includes(n));
    if (!sameSecrets) {
      patch.secrets = secrets;
      const added = shown(wantedNames.filter((n) => !haveNames.includes(n)));
      const removed = shown(haveNames.filter((n) => !wantedNames.includes(n)));
      const parts = [added.length ? `added ${added.join(", ")}` : "", removed.length ? `removed ${removed.join(", ")}` : ""].filter(Boolean);
      // A different fingerprint with the same names means a value changed; which one is not known.
      report.changes.push(`Secrets: ${parts.length ? `${parts.join("; ")}; ` : ""}values written again`);
    }
    const changed = Object.keys(patch).length > 0;
    if (changed && !input.dryRun) action = await mgmt.actions.update(action.id ?? "", patch);
    if (!changed) report.unchanged.push(`${label}: up to date (post-login ${ACTION_TRIGGER.version}, ${ACTION_RUNTIME}, code from auth0/action.js)`);
    if (sameSecrets) report.unchanged.push(`Secrets: unchanged (${shown(wantedNames).join(", ")})`);
    needsDeploy = changed || !action.all_changes_deployed || !action.deployed_version;
  }

  // 2. Deploy, once Auth0 has built the draft.
  if (needsDeploy) {
    if (input.dryRun) report.changes.push("Deployed: a new version");
    else {
      const id = action?.id ?? "";
      await waitUntilBuilt(mgmt, id, input.actionName);
      const version = await mgmt.actions.deploy(id);
      report.action.deployedVersion = version.number ?? null;
      report.changes.push(`Deployed: version ${version.number ?? "?"}`);
    }
  } else {
    report.action.deployedVersion = action?.deployed_version?.number ?? null;
    report.unchanged.push(`Deployed: version ${action?.deployed_version?.number ?? "?"} is current`);
  }
  report.action.id = action?.id ?? null;

  // 3. Bind it last in the post-login flow, keeping the other Actions' order.
  const bindings = await all(await mgmt.actions.triggers.bindings.list(ACTION_TRIGGER.id, { per_page: 100 }));
  const ours = bindings.filter((b) => action?.id && b.action?.id === action.id);
  const others = bindings.filter((b) => !ours.includes(b));
  const otherNames = others.map((b) => b.display_name ?? b.action?.name ?? "?");
  const isLast = ours.length === 1 && bindings[bindings.length - 1] === ours[0];
  if (isLast) report.unchanged.push(`Login flow: already last${others.length ? ` (after ${quoteList(otherNames)})` : ""}`);
  else {
    const after = others.length ? `, after ${quoteList(otherNames)}` : "";
    if (ours.length === 0) report.changes.push(`Login flow: bound last${after}`);
    else {
      const position = bindings.findIndex((b) => b === ours[0]) + 1;
      report.changes.push(`Login flow: moved to last${after} (it was ${position} of ${bindings.length})`);
      if (input.dryRun)
        report.warnings.push({
          code: "action_not_last",
          message: `${label} is not last in the post-login flow (it is ${position} of ${bindings.length}): an Action after it runs on a login Keystep has not seen through. Without --dry-run, install moves it last.`,
        });
    }
    if (!input.dryRun) {
      const refs = [
        ...others.map((b) => ({ ref: { type: "binding_id" as const, value: b.id ?? "" }, display_name: b.display_name })),
        ours[0]
          ? { ref: { type: "binding_id" as const, value: ours[0].id ?? "" }, display_name: ours[0].display_name }
          : { ref: { type: "action_id" as const, value: action?.id ?? "" }, display_name: input.actionName },
      ];
      const result = await mgmt.actions.triggers.bindings.updateMany(ACTION_TRIGGER.id, { bindings: refs });
      const last = result.bindings?.[result.bindings.length - 1];
      if (last?.action?.id !== action?.id) throw new InstallError(`Auth0 did not put ${label} last in the post-login flow; check the flow in the dashboard (Actions → Triggers → post-login).`);
    }
  }

  // 4. Tenant settings that make a login skip Keystep, or ask twice.
  const allowPasswordGrants = input.extraSecrets.some(([n, v]) => n === "KEYSTEP_ALLOW_PASSWORD_GRANTS" && v.trim().toLowerCase() === "true");
  await check(report, "the MFA policy", () => checkMfaPolicy(mgmt, report));
  await check(report, "custom domains", () => checkDomains(mgmt, input, report));
  await check(report, "the applications' grants", () => checkGrants(mgmt, allowPasswordGrants, report));
  return report;
}

function readActionCode(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new InstallError(`Cannot read the Action's code at ${file} (${(e as NodeJS.ErrnoException).code ?? "error"}).`);
  }
}

async function waitUntilBuilt(mgmt: ManagementClient, id: string, name: string): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    await sleep(BUILD_POLL_MS[Math.min(attempt, BUILD_POLL_MS.length - 1)] ?? 1000);
    const { status } = await mgmt.actions.get(id);
    if (status === "built") return;
    if (status === "failed") throw new InstallError(`Auth0 could not build the Action "${name}"; open it in the dashboard to see the build error.`);
    if (Date.now() - started > BUILD_TIMEOUT_MS) throw new InstallError(`The Action "${name}" was still ${status ?? "building"} after ${BUILD_TIMEOUT_MS / 1000} s; run install again to deploy it.`);
  }
}

/** A settings check that cannot read what it needs warns instead of failing the install: the Action is in place. */
async function check(report: InstallReport, what: string, run: () => Promise<void>) {
  try {
    await run();
  } catch (e) {
    report.warnings.push({ code: "check_failed", message: `Could not check ${what}: ${describeManagementError(e)}` });
  }
}

async function checkMfaPolicy(mgmt: ManagementClient, report: InstallReport) {
  const policies = await mgmt.guardian.policies.list();
  if (policies.length === 0) return;
  const factors = (await mgmt.guardian.factors.list()).filter((f) => f.enabled).map((f) => f.name ?? "?");
  const enabled = factors.length ? ` (factors enabled: ${factors.join(", ")})` : "";
  if (policies.includes("all-applications"))
    report.warnings.push({
      code: "mfa_policy",
      message: `Auth0's own MFA policy is "Always" (all-applications)${enabled}: users are asked for a second factor by Auth0 and again by Keystep. Set it to "Never" (Dashboard → Security → Multi-factor Auth) unless you want both.`,
    });
  if (policies.includes("confidence-score"))
    report.warnings.push({
      code: "mfa_policy",
      message: `Auth0's Adaptive MFA policy is on (confidence-score)${enabled}: Auth0 asks for its own second factor on risky logins, before Keystep asks again. Set the policy to "Never" unless you want both.`,
    });
}

async function checkDomains(mgmt: ManagementClient, input: InstallInput, report: InstallReport) {
  const custom = (await mgmt.customDomains.list()).filter((d) => d.status !== "failed").map((d) => d.domain.toLowerCase());
  const needed = [input.domain.host, ...custom.filter((d) => d !== input.domain.host)];
  if (!input.keystepDomains) {
    report.warnings.push({
      code: "keystep_domains_unknown",
      message: `KEYSTEP_AUTH0_DOMAINS is not set for this command, so the domains were not checked: Keystep's KEYSTEP_AUTH0_DOMAINS must list ${needed.join(", ")}.`,
    });
    return;
  }
  const listed = new Set(input.keystepDomains.map((d) => d.host));
  for (const host of needed)
    if (!listed.has(host))
      report.warnings.push({
        code: "domain_not_listed",
        message: `${host} (${host === input.domain.host ? "the tenant's domain" : "a custom domain"}) is not in KEYSTEP_AUTH0_DOMAINS: Keystep refuses logins that come through it. Add it to Keystep's KEYSTEP_AUTH0_DOMAINS.`,
      });
}

async function checkGrants(mgmt: ManagementClient, allowPasswordGrants: boolean, report: InstallReport) {
  const clients = await all(await mgmt.clients.list({ fields: "client_id,name,grant_types", include_fields: true, per_page: 100 }));
  for (const c of clients) {
    const risky = (c.grant_types ?? []).filter((g) => PASSWORD_GRANTS.includes(g));
    if (risky.length === 0) continue;
    const outcome = allowPasswordGrants
      ? "KEYSTEP_ALLOW_PASSWORD_GRANTS=true lets these logins through WITHOUT any second factor"
      : "Keystep cannot run without a browser, so the Action denies these logins";
    report.warnings.push({
      code: "password_grant",
      message: `Application "${c.name ?? "?"}" (${c.client_id ?? "?"}) has the password grant${risky.length === 1 ? "" : "s"} ${risky.join(", ")} enabled: ${outcome}. Disable ${risky.length === 1 ? "it" : "them"} in the application's Advanced Settings → Grant Types.`,
    });
  }
}

/** The report as the CLI prints it: what changed, what was already right, the warnings, one summary line. */
export function installText(r: InstallReport): string {
  const lines = [`Auth0 tenant ${r.domain}${r.dryRun ? " (dry run: nothing was changed)" : ""}`];
  for (const c of r.changes) lines.push(`  ${r.dryRun ? "to do    " : "changed  "}  ${c}`);
  for (const u of r.unchanged) lines.push(`  unchanged  ${u}`);
  if (r.warnings.length) {
    lines.push("", `Warnings (${r.warnings.length})`);
    for (const w of r.warnings) lines.push(`  ! ${w.message}`);
  }
  const n = r.changes.length;
  const warned = r.warnings.length ? `, ${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"}` : ", no warnings";
  lines.push("", n === 0 ? `Nothing to change: the Action is installed, deployed and last${warned}.` : `${r.dryRun ? "Would make" : "Made"} ${n} change${n === 1 ? "" : "s"}${warned}.`);
  return `${lines.join("\n")}\n`;
}
