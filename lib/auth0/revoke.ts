import type { Kysely } from "kysely";
import type { ManagementClient } from "auth0";
import { audit } from "@/lib/audit";
import type { Database } from "@/lib/db/schema";
import type { Tenant } from "@/lib/env";
import { log } from "@/lib/log";
import { tenantById } from "./domains";
import { describeManagementError, managementClient } from "./management";

/**
 * Why Keystep revokes: the user's factors changed, or someone who is not the user got in.
 * `reported` ("This wasn't me"), a support reset and a disabled factor end every session and
 * refresh token; a factor the user removed themself, inside a login that is about to complete,
 * ends the refresh tokens and makes every other session pass Keystep again, but leaves the
 * sessions alone so that login can finish. A completed self-service recovery (lib/recovery) disabled
 * every old factor: it ends everything, like a support reset.
 */
export type RevocationCause = "reported" | "support_reset" | "factor_disabled" | "factor_removed" | "recovery_completed" | "recovery_restored";

/** The app_metadata key the Action reads: a Keystep record in an SSO session from before it is not reused (auth0/action.js). */
export const REVOKED_AT_KEY = "keystep_revoked_at";

type Step = { name: "revocation_time" | "sessions" | "refresh_tokens"; run: (m: ManagementClient) => Promise<unknown> };

function stepsFor(sub: string, cause: RevocationCause, now: number): Step[] {
  const steps: Step[] = [{ name: "revocation_time", run: (m) => m.users.update(sub, { app_metadata: { [REVOKED_AT_KEY]: Math.floor(now / 1000) } }) }];
  if (cause !== "factor_removed") steps.push({ name: "sessions", run: (m) => m.users.sessions.delete(sub) });
  steps.push({ name: "refresh_tokens", run: (m) => m.users.refreshToken.delete(sub) });
  return steps;
}

/**
 * Carries a revocation to Auth0 with the tenant's Management API credentials, when it has them:
 * records the time the Action honours (so the next login in any existing session goes through
 * Keystep), then revokes the sessions and refresh tokens where the plan allows it. Each call is
 * audited (`auth0.revoked`, success or failure with Auth0's one-line error). It never throws: a
 * failure here must never block the action that asked for it. Returns the steps that succeeded.
 */
export async function revokeAtAuth0(
  db: Kysely<Database>,
  env: { tenants: readonly Tenant[] },
  user: { tenant: string; sub: string },
  cause: RevocationCause,
  opts: { now?: number } = {},
): Promise<string[]> {
  const tenant = tenantById(env.tenants, user.tenant);
  if (!tenant?.management) return [];
  const record = (outcome: "success" | "failure", step: string, error?: string) =>
    audit(db, { event: "auth0.revoked", tenant: user.tenant, sub: user.sub, outcome, detail: { cause, step, ...(error ? { error } : {}) } });
  let client: ManagementClient;
  try {
    client = managementClient(tenant.management, { timeoutInSeconds: 10 });
  } catch (e) {
    await record("failure", "client", describeManagementError(e));
    return [];
  }
  const done: string[] = [];
  for (const step of stepsFor(user.sub, cause, opts.now ?? Date.now())) {
    try {
      await step.run(client);
      done.push(step.name);
      await record("success", step.name);
    } catch (e) {
      const error = describeManagementError(e);
      log.warn({ cause, step: step.name, error }, "auth0 revocation failed");
      await record("failure", step.name, error);
    }
  }
  return done;
}
